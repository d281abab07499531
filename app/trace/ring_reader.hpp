#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "trace/ring.hpp"

namespace sockstep::trace {

// The reading end of one traced process's ring (see ring.hpp). The ring's memory is
// shared with a program that is not trusted: every size read from it is checked, a
// record is copied out before it is decoded, and a ring that makes no sense is given
// up on (broken()) instead of being read past its end.
class RingReader {
 public:
  // Takes ownership of fd. Refuses (nullptr, error set) a ring that is not a sealed
  // memfd of a sane size: the program could otherwise shrink it under the reader.
  [[nodiscard]] static std::unique_ptr<RingReader> open(int fd, std::string& error);
  ~RingReader();
  RingReader(const RingReader&) = delete;
  RingReader& operator=(const RingReader&) = delete;

  using Sink = std::function<void(std::string_view record)>;
  // Hands every written record, in ring order, to sink, at most max of them; stops at
  // the first entry still being written. Returns how many it took.
  std::size_t drain(const Sink& sink, std::size_t max = 1u << 20);
  // For a ring nobody will write again (its process is gone): takes what was written,
  // then steps over entries whose writer died before finishing them. Returns how many
  // entries it stepped over.
  std::size_t drain_abandoned(const Sink& sink);
  // Asks the writers to wake the reader on their next record. Returns true if there is
  // something to read already (then the reader should not sleep).
  [[nodiscard]] bool ask_for_wakeup();
  // Records the writers gave up on because the ring stayed full.
  [[nodiscard]] std::uint64_t dropped() const;
  [[nodiscard]] bool broken() const { return broken_; }
  [[nodiscard]] std::uint64_t capacity() const { return capacity_; }
  // The reader's own mapping: writers in this same process (tests) use it, so a race
  // detector sees both sides at the same addresses.
  [[nodiscard]] RingHeader* mapping() const { return ring_; }

 private:
  RingReader(RingHeader* ring, std::uint64_t capacity);
  // Takes the entry at tail_ if it is written; false if not (or the ring is broken).
  bool take_one(const Sink& sink);
  void clear_and_advance(std::uint64_t bytes);
  void let_writers_in();

  RingHeader* ring_ = nullptr;
  std::uint64_t capacity_ = 0;
  std::uint64_t tail_ = 0;  // ours: the shared copy is only for the writers
  bool broken_ = false;
  std::string record_;  // the record copied out of shared memory
};

}  // namespace sockstep::trace
