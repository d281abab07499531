#include "engine/sockets/socket_ops.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "engine/text/errno_names.hpp"
#include "engine/sockets/fd_facts.hpp"
#include "engine/text/py_text.hpp"
#include "engine/sockets/unsent_wait.hpp"
#include "engine/sockets/wire_effect.hpp"

namespace sockstep {

OpContext::OpContext(EventLog* log, std::string actor, Waker* waker)
    : log_(log), actor_(std::move(actor)), waker_(waker) {}

void OpContext::forget(int fd) {
  modes_.erase(fd);
  fd_facts::forget(fd);
}

namespace {

int this_thread_id() {
  static thread_local const int tid = static_cast<int>(::gettid());
  return tid;
}

int this_process_id() {
  static const int pid = static_cast<int>(::getpid());
  return pid;
}

// Every call is recorded here, with the facts of the socket it was made on: what the
// fd table says, unless the call passes the facts it learned itself.
void record(OpContext& ctx, Call call, int fd, std::string args, const CallResult& result, std::string detail = {},
            const SocketFacts* facts = nullptr, WireEffect wire = WireEffect::None) {
  if (ctx.log() == nullptr) return;
  Event event;
  event.kind = EventKind::Call;
  event.call = call;
  event.dir = call_direction(call);
  event.wire = wire;
  event.actor = ctx.actor();
  event.pid = this_process_id();
  event.tid = this_thread_id();
  event.args = std::move(args);
  event.fd = fd;
  event.sock = facts != nullptr ? *facts : fd_facts::get(fd);
  event.value = result.value;
  event.err = result.err;
  event.detail = detail.empty() ? (result.address.empty() ? result.text : result.address.to_string())
                                : std::move(detail);
  event.byte_count = result.bytes.size();
  event.bytes = result.bytes;  // shared, not copied
  event.truncated = result.truncated;
  event.polled = result.polled;
  event.interest = result.interest;
  event.epoll_op = result.epoll_op;
  event.step = ctx.step;
  ctx.log()->append(std::move(event));
}

CallResult failure(int err) {
  CallResult result;
  result.value = -1;
  result.err = err;
  return result;
}

// Python's blocking mode without a timeout: the thread may sit in the real call.
bool waits_in_call(const FdMode& mode) { return mode.blocking && mode.timeout_ms < 0; }

// Python keeps the kernel's flag in step with the mode: only a blocking socket without a
// timeout is a blocking fd. Returns 0 or the errno.
int set_kernel_blocking(int fd, bool blocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return errno;
  const int wanted = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
  if (wanted != flags && ::fcntl(fd, F_SETFL, wanted) != 0) return errno;
  return 0;
}

// A call is about to wait: the log gets a Blocked event, the actor's owner a BlockInfo.
// watched: a select()'s sockets, fd and events being the first of them.
void announce_wait(OpContext& ctx, int fd, short events, Call call, const std::vector<PollEntry>& watched = {}) {
  if (ctx.log() != nullptr) {
    Event event;
    event.kind = EventKind::Blocked;
    event.actor = ctx.actor();
    event.pid = this_process_id();
    event.tid = this_thread_id();
    event.call = call;
    event.dir = call_direction(call);
    event.fd = fd;
    event.sock = fd_facts::get(fd);
    event.step = ctx.step;
    event.polled = watched;
    ctx.log()->append(std::move(event));
  }
  if (ctx.on_block) ctx.on_block(BlockInfo{call, fd, events, watched});
}

void end_wait(OpContext& ctx) {
  if (ctx.on_unblock) ctx.on_unblock();
}

// Waits in poll() until fd is ready for events or the waker is woken, honouring a timeout.
// Returns 0 when ready, kPythonTimeout after a timeout (no call failed, so no errno: what
// Python raises is TimeoutError('timed out')), ECANCELED when woken.
int poll_ready(OpContext& ctx, int fd, short events, int timeout_ms) {
  const int wake_fd = ctx.waker() != nullptr ? ctx.waker()->fd() : -1;
  pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
  const nfds_t count = wake_fd >= 0 ? 2 : 1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int timeout = -1;
    if (timeout_ms >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      timeout = static_cast<int>(std::max<long long>(0, left.count()));
    }
    const int n = ::poll(fds, count, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return kPythonTimeout;
    if (count == 2 && (fds[1].revents & POLLIN) != 0) return ECANCELED;
    return 0;
  }
}

// A wait in poll() (a socket with a timeout, a connect): announced, then ended.
// Returns 0 when ready, kPythonTimeout after the timeout, ECANCELED when woken.
int wait_in_poll(OpContext& ctx, int fd, short events, Call call, int timeout_ms) {
  announce_wait(ctx, fd, events, call);
  const int waited = poll_ready(ctx, fd, events, timeout_ms);
  end_wait(ctx);
  return waited;
}

// A wait in the call itself (a blocking socket): announced, then attempt(true) sits in
// the kernel until it can finish or the waker shuts the socket down (-1, ECANCELED).
template <class Attempt>
ssize_t wait_in_call(OpContext& ctx, int fd, short events, Call call, Attempt& attempt) {
  announce_wait(ctx, fd, events, call);
  Waker* waker = ctx.waker();
  if (waker != nullptr && !waker->enter(fd)) {
    end_wait(ctx);
    errno = ECANCELED;
    return -1;
  }
  ssize_t n;
  do {
    n = attempt(true);
  } while (n < 0 && errno == EINTR && (waker == nullptr || !waker->woken()));
  const int err = errno;
  if (waker != nullptr) waker->leave();
  end_wait(ctx);
  if (waker != nullptr && waker->woken()) {
    errno = ECANCELED;
    return -1;
  }
  errno = err;
  return n;
}

// Makes a call the way Python makes it in the fd's mode. attempt(may_wait) returns the
// call's result (-1 with errno); with may_wait false it must not wait. The first try
// never waits; when it would block, a non-blocking socket fails with EAGAIN, a socket
// with a timeout waits in poll(), and a blocking one sits in the call itself, where the
// kernel wakes it the moment it can finish, or the waker ends it (see Waker).
template <class Attempt>
ssize_t call_waiting(OpContext& ctx, int fd, short events, Call call, Attempt attempt) {
  const FdMode mode = ctx.mode(fd);
  for (;;) {
    const ssize_t n = attempt(false);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return -1;
    if (!mode.blocking) return -1;
    if (waits_in_call(mode)) {
      const ssize_t m = wait_in_call(ctx, fd, events, call, attempt);
      // EAGAIN here: the fd is non-blocking in the kernel after all (another context set
      // it), so this context waits in poll() like a socket with a timeout.
      if (m >= 0 || errno != EAGAIN) return m;
    }
    if (const int waited = wait_in_poll(ctx, fd, events, call, mode.timeout_ms); waited != 0) {
      errno = waited;
      return -1;
    }
  }
}

CallResult do_connect(OpContext& ctx, int fd, const Address& address) {
  const auto sa = to_sockaddr(address);
  if (!sa) return failure(EINVAL);
  const bool kernel_blocking = waits_in_call(ctx.mode(fd));
  if (kernel_blocking) {
    if (const int err = set_kernel_blocking(fd, false); err != 0) return failure(err);
  }
  const int rc = ::connect(fd, sa->get(), sa->length);
  const int err = rc == 0 ? 0 : errno;
  if (kernel_blocking) (void)set_kernel_blocking(fd, true);
  if (rc == 0) return {};
  if (err != EINPROGRESS) return failure(err);
  if (!ctx.mode(fd).blocking) return failure(EINPROGRESS);
  // connect cannot be tried without waiting (no MSG_DONTWAIT for it): it was made on a
  // non-blocking fd. On loopback the kernel has usually finished the handshake before it
  // returns, and then nothing waited; a handshake still under way is waited for in
  // poll(), in every mode.
  if (poll_ready(ctx, fd, POLLOUT, 0) != 0) {
    if (const int waited = wait_in_poll(ctx, fd, POLLOUT, Call::Connect, ctx.mode(fd).timeout_ms); waited != 0)
      return failure(waited);
  }
  if (kernel_blocking) {
    // A blocking connect() ends in the kernel, which reports a failure and leaves the
    // socket unconnected, so a later connect() starts afresh. Read with SO_ERROR, as
    // Python does under settimeout(), the failure leaves the socket "connecting" and
    // the next connect() gets ECONNABORTED. So a blocking call ends as the kernel's
    // own does: with connect() once more, 0 once connected, else the error.
    if (const int err2 = set_kernel_blocking(fd, false); err2 != 0) return failure(err2);
    const int again = ::connect(fd, sa->get(), sa->length);
    const int again_err = again == 0 ? 0 : errno;
    (void)set_kernel_blocking(fd, true);
    return again == 0 || again_err == EISCONN ? CallResult{} : failure(again_err);
  }
  int so_error = 0;
  socklen_t length = sizeof so_error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length) != 0) return failure(errno);
  return so_error == 0 ? CallResult{} : failure(so_error);
}

int dontwait(bool may_wait) { return may_wait ? 0 : MSG_DONTWAIT; }

// After a connect: both names as the kernel has them; the address it tried stands for
// the peer when the connect failed or is still under way (getpeername says ENOTCONN).
SocketFacts learn_connected(int fd, const Address& tried, int err) {
  SocketFacts facts = err == 0 || err == EINPROGRESS || err == EALREADY ? fd_facts::learn(fd) : fd_facts::get(fd);
  if (facts.peer.empty()) facts.peer = tried;
  return facts;
}

// A TCP connect sends a SYN whatever comes back; other sockets send nothing for it.
WireEffect connect_effect(const SocketFacts& facts) {
  const bool tcp = facts.stream() && (facts.family == AF_INET || facts.family == AF_INET6);
  return tcp ? WireEffect::Syn : WireEffect::None;
}

// One send() as the fd's mode makes it: the count queued, or -1 with errno. In blocking
// mode the kernel's send returns only once all of data is queued; the try before it may
// queue just a part, so in that mode the rest goes on in the same call, as it would in
// the kernel (bounded: each pass queues a byte or more, or ends).
ssize_t send_once(OpContext& ctx, int fd, std::string_view data, Call call) {
  std::size_t sent = 0;
  for (;;) {
    const std::string_view rest = data.substr(sent);
    const ssize_t n = call_waiting(ctx, fd, POLLOUT, call, [&](bool may_wait) {
      return ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL | dontwait(may_wait));
    });
    if (n < 0) return sent > 0 ? static_cast<ssize_t>(sent) : -1;  // the kernel reports what it queued
    sent += static_cast<std::size_t>(n);
    if (sent == data.size() || n == 0 || !waits_in_call(ctx.mode(fd))) return static_cast<ssize_t>(sent);
  }
}

// "[4, 5]": the fds of the entries that ask for events, as one of select()'s lists.
std::string fd_list(const std::vector<PollEntry>& entries, short events) {
  std::string out = "[";
  for (const PollEntry& entry : entries) {
    if ((entry.events & events) == 0) continue;
    if (out.size() > 1) out += ", ";
    out += std::to_string(entry.fd);
  }
  return out + "]";
}

// poll() on fds until one is ready or timeout_ms ran out (< 0: no limit), through EINTR.
// Returns poll()'s count, or -1 with errno.
int poll_until(std::vector<pollfd>& fds, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  for (;;) {
    int left = -1;
    if (timeout_ms >= 0) {
      // Rounded up: a wait never ends before its time.
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      left = static_cast<int>(std::max<long long>(0, ms.count()));
    }
    const int n = ::poll(fds.data(), static_cast<nfds_t>(fds.size()), left);
    if (n >= 0 || errno != EINTR) return n;
  }
}

}  // namespace

namespace ops {

CallResult socket(OpContext& ctx, int family, int type, int protocol) {
  CallResult result;
  const int fd = ::socket(family, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    result = failure(errno);
  } else {
    result.value = fd;
    ctx.mode(fd) = FdMode{};
    (void)fd_facts::learn(fd);
  }
  record(ctx, Call::Socket, fd, family_name(family) + ", " + socktype_name(type), result);
  return result;
}

CallResult bind(OpContext& ctx, int fd, const Address& address) {
  CallResult result;
  const auto sa = to_sockaddr(address);
  if (!sa) {
    result = failure(EINVAL);
  } else if (::bind(fd, sa->get(), sa->length) != 0) {
    result = failure(errno);
  } else {
    (void)fd_facts::learn(fd);  // port 0 became a port
  }
  record(ctx, Call::Bind, fd, address.python_repr(), result);
  return result;
}

CallResult listen(OpContext& ctx, int fd, int backlog) {
  CallResult result;
  if (::listen(fd, backlog) != 0) {
    result = failure(errno);
  } else {
    (void)fd_facts::learn(fd);  // an unbound socket was given a port
  }
  record(ctx, Call::Listen, fd, std::to_string(backlog), result);
  return result;
}

CallResult accept(OpContext& ctx, int fd) {
  CallResult result;
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  ssize_t conn = -1;
  do {
    length = sizeof peer;
    conn = call_waiting(ctx, fd, POLLIN, Call::Accept, [&](bool may_wait) -> ssize_t {
      // accept4 has no MSG_DONTWAIT: a try first asks poll() whether a client is queued.
      pollfd queued{fd, POLLIN, 0};
      if (!may_wait && ::poll(&queued, 1, 0) == 0) {
        errno = EAGAIN;
        return -1;
      }
      return ::accept4(fd, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
    });
  } while (conn < 0 && errno == ECONNABORTED);  // that client gave up; wait for the next
  if (conn >= 0) {
    result.value = conn;
    result.address = from_sockaddr(reinterpret_cast<sockaddr*>(&peer), length);
    ctx.mode(static_cast<int>(conn)) = FdMode{};
  } else {
    result = failure(errno);
  }
  // The event is about the new connection: its socket's facts, not the listener's.
  const SocketFacts facts = conn >= 0 ? fd_facts::learn(static_cast<int>(conn)) : fd_facts::get(fd);
  record(ctx, Call::Accept, fd, "", result, {}, &facts);
  return result;
}

CallResult connect(OpContext& ctx, int fd, const Address& address) {
  CallResult result = do_connect(ctx, fd, address);
  if (result.ok()) result.value = 0;
  const SocketFacts facts = learn_connected(fd, address, result.err);
  record(ctx, Call::Connect, fd, address.python_repr(), result, {}, &facts, connect_effect(facts));
  return result;
}

CallResult connect_ex(OpContext& ctx, int fd, const Address& address) {
  CallResult result = do_connect(ctx, fd, address);
  result.value = result.err;
  const SocketFacts facts = learn_connected(fd, address, result.err);
  record(ctx, Call::ConnectEx, fd, address.python_repr(), result, {}, &facts, connect_effect(facts));
  return result;
}

CallResult send(OpContext& ctx, int fd, const Bytes& data) {
  CallResult result;
  if (const ssize_t n = send_once(ctx, fd, data, Call::Send); n >= 0) {
    result.value = n;
    result.bytes = data.prefix(static_cast<std::size_t>(n));
  } else {
    result = failure(errno);
    result.bytes = data;  // what it was asked to send: its call line shows them
  }
  record(ctx, Call::Send, fd, {}, result);
  return result;
}

CallResult send_parts(OpContext& ctx, int fd, const std::vector<Bytes>& parts) {
  CallResult result;
  std::string all;
  for (const Bytes& part : parts) {
    const CallResult one = send(ctx, fd, part);
    if (!one.ok()) {
      result = one;
      break;
    }
    result.value += one.value;
    all += one.bytes.str();
    if (one.value < static_cast<long long>(part.size())) break;  // a short send: the rest was not sent
  }
  if (result.ok()) result.bytes = Bytes(std::move(all));
  // Only where bytes were queued: a failed send leaves nothing to measure.
  if (result.ok() && result.value > 0) {
    // A bound well above the 200 ms the kernel ever delays an ACK (TCP_DELACK_MAX).
    const UnsentWait wait = wait_until_sent(fd, std::chrono::milliseconds(2000));
    result.held_us = wait.waited_us;
    result.held_bytes = wait.first_bytes;
  }
  return result;
}

CallResult sendall(OpContext& ctx, int fd, const Bytes& data) {
  CallResult result;
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send_once(ctx, fd, data.substr(sent), Call::Sendall);
    if (n < 0) {
      result = failure(errno);
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  // Failed, it shows what it was asked to send, as send() does.
  result.bytes = result.ok() ? data.prefix(sent) : data;
  if (result.ok()) result.value = static_cast<long long>(sent);
  record(ctx, Call::Sendall, fd, {}, result);
  return result;
}

CallResult recv(OpContext& ctx, int fd, std::size_t max_bytes, bool wait_all) {
  CallResult result;
  Bytes buffer = Bytes::with_room(max_bytes);
  std::size_t got = 0;
  // Bounded: each pass reads at least one byte, or ends. A call that waits passes
  // MSG_WAITALL to the kernel, as Python does, so it waits once for the rest: a pass per
  // arriving piece would record a new wait for each.
  const int wait_flag = wait_all ? MSG_WAITALL : 0;
  for (;;) {
    const ssize_t n = call_waiting(ctx, fd, POLLIN, Call::Recv, [&](bool may_wait) {
      return ::recv(fd, buffer.writable() + got, max_bytes - got, may_wait ? wait_flag : MSG_DONTWAIT);
    });
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      if (!wait_all || got == max_bytes) break;
      continue;
    }
    if (n == 0) break;  // EOF
    // MSG_WAITALL hands over what it has before reporting the error on the next call;
    // a woken call reports being woken.
    if (got == 0 || errno == ECANCELED) result = failure(errno);
    break;
  }
  if (result.ok()) {
    buffer.keep(got);
    result.value = static_cast<long long>(got);
    result.bytes = std::move(buffer);
  }
  record(ctx, Call::Recv, fd, std::to_string(max_bytes) + (wait_all ? ", MSG_WAITALL" : ""), result);
  return result;
}

CallResult sendto(OpContext& ctx, int fd, const Bytes& data, const Address& to) {
  CallResult result;
  if (const auto sa = to_sockaddr(to); !sa) {
    result = failure(EINVAL);
  } else {
    const ssize_t n = call_waiting(ctx, fd, POLLOUT, Call::SendTo, [&](bool may_wait) {
      return ::sendto(fd, data.data(), data.size(), MSG_NOSIGNAL | dontwait(may_wait), sa->get(), sa->length);
    });
    if (n >= 0) {
      result.value = n;
      result.bytes = data.prefix(static_cast<std::size_t>(n));
    } else {
      result = failure(errno);
      result.bytes = data;  // what it was asked to send, as with send()
    }
  }
  SocketFacts facts = fd_facts::get(fd);
  if (result.ok() && facts.local.port == 0 && facts.local.family != AF_UNIX) facts = fd_facts::learn(fd);  // bound by this send
  facts.peer = to;
  record(ctx, Call::SendTo, fd, to.python_repr(), result, {}, &facts);
  return result;
}

CallResult recvfrom(OpContext& ctx, int fd, std::size_t max_bytes) {
  CallResult result;
  Bytes buffer = Bytes::with_room(max_bytes);
  sockaddr_storage from{};
  msghdr msg{};
  const ssize_t n = call_waiting(ctx, fd, POLLIN, Call::RecvFrom, [&](bool may_wait) {
    from = {};
    iovec iov{buffer.writable(), max_bytes};
    msg = {};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    return ::recvmsg(fd, &msg, dontwait(may_wait));
  });
  if (n >= 0) {
    buffer.keep(static_cast<std::size_t>(n));
    result.value = n;
    result.bytes = std::move(buffer);
    result.address = from_sockaddr(reinterpret_cast<sockaddr*>(&from), msg.msg_namelen);
    // A datagram larger than the buffer loses its tail; the kernel says so.
    if ((msg.msg_flags & MSG_TRUNC) != 0) {
      result.text = "truncated";
      result.truncated = true;
    }
  } else {
    result = failure(errno);
  }
  std::string detail = result.address.to_string();
  if (!result.text.empty()) detail += " (" + result.text + ")";
  SocketFacts facts = fd_facts::get(fd);
  if (!result.address.empty()) facts.peer = result.address;
  record(ctx, Call::RecvFrom, fd, std::to_string(max_bytes), result, detail, &facts);
  return result;
}

CallResult shutdown(OpContext& ctx, int fd, int how) {
  CallResult result;
  const WireEffect wire = shutdown_effect(fd, how);
  if (::shutdown(fd, how) != 0) result = failure(errno);
  record(ctx, Call::Shutdown, fd, shutdown_how_name(how), result, {}, nullptr,
         result.ok() ? wire : WireEffect::None);
  return result;
}

CallResult close(OpContext& ctx, int fd, bool still_held) {
  CallResult result;
  const WireEffect wire = still_held ? WireEffect::None : close_effect(fd);
  const SocketFacts facts = fd_facts::get(fd);
  if (::close(fd) != 0) result = failure(errno);
  ctx.forget(fd);
  record(ctx, Call::Close, fd, "", result, {}, &facts, result.ok() ? wire : WireEffect::None);
  return result;
}

CallResult setblocking(OpContext& ctx, int fd, bool blocking) {
  CallResult result;
  if (const int err = set_kernel_blocking(fd, blocking); err != 0) {
    result = failure(err);
  } else {
    ctx.mode(fd) = FdMode{blocking, -1};
  }
  record(ctx, Call::SetBlocking, fd, blocking ? "True" : "False", result);
  return result;
}

CallResult settimeout(OpContext& ctx, int fd, double seconds) {
  CallResult result;
  if (const int err = set_kernel_blocking(fd, seconds < 0); err != 0) {
    result = failure(err);
  } else {
    ctx.mode(fd) = FdMode{true, seconds < 0 ? -1 : static_cast<int>(seconds * 1000)};
  }
  record(ctx, Call::SetTimeout, fd, seconds < 0 ? "None" : std::to_string(seconds), result);
  return result;
}

CallResult setsockopt(OpContext& ctx, int fd, int level, int name, int value) {
  CallResult result;
  if (level == SOL_SOCKET && name == SO_LINGER) {
    const linger l{value >= 0 ? 1 : 0, value >= 0 ? value : 0};
    if (::setsockopt(fd, level, name, &l, sizeof l) != 0) result = failure(errno);
  } else if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    result = failure(errno);
  }
  record(ctx, Call::SetSockOpt, fd, sockopt_text(level, name) + ", " + std::to_string(value), result);
  return result;
}

CallResult bind_to_device(OpContext& ctx, int fd, const std::string& device) {
  CallResult result;
  // The name without its NUL, as Python passes b'lo': the kernel ends it itself.
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.data(), static_cast<socklen_t>(device.size())) != 0)
    result = failure(errno);
  record(ctx, Call::SetSockOpt, fd, sockopt_text(SOL_SOCKET, SO_BINDTODEVICE) + ", b'" + device + "'", result);
  return result;
}

std::string bound_device(int fd) {
  char name[IFNAMSIZ + 1] = {};
  socklen_t length = IFNAMSIZ;
  if (::getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, &length) != 0) return {};
  return std::string(name, ::strnlen(name, std::min<std::size_t>(length, IFNAMSIZ)));
}

CallResult getsockopt(OpContext& ctx, int fd, int level, int name) {
  CallResult result;
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, level, name, &value, &length) != 0) {
    result = failure(errno);
  } else {
    result.value = value;
  }
  record(ctx, Call::GetSockOpt, fd, sockopt_text(level, name), result);
  return result;
}

CallResult select(OpContext& ctx, std::vector<PollEntry> watch, double timeout_seconds) {
  CallResult result;
  std::vector<pollfd> fds;
  for (const PollEntry& entry : watch) fds.push_back({entry.fd, entry.events, 0});
  // The first look never waits: "0 = just look", and a socket already ready is no wait.
  int n = poll_until(fds, 0);
  if (n == 0 && timeout_seconds != 0 && !watch.empty()) {
    // Python rounds a timeout to microseconds; poll() counts milliseconds, so round up.
    const int timeout_ms = timeout_seconds < 0 ? -1 : static_cast<int>(std::ceil(timeout_seconds * 1000.0));
    const int wake_fd = ctx.waker() != nullptr ? ctx.waker()->fd() : -1;
    if (wake_fd >= 0) fds.push_back({wake_fd, POLLIN, 0});
    announce_wait(ctx, watch.front().fd, watch.front().events, Call::Select, watch);
    n = poll_until(fds, timeout_ms);
    const bool woken = n > 0 && wake_fd >= 0 && (fds.back().revents & POLLIN) != 0;
    end_wait(ctx);
    if (wake_fd >= 0) fds.pop_back();
    if (woken) {
      n = -1;
      errno = ECANCELED;
    }
  }
  for (std::size_t i = 0; i < watch.size(); ++i) watch[i].revents = n > 0 ? fds[i].revents : 0;
  const bool closed = std::any_of(fds.begin(), fds.end(), [](const pollfd& p) { return (p.revents & POLLNVAL) != 0; });
  std::string ready;
  if (n < 0 || closed) {
    result = failure(n < 0 ? errno : EBADF);  // select() says EBADF for an fd that is not open
  } else {
    std::vector<PollEntry> readable, writable;
    for (const PollEntry& entry : watch) {
      if (entry.readable()) readable.push_back({entry.fd, POLLIN, POLLIN});
      if (entry.writable()) writable.push_back({entry.fd, POLLOUT, POLLOUT});
    }
    result.value = static_cast<long long>(readable.size() + writable.size());
    ready = result.value == 0 ? "nothing ready (timeout)"
                              : "readable " + fd_list(readable, POLLIN) + ", writable " + fd_list(writable, POLLOUT);
  }
  char timeout[32] = "None";
  if (timeout_seconds >= 0) std::snprintf(timeout, sizeof timeout, "%g", timeout_seconds);
  result.polled = watch;
  const SocketFacts facts = watch.empty() ? SocketFacts{} : fd_facts::get(watch.front().fd);
  record(ctx, Call::Select, watch.empty() ? -1 : watch.front().fd,
         fd_list(watch, POLLIN) + ", " + fd_list(watch, POLLOUT) + ", [], " + timeout, result, ready, &facts);
  return result;
}

namespace {
// poll()'s event bits by name; epoll's are the same numbers with an E before the name
// (POLLNVAL aside: epoll has none), and EPOLLET of its own.
struct EventBit {
  std::uint32_t bit;
  const char* name;
  bool epoll;
};
constexpr EventBit kEventBits[] = {{POLLIN, "POLLIN", true},   {POLLOUT, "POLLOUT", true},
                                   {POLLPRI, "POLLPRI", true}, {POLLERR, "POLLERR", true},
                                   {POLLHUP, "POLLHUP", true}, {POLLNVAL, "POLLNVAL", false},
                                   {POLLRDHUP, "POLLRDHUP", true}};

std::string events_text(std::uint32_t events, bool epoll) {
  std::string out;
  const auto add = [&](const char* prefix, const char* name) {
    out += (out.empty() ? "" : "|");
    out += prefix;
    out += name;
  };
  for (const EventBit& b : kEventBits)
    if ((events & b.bit) != 0 && (b.epoll || !epoll)) add(epoll ? "E" : "", b.name);
  if (epoll && (events & EPOLLET) != 0) add("", "EPOLLET");
  return out.empty() ? "0" : out;
}
}  // namespace

std::string poll_events_text(short events) { return events_text(static_cast<std::uint16_t>(events), false); }
std::string epoll_events_text(std::uint32_t events) { return events_text(events, true); }

const char* epoll_op_name(int op) {
  switch (op) {
    case EPOLL_CTL_ADD: return "EPOLL_CTL_ADD";
    case EPOLL_CTL_MOD: return "EPOLL_CTL_MOD";
    case EPOLL_CTL_DEL: return "EPOLL_CTL_DEL";
    default: return "?";
  }
}

CallResult epoll_create(OpContext& ctx) {
  CallResult result;
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) result = failure(errno);
  else result.value = fd;
  record(ctx, Call::EpollCreate, fd, "EPOLL_CLOEXEC", result);
  return result;
}

CallResult epoll_ctl(OpContext& ctx, int epfd, int op, int fd, unsigned events) {
  CallResult result;
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (::epoll_ctl(epfd, op, fd, &ev) != 0) result = failure(errno);
  result.epoll_op = op;
  result.interest = {{fd, op == EPOLL_CTL_DEL ? 0u : events}};
  record(ctx, Call::EpollCtl, epfd,
         std::string(epoll_op_name(op)) + ", " + std::to_string(fd) + (op == EPOLL_CTL_DEL ? "" : ", " + epoll_events_text(events)),
         result, {}, nullptr);
  return result;
}

CallResult epoll_wait(OpContext& ctx, int epfd, const std::vector<InterestEntry>& interest,
                      int maxevents, double timeout_seconds) {
  CallResult result;
  // As poll() events, for whoever asks what the wait is on (EPOLLET is no poll() bit).
  std::vector<PollEntry> watched;
  for (const auto& [fd, mask] : interest)
    watched.push_back({fd, static_cast<short>(mask & (EPOLLIN | EPOLLOUT | EPOLLRDHUP)), 0});
  std::vector<epoll_event> ready(static_cast<std::size_t>(std::clamp(maxevents, 1, 64)));
  const auto look = [&] {
    int n;
    do {
      n = ::epoll_wait(epfd, ready.data(), static_cast<int>(ready.size()), 0);
    } while (n < 0 && errno == EINTR);
    return n;
  };
  // The first look never waits, as epoll_wait(..., 0) does.
  int n = look();
  if (n == 0 && timeout_seconds != 0) {
    const int timeout_ms = timeout_seconds < 0 ? -1 : static_cast<int>(std::ceil(timeout_seconds * 1000.0));
    announce_wait(ctx, epfd, POLLIN, Call::EpollWait, watched);
    const int waited = poll_ready(ctx, epfd, POLLIN, timeout_ms);
    end_wait(ctx);
    if (waited == ECANCELED) {
      n = -1;
      errno = ECANCELED;
    } else if (waited == 0) {
      n = look();
    } else if (waited != kPythonTimeout) {
      n = -1;
      errno = waited;
    }
  }
  std::string detail;
  if (n < 0) {
    result = failure(errno);
  } else {
    for (int i = 0; i < n; ++i) {
      const unsigned got = ready[static_cast<std::size_t>(i)].events;
      result.polled.push_back({ready[static_cast<std::size_t>(i)].data.fd, PollEntry::select_sets(got), static_cast<short>(got)});
      detail += (detail.empty() ? "[(" : ", (") + std::to_string(ready[static_cast<std::size_t>(i)].data.fd) + ", " +
                epoll_events_text(got) + ")";
    }
    detail = n == 0 ? "[] (nothing ready)" : detail + "]";
    // What it watches, beside what came back: the interest set epoll_ctl left.
    std::string set;
    for (const auto& [fd, mask] : interest) set += (set.empty() ? "" : ", ") + std::to_string(fd) + ": " + epoll_events_text(mask);
    detail += "; watching {" + set + "}";
    result.value = n;
  }
  result.interest = interest;
  char timeout[32] = "-1";
  if (timeout_seconds >= 0) std::snprintf(timeout, sizeof timeout, "%g", timeout_seconds);
  record(ctx, Call::EpollWait, epfd, std::string(timeout) + ", " + std::to_string(ready.size()), result, detail);
  return result;
}

CallResult getpeername(OpContext& ctx, int fd) {
  CallResult result;
  sockaddr_storage ss{};
  socklen_t length = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &length) != 0) {
    result = failure(errno);
  } else {
    result.address = from_sockaddr(reinterpret_cast<sockaddr*>(&ss), length);
    result.value = result.address.port;  // lets a check or prediction ask "which port?"
  }
  record(ctx, Call::GetPeerName, fd, "", result);
  return result;
}

CallResult getsockname(OpContext& ctx, int fd) {
  CallResult result;
  sockaddr_storage ss{};
  socklen_t length = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &length) != 0) {
    result = failure(errno);
  } else {
    result.address = from_sockaddr(reinterpret_cast<sockaddr*>(&ss), length);
    result.value = result.address.port;
  }
  record(ctx, Call::GetSockName, fd, "", result);
  return result;
}

namespace {
// Only names that resolve without leaving this machine.
bool loopback_name(const std::string& host) {
  char own[256] = {};
  ::gethostname(own, sizeof own - 1);
  return host == "localhost" || host == "ip6-localhost" || host == own ||
         host.rfind("127.", 0) == 0 || host == "::1" || host == "0.0.0.0" || host == "::";
}
}  // namespace

CallResult getaddrinfo(OpContext& ctx, const std::string& host, int port, int family, int type) {
  CallResult result;
  const std::string args = "'" + host + "', " + std::to_string(port);
  if (!loopback_name(host)) {
    result = failure(EPERM);
    result.text = "sockstep resolves loopback names only";
    record(ctx, Call::GetAddrInfo, -1, args, result);
    return result;
  }
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = type;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) {
    // socket.gaierror carries the code itself (EAI_NONAME is -2); EAI_SYSTEM means errno says.
    result = failure(rc == EAI_SYSTEM ? errno : rc);
  } else {
    std::string text;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      if (!text.empty()) text += ", ";
      text += "(" + family_name(ai->ai_family) + ", " + socktype_name(ai->ai_socktype) + ", " +
              from_sockaddr(ai->ai_addr, ai->ai_addrlen).python_repr() + ")";
      ++result.value;
      if (result.address.empty()) result.address = from_sockaddr(ai->ai_addr, ai->ai_addrlen);
      result.entries.push_back({ai->ai_family, ai->ai_socktype, ai->ai_protocol, from_sockaddr(ai->ai_addr, ai->ai_addrlen)});
    }
    ::freeaddrinfo(list);
    result.text = "[" + text + "]";
  }
  record(ctx, Call::GetAddrInfo, -1, args, result, result.text);
  return result;
}

CallResult gethostbyname(OpContext& ctx, const std::string& host) {
  CallResult result;
  if (!loopback_name(host)) {
    result = failure(EPERM);
    result.text = "sockstep resolves loopback names only";
  } else {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    addrinfo* list = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
    if (rc != 0 || list == nullptr) {
      result = failure(rc == EAI_SYSTEM ? errno : rc != 0 ? rc : EAI_NONAME);
    } else {
      result.address = from_sockaddr(list->ai_addr, list->ai_addrlen);
      result.text = result.address.host;
      ::freeaddrinfo(list);
    }
  }
  record(ctx, Call::GetHostByName, -1, "'" + host + "'", result, result.text);
  return result;
}

CallResult getfqdn(OpContext& ctx) {
  CallResult result;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) {
    result = failure(errno);
  } else {
    result.text = name;
    // As Python's socket.getfqdn() does it: gethostbyaddr(name), that is the name's first
    // address looked up back, then the first of the names it gives that has a dot in it,
    // else the first name. (gethostbyaddr failing leaves the host name.)
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* list = nullptr;
    if (::getaddrinfo(name, nullptr, &hints, &list) == 0 && list != nullptr) {
      const void* address = nullptr;
      socklen_t length = 0;
      if (list->ai_family == AF_INET) {
        address = &reinterpret_cast<const sockaddr_in*>(list->ai_addr)->sin_addr;
        length = sizeof(in_addr);
      } else if (list->ai_family == AF_INET6) {
        address = &reinterpret_cast<const sockaddr_in6*>(list->ai_addr)->sin6_addr;
        length = sizeof(in6_addr);
      }
      hostent entry{};
      hostent* found = nullptr;
      char buffer[4096];
      int h_err = 0;
      if (address != nullptr &&
          ::gethostbyaddr_r(address, length, list->ai_family, &entry, buffer, sizeof buffer, &found, &h_err) == 0 &&
          found != nullptr && found->h_name != nullptr) {
        std::string chosen = found->h_name;
        if (chosen.find('.') == std::string::npos)
          for (char** alias = found->h_aliases; alias != nullptr && *alias != nullptr; ++alias)
            if (std::string_view(*alias).find('.') != std::string_view::npos) {
              chosen = *alias;
              break;
            }
        result.text = chosen;
      }
      ::freeaddrinfo(list);
    }
  }
  record(ctx, Call::GetFqdn, -1, "", result, result.text);
  return result;
}

CallResult unlink(OpContext& ctx, const std::string& path) {
  CallResult result;
  if (path.empty() || path[0] == '@') {
    result = failure(ENOENT);
  } else if (::unlink(path.c_str()) != 0) {
    result = failure(errno);
  }
  record(ctx, Call::Unlink, -1, "'" + path + "'", result);
  return result;
}

}  // namespace ops

namespace {
struct NamedInt {
  const char* name;
  int value;
};
constexpr NamedInt kLevels[] = {{"SOL_SOCKET", SOL_SOCKET}, {"IPPROTO_TCP", IPPROTO_TCP},
                                {"IPPROTO_IP", IPPROTO_IP}, {"IPPROTO_IPV6", IPPROTO_IPV6}};
constexpr NamedInt kOptions[] = {
    {"SO_REUSEADDR", SO_REUSEADDR}, {"SO_REUSEPORT", SO_REUSEPORT}, {"SO_RCVBUF", SO_RCVBUF},
    {"SO_SNDBUF", SO_SNDBUF},       {"SO_KEEPALIVE", SO_KEEPALIVE}, {"SO_ERROR", SO_ERROR},
    {"SO_TYPE", SO_TYPE},           {"SO_ACCEPTCONN", SO_ACCEPTCONN}, {"SO_LINGER", SO_LINGER},
    {"TCP_NODELAY", TCP_NODELAY},   {"TCP_SYNCNT", TCP_SYNCNT},     {"IPV6_V6ONLY", IPV6_V6ONLY},
    {"SO_BROADCAST", SO_BROADCAST}, {"SO_RCVTIMEO", SO_RCVTIMEO},   {"SO_SNDTIMEO", SO_SNDTIMEO},
    {"SO_BINDTODEVICE", SO_BINDTODEVICE}, {"TCP_QUICKACK", TCP_QUICKACK}};
constexpr NamedInt kHows[] = {{"SHUT_RD", SHUT_RD}, {"SHUT_WR", SHUT_WR}, {"SHUT_RDWR", SHUT_RDWR}};

template <std::size_t N>
int lookup(const NamedInt (&table)[N], const std::string& name) {
  for (const auto& entry : table)
    if (name == entry.name) return entry.value;
  return -1;
}
}  // namespace

int sockopt_level_from_name(const std::string& name) { return lookup(kLevels, name); }

std::string sockopt_text(int level, int name) {
  // Option numbers repeat across levels (TCP_NODELAY and SO_DEBUG are both 1): an
  // option's name counts only at its own level.
  const char* prefix = level == SOL_SOCKET ? "SO_" : level == IPPROTO_TCP ? "TCP_" : level == IPPROTO_IPV6 ? "IPV6_" : "";
  std::string text;
  for (const auto& entry : kLevels)
    if (entry.value == level) text = entry.name;
  if (text.empty()) text = std::to_string(level);
  for (const auto& entry : kOptions)
    if (entry.value == name && prefix[0] != '\0' && std::string_view(entry.name).starts_with(prefix))
      return text + ", " + entry.name;
  return text + ", " + std::to_string(name);
}
int sockopt_from_name(const std::string& name) { return lookup(kOptions, name); }
int shutdown_how_from_name(const std::string& name) { return lookup(kHows, name); }
std::string shutdown_how_name(int how) {
  for (const auto& entry : kHows)
    if (entry.value == how) return entry.name;
  return std::to_string(how);
}

}  // namespace sockstep
