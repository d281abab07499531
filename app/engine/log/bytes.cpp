#include "engine/log/bytes.hpp"

#include <cstring>

namespace sockstep {

Bytes::Bytes(std::string_view data) : size_(data.size()), room_(data.size()) {
  if (data.empty()) return;
  buffer_ = std::make_shared_for_overwrite<char[]>(data.size());
  std::memcpy(buffer_.get(), data.data(), data.size());
}

Bytes Bytes::with_room(std::size_t room) {
  Bytes bytes;
  if (room == 0) return bytes;
  // Not zeroed: the call overwrites what it keeps, and zeroing 64 KiB per recv() shows
  // on the bulk path.
  bytes.buffer_ = std::make_shared_for_overwrite<char[]>(room);
  bytes.size_ = room;
  bytes.room_ = room;
  return bytes;
}

void Bytes::keep(std::size_t n) {
  if (n >= size_) return;
  size_ = n;
  fit();
}

}  // namespace sockstep
