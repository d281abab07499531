#include "engine/log/follow.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace sockstep {

namespace {

using Key = std::pair<std::string, std::string>;  // src, dst as "host:port"

struct Side {
  FollowedStream stream;
  std::string actor;
  bool any = false;
};

void add(Side& side, const Event& e, const Address& src, const Address& dst) {
  FollowedStream& s = side.stream;
  if (!side.any) {
    s.src = src;
    s.dst = dst;
    side.actor = e.actor;
    side.any = true;
  }
  // What the call moved: its value (a short send moved less than it was given).
  const auto moved = static_cast<std::size_t>(e.value);
  s.starts.push_back(s.bytes.size());
  s.bytes += e.bytes.substr(0, std::min(moved, e.bytes.size()));
  s.byte_count += moved;
  ++s.calls;
  if (e.bytes.size() < moved) s.complete = false;  // the record kept only its first part
}

}  // namespace

std::vector<FollowedStream> follow_streams(const std::vector<Event>& events) {
  std::map<Key, Side> sent, received;
  std::vector<Key> order;
  for (const Event& e : events) {
    if (e.kind != EventKind::Call || !e.ok() || e.value <= 0 || e.dir == Direction::None || e.peeked) continue;
    if (!e.sock.stream() || e.sock.local.empty() || e.sock.peer.empty() || e.sock.local.family == AF_UNIX) continue;
    const bool out = e.dir == Direction::Out;
    const Address& src = out ? e.sock.local : e.sock.peer;
    const Address& dst = out ? e.sock.peer : e.sock.local;
    const Key key{src.to_string(), dst.to_string()};
    if (std::find(order.begin(), order.end(), key) == order.end()) {
      order.push_back(key);
      // The other direction of the connection right after it, as tshark pairs them.
      const Key back{key.second, key.first};
      if (std::find(order.begin(), order.end(), back) == order.end()) order.push_back(back);
    }
    add(out ? sent[key] : received[key], e, src, dst);
  }
  std::vector<FollowedStream> streams;
  for (const Key& key : order) {
    const auto s = sent.find(key);
    const auto r = received.find(key);
    if (s == sent.end() && r == received.end()) continue;  // a direction nothing moved in
    if (s != sent.end()) {
      FollowedStream stream = s->second.stream;
      stream.seen_by = "sends of " + s->second.actor;
      // Both ends traced: what was sent must be what was received.
      if (r != received.end() && r->second.stream.byte_count != stream.byte_count) stream.complete = false;
      streams.push_back(std::move(stream));
    } else {
      FollowedStream stream = r->second.stream;
      stream.seen_by = "recvs of " + r->second.actor;
      streams.push_back(std::move(stream));
    }
  }
  return streams;
}

}  // namespace sockstep
