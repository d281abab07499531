#include "engine/capture/held_packets.hpp"

namespace sockstep {

void HeldPackets::hold(Packet packet) {
  bytes_ += packet.bytes.size();
  held_.push_back(Entry{std::move(packet), Fate::Open});
}

void HeldPackets::settle(const Wanted& wanted, bool ports_grew, Clock::time_point now, bool final, const Visit& kept,
                         const Visit& written) {
  const auto look = [&](Entry& e) {
    if (e.fate != Fate::Open || !wanted(e.packet.from_port, e.packet.to_port)) return;
    e.fate = Fate::Keep;
    kept(e.packet);
  };
  // The others can only have become the session's when ports came.
  if (ports_grew) {
    for (Entry& e : held_) look(e);
  } else if (!held_.empty()) {
    look(held_.back());
  }
  for (;;) {
    while (!held_.empty() && held_.front().fate != Fate::Open) {
      written(held_.front().packet);
      bytes_ -= held_.front().packet.bytes.size();
      held_.pop_front();
    }
    if (held_.empty()) break;
    // The oldest undecided one goes when it has waited long enough or too many wait.
    const bool full = held_.size() > limits_.packets || bytes_ > limits_.bytes;
    if (!final && !full && now - held_.front().packet.since <= limits_.wait) break;
    if (let_go_.size() < kMaxLetGo) let_go_.emplace_back(held_.front().packet.from_port, held_.front().packet.to_port);
    bytes_ -= held_.front().packet.bytes.size();
    held_.pop_front();
  }
}

std::size_t HeldPackets::missed(const Wanted& wanted) const {
  std::size_t n = 0;
  for (const auto& [from, to] : let_go_)
    if (wanted(from, to)) ++n;
  return n;
}

}  // namespace sockstep
