#pragma once
// The file format of the trace-decoder fuzz inputs (tests/corpus/trace/*.records): the
// records of one trace in the order the reader got them, each as a 2-byte little-endian
// length and then the record's bytes. A length that runs past the end takes what is left.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockstep::trace {

template <typename Fn>
void for_each_record(std::string_view stream, Fn&& fn) {
  std::size_t at = 0;
  // Bounded: every round moves at least 2 bytes on.
  while (at + 2 <= stream.size()) {
    const std::size_t length = static_cast<unsigned char>(stream[at]) | static_cast<unsigned char>(stream[at + 1]) << 8;
    at += 2;
    const std::size_t take = length < stream.size() - at ? length : stream.size() - at;
    fn(stream.substr(at, take));
    at += take;
  }
}

inline void append_record(std::string& stream, std::string_view record) {
  const std::size_t length = record.size() < 0xFFFF ? record.size() : 0xFFFF;
  stream.push_back(static_cast<char>(length & 0xFF));
  stream.push_back(static_cast<char>(length >> 8));
  stream.append(record.substr(0, length));
}

}  // namespace sockstep::trace
