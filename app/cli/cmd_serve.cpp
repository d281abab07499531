#include <fmt/format.h>

#include <cerrno>
#include <cstdio>

#include "cli/capture_flags.hpp"
#include "cli/commands.hpp"
#include "cli/event_format.hpp"
#include "cli/stop_signal.hpp"
#include "engine/errno_names.hpp"
#include "engine/py_text.hpp"
#include "engine/socket_ops.hpp"

namespace sockstep::cli {

CLI::App* add_serve_command(CLI::App& app, ServeOptions& options) {
  auto* serve = app.add_subcommand("serve", "Run the lesson's echo server for outside clients (nc, your own client)");
  serve->add_option("--host", options.host, "Address to listen on (loopback unless --allow-remote)");
  serve->add_option("--port", options.port, "Port to listen on; 0 lets the kernel pick")->check(CLI::Range(0, 65535));
  serve->add_flag("--headless", options.headless, "No window: print one line per event");
  serve->add_flag("--json", options.json, "Print events as JSON lines");
  serve->add_flag("--allow-remote", options.allow_remote, "Allow a non-loopback --host");
  serve->add_option("--max-clients", options.max_clients, "Stop after this many clients (0: until stopped)");
  add_capture_flags(serve, options.capture);
  return serve;
}

namespace {

void print_event(const Event& e, bool json) {
  if (json) {
    std::fputs((event_json(e).dump() + "\n").c_str(), stdout);
  } else {
    std::fputs((format_event(e) + "\n").c_str(), stdout);
  }
}

Address parse_host(const std::string& host, int port) {
  const std::string h = host == "localhost" ? "127.0.0.1" : host;
  return Address{h.find(':') != std::string::npos ? AF_INET6 : AF_INET, h, port, {}};
}

// Echo one connection until the client closes: like the seed's server, upper-cased.
void echo_connection(OpContext& ctx, int conn) {
  for (;;) {
    const CallResult data = ops::recv(ctx, conn, 1024);
    if (!data.ok() || data.value == 0) break;
    if (!ops::sendall(ctx, conn, ascii_upper(data.bytes)).ok()) break;
  }
  (void)ops::close(ctx, conn);
}

}  // namespace

int run_serve(const ServeOptions& options) {
  if (!options.allow_remote && !is_loopback_host(options.host))
    return error(kExitBadInput, "--host " + options.host + " is not a loopback address; add --allow-remote to listen on it");
  const Address address = parse_host(options.host, options.port);
  if (!to_sockaddr(address)) return error(kExitBadInput, "--host " + options.host + " is not a numeric address");

  EventLog log;
  log.set_listener([json = options.json](const Event& e) { print_event(e, json); });
  OpContext ctx(&log, "server", install_stop_signal());
  ignore_sigpipe();
  // Lines go out whenever the server is about to wait, not one write per event: a reader
  // sees everything up to the wait at once, and a busy echo pays one write per round trip.
  ctx.on_block = [](const BlockInfo&) { std::fflush(stdout); };
  Capture capture;  // stops (and flushes --pcap) when serving ends
  start_capture(capture, log, options.capture, {options.port}, options.port == 0, true, false);

  const CallResult listener = ops::socket(ctx, address.family, SOCK_STREAM);
  if (!listener.ok()) return error(kExitFailed, "socket() failed: " + errno_message(listener.err));
  const int fd = static_cast<int>(listener.value);
  (void)ops::setsockopt(ctx, fd, SOL_SOCKET, SO_REUSEADDR, 1);
  const CallResult bound = ops::bind(ctx, fd, address);
  if (!bound.ok()) {
    (void)ops::close(ctx, fd);
    return error(kExitBadInput, fmt::format("cannot listen on {}: {} ({}); try another --port", address.to_string(),
                                            errno_name(bound.err), errno_message(bound.err)));
  }
  if (!ops::listen(ctx, fd, 5).ok()) return error(kExitFailed, "listen() failed");
  const CallResult name = ops::getsockname(ctx, fd);
  if (!options.json) fmt::print("serving on {} — connect with: nc {} {}\n", name.address.to_string(),
                                name.address.host, name.address.port);
  std::fflush(stdout);

  int served = 0;
  while (options.max_clients == 0 || served < options.max_clients) {
    const CallResult conn = ops::accept(ctx, fd);
    if (conn.err == ECANCELED || stop_requested()) break;
    if (!conn.ok()) continue;
    echo_connection(ctx, static_cast<int>(conn.value));
    ++served;
    if (stop_requested()) break;
  }
  (void)ops::close(ctx, fd);
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace sockstep::cli
