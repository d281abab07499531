#pragma once
#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/log/address.hpp"
#include "engine/log/event_log.hpp"
#include "engine/inspect/listen_overflows.hpp"
#include "engine/sockets/socket_ops.hpp"

namespace sockstep {

struct EchoServerOptions {
  std::string actor = "server";
  int max_clients = 0;  // run() returns once this many clients were served and closed; 0: never
  // Echo bytes held for one client that does not read them. At this much the server stops
  // reading from that client until it drains, so TCP pushes back on the sender instead of
  // the server buffering without end.
  std::size_t max_pending_output = 256 * 1024;
  int stop_fd = -1;  // another eventfd whose write stops run() (SIGINT/SIGTERM); not owned
  // Where a printer flushes its lines: called once the server has had nothing to do for
  // idle_after_ms since the last events were recorded, so everything up to a wait is seen
  // within that time. Waiting a little first means a busy echo pays one write per batch of
  // lines instead of one per round trip. idle_after_ms <= 0: called before every wait.
  std::function<void()> on_idle;
  int idle_after_ms = 5;
};

// What open() did: where the server listens, or which call failed and why.
struct EchoServerOpen {
  std::string failed_call;  // "socket", "bind", "listen", ...; empty when listening
  int err = 0;
  Address address;  // the bound address, with the kernel's port when port 0 was asked
  [[nodiscard]] bool ok() const { return err == 0; }
};

struct EchoServerStats {
  std::size_t accepted = 0;
  std::size_t closed = 0;  // clients served to the end (EOF, reset or error)
  std::size_t pending_bytes = 0;       // echo bytes held now, all clients
  std::size_t peak_pending_bytes = 0;  // most held for one client at any time
  std::size_t accept_pauses = 0;       // times accept() ran out of fds (EMFILE/ENFILE)
  std::size_t fd_retries = 0;          // silent retries since, that found no fd free yet
  // Connection attempts the kernel counted as finding an accept queue full while serving
  // (TcpExt ListenOverflows of the server's network namespace), each said in a Note.
  std::size_t listen_overflows = 0;
};

// The seed's echo server (recv(1024), upper-case, send back) serving any number of clients
// at once from one thread: one poll() over the listener, every connection and a wake-up
// eventfd, then non-blocking calls on the ready fds. Every call goes through ops, so each
// one is recorded in the log like a lesson's. A client that stalls, floods, resets or
// never speaks holds up no one else.
class EchoServer {
 public:
  EchoServer(EventLog& log, Address address, int backlog, EchoServerOptions options = {});
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  // socket, SO_REUSEADDR, bind, listen, setblocking(False), getsockname.
  [[nodiscard]] EchoServerOpen open();
  // Serves on the calling thread until stop() (or options.stop_fd) or until max_clients
  // clients were served; then closes every socket. Returns 0, or the errno of a failed poll().
  [[nodiscard]] int run();
  // Thread-safe; run() returns soon after, even if it has not started yet.
  void stop();
  // Thread-safe snapshot of the counters.
  [[nodiscard]] EchoServerStats stats() const;

 private:
  struct Connection {
    int fd = -1;
    std::string pending;     // upper-cased bytes the client has not taken yet
    std::size_t sent = 0;    // of pending, already sent
    bool peer_done = false;  // recv() returned 0: echo what is left, then close
    bool open = true;
    bool pushed_back = false;  // the pending cap was reached and announced
  };

  void accept_ready();
  // Serves an accepted connection from now on: non-blocking, in the poll set, counted.
  void adopt(int fd);
  // Accepts every client still waiting in the queue (once max_clients were served).
  std::size_t take_queued();
  // Says in a ListenFull note when the kernel's overflow counters grew, at most every
  // 100 ms after an accept (final: now, before the listener closes).
  void sample_overflows(bool final);
  void serve(Connection& conn, short revents);
  void echo(Connection& conn, const Bytes& data);
  void send_pending(Connection& conn);
  void close_connection(Connection& conn);
  [[nodiscard]] bool wants_input(const Connection& conn) const;
  [[nodiscard]] bool accepting() const;
  void note(const std::string& en, const std::string& zh);
  void track_pending(std::size_t before, std::size_t after);
  [[nodiscard]] int wait_ready();

  EventLog& log_;
  Address address_;
  int backlog_;
  EchoServerOptions options_;
  Waker waker_;
  OpContext ctx_;
  int listener_ = -1;
  std::uint64_t idle_seq_ = 0;  // the log's next_seq() when on_idle was last called
  bool accept_paused_ = false;  // out of fds: the listener waits until a client leaves
  bool short_of_fds_ = false;   // since accept() last ran out of fds (said once)
  std::atomic<std::size_t> fd_retries_{0};  // retries that found no descriptor free since then
  std::vector<Connection> connections_;
  bool some_closed_ = false;  // connections_ holds closed ones to drop after this round
  std::vector<pollfd> pollfds_;  // reused every round: no allocation per wait

  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> closed_{0};
  std::atomic<std::size_t> pending_bytes_{0};
  std::atomic<std::size_t> peak_pending_bytes_{0};
  std::atomic<std::size_t> accept_pauses_{0};
  std::atomic<std::size_t> overflows_{0};
  ListenOverflowWatch overflow_watch_;  // counts from when the server was made
  bool overflow_check_due_ = false;
  std::chrono::steady_clock::time_point last_overflow_sample_{};
};

}  // namespace sockstep
