#include "cli/capture_flags.hpp"

#include <cstdio>

#include "engine/sockets/privileges.hpp"

namespace sockstep::cli {

void start_capture(Capture& capture, EventLog& log, const CaptureFlags& flags, std::vector<int> ports,
                   bool learn_ports, bool link_calls, bool notes_reach_stderr, CallTiming timing) {
  // A capability borrowed from setcap serves the capture alone: given up once it is
  // open (or not wanted), whatever happens next.
  struct Drop {
    ~Drop() { (void)drop_borrowed_capabilities(); }
  } drop;
  if (!flags.wanted()) return;
  CaptureOptions options;
  options.ports = std::move(ports);
  options.learn_ports = learn_ports;
  options.link_calls = link_calls;
  options.call_timing = timing;
  options.pcap_path = flags.pcap;
  options.log_packets = flags.show;
  if (capture.start(log, std::move(options)) || notes_reach_stderr) return;
  std::fprintf(stderr, "sockstep: %s\n", capture.message().c_str());
  std::fflush(stderr);
}

int finish_capture(Capture& capture, int code) {
  capture.stop();
  if (capture.write_error().empty()) return code;
  std::fprintf(stderr, "sockstep: %s\n", capture.write_error().c_str());
  return code == kExitOk ? kExitFailed : code;
}

}  // namespace sockstep::cli
