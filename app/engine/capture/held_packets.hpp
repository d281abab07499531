#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <utility>
#include <vector>

namespace sockstep {

struct HeldPacketLimits {
  std::size_t packets = 2048;
  std::size_t bytes = 16 << 20;
  std::chrono::milliseconds wait{2000};
};

// Captured packets that wait to be told: a session's first packets (a connect's SYN)
// leave before the call that names their port is logged, so a capture that learns its
// ports holds a packet of a port not known yet until it is (kept) or it has waited too
// long (let go). Kept packets behind an undecided one wait too, so that what is written
// keeps the kernel's order. Bounded in packets, bytes and time.
class HeldPackets {
 public:
  using Clock = std::chrono::steady_clock;
  using Limits = HeldPacketLimits;
  struct Packet {
    std::int64_t ts_sec = 0;  // the kernel's stamp and length (pcap_pkthdr)
    std::int64_t ts_usec = 0;
    std::uint32_t wire_length = 0;
    std::vector<std::uint8_t> bytes;  // as captured
    int from_port = 0;
    int to_port = 0;
    Clock::time_point since;
  };
  // Whether a packet between these ports is the session's, by the ports known now.
  using Wanted = std::function<bool(int from_port, int to_port)>;
  using Visit = std::function<void(const Packet&)>;

  explicit HeldPackets(Limits limits = {}) : limits_(limits) {}

  [[nodiscard]] bool empty() const { return held_.empty(); }
  [[nodiscard]] std::size_t size() const { return held_.size(); }
  void hold(Packet packet);
  // Decides what it can. kept: each packet found to be the session's, at once (the log).
  // written: each kept packet once every packet before it is decided (the file).
  // ports_grew: look at every undecided packet again, not only the newest. final: every
  // port is known now; what is not wanted is let go.
  void settle(const Wanted& wanted, bool ports_grew, Clock::time_point now, bool final, const Visit& kept,
              const Visit& written);
  // Packets let go undecided that are the session's by the ports known now.
  [[nodiscard]] std::size_t missed(const Wanted& wanted) const;

 private:
  enum class Fate { Open, Keep };
  struct Entry {
    Packet packet;
    Fate fate = Fate::Open;
  };
  // Ports of packets let go, for missed(); bounded.
  static constexpr std::size_t kMaxLetGo = 65536;

  Limits limits_;
  std::deque<Entry> held_;
  std::size_t bytes_ = 0;
  std::vector<std::pair<int, int>> let_go_;
};

}  // namespace sockstep
