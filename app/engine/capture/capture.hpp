#pragma once
#include <atomic>
#include <cstddef>
#include <memory>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "engine/log/event_log.hpp"
#include "engine/log/call_timing.hpp"
#include "engine/capture/held_packets.hpp"

namespace sockstep {

struct CaptureOptions {
  std::vector<int> ports;    // the session's TCP/UDP ports known at the start
  // Also keep packets of ports later seen in the log (any port a call's socket names).
  // A packet of a port not known yet is held until its port is learned (kept, in its
  // place) or it has waited too long or too many wait (let go): engine/held_packets.hpp.
  bool learn_ports = false;
  HeldPackets::Limits hold;
  bool link_calls = true;    // name the call that sent each packet (needs call-return times in the log)
  CallTiming call_timing;
  std::string pcap_path;     // also write every kept packet to this pcap file
  bool log_packets = true;   // false: only the pcap file gets them
  std::string device = "lo";
  // Without a file, headers and the first few hundred bytes of payload are enough for
  // the log; a file gets whole packets (what Wireshark's Follow needs).
  int snaplen = 512;
  int pcap_snaplen = 262144;  // tcpdump's default: a loopback segment is up to 64 KiB
};

enum class CaptureState { Off, Running, NotPermitted, Failed };

// Records the session's packets on loopback with libpcap into the event log, one
// EventKind::Packet event each, on its own thread (non-blocking pcap, poll() on its fd
// and a wake-up eventfd). Needs root or CAP_NET_RAW; without it start() appends one
// Note saying how to allow it, and everything else goes on without packets.
// With learn_ports the kernel filter takes all of loopback from the start, since a
// session's first packets (a connect's SYN) leave before the call that names their port
// is logged; the pcap file gets every kept packet in the order the kernel saw them. A
// Note says when packets were missed: dropped by the kernel (pcap_stats), or let go
// while held before their port was learned.
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
  // Packets of the session's ports let go before those ports were learned (after stop()).
  [[nodiscard]] std::size_t missed_early() const { return missed_early_; }
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
  std::size_t missed_early_ = 0;
};

// The BPF filter for these ports (all loopback TCP/UDP when there are none).
[[nodiscard]] std::string capture_filter(const std::vector<int>& ports);
// The one line said when capture is not permitted.
[[nodiscard]] std::string capture_permission_hint();

}  // namespace sockstep
