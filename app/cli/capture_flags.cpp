#include "cli/capture_flags.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace sockstep::cli {

namespace {

// A file that can be written: its folder exists and is writable, and it is not a folder.
// Checked when the command line is read, so a bad path is bad input (exit 2), not a
// surprise after the session.
std::string writable_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return path + " is a directory";
  const fs::path parent = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec)) return "no directory " + parent.string() + " for " + path;
  if (::access(parent.c_str(), W_OK) != 0 && ::access(path.c_str(), W_OK) != 0) return "cannot write " + path;
  return {};
}

}  // namespace

void add_capture_flags(CLI::App* command, CaptureFlags& flags) {
  command->add_flag("--capture", flags.show,
                    "Show the session's loopback packets (SYN, data, FIN, RST) as events; needs root or CAP_NET_RAW");
  command->add_option("--pcap", flags.pcap, "Write the session's loopback packets to FILE (Wireshark, tshark)")
      ->option_text("FILE")
      ->check(CLI::Validator(writable_file, "FILE"));
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
