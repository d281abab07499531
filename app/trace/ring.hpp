#pragma once
// The shared-memory ring a traced process writes its records into, so a traced call
// costs a copy and a few atomic instructions instead of a system call.
//
// One ring per traced process: the preload library creates it (a sealed memfd) when it
// starts and again in a child after fork(), and hands it to `sockstep trace` with its
// Hello over the channel (SCM_RIGHTS). Per process, because then a process that dies
// in the middle of writing a record can only stall its own ring, and the reader knows
// when that ring has no writer left (the process is gone) and can skip what was never
// finished. A forked child never writes into its parent's ring.
//
// Inside a process the ring takes any number of writers (threads, and signal handlers
// that interrupt a write): a writer reserves its bytes with a compare-and-swap on head,
// copies the record, and then marks the entry written. No locks, so a signal handler
// that traces a call while its thread was mid-write cannot deadlock. The reader takes
// entries in order, stops at the first one not yet written, and clears what it read.
//
// The data area is mapped twice in a row, so an entry that runs past the end of the
// area is still contiguous in memory. Plain C layout and GCC atomic builtins: the
// preload side uses no C++ library, and this header includes only libc headers.
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

namespace sockstep::trace {

inline constexpr std::uint32_t kRingMagic = 0x53545252;  // "STRR"
inline constexpr std::uint64_t kRingHeaderBytes = 4096;  // one page: the data area must start page-aligned
inline constexpr std::uint64_t kRingDefaultBytes = 4u << 20;
inline constexpr std::uint64_t kRingMinBytes = 64u << 10;
inline constexpr std::uint64_t kRingMaxBytes = 64u << 20;

// The first page of the ring's memfd. head, tail and the flags sit on their own cache
// lines: writers touch head, the reader tail.
struct RingHeader {
  std::uint32_t magic;
  std::uint32_t pad0;
  std::uint64_t capacity;  // bytes in the data area: a power of two, a multiple of the page size
  std::int32_t pid;        // the process that writes it
  std::uint32_t pad1;
  alignas(64) std::uint64_t head;  // bytes reserved by writers since the start (never wraps)
  alignas(64) std::uint64_t tail;  // bytes the reader has taken and cleared
  std::uint32_t room;              // futex word: the reader bumps it after taking entries
  std::uint32_t writers_waiting;   // 1: a writer sleeps on room
  alignas(64) std::uint32_t reader_waiting;  // 1: the reader sleeps until a writer wakes it
  std::uint32_t pad2;
  std::uint64_t dropped;  // records given up on because the ring stayed full
};
static_assert(sizeof(RingHeader) <= kRingHeaderBytes);

// Each entry: this header, then the record, padded to 8 bytes. size is stored right after
// the reservation, so the reader can step over an entry whose writer died before marking
// it written.
struct RingEntry {
  std::uint32_t size;     // record bytes (without this header and the padding)
  std::uint32_t written;  // 1 once the record is complete
};
inline constexpr std::uint32_t kEntryWritten = 1;

[[nodiscard]] constexpr std::uint64_t ring_entry_bytes(std::uint64_t record_bytes) {
  return (sizeof(RingEntry) + record_bytes + 7) & ~std::uint64_t{7};
}

[[nodiscard]] constexpr bool ring_capacity_ok(std::uint64_t capacity) {
  return capacity >= kRingMinBytes && capacity <= kRingMaxBytes && (capacity & (capacity - 1)) == 0;
}

// Maps a ring memfd of the given capacity: the header page and the data area, then the
// data area again right after it. Returns nullptr on failure.
[[nodiscard]] inline RingHeader* ring_map(int fd, std::uint64_t capacity) {
  const std::size_t total = kRingHeaderBytes + 2 * capacity;
  void* base = ::mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return nullptr;
  char* at = static_cast<char*>(base);
  if (::mmap(at, kRingHeaderBytes + capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
      ::mmap(at + kRingHeaderBytes + capacity, capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
             static_cast<off_t>(kRingHeaderBytes)) == MAP_FAILED) {
    ::munmap(base, total);
    return nullptr;
  }
  return static_cast<RingHeader*>(base);
}

inline void ring_unmap(RingHeader* ring, std::uint64_t capacity) {
  if (ring != nullptr) ::munmap(ring, kRingHeaderBytes + 2 * capacity);
}

// A new ring: a memfd sealed at its size (so the reader can trust that size), mapped
// here with its header filled in. Returns the fd to hand to the reader (or -1) and sets
// mapped; the caller closes the fd once it is handed over.
[[nodiscard]] inline int ring_create(std::uint64_t capacity, std::int32_t pid, RingHeader*& mapped) {
  mapped = nullptr;
  if (!ring_capacity_ok(capacity)) return -1;
  const int fd = ::memfd_create("sockstep-trace-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -1;
  if (::ftruncate(fd, static_cast<off_t>(kRingHeaderBytes + capacity)) == 0 &&
      ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0)
    mapped = ring_map(fd, capacity);
  if (mapped == nullptr) {
    ::syscall(SYS_close, fd);  // not close(): in the preload that is the traced wrapper
    return -1;
  }
  mapped->capacity = capacity;
  mapped->pid = pid;
  __atomic_store_n(&mapped->magic, kRingMagic, __ATOMIC_RELEASE);
  return fd;
}

[[nodiscard]] inline char* ring_data(RingHeader* ring) { return reinterpret_cast<char*>(ring) + kRingHeaderBytes; }

enum class RingWrite { Written, WrittenWakeReader, Full };

// Writes one record if there is room. WrittenWakeReader: the reader is asleep and asked
// to be told (the caller wakes it). Full: nothing was written.
[[nodiscard]] inline RingWrite ring_try_write(RingHeader* ring, const void* record, std::uint32_t size) {
  const std::uint64_t capacity = ring->capacity;
  const std::uint64_t need = ring_entry_bytes(size);
  std::uint64_t head = __atomic_load_n(&ring->head, __ATOMIC_RELAXED);
  for (;;) {
    const std::uint64_t tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
    if (head - tail + need > capacity) return RingWrite::Full;
    if (__atomic_compare_exchange_n(&ring->head, &head, head + need, true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) break;
  }
  auto* entry = reinterpret_cast<RingEntry*>(ring_data(ring) + (head & (capacity - 1)));
  __atomic_store_n(&entry->size, size, __ATOMIC_RELAXED);
  std::memcpy(entry + 1, record, size);
  // Sequentially consistent, paired with the reader's store to reader_waiting before
  // it looks at this entry: either the reader sees the entry written, or this writer
  // sees the reader waiting. Never neither (a lost wake-up).
  __atomic_store_n(&entry->written, kEntryWritten, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&ring->reader_waiting, __ATOMIC_SEQ_CST) != 0 &&
      __atomic_exchange_n(&ring->reader_waiting, 0, __ATOMIC_ACQ_REL) != 0)
    return RingWrite::WrittenWakeReader;
  return RingWrite::Written;
}

// A writer that found the ring full: sleeps until the reader takes entries or timeout_ns
// passes. Returns the room counter it waited on, so a caller can tell whether the
// reader has taken anything since.
inline std::uint32_t ring_wait_for_room(RingHeader* ring, std::uint32_t seen, long timeout_ns) {
  __atomic_store_n(&ring->writers_waiting, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&ring->room, __ATOMIC_SEQ_CST) == seen) {
    timespec timeout{0, timeout_ns};
    // Not FUTEX_PRIVATE: the reader that wakes it is another process.
    ::syscall(SYS_futex, &ring->room, FUTEX_WAIT, seen, &timeout, nullptr, 0);
  }
  return __atomic_load_n(&ring->room, __ATOMIC_ACQUIRE);
}

}  // namespace sockstep::trace
