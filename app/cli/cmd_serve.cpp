#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <string>

#include "cli/capture_flags.hpp"
#include "cli/commands.hpp"
#include "cli/follow_output.hpp"
#include "cli/kernel_recorder.hpp"
#include "cli/session_export.hpp"
#include "cli/event_format.hpp"
#include "cli/live_window.hpp"
#include "cli/stop_signal.hpp"
#include "engine/live/echo_server.hpp"
#include "engine/text/errno_names.hpp"
#include "engine/sockets/local_addresses.hpp"

namespace sockstep::cli {

namespace {

void print_event(const Event& e, bool json) {
  const std::string line = json ? event_json_line(e) : format_event(e);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

Address parse_host(const std::string& host, int port) {
  const std::string h = host == "localhost" ? "127.0.0.1" : host;
  return Address{h.find(':') != std::string::npos ? AF_INET6 : AF_INET, h, port, {}};
}

}  // namespace

int serve_open_error(const Address& address, const EchoServerOpen& opened) {
  if (opened.failed_call == "bind")
    return error(kExitBadInput, fmt::format("cannot listen on {}: {} ({}); try another --port", address.to_string(),
                                            errno_name(opened.err), errno_message(opened.err)));
  return error(kExitFailed, fmt::format("{}() failed: {} ({})", opened.failed_call, errno_name(opened.err),
                                        errno_message(opened.err)));
}

void note_remote_reach(EventLog& log, const Address& listening) {
  if (is_loopback_host(listening.host)) return;
  const bool any = listening.host == "0.0.0.0" || listening.host == "::";
  std::string where;
  if (any) {
    // :: takes IPv4 clients too unless IPV6_V6ONLY (net.ipv6.bindv6only) is set.
    const std::vector<Address> reach = outside_addresses(listening.host == "::" ? AF_UNSPEC : AF_INET);
    for (const Address& a : reach) where += (where.empty() ? "" : ", ") + Address{a.family, a.host, listening.port, {}}.to_string();
    if (where.empty()) where = "no interface but loopback is up";
  } else {
    where = listening.to_string();
  }
  Event e;
  e.kind = EventKind::Note;
  e.actor = "sockstep";
  e.note = NoteKind::Warning;
  e.detail = "listening beyond loopback on " + listening.to_string() + ": anyone who can reach " + where +
             " can connect and send bytes that are shown here";
  e.args = "监听范围超出回环地址(" + listening.to_string() + "):任何能访问 " + where + " 的人都可以连接,并发送在这里显示的字节";
  log.append(std::move(e));
}

int run_serve(const ServeOptions& options) {
  const Address address = parse_host(options.host, options.port);
  if (!to_sockaddr(address))
    return error(kExitBadInput, "--host " + options.host + " is not a numeric address (e.g. 127.0.0.1, ::1, localhost)");
  if (!options.allow_remote && !is_loopback_host(options.host))
    return error(kExitBadInput, "--host " + options.host + " is not a loopback address; add --allow-remote to listen on it");
  if (have_window() && !options.headless && !options.json && options.export_dir.empty()) return serve_window(address, options);

  // Events are printed as they come; the log keeps only the latest, so a client that
  // floods gigabytes costs the server a few megabytes.
  // --follow keeps what a session's streams need (the default limits).
  EventLogLimits limits;
  if (!options.follow && options.export_dir.empty()) {
    limits.max_events = 4096;
    limits.max_total_bytes = 4 * 1024 * 1024;
  }
  EventLog log(limits);
  log.reserve_all();  // before the first client: a new server answers as fast as a warm one
  log.set_listener([json = options.json](const Event& e) { print_event(e, json); });
  ignore_sigpipe();
  EchoServerOptions server_options;
  server_options.max_clients = options.max_clients;
  server_options.stop_fd = install_stop_signal().fd();
  // Lines go out in batches, not one write per event: when the buffer fills, and whenever
  // the server has been idle for a few milliseconds, so a reader sees everything up to a
  // wait at once and a busy echo pays one write per batch rather than per round trip.
  // `serve | head`: serving stops once the reader has gone.
  server_options.on_idle = [] { (void)output_gone(stdout); };
  EchoServer server(log, address, options.backlog, std::move(server_options));
  CaptureFlags capture_flags = options.capture;
  if (!options.export_dir.empty())
    if (const std::string why = prepare_export(options.export_dir, capture_flags); !why.empty())
      return error(kExitBadInput, why);
  Capture capture;  // stops (and flushes --pcap) when serving ends
  start_capture(capture, log, capture_flags, {options.port}, options.port == 0, true, false);

  const EchoServerOpen opened = server.open();
  if (!opened.ok()) {
    std::fflush(stdout);
    return serve_open_error(address, opened);
  }
  if (!options.json) fmt::print("serving on {} — connect with: nc {} {}\n", opened.address.to_string(),
                                opened.address.host, opened.address.port);
  note_remote_reach(log, opened.address);
  std::fflush(stdout);
  // --export: the cards serve's window would show, for session.sockstep.
  std::optional<KernelRecorder> kernel;
  if (!options.export_dir.empty())
    kernel.emplace(log, KernelRecorderLanes{"serve " + opened.address.to_string(), {"server"}, "clients", true});

  const int failed = server.run();
  if (options.follow) print_streams(log, options.json, stdout);
  std::fflush(stdout);
  const int code = finish_capture(
      capture, failed != 0 ? error(kExitFailed, fmt::format("poll() failed: {} ({})", errno_name(failed), errno_message(failed)))
                           : kExitOk);
  if (!kernel) return code;
  // Laid out as the window lays out serve: each client a lane of its own.
  ExportSetup setup;
  setup.lang = lang_from_code(options.lang).value_or(Lang::En);
  setup.title = "serve " + opened.address.to_string();
  setup.lanes = {"server"};
  setup.outside = "clients";
  setup.lane_per_connection = true;
  return finish_live_export(options.export_dir, code, *kernel, setup);
}

}  // namespace sockstep::cli
