// The student view's model, from a real serve: EchoServer on loopback, thirty clients,
// the kernel's sockets read with sock_diag through LiveSource. No display.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/live/echo_server.hpp"
#include "engine/live/live_source.hpp"
#include "engine/live/reverse_names.hpp"
#include "engine/live/student_tiles.hpp"

using namespace sockstep;

namespace {

constexpr int kWaitMs = 10000;

struct Student {
  int fd = -1;
  int port = 0;  // its own port, as the kernel chose it
  explicit Student(int server_port) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(server_port));
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    sockaddr_in self{};
    socklen_t len = sizeof self;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &len) == 0);
    port = ntohs(self.sin_port);
  }
  ~Student() {
    if (fd >= 0) ::close(fd);
  }
  std::string round_trip(const std::string& data) const {
    REQUIRE(::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()));
    std::string out;
    while (out.size() < data.size()) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, kWaitMs) != 1) break;
      char buffer[256];
      const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      out.append(buffer, static_cast<std::size_t>(got));
    }
    return out;
  }
  void reset() {  // SO_LINGER {1, 0}: close() sends an RST
    const linger l{1, 0};
    REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
    ::close(fd);
    fd = -1;
  }
  void hang_up() {
    ::close(fd);
    fd = -1;
  }
};

// Waits, by the log's own wake-ups, until the server has closed this many clients.
void wait_closed(const EchoServer& server, const EventLog& log, std::size_t closed) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
  while (server.stats().closed < closed && std::chrono::steady_clock::now() < deadline)
    (void)log.wait_for(log.next_seq(), std::chrono::milliseconds(50));
  REQUIRE(server.stats().closed >= closed);
}

void feed(StudentTiles& tiles, LiveSource& live, const EventLog& log) {
  for (const Event& e : log.all()) {
    live.observe(e);
    tiles.observe(e);
  }
  (void)live.refresh_kernel(true);
  tiles.update_kernel(live.snapshot());
}

}  // namespace

TEST_CASE("thirty students of serve make thirty tiles, by arrival, with the kernel's states and their bytes") {
  EventLog log;
  EchoServer server(log, Address{AF_INET, "127.0.0.1", 0, {}}, 5);
  const EchoServerOpen opened = server.open();
  REQUIRE(opened.ok());
  std::thread serving([&] { (void)server.run(); });
  struct Stop {
    EchoServer& s;
    std::thread& t;
    ~Stop() {
      s.stop();
      if (t.joinable()) t.join();
    }
  } stop{server, serving};

  constexpr int kStudents = 30;
  std::vector<std::unique_ptr<Student>> students;
  for (int i = 0; i < kStudents; ++i) {
    students.push_back(std::make_unique<Student>(opened.address.port));
    const std::string hello = "student " + std::to_string(i) + " says hello\n";
    REQUIRE(students.back()->round_trip(hello) == "STUDENT " + std::to_string(i) + " SAYS HELLO\n");
  }
  // Five hang up, one resets; the other 24 stay.
  for (int i = 0; i < 5; ++i) students[i]->hang_up();
  students[5]->reset();
  wait_closed(server, log, 6);

  StudentTiles tiles;
  LiveSource live({"server"}, "clients");
  live.name_outside_by_address(true);
  feed(tiles, live, log);

  REQUIRE(tiles.tiles().size() == kStudents);
  CHECK(tiles.arrivals() == kStudents);
  CHECK(tiles.connected() == kStudents - 6);
  for (int i = 0; i < kStudents; ++i) {
    const StudentTile& tile = tiles.tiles()[static_cast<std::size_t>(i)];
    INFO("student " << i);
    CHECK(tile.arrival == static_cast<std::uint64_t>(i + 1));
    CHECK(tile.peer.host == "127.0.0.1");
    CHECK(tile.peer.port == students[static_cast<std::size_t>(i)]->port);
    const std::string hello = "student " + std::to_string(i) + " says hello\n";
    CHECK(tile.bytes_in == hello.size());
    CHECK(tile.bytes_out == hello.size());
    CHECK(tile.last_sent == hello);
    CHECK(tile.connected_us >= 0);
    if (i > 0) CHECK(tile.connected_us >= tiles.tiles()[static_cast<std::size_t>(i - 1)].connected_us);
    if (i < 5) {
      CHECK(tile.ending == TileEnding::HungUp);
      CHECK_FALSE(tile.connected());
      CHECK(tile.left_us >= tile.connected_us);
    } else if (i == 5) {
      CHECK(tile.ending == TileEnding::Reset);
      CHECK_FALSE(tile.connected());
    } else {
      CHECK(tile.ending == TileEnding::Connected);
      CHECK(tile.connected());
      CHECK(tile.state == "ESTABLISHED");  // read from the kernel's socket card
    }
  }
  // The listener, as sock_diag reports it: nobody waiting, the backlog listen() was given.
  CHECK(tiles.queue().queued == 0);
  CHECK(tiles.queue().backlog == 5);

  // Serve stops with 24 students connected: it closes first, so the kernel keeps its end
  // of each connection without an fd, in FIN_WAIT1 until the student's kernel acknowledges
  // the FIN, then FIN_WAIT2 (the students have not closed theirs).
  server.stop();
  serving.join();
  feed(tiles, live, log);
  CHECK(tiles.connected() == 0);
  for (int i = 6; i < kStudents; ++i) {
    const StudentTile& tile = tiles.tiles()[static_cast<std::size_t>(i)];
    INFO("student " << i);
    CHECK(tile.ending == TileEnding::Stopped);
    CHECK((tile.state == "FIN_WAIT1" || tile.state == "FIN_WAIT2"));
    CHECK(tile.state_without_fd);
  }
}

TEST_CASE("a tile for every accept, the oldest that left let go beyond the bound, fds reused") {
  StudentTiles tiles("server", 3);
  std::uint64_t seq = 0;
  const auto call = [&](Call c, int fd, long long value, int err = 0) {
    Event e;
    e.seq = ++seq;
    e.t_us = static_cast<std::int64_t>(seq) * 1000;
    e.actor = "server";
    e.call = c;
    e.fd = fd;
    e.value = value;
    e.err = err;
    return e;
  };
  const auto accept = [&](int fd, int port) {
    Event e = call(Call::Accept, 3, fd);
    e.sock.peer = Address{AF_INET, "10.0.0.7", port, {}};
    tiles.observe(e);
  };
  accept(4, 1001);
  accept(5, 1002);
  tiles.observe(call(Call::Close, 4, 0));
  accept(4, 1003);  // fd 4 again: a new student
  accept(6, 1004);
  REQUIRE(tiles.tiles().size() == 3);  // the first, who left, was let go
  CHECK(tiles.tiles()[0].peer.port == 1002);
  CHECK(tiles.tiles()[1].peer.port == 1003);
  CHECK(tiles.tiles()[1].fd == 4);
  CHECK(tiles.connected() == 3);
  CHECK(tiles.arrivals() == 4);
  Event reset = call(Call::Recv, 4, -1, ECONNRESET);
  tiles.observe(reset);
  tiles.observe(reset);  // the same event offered again is ignored
  CHECK(tiles.tiles()[1].ending == TileEnding::Reset);
  Event full;
  full.seq = ++seq;
  full.kind = EventKind::Note;
  full.note = NoteKind::ListenFull;
  full.overflow.overflows = 7;
  full.overflow.backlog = 5;
  full.overflow.queued = 2;
  tiles.observe(full);
  CHECK(tiles.queue().overflows == 7);
  CHECK(tiles.queue().most == 6);  // an overflow means the queue held backlog + 1
  CHECK_FALSE(tiles.tiles()[2].counts_partial);
  seq += 10;  // ten events the log let go before they were offered
  tiles.observe(call(Call::Recv, 6, 5));
  CHECK(tiles.tiles()[2].counts_partial);
  CHECK(tiles.tiles()[2].bytes_in == 5);
  accept(7, 1005);  // all three still connected: the oldest goes
  CHECK(tiles.tiles().size() == 3);
  CHECK(tiles.tiles()[0].peer.port == 1003);
  CHECK(tiles.connected() == 3);
}

TEST_CASE("tile grids: forty tiles fit 1280x720, a few are not blown up, too many scroll") {
  const TileGrid forty = tile_grid(40, 1260, 560, 150, 100, 6);
  CHECK(forty.columns * forty.rows >= 40);
  CHECK(forty.width >= 150);
  CHECK(forty.height >= 100);
  CHECK(forty.columns * (forty.width + 6) - 6 <= 1260.5f);
  CHECK(forty.rows * (forty.height + 6) - 6 <= 560.5f);
  const TileGrid three = tile_grid(3, 1260, 560, 150, 100, 6);
  CHECK(three.rows == 1);
  CHECK(three.width <= 300.5f);
  const TileGrid many = tile_grid(200, 1260, 560, 150, 100, 6);
  CHECK(many.columns == 8);
  CHECK(many.rows == 25);
  CHECK(tile_grid(0, 100, 100, 10, 10, 1).rows == 0);
}

TEST_CASE("what a student sent is shown as Python's bytes, elided") {
  CHECK(elided_bytes("hi\n", 3, 20) == "b'hi\\n'");
  CHECK(elided_bytes("hello world", 11, 8) == "b'hello…");
  CHECK(elided_bytes("abc", 5000, 20) == "b'abc'…");
  CHECK(clock_since_start(0) == "0:00");
  CHECK(clock_since_start(75'500'000) == "1:15");
  CHECK(clock_since_start(3'725'000'000LL) == "1:02:05");
}

TEST_CASE("reverse names are looked up off the caller's thread and kept") {
  std::promise<void> answered;
  std::once_flag once;
  ReverseNames names([&] { std::call_once(once, [&] { answered.set_value(); }); });
  // The first look-up never waits: it is pending, and answered on the lookup thread.
  const ReverseNames::Answer first = names.lookup("127.0.0.1");
  CHECK(first.status == ReverseNames::Status::Pending);
  REQUIRE(answered.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  const ReverseNames::Answer later = names.lookup("127.0.0.1");
  // The resolver's own answer, asked directly, is the oracle (/etc/hosts: localhost).
  const std::string expected = reverse_name("127.0.0.1");
  if (expected.empty()) {
    CHECK(later.status == ReverseNames::Status::Unnamed);
  } else {
    CHECK(later.status == ReverseNames::Status::Named);
    CHECK(later.name == expected);
  }
  CHECK(reverse_name("not an address").empty());
}
