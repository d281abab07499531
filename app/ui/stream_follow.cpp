#include "ui/stream_follow.hpp"

#include <algorithm>

namespace sockstep::ui {
namespace {

// The pieces of one direction: each mark ends one, the previous mark (or the kept bytes'
// start) begins it; a piece the window no longer keeps is left out.
void add_pieces(const ByteStream& s, std::size_t index, bool forward, std::vector<FollowPiece>& out) {
  const std::vector<StreamMark>& marks = s.send_ends.empty() ? s.recv_ends : s.send_ends;
  std::size_t start = 0;  // in stream offsets
  for (const StreamMark& m : marks) {
    const std::size_t begin = std::max(start, s.first);
    const std::size_t end = std::min(m.offset, s.first + s.data.size());
    if (end > begin) out.push_back(FollowPiece{index, begin - s.first, end - s.first, m.seq, forward});
    start = std::max(start, m.offset);
  }
}

}  // namespace

std::vector<FollowedConnection> follow_connections(const std::vector<ByteStream>& streams) {
  std::vector<FollowedConnection> out;
  std::vector<bool> taken(streams.size(), false);
  const auto first_seq = [&](std::size_t i) {
    const ByteStream& s = streams[i];
    const auto& marks = s.send_ends.empty() ? s.recv_ends : s.send_ends;
    return marks.empty() ? UINT64_MAX : marks.front().seq;
  };
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < streams.size(); ++i)
    if (streams[i].type == SOCK_STREAM && !streams[i].data.empty()) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return first_seq(a) < first_seq(b); });
  for (const std::size_t i : order) {
    if (taken[i]) continue;
    taken[i] = true;
    FollowedConnection c;
    c.forward = i;
    const ByteStream& s = streams[i];
    for (const std::size_t j : order) {
      const ByteStream& r = streams[j];
      // The other direction runs between the same two names (and lanes, where the names
      // are not known), the other way.
      const bool named = !s.from_address.empty() && !s.to_address.empty();
      const bool reverse = named ? r.from_address == s.to_address && r.to_address == s.from_address
                                 : r.from == s.to && r.to == s.from;
      if (!taken[j] && reverse) {
        taken[j] = true;
        c.backward = static_cast<long>(j);
        break;
      }
    }
    add_pieces(s, i, true, c.pieces);
    if (c.backward >= 0) add_pieces(streams[static_cast<std::size_t>(c.backward)], static_cast<std::size_t>(c.backward), false, c.pieces);
    std::stable_sort(c.pieces.begin(), c.pieces.end(), [](const FollowPiece& a, const FollowPiece& b) { return a.seq < b.seq; });
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace sockstep::ui
