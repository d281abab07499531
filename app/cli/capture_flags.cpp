#include "cli/capture_flags.hpp"

#include <cstdio>

namespace sockstep::cli {

void add_capture_flags(CLI::App* command, CaptureFlags& flags) {
  command->add_flag("--capture", flags.show,
                    "Show the session's loopback packets (SYN, data, FIN, RST) as events; needs root or CAP_NET_RAW");
  command->add_option("--pcap", flags.pcap, "Write the session's loopback packets to FILE (Wireshark, tshark)");
}

void start_capture(Capture& capture, EventLog& log, const CaptureFlags& flags, std::vector<int> ports,
                   bool learn_ports, bool link_calls, bool notes_reach_stderr) {
  if (!flags.wanted()) return;
  CaptureOptions options;
  options.ports = std::move(ports);
  options.learn_ports = learn_ports;
  options.link_calls = link_calls;
  options.pcap_path = flags.pcap;
  options.log_packets = flags.show;
  if (capture.start(log, std::move(options)) || notes_reach_stderr) return;
  std::fprintf(stderr, "sockstep: %s\n", capture.message().c_str());
  std::fflush(stderr);
}

}  // namespace sockstep::cli
