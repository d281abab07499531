#pragma once
// The Bytes panel's Follow view: each TCP connection's two directions put back together
// in the order the calls moved them, as Wireshark's "Follow TCP Stream" and `tshark -z
// follow,tcp` show a connection, with each call's piece kept apart. Built from the
// Conversation's streams (pure data, no window).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ui/conversation.hpp"

namespace sockstep::ui {

// One call's bytes: [begin, end) of streams[stream].data.
struct FollowPiece {
  std::size_t stream = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::uint64_t seq = 0;  // the call that moved them
  bool forward = true;    // from the connection's first speaker
};

struct FollowedConnection {
  std::size_t forward = 0;    // index into streams: the direction that moved bytes first
  long backward = -1;         // its other direction, or -1 when nothing came back
  std::vector<FollowPiece> pieces;  // both directions, in the order the calls were logged
};

// The TCP connections among streams, in the order they first moved bytes. A direction's
// pieces are its sends (where the sender was seen), else the receives that took them.
[[nodiscard]] std::vector<FollowedConnection> follow_connections(const std::vector<ByteStream>& streams);

}  // namespace sockstep::ui
