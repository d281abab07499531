#include "trace/ring_reader.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "trace/wire.hpp"

namespace sockstep::trace {

std::unique_ptr<RingReader> RingReader::open(int fd, std::string& error) {
  const auto refuse = [&](const std::string& why) -> std::unique_ptr<RingReader> {
    error = why;
    ::close(fd);
    return nullptr;
  };
  const int seals = ::fcntl(fd, F_GET_SEALS);
  if (seals < 0 || (seals & F_SEAL_SHRINK) == 0) return refuse("the trace ring is not a sealed memfd");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return refuse("the trace ring is not a memory file");
  const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  if (size < kRingHeaderBytes || !ring_capacity_ok(size - kRingHeaderBytes))
    return refuse("the trace ring has an odd size (" + std::to_string(size) + " bytes)");
  const std::uint64_t capacity = size - kRingHeaderBytes;
  RingHeader* ring = ring_map(fd, capacity);
  if (ring == nullptr) return refuse(std::string("the trace ring cannot be mapped: ") + std::strerror(errno));
  if (__atomic_load_n(&ring->magic, __ATOMIC_ACQUIRE) != kRingMagic || ring->capacity != capacity) {
    ring_unmap(ring, capacity);
    return refuse("the trace ring's header is not a sockstep ring");
  }
  ::close(fd);  // the mapping keeps the memory: one fd less per traced process
  return std::unique_ptr<RingReader>(new RingReader(ring, capacity));
}

RingReader::RingReader(RingHeader* ring, std::uint64_t capacity)
    : ring_(ring), capacity_(capacity), tail_(__atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE)) {
  record_.reserve(kMaxRecord);
}

RingReader::~RingReader() {
  // Writers that still wait for room must not sleep out their whole timeout.
  __atomic_add_fetch(&ring_->room, 1, __ATOMIC_SEQ_CST);
  ::syscall(SYS_futex, &ring_->room, FUTEX_WAKE, 1 << 30, nullptr, nullptr, 0);
  ring_unmap(ring_, capacity_);
}

void RingReader::clear_and_advance(std::uint64_t bytes) {
  // Cleared before it is handed back: the next entry written here must not find an old
  // "written" flag (or an old size) where its own header goes.
  char* data = ring_data(ring_);
  const std::uint64_t at = tail_ & (capacity_ - 1);
  std::memset(data + at, 0, bytes);  // the second mapping makes this contiguous
  tail_ += bytes;
  __atomic_store_n(&ring_->tail, tail_, __ATOMIC_RELEASE);
}

bool RingReader::take_one(const Sink& sink) {
  if (broken_) return false;
  const std::uint64_t head = __atomic_load_n(&ring_->head, __ATOMIC_ACQUIRE);
  if (head == tail_) return false;
  const std::uint64_t pending = head - tail_;
  auto* entry = reinterpret_cast<RingEntry*>(ring_data(ring_) + (tail_ & (capacity_ - 1)));
  if (pending > capacity_ || pending < sizeof(RingEntry)) {
    broken_ = true;
    return false;
  }
  if (__atomic_load_n(&entry->written, __ATOMIC_ACQUIRE) != kEntryWritten) return false;
  const std::uint32_t size = __atomic_load_n(&entry->size, __ATOMIC_RELAXED);
  const std::uint64_t bytes = ring_entry_bytes(size);
  if (size > kMaxRecord || bytes > pending) {
    broken_ = true;
    return false;
  }
  record_.assign(reinterpret_cast<const char*>(entry + 1), size);
  clear_and_advance(bytes);
  sink(record_);
  return true;
}

void RingReader::let_writers_in() {
  __atomic_add_fetch(&ring_->room, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&ring_->writers_waiting, __ATOMIC_SEQ_CST) != 0 &&
      __atomic_exchange_n(&ring_->writers_waiting, 0, __ATOMIC_ACQ_REL) != 0)
    ::syscall(SYS_futex, &ring_->room, FUTEX_WAKE, 1 << 30, nullptr, nullptr, 0);
}

std::size_t RingReader::drain(const Sink& sink, std::size_t max) {
  std::size_t taken = 0;
  while (taken < max && take_one(sink)) ++taken;
  if (taken > 0) let_writers_in();
  return taken;
}

std::size_t RingReader::drain_abandoned(const Sink& sink) {
  std::size_t skipped = 0;
  // Bounded: each round takes or skips at least one entry of a ring of capacity_ bytes.
  for (std::uint64_t round = 0; round <= capacity_ / sizeof(RingEntry) && !broken_; ++round) {
    if (take_one(sink)) continue;
    const std::uint64_t head = __atomic_load_n(&ring_->head, __ATOMIC_ACQUIRE);
    if (broken_ || head == tail_) break;
    const std::uint64_t pending = head - tail_;
    auto* entry = reinterpret_cast<RingEntry*>(ring_data(ring_) + (tail_ & (capacity_ - 1)));
    const std::uint32_t size = __atomic_load_n(&entry->size, __ATOMIC_RELAXED);
    const std::uint64_t bytes = ring_entry_bytes(size);
    ++skipped;
    // Its writer died between reserving and storing the size: nothing says where the
    // next entry starts, so the rest cannot be read.
    if (size == 0 || size > kMaxRecord || bytes > pending) {
      clear_and_advance(pending);
      break;
    }
    clear_and_advance(bytes);
  }
  let_writers_in();
  return skipped;
}

bool RingReader::ask_for_wakeup() {
  if (broken_) return false;
  // Sequentially consistent, paired with the writer's store of the written flag: see
  // ring_try_write().
  __atomic_store_n(&ring_->reader_waiting, 1, __ATOMIC_SEQ_CST);
  const std::uint64_t head = __atomic_load_n(&ring_->head, __ATOMIC_SEQ_CST);
  if (head == tail_) return false;
  const auto* entry = reinterpret_cast<const RingEntry*>(ring_data(ring_) + (tail_ & (capacity_ - 1)));
  return __atomic_load_n(&entry->written, __ATOMIC_SEQ_CST) == kEntryWritten;
}

std::uint64_t RingReader::dropped() const { return __atomic_load_n(&ring_->dropped, __ATOMIC_RELAXED); }

}  // namespace sockstep::trace
