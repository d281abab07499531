// The trace ring with real threads: writers that reserve, copy and mark entries at the
// same time (as the threads of a traced program do) and one reader that drains and
// sleeps on an eventfd until a writer wakes it, as `sockstep trace` does. Run under
// ThreadSanitizer too (label "threads"): writers and reader use the same mapping.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "trace/ring.hpp"
#include "trace/ring_reader.hpp"

using namespace sockstep::trace;

namespace {

// One record as these tests write it: writer number, sequence number, then filler of a
// length that varies, so entries of many sizes wrap around the ring's end.
struct TestRecord {
  std::uint32_t writer;
  std::uint32_t seq;
};

std::string make_record(std::uint32_t writer, std::uint32_t seq) {
  TestRecord r{writer, seq};
  std::string bytes(reinterpret_cast<const char*>(&r), sizeof r);
  bytes.append(static_cast<std::size_t>((seq * 37 + writer * 11) % 300), static_cast<char>('a' + writer % 26));
  return bytes;
}

std::unique_ptr<RingReader> new_ring(std::uint64_t capacity) {
  RingHeader* writer_view = nullptr;
  const int fd = ring_create(capacity, ::getpid(), writer_view);
  REQUIRE(fd >= 0);
  ring_unmap(writer_view, capacity);
  std::string error;
  auto reader = RingReader::open(fd, error);
  REQUIRE_MESSAGE(reader != nullptr, error);
  return reader;
}

}  // namespace

TEST_CASE("ring: records from many threads all arrive, each thread's in the order it wrote them") {
  constexpr std::uint32_t kWriters = 4;
  constexpr std::uint32_t kRecords = 20000;  // ~3.3 MB through a 64 KiB ring: it fills often
  auto reader = new_ring(kRingMinBytes);
  RingHeader* ring = reader->mapping();
  const int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  REQUIRE(wake >= 0);

  std::atomic<std::uint32_t> gave_up{0};
  std::vector<std::thread> writers;
  for (std::uint32_t w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      for (std::uint32_t seq = 0; seq < kRecords; ++seq) {
        const std::string record = make_record(w, seq);
        bool written = false;
        // Bounded: a reader that keeps draining makes room long before 10 s of waits.
        for (int wait = 0; wait < 1000 && !written; ++wait) {
          const RingWrite result = ring_try_write(ring, record.data(), static_cast<std::uint32_t>(record.size()));
          written = result != RingWrite::Full;
          if (result == RingWrite::WrittenWakeReader) {
            const std::uint64_t one = 1;
            (void)!::write(wake, &one, sizeof one);
          }
          if (!written) (void)ring_wait_for_room(ring, __atomic_load_n(&ring->room, __ATOMIC_ACQUIRE), 10'000'000);
        }
        if (!written) gave_up.fetch_add(1);
      }
    });

  std::vector<std::uint32_t> next(kWriters, 0);
  std::size_t received = 0;
  std::size_t out_of_order = 0;
  std::size_t malformed = 0;
  const auto sink = [&](std::string_view record) {
    TestRecord r{};
    if (record.size() < sizeof r) {
      ++malformed;
      return;
    }
    std::memcpy(&r, record.data(), sizeof r);
    if (r.writer >= kWriters || record != make_record(r.writer, r.seq)) {
      ++malformed;
      return;
    }
    if (r.seq != next[r.writer]) ++out_of_order;
    next[r.writer] = r.seq + 1;
    ++received;
  };
  const std::size_t total = static_cast<std::size_t>(kWriters) * kRecords;
  // The reader: drain; when there is nothing, ask to be woken and sleep on the eventfd
  // (with a timeout, so a lost wake-up shows as a slow test, never a hang).
  for (int round = 0; round < 1'000'000 && received + gave_up.load() < total; ++round) {
    if (reader->drain(sink) > 0) continue;
    if (reader->ask_for_wakeup()) continue;
    pollfd p{wake, POLLIN, 0};
    (void)::poll(&p, 1, 1000);
    std::uint64_t count = 0;
    (void)!::read(wake, &count, sizeof count);
  }
  for (auto& w : writers) w.join();
  reader->drain(sink);
  ::close(wake);
  CHECK(gave_up.load() == 0);
  CHECK(malformed == 0);
  CHECK(out_of_order == 0);
  CHECK(received == total);
  CHECK_FALSE(reader->broken());
}

TEST_CASE("ring: a full ring refuses a record until the reader takes one") {
  auto reader = new_ring(kRingMinBytes);
  RingHeader* ring = reader->mapping();
  const std::string record(1000, 'x');
  int written = 0;
  for (int i = 0; i < 1000 && ring_try_write(ring, record.data(), 1000) != RingWrite::Full; ++i) ++written;
  CHECK(written == static_cast<int>(kRingMinBytes / ring_entry_bytes(1000)));
  CHECK(ring_try_write(ring, record.data(), 1000) == RingWrite::Full);
  std::size_t taken = 0;
  CHECK(reader->drain([&](std::string_view r) { taken += r == record; }, 1) == 1);
  CHECK(taken == 1);
  CHECK(ring_try_write(ring, record.data(), 1000) != RingWrite::Full);
}

TEST_CASE("ring: an entry whose writer died unfinished is stepped over once the ring is abandoned") {
  auto reader = new_ring(kRingMinBytes);
  RingHeader* ring = reader->mapping();
  const std::string first = "first";
  const std::string last = "last";
  REQUIRE(ring_try_write(ring, first.data(), 5) != RingWrite::Full);
  // A writer that reserved 100 bytes and stored the size, then died before the data.
  const std::uint64_t at = __atomic_fetch_add(&ring->head, ring_entry_bytes(100), __ATOMIC_ACQ_REL);
  auto* dead = reinterpret_cast<RingEntry*>(ring_data(ring) + (at & (ring->capacity - 1)));
  __atomic_store_n(&dead->size, 100, __ATOMIC_RELAXED);
  REQUIRE(ring_try_write(ring, last.data(), 4) != RingWrite::Full);
  std::vector<std::string> got;
  const auto sink = [&](std::string_view r) { got.emplace_back(r); };
  CHECK(reader->drain(sink) == 1);  // stops at the unfinished entry
  CHECK(reader->drain_abandoned(sink) == 1);
  CHECK(got == std::vector<std::string>{"first", "last"});
}

TEST_CASE("ring: sizes that make no sense break the ring instead of reading past it") {
  auto reader = new_ring(kRingMinBytes);
  RingHeader* ring = reader->mapping();
  const std::uint64_t at = __atomic_fetch_add(&ring->head, 64, __ATOMIC_ACQ_REL);
  auto* entry = reinterpret_cast<RingEntry*>(ring_data(ring) + at);
  entry->size = 1u << 30;
  __atomic_store_n(&entry->written, kEntryWritten, __ATOMIC_RELEASE);
  std::size_t calls = 0;
  CHECK(reader->drain([&](std::string_view) { ++calls; }) == 0);
  CHECK(calls == 0);
  CHECK(reader->broken());
  // A head beyond what the ring can hold.
  auto other = new_ring(kRingMinBytes);
  __atomic_store_n(&other->mapping()->head, kRingMinBytes * 3, __ATOMIC_RELEASE);
  CHECK(other->drain([&](std::string_view) { ++calls; }) == 0);
  CHECK(other->broken());
}

TEST_CASE("ring: a memfd that is not sealed, or of an odd size, is refused") {
  const int unsealed = ::memfd_create("not-a-ring", MFD_CLOEXEC);
  REQUIRE(unsealed >= 0);
  REQUIRE(::ftruncate(unsealed, static_cast<off_t>(kRingHeaderBytes + kRingMinBytes)) == 0);
  std::string error;
  CHECK(RingReader::open(unsealed, error) == nullptr);
  CHECK(error.find("sealed") != std::string::npos);
  const int odd = ::memfd_create("odd-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  REQUIRE(odd >= 0);
  REQUIRE(::ftruncate(odd, 12345) == 0);
  REQUIRE(::fcntl(odd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0);
  CHECK(RingReader::open(odd, error) == nullptr);
  CHECK(error.find("odd size") != std::string::npos);
}
