#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <iostream>

#include "cli/capture_flags.hpp"
#include "cli/commands.hpp"
#include "cli/follow_output.hpp"
#include "cli/kernel_recorder.hpp"
#include "cli/session_export.hpp"
#include "cli/event_format.hpp"
#include "cli/live_window.hpp"
#include "cli/stop_signal.hpp"
#include "engine/text/errno_names.hpp"
#include "engine/text/py_text.hpp"
#include "engine/sockets/socket_ops.hpp"

namespace sockstep::cli {

namespace {

std::optional<Address> parse_target(const std::string& target) {
  std::string host;
  std::string port;
  if (!target.empty() && target[0] == '[') {
    const auto close = target.find("]:");
    if (close == std::string::npos) return std::nullopt;
    host = target.substr(1, close - 1);
    port = target.substr(close + 2);
  } else {
    const auto colon = target.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    host = target.substr(0, colon);
    port = target.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const int number = std::stoi(port);
  if (number < 1 || number > 65535) return std::nullopt;
  Address address{host.find(':') != std::string::npos ? AF_INET6 : AF_INET, host, number, {}};
  if (!to_sockaddr(address)) return std::nullopt;
  return address;
}

// One exchange, as the seed's client does it: send, then one recv(1024). Returns "" when
// a reply came, else what went wrong, in one line: a reset, an EOF, a failed send.
std::string exchange(OpContext& ctx, int fd, const std::string& message, bool json) {
  const CallResult sent = ops::send(ctx, fd, message);
  if (!sent.ok())
    return fmt::format("send() failed: {} ({})", errno_name(sent.err), errno_message(sent.err));
  const CallResult reply = ops::recv(ctx, fd, 1024);
  if (reply.err == ECONNRESET)
    return "the server reset the connection: recv() -> ECONNRESET (Connection reset by peer), no reply";
  if (!reply.ok())
    return fmt::format("recv() failed: {} ({})", errno_name(reply.err), errno_message(reply.err));
  if (reply.value == 0) return "the server closed the connection without a reply: recv() -> 0 (EOF)";
  if (!json) fmt::print("{}\n", python_bytes_repr(reply.bytes));
  std::fflush(stdout);
  return {};
}

}  // namespace

int run_dial(const DialOptions& options) {
  const auto address = parse_target(options.target);
  if (!address) return error(kExitBadInput, "'" + options.target + "' is not HOST:PORT (e.g. 127.0.0.1:8084)");
  if (!options.allow_remote && !is_loopback_host(address->host))
    return error(kExitBadInput, address->host + " is not a loopback address; add --allow-remote to dial it");

  // --message alone, or lines piped in (or from a file), is a script: the replies go to
  // the terminal. A terminal or /dev/null (a desktop launcher) gets the window.
  struct stat in {};
  const bool piped = ::fstat(STDIN_FILENO, &in) == 0 && (S_ISFIFO(in.st_mode) || S_ISREG(in.st_mode));
  const bool scripted = (options.has_message || piped) && options.screenshot.empty();
  if (have_window() && !options.headless && !options.json && !scripted && options.export_dir.empty())
    return dial_window(*address, options);

  EventLog log;
  const bool json = options.json;
  // Headless shows every call; without it only the replies, like the seed's client.
  if (options.headless || json)
    log.set_listener([json](const Event& e) {
      std::fputs(((json ? event_json_line(e) : format_event(e)) + "\n").c_str(), json ? stdout : stderr);
      std::fflush(json ? stdout : stderr);
    });
  OpContext ctx(&log, "client", &install_stop_signal());
  CaptureFlags capture_flags = options.capture;
  if (!options.export_dir.empty())
    if (const std::string why = prepare_export(options.export_dir, capture_flags); !why.empty())
      return error(kExitBadInput, why);
  Capture capture;  // stops (and flushes --pcap) when dialing ends
  start_capture(capture, log, capture_flags, {address->port}, false, true, options.headless && !json);
  ignore_sigpipe();
  // --export: the cards dial's window would show, for session.sockstep.
  std::optional<KernelRecorder> kernel;
  if (!options.export_dir.empty())
    kernel.emplace(log, KernelRecorderLanes{"dial " + address->to_string(), {"client"}, "server", false});
  const CallResult sock = ops::socket(ctx, address->family, SOCK_STREAM);
  if (!sock.ok()) return error(kExitFailed, "socket() failed: " + errno_message(sock.err));
  const int fd = static_cast<int>(sock.value);
  const CallResult connected = ops::connect(ctx, fd, *address);
  if (!connected.ok()) {
    (void)ops::close(ctx, fd);
    return finish_capture(capture, error(kExitFailed, fmt::format("connect to {} failed: {} ({})", address->to_string(),
                                          errno_name(connected.err), errno_message(connected.err))));
  }
  std::string problem;
  if (!options.message.empty() || options.has_message) {
    problem = exchange(ctx, fd, options.message, json);
  } else {
    for (std::string line; problem.empty() && !stop_requested() && std::getline(std::cin, line);)
      problem = exchange(ctx, fd, line, json);
  }
  (void)ops::close(ctx, fd);
  if (options.follow) print_streams(log, json, stdout);
  // Ctrl-C while waiting for a reply is no failure.
  const int code = finish_capture(capture, stop_requested() || problem.empty() ? kExitOk : error(kExitFailed, problem));
  if (!kernel) return code;
  ExportSetup setup;
  setup.lang = lang_from_code(options.lang).value_or(Lang::En);
  setup.title = "dial " + address->to_string();
  setup.lanes = {"client"};
  setup.outside = "server";
  return finish_live_export(options.export_dir, code, *kernel, setup);
}

}  // namespace sockstep::cli
