#include "engine/live/echo_server.hpp"

#include <fcntl.h>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string_view>

#include "engine/text/errno_names.hpp"
#include "engine/inspect/inspect.hpp"

namespace sockstep {
namespace {

constexpr std::size_t kRecvSize = 1024;  // the seed's conn.recv(1024)
// Accepts per wake-up of the listener, so a burst of connects cannot starve the clients
// already connected; poll() reports the listener again while its queue is not empty.
constexpr int kAcceptBatch = 64;
// Out of fds, accept() is retried when a client leaves, or after this long if none does.
constexpr int kAcceptRetryMs = 1000;
// After accepting, the kernel's overflow counters are read again this long after, at the
// latest: often enough to say a burst's drops as it happens, rarely enough to cost nothing.
constexpr auto kOverflowSampleEvery = std::chrono::milliseconds(100);
// A drained output buffer bigger than this is given back instead of kept for the next burst.
constexpr std::size_t kKeptCapacity = 64 * 1024;
constexpr std::size_t kPendingPiece = 64 * 1024;  // most of a held echo one send() takes

// Poll slots before the connections.
constexpr std::size_t kWakeSlot = 0;
constexpr std::size_t kStopSlot = 1;
constexpr std::size_t kListenerSlot = 2;
constexpr std::size_t kFirstConnectionSlot = 3;

// bytes.upper(), written once into the Bytes that send() and its event will share. The
// received bytes stay as they were: the recv event shares them.
Bytes upper(std::string_view bytes) {
  Bytes out = Bytes::with_room(bytes.size());
  char* to = out.writable();
  for (const char c : bytes) *to++ = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

bool out_of_descriptors(int err) { return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM; }

std::size_t pending_size(const std::string& pending, std::size_t sent) { return pending.size() - sent; }

}  // namespace

EchoServer::EchoServer(EventLog& log, Address address, int backlog, EchoServerOptions options)
    : log_(log),
      address_(std::move(address)),
      backlog_(backlog),
      options_(std::move(options)),
      ctx_(&log_, options_.actor, &waker_) {}

EchoServer::~EchoServer() {
  for (Connection& conn : connections_)
    if (conn.open) close_connection(conn);
  if (listener_ >= 0) (void)ops::close(ctx_, listener_);
}

EchoServerOpen EchoServer::open() {
  EchoServerOpen opened;
  const auto failed = [&](const char* call, int err) {
    opened.failed_call = call;
    opened.err = err;
    if (listener_ >= 0) (void)ops::close(ctx_, listener_);
    listener_ = -1;
    return opened;
  };
  if (waker_.fd() < 0) return failed("eventfd", errno);
  const CallResult sock = ops::socket(ctx_, address_.family, SOCK_STREAM);
  if (!sock.ok()) return failed("socket", sock.err);
  listener_ = static_cast<int>(sock.value);
  // A restarted server gets its port back while the last run's connections sit in TIME_WAIT.
  if (const CallResult r = ops::setsockopt(ctx_, listener_, SOL_SOCKET, SO_REUSEADDR, 1); !r.ok())
    return failed("setsockopt", r.err);
  if (const CallResult r = ops::bind(ctx_, listener_, address_); !r.ok()) return failed("bind", r.err);
  if (const CallResult r = ops::listen(ctx_, listener_, backlog_); !r.ok()) return failed("listen", r.err);
  // accept() must never wait: poll() says when a client is in the queue.
  if (const CallResult r = ops::setblocking(ctx_, listener_, false); !r.ok()) return failed("setblocking", r.err);
  const CallResult name = ops::getsockname(ctx_, listener_);
  if (!name.ok()) return failed("getsockname", name.err);
  opened.address = name.address;
  return opened;
}

void EchoServer::stop() { waker_.wake(); }

EchoServerStats EchoServer::stats() const {
  EchoServerStats s;
  s.accepted = accepted_.load(std::memory_order_relaxed);
  s.closed = closed_.load(std::memory_order_relaxed);
  s.pending_bytes = pending_bytes_.load(std::memory_order_relaxed);
  s.peak_pending_bytes = peak_pending_bytes_.load(std::memory_order_relaxed);
  s.accept_pauses = accept_pauses_.load(std::memory_order_relaxed);
  s.fd_retries = fd_retries_.load(std::memory_order_relaxed);
  s.listen_overflows = overflows_.load(std::memory_order_relaxed);
  return s;
}

bool EchoServer::accepting() const {
  if (accept_paused_) return false;
  return options_.max_clients <= 0 || accepted_.load(std::memory_order_relaxed) < static_cast<std::size_t>(options_.max_clients);
}

bool EchoServer::wants_input(const Connection& conn) const {
  // Read only when a whole recv(1024) fits under the cap: the cap is never exceeded.
  return !conn.peer_done && pending_size(conn.pending, conn.sent) + kRecvSize <= options_.max_pending_output;
}

int EchoServer::run() {
  if (listener_ < 0) return EBADF;
  int result = 0;
  for (;;) {
    // Served enough: the clients still waiting in the accept queue are served too (closing
    // the listener would reset them), then the server stops.
    if (options_.max_clients > 0 && closed_.load(std::memory_order_relaxed) >= static_cast<std::size_t>(options_.max_clients) &&
        connections_.empty() && take_queued() == 0)
      break;
    sample_overflows(false);
    pollfds_.clear();
    pollfds_.push_back({waker_.fd(), POLLIN, 0});
    pollfds_.push_back({options_.stop_fd, POLLIN, 0});  // a negative fd is skipped by poll()
    pollfds_.push_back({accepting() ? listener_ : -1, POLLIN, 0});
    for (const Connection& conn : connections_) {
      short events = 0;
      if (wants_input(conn)) events |= POLLIN;
      if (pending_size(conn.pending, conn.sent) > 0) events |= POLLOUT;
      pollfds_.push_back({conn.fd, events, 0});
    }
    const int ready = wait_ready();
    if (ready < 0) {
      if (errno == EINTR) continue;
      result = errno;
      break;
    }
    if (pollfds_[kWakeSlot].revents != 0 || pollfds_[kStopSlot].revents != 0) break;
    if (ready == 0) {
      accept_paused_ = false;  // the retry timer of a pause: try accept() again
      continue;
    }
    // Connections accepted below are not in this round's poll set: serve only the others.
    const std::size_t polled = connections_.size();
    for (std::size_t i = 0; i < polled; ++i) {
      const short revents = pollfds_[kFirstConnectionSlot + i].revents;
      if (revents != 0) serve(connections_[i], revents);
    }
    if ((pollfds_[kListenerSlot].revents & POLLIN) != 0) {
      accept_ready();
      overflow_check_due_ = true;  // a burst may have overflowed the queue meanwhile
    }
    if (some_closed_) {
      std::erase_if(connections_, [](const Connection& c) { return !c.open; });
      some_closed_ = false;
    }
  }
  for (Connection& conn : connections_)
    if (conn.open) close_connection(conn);
  connections_.clear();
  sample_overflows(true);
  if (listener_ >= 0) (void)ops::close(ctx_, listener_);
  listener_ = -1;
  return result;
}

// One poll() over everything; returns its result. While events recorded since the last
// on_idle wait to be seen, the first poll() is bounded by idle_after_ms: if nothing happens
// by then, on_idle runs and the wait goes on. A busy server never reaches that timeout,
// so a round trip costs one poll().
int EchoServer::wait_ready() {
  int retry_ms = accept_paused_ ? kAcceptRetryMs : -1;
  if (overflow_check_due_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        last_overflow_sample_ + kOverflowSampleEvery - std::chrono::steady_clock::now());
    const int left_ms = static_cast<int>(std::max<long long>(1, left.count() + 1));
    retry_ms = retry_ms < 0 ? left_ms : std::min(retry_ms, left_ms);
  }
  if (!options_.on_idle) return ::poll(pollfds_.data(), pollfds_.size(), retry_ms);
  if (options_.idle_after_ms <= 0) {
    options_.on_idle();
    return ::poll(pollfds_.data(), pollfds_.size(), retry_ms);
  }
  if (log_.next_seq() != idle_seq_) {
    const int ready = ::poll(pollfds_.data(), pollfds_.size(), options_.idle_after_ms);
    if (ready != 0) return ready;
    options_.on_idle();
    idle_seq_ = log_.next_seq();
  }
  return ::poll(pollfds_.data(), pollfds_.size(), retry_ms);
}

void EchoServer::accept_ready() {
  if (short_of_fds_) {
    // Said once when it began; until a descriptor is free, a retry is a silent probe
    // (a dup of the listener) instead of another accept() -> EMFILE line every second.
    const int probe = ::fcntl(listener_, F_DUPFD_CLOEXEC, 0);
    if (probe < 0) {
      ++fd_retries_;
      accept_paused_ = true;
      return;
    }
    ::close(probe);
    note("descriptors are free again: accept() goes on (" + std::to_string(fd_retries_.load()) +
             " retries found none free)",
         "描述符又有空闲了:accept() 继续(此前 " + std::to_string(fd_retries_.load()) + " 次重试都没有空闲)");
    short_of_fds_ = false;
    fd_retries_ = 0;
  }
  for (int i = 0; i < kAcceptBatch && accepting(); ++i) {
    const CallResult conn = ops::accept(ctx_, listener_);
    if (conn.err == EAGAIN) return;  // the queue is empty
    if (out_of_descriptors(conn.err)) {
      // The client stays in the accept queue; poll() would report the listener ready again
      // at once, so leave it out until a client leaves (or a retry timer), and say so once.
      accept_paused_ = true;
      accept_pauses_.fetch_add(1, std::memory_order_relaxed);
      if (!short_of_fds_)
        note("accept() failed with " + errno_name(conn.err) + " (" + errno_message(conn.err) +
                 "): new clients wait in the accept queue until a client leaves",
             "accept() 失败：" + errno_name(conn.err) + "，新客户端在接听队列中等待，直到有客户端离开");
      short_of_fds_ = true;
      return;
    }
    if (!conn.ok()) continue;  // that one connection failed (EPROTO, EPERM): take the next
    adopt(static_cast<int>(conn.value));
  }
}

void EchoServer::adopt(int fd) {
  // The Python way of saying "never wait in recv or send on this one": poll() decides.
  (void)ops::setblocking(ctx_, fd, false);
  Connection accepted;
  accepted.fd = fd;
  connections_.push_back(std::move(accepted));
  accepted_.fetch_add(1, std::memory_order_relaxed);
}

std::size_t EchoServer::take_queued() {
  std::size_t taken = 0;
  for (int i = 0; i < kAcceptBatch; ++i) {
    const CallResult conn = ops::accept(ctx_, listener_);
    if (!conn.ok()) break;  // EAGAIN: nobody waits; anything else: not served either way
    adopt(static_cast<int>(conn.value));
    ++taken;
  }
  return taken;
}

void EchoServer::sample_overflows(bool final) {
  const auto now = std::chrono::steady_clock::now();
  if (!overflow_watch_.available() || (!final && (!overflow_check_due_ || now - last_overflow_sample_ < kOverflowSampleEvery)))
    return;
  overflow_check_due_ = false;
  last_overflow_sample_ = now;
  const ListenCounters grew = overflow_watch_.sample();
  if (!grew.any()) return;
  const SocketView listener = inspect_socket(listener_);
  ListenOverflow o;
  o.overflows = grew.overflows;
  o.drops = grew.drops;
  o.backlog = listener.backlog >= 0 ? listener.backlog : backlog_;
  o.queued = std::max(listener.accept_queue, 0);
  o.cookies_sent = grew.cookies_sent;
  o.cookies_failed = grew.cookies_failed;
  overflows_.fetch_add(grew.overflows, std::memory_order_relaxed);
  Event event;
  event.kind = EventKind::Note;
  event.actor = "kernel";
  event.note = NoteKind::ListenFull;
  event.fd = listener_;
  event.overflow = o;
  event.detail = listen_overflow_text(o);
  event.args = listen_overflow_text_zh(o);
  log_.append(std::move(event));
}

void EchoServer::serve(Connection& conn, short revents) {
  // An error or hang-up is reported whatever was asked for: the next call says which.
  const bool failed = (revents & (POLLERR | POLLHUP)) != 0;
  if (pending_size(conn.pending, conn.sent) > 0 && ((revents & POLLOUT) != 0 || failed)) {
    send_pending(conn);
    if (!conn.open) return;
  }
  if (!wants_input(conn) || ((revents & POLLIN) == 0 && !failed)) return;
  CallResult data = ops::recv(ctx_, conn.fd, kRecvSize);
  if (!data.ok()) {
    if (data.err != EAGAIN) close_connection(conn);  // ECONNRESET and the like: shown by recv
    return;
  }
  if (data.value == 0) {
    // EOF, or a half-close (shutdown SHUT_WR): the client still gets its pending echo.
    conn.peer_done = true;
    if (pending_size(conn.pending, conn.sent) == 0) close_connection(conn);
    return;
  }
  echo(conn, upper(data.bytes));
}

void EchoServer::echo(Connection& conn, const Bytes& data) {
  const std::size_t before = pending_size(conn.pending, conn.sent);
  if (before == 0) {
    // The usual case: the client reads, the echo goes out at once, nothing is held.
    const CallResult sent = ops::send(ctx_, conn.fd, data);
    if (!sent.ok() && sent.err != EAGAIN) {
      close_connection(conn);  // EPIPE, ECONNRESET: shown by send
      return;
    }
    const std::size_t taken = sent.ok() ? static_cast<std::size_t>(sent.value) : 0;
    if (taken == data.size()) return;
    conn.pending.assign(data, taken);
    conn.sent = 0;
  } else {
    if (conn.sent > 0) {
      conn.pending.erase(0, conn.sent);
      conn.sent = 0;
    }
    conn.pending.append(data);
  }
  const std::size_t after = pending_size(conn.pending, conn.sent);
  track_pending(before, after);
  if (!wants_input(conn) && !conn.pushed_back) {
    conn.pushed_back = true;
    note("fd " + std::to_string(conn.fd) + ": " + std::to_string(after) +
             " bytes of echo wait for the client to read them; not reading from it until it does "
             "(its sends now wait: TCP flow control)",
         "fd " + std::to_string(conn.fd) + "：" + std::to_string(after) +
             " 字节回声等客户端读取；在它读取之前不再读它的数据（它的发送将等待：TCP 流量控制）");
  }
}

void EchoServer::send_pending(Connection& conn) {
  const std::size_t before = pending_size(conn.pending, conn.sent);
  // A piece at a time: send() copies what it is given into Bytes for its result and
  // event, so a long backlog is not copied whole on every POLLOUT.
  const std::string_view rest = std::string_view(conn.pending).substr(conn.sent);
  const CallResult sent = ops::send(ctx_, conn.fd, rest.substr(0, kPendingPiece));
  if (!sent.ok()) {
    if (sent.err != EAGAIN) close_connection(conn);
    return;
  }
  conn.sent += static_cast<std::size_t>(sent.value);
  if (conn.sent == conn.pending.size()) {
    conn.sent = 0;
    if (conn.pending.capacity() > kKeptCapacity) std::string().swap(conn.pending);
    conn.pending.clear();
  }
  track_pending(before, pending_size(conn.pending, conn.sent));
  if (conn.peer_done && pending_size(conn.pending, conn.sent) == 0) close_connection(conn);
}

void EchoServer::close_connection(Connection& conn) {
  track_pending(pending_size(conn.pending, conn.sent), 0);
  std::string().swap(conn.pending);
  conn.sent = 0;
  (void)ops::close(ctx_, conn.fd);
  conn.open = false;
  some_closed_ = true;
  closed_.fetch_add(1, std::memory_order_relaxed);
  accept_paused_ = false;  // a descriptor is free again: the waiting clients can come in
}

void EchoServer::track_pending(std::size_t before, std::size_t after) {
  if (after > before) {
    pending_bytes_.fetch_add(after - before, std::memory_order_relaxed);
    if (after > peak_pending_bytes_.load(std::memory_order_relaxed))
      peak_pending_bytes_.store(after, std::memory_order_relaxed);
  } else if (before > after) {
    pending_bytes_.fetch_sub(before - after, std::memory_order_relaxed);
  }
}

void EchoServer::note(const std::string& en, const std::string& zh) {
  Event event;
  event.kind = EventKind::Note;
  event.actor = "sockstep";
  event.note = NoteKind::Info;
  event.detail = en;
  event.args = zh;
  log_.append(std::move(event));
}

}  // namespace sockstep
