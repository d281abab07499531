#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "engine/log/address.hpp"
#include "engine/log/event.hpp"
#include "engine/inspect/snapshot.hpp"

namespace sockstep {

// How a student's connection ended, as serve's own calls said it.
enum class TileEnding : std::uint8_t {
  Connected,  // still connected
  HungUp,     // recv() returned 0 (the client closed or shut down its side), then serve closed
  Reset,      // recv() or send() failed with ECONNRESET (SO_LINGER 0, or a crash)
  Failed,     // another error (EPIPE, ETIMEDOUT...): TileEnding's err says which
  Stopped,    // serve closed it while the client was still connected (serve stopping)
};

// One client of serve, a student at a lab machine: who, since when, what moved.
struct StudentTile {
  std::uint64_t arrival = 0;     // 1 for the first client accepted, then 2, 3...
  int fd = -1;                   // serve's fd for the connection (reused once it left)
  Address peer;                  // the client's address, as accept() returned it
  std::int64_t connected_us = 0;  // Event::t_us of the accept()
  std::int64_t left_us = -1;      // of serve's close(); -1 while connected
  std::uint64_t bytes_in = 0;     // what serve received from it (its recv() results)
  std::uint64_t bytes_out = 0;    // what serve sent back
  std::uint64_t recvs = 0;        // recv() calls that brought bytes
  // The bytes of the last recv() that brought any (what the student sent last), its first
  // kLastSentKept at most, and how many that recv() brought in all.
  std::string last_sent;
  std::size_t last_sent_count = 0;
  // The kernel's TCP state of serve's socket for it (sock_diag), as last read; once the
  // connection left, the fd-less socket the kernel still keeps of it (TIME_WAIT...), or
  // empty once the kernel holds nothing of it.
  std::string state;
  bool state_without_fd = false;  // state is an fd-less socket's (TIME_WAIT, FIN_WAIT2...)
  // Some of serve's calls on this connection went by unseen (the window's log let them go
  // before the window read them, in a flood): bytes_in and bytes_out are at least these.
  bool counts_partial = false;
  TileEnding ending = TileEnding::Connected;
  int err = 0;  // TileEnding::Failed: the errno
  [[nodiscard]] bool connected() const { return left_us < 0; }
};

// The listener's accept queue against its backlog, as the kernel reported them
// (sock_diag: idiag_rqueue and idiag_wqueue), and what the kernel counted overflowing.
struct AcceptQueueTile {
  int queued = -1;   // waiting for accept() at the last read; -1 before the first
  int backlog = -1;  // the backlog the kernel uses
  int most = 0;      // the most seen waiting at once (backlog + 1 once the kernel counted an overflow)
  std::uint64_t overflows = 0;  // attempts that found it full (serve's listen_full notes)
  std::uint64_t cookies_failed = 0;  // clients the kernel reset because their SYN cookie failed
  std::int64_t last_overflow_us = -1;
};

// The student view's model: one tile per client serve accepted, by arrival, learnt from
// serve's events (accept, recv, send, close) and the kernel's sockets. No drawing here:
// the window's panel draws it, the tests read it.
class StudentTiles {
 public:
  static constexpr std::size_t kLastSentKept = 64;
  // max_tiles: beyond this many, the oldest clients that already left are let go (a
  // serve left running all term keeps a bounded list), then the oldest at all.
  explicit StudentTiles(std::string server_actor = "server", std::size_t max_tiles = 512);

  // Learns from one event; events come in seq order and an older seq is ignored, so the
  // same events may be offered again. A gap in the seqs (events the log let go before they
  // were offered) marks the counts of every client connected then as partial.
  void observe(const Event& event);
  // The kernel's view: each connected tile's state from serve's socket card, a left
  // one's from the fd-less socket the kernel keeps for it, the listener's queue.
  void update_kernel(const SessionSnapshot& snap);

  [[nodiscard]] const std::deque<StudentTile>& tiles() const { return tiles_; }
  [[nodiscard]] const AcceptQueueTile& queue() const { return queue_; }
  [[nodiscard]] std::size_t connected() const;
  [[nodiscard]] std::uint64_t arrivals() const { return arrivals_; }  // every client ever accepted
  [[nodiscard]] std::uint64_t last_seq() const { return last_seq_; }
  void clear();
  // Fed with every event of serve's thread as it is appended (not from a copy that may
  // have lost some): a gap in the seqs is other threads' events, and counts stay whole.
  void set_fed_every_event(bool on) { fed_every_event_ = on; }

 private:
  StudentTile* open_tile(int fd);
  void leave(StudentTile& tile, std::int64_t t_us);
  void trim();

  std::string server_actor_;
  std::size_t max_tiles_;
  std::deque<StudentTile> tiles_;
  std::map<int, std::uint64_t> open_;  // serve's fd -> arrival of the tile it serves
  AcceptQueueTile queue_;
  int listener_fd_ = -1;
  std::uint64_t arrivals_ = 0;
  std::uint64_t last_seq_ = 0;
  bool fed_every_event_ = false;
};

// Rows and columns for count tiles in a width x height area: the layout with the
// largest tiles whose size stays at least min_width x min_height (gap between tiles).
// When even the smallest do not fit, as many columns as fit and rows beyond the
// height (the panel scrolls).
struct TileGrid {
  int columns = 1;
  int rows = 0;
  float width = 0.0f;   // of one tile
  float height = 0.0f;
};
[[nodiscard]] TileGrid tile_grid(std::size_t count, float width, float height, float min_width, float min_height,
                                 float gap);

// What a student sent, for a tile: Python's bytes repr (b'hi\n'), cut to at most
// max_chars characters with "…" when longer or when the recv brought more than was kept.
[[nodiscard]] std::string elided_bytes(std::string_view bytes, std::size_t byte_count, std::size_t max_chars);
// "0:07", "12:03", "1:02:03": minutes and seconds since serve started.
[[nodiscard]] std::string clock_since_start(std::int64_t t_us);

}  // namespace sockstep
