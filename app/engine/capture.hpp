#pragma once
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/event_log.hpp"

namespace sockstep {

struct CaptureOptions {
  std::vector<int> ports;    // the session's TCP/UDP ports known at the start
  bool learn_ports = false;  // also keep packets of ports later seen in the log (bind, connect, accept)
  bool link_calls = true;    // name the call that sent each packet (needs call-return times in the log)
  std::string pcap_path;     // also write every kept packet to this pcap file
  bool log_packets = true;   // false: only the pcap file gets them
  std::string device = "lo";
  int snaplen = 512;         // headers and the first few hundred bytes of payload
};

enum class CaptureState { Off, Running, NotPermitted, Failed };

// Records the session's packets on loopback with libpcap into the event log, one
// EventKind::Packet event each, on its own thread (non-blocking pcap, poll() on its fd
// and a wake-up eventfd). Needs root or CAP_NET_RAW; without it start() appends one
// Note saying how to allow it, and everything else goes on without packets.
class Capture {
 public:
  Capture();
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  // Opens the device and starts the thread. On failure: state() says why, message()
  // is one line for a person, and a warning Note with it is in the log.
  bool start(EventLog& log, CaptureOptions options);
  // Reads what the kernel still holds, flushes the pcap file, joins the thread.
  void stop();

  [[nodiscard]] CaptureState state() const { return state_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] std::size_t packets() const { return packets_.load(); }
  // After stop(): "cannot write FILE: No space left on device" when the pcap file did
  // not get every packet; empty when it did (or there was none).
  [[nodiscard]] const std::string& write_error() const { return write_error_; }
  // The filter given to the kernel, e.g. "(tcp or udp) and (port 8084) and (...)".
  [[nodiscard]] const std::string& filter() const { return filter_; }

 private:
  struct Impl;
  void run();
  void fail(EventLog& log, CaptureState state, std::string message);

  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  CaptureState state_ = CaptureState::Off;
  std::string message_;
  std::string filter_;
  std::string write_error_;
  std::atomic<std::size_t> packets_{0};
};

// The BPF filter for these ports (all loopback TCP/UDP when there are none).
[[nodiscard]] std::string capture_filter(const std::vector<int>& ports);
// The one line said when capture is not permitted.
[[nodiscard]] std::string capture_permission_hint();

}  // namespace sockstep
