#pragma once
// After a session: each TCP connection's two byte streams, in order, as `tshark -z
// follow,tcp` shows them from the wire, with where each call's bytes began. Built from
// the calls' typed fields (socket type, local and peer addresses, direction, bytes).
#include <cstddef>
#include <string>
#include <vector>

#include "engine/log/address.hpp"
#include "engine/log/event.hpp"

namespace sockstep {

// The bytes one direction of one TCP connection carried.
struct FollowedStream {
  Address src;
  Address dst;
  std::string bytes;                // what the calls kept, in order
  std::size_t byte_count = 0;       // what they moved (more than bytes.size() when not all was kept)
  std::vector<std::size_t> starts;  // where each call's bytes begin in bytes
  std::size_t calls = 0;
  // Every call's bytes were kept, and when both ends were traced their sends and recvs
  // agree: bytes is the stream exactly.
  bool complete = true;
  std::string seen_by;              // "sends of client[12]" or "recvs of server[11]"
};

// The streams in the order their connections first moved bytes; a direction is read from
// its sender's calls when the sender was traced, else from its receiver's.
[[nodiscard]] std::vector<FollowedStream> follow_streams(const std::vector<Event>& events);

}  // namespace sockstep
