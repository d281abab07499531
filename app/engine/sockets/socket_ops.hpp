#pragma once
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/log/address.hpp"
#include "engine/log/event_log.hpp"
#include "engine/sockets/waker.hpp"

namespace sockstep {

// One entry of getaddrinfo's answer: what a socket for that address is made with.
struct AddrInfoEntry {
  int family = 0;
  int type = 0;
  int protocol = 0;
  Address address;
};

// What every socket call returns: never an exception, always a value and an errno.
struct CallResult {
  long long value = 0;   // fd, byte count, option value, connect_ex code
  int err = 0;           // errno; 0 on success
  Bytes bytes;           // data sent or received, shared with the call's event
  Address address;       // accept/recvfrom/getpeername/getsockname/gethostbyname
  std::string text;      // getaddrinfo list, getfqdn name, "truncated" for datagrams
  std::vector<AddrInfoEntry> entries;  // getaddrinfo: its answer, in its order
  bool truncated = false;  // recvfrom: the datagram was longer than the buffer (MSG_TRUNC)
  std::vector<PollEntry> polled;  // select: every socket it watched, with the kernel's answer; epoll_wait: the ready list
  std::vector<InterestEntry> interest;  // epoll_ctl: the entry it changed; epoll_wait: the interest set
  int epoll_op = 0;                     // epoll_ctl: EPOLL_CTL_ADD, _MOD or _DEL
  // send of parts: how long the last bytes stayed unsent in the sender's kernel after
  // the last send() returned (TCP_INFO tcpi_notsent_bytes back to 0), and how many were
  // unsent when it first looked; -1: not measured.
  long long held_us = -1;
  long long held_bytes = -1;
  // How long the step's call took, from its start to its return (steady clock): a
  // connect that waited for SYN retransmissions, a recv under settimeout. -1: not measured.
  long long took_us = -1;
  [[nodiscard]] bool ok() const { return err == 0; }
};

// Python's per-socket mode: blocking (default), non-blocking, or blocking with a timeout.
struct FdMode {
  bool blocking = true;
  int timeout_ms = -1;  // -1: wait forever
};

// What an actor tells the world while one of its calls waits for the peer.
struct BlockInfo {
  Call call = Call::None;
  int fd = -1;
  short events = 0;  // POLLIN / POLLOUT
  std::vector<PollEntry> watched;  // select: every socket it waits on (fd above: the first)
  bool remote = false;  // a forked child's call: fd is the child's, not this process's
  [[nodiscard]] bool waits_on(int other) const {
    if (other == fd) return true;
    for (const PollEntry& entry : watched)
      if (entry.fd == other) return true;
    return false;
  }
};

// The thread-side context of every call: who makes it, where it is recorded, how a
// waiting call is woken (by reset or by a stop signal; none: nothing can wake it).
class OpContext {
 public:
  OpContext(EventLog* log, std::string actor, Waker* waker);

  [[nodiscard]] const std::string& actor() const { return actor_; }
  [[nodiscard]] Waker* waker() const { return waker_; }
  [[nodiscard]] EventLog* log() const { return log_; }

  FdMode& mode(int fd) { return modes_[fd]; }
  // The fd was closed: its mode and its facts go.
  void forget(int fd);

  // Lesson step stamped on every recorded event; -1 outside a lesson.
  int step = -1;
  std::function<void(const BlockInfo&)> on_block;
  std::function<void()> on_unblock;

 private:
  EventLog* log_;
  std::string actor_;
  Waker* waker_;
  std::map<int, FdMode> modes_;
};

namespace ops {

// Modes as in Python: a new or accepted socket blocks; setblocking(False) and settimeout()
// make it O_NONBLOCK in the kernel too. A call that would block waits as Waker describes
// (in the real call, or in poll() with a timeout) and is first announced as an
// EventKind::Blocked event and on_block. Woken by a Waker: err = ECANCELED.
[[nodiscard]] CallResult socket(OpContext& ctx, int family, int type, int protocol = 0);
[[nodiscard]] CallResult bind(OpContext& ctx, int fd, const Address& address);
[[nodiscard]] CallResult listen(OpContext& ctx, int fd, int backlog);
[[nodiscard]] CallResult accept(OpContext& ctx, int fd);
[[nodiscard]] CallResult connect(OpContext& ctx, int fd, const Address& address);
// Like Python: returns the errno as value instead of failing (value 0 on success).
[[nodiscard]] CallResult connect_ex(OpContext& ctx, int fd, const Address& address);
// The data of send/sendall/sendto is Bytes: what is sent is what the result and the
// event hold, shared. Passing a string copies it once; passing Bytes copies nothing.
[[nodiscard]] CallResult send(OpContext& ctx, int fd, const Bytes& data);
// for part in parts: send(part): one send() per part, one right after the other (each
// recorded as its own call), then measures how long the kernel kept bytes of them unsent
// (held_us, held_bytes): Nagle's algorithm holds a small segment while one is unacked.
[[nodiscard]] CallResult send_parts(OpContext& ctx, int fd, const std::vector<Bytes>& parts);
// Loops over send() until every byte is queued, like Python's sendall.
[[nodiscard]] CallResult sendall(OpContext& ctx, int fd, const Bytes& data);
// wait_all: like MSG_WAITALL, keeps reading until max_bytes arrived, EOF or an error.
[[nodiscard]] CallResult recv(OpContext& ctx, int fd, std::size_t max_bytes, bool wait_all = false);
[[nodiscard]] CallResult sendto(OpContext& ctx, int fd, const Bytes& data, const Address& to);
[[nodiscard]] CallResult recvfrom(OpContext& ctx, int fd, std::size_t max_bytes);
[[nodiscard]] CallResult shutdown(OpContext& ctx, int fd, int how);
// still_held: another descriptor (a dup, a forked child's copy) refers to the socket, so
// this close only drops a reference and puts nothing on the wire (close(2)).
[[nodiscard]] CallResult close(OpContext& ctx, int fd, bool still_held = false);
[[nodiscard]] CallResult setblocking(OpContext& ctx, int fd, bool blocking);
[[nodiscard]] CallResult settimeout(OpContext& ctx, int fd, double seconds);  // < 0: none
// SO_LINGER takes a struct: value >= 0 sets {l_onoff = 1, l_linger = value}, < 0 turns it off.
[[nodiscard]] CallResult setsockopt(OpContext& ctx, int fd, int level, int name, int value);
// SO_BINDTODEVICE: only packets through that interface reach the socket ("lo": loopback).
[[nodiscard]] CallResult bind_to_device(OpContext& ctx, int fd, const std::string& device);
// The interface the socket is tied to (SO_BINDTODEVICE), "" when it is tied to none.
[[nodiscard]] std::string bound_device(int fd);
[[nodiscard]] CallResult getsockopt(OpContext& ctx, int fd, int level, int name);
[[nodiscard]] CallResult getpeername(OpContext& ctx, int fd);
[[nodiscard]] CallResult getsockname(OpContext& ctx, int fd);
// Name lookups are limited to loopback names (localhost, the host's own name, numeric).
[[nodiscard]] CallResult getaddrinfo(OpContext& ctx, const std::string& host, int port, int family,
                                     int type);
[[nodiscard]] CallResult gethostbyname(OpContext& ctx, const std::string& host);
[[nodiscard]] CallResult getfqdn(OpContext& ctx);
// select.select(read, write, [], timeout): watch holds each socket with what it asks
// (POLLIN, POLLOUT); the answer comes back in polled, sorted as select() sorts it (see
// PollEntry), and value is select()'s count, a socket in both sets counted twice. The
// first look never waits; then, with timeout_seconds > 0 or < 0 (no timeout), it waits
// in poll() until one is ready, the time runs out (value 0, no error, as in Python) or
// the waker ends it (ECANCELED). poll() has no limit on fd numbers (FD_SETSIZE).
[[nodiscard]] CallResult select(OpContext& ctx, std::vector<PollEntry> watch, double timeout_seconds);
// "EPOLLIN|EPOLLET": an epoll mask as Python's select module names its bits ("0": none).
[[nodiscard]] std::string epoll_events_text(std::uint32_t events);
// "POLLIN|POLLHUP": poll()'s events or revents ("0": none).
[[nodiscard]] std::string poll_events_text(short events);
// "EPOLL_CTL_ADD", "EPOLL_CTL_MOD", "EPOLL_CTL_DEL" ("?" for another number).
[[nodiscard]] const char* epoll_op_name(int op);

// select.epoll(): an epoll instance (epoll_create1(EPOLL_CLOEXEC)); value is its fd.
[[nodiscard]] CallResult epoll_create(OpContext& ctx);
// ep.register / modify / unregister: op is EPOLL_CTL_ADD, _MOD or _DEL, events the
// EPOLLIN / EPOLLOUT / EPOLLET mask the kernel keeps for fd in the interest set.
[[nodiscard]] CallResult epoll_ctl(OpContext& ctx, int epfd, int op, int fd, unsigned events);
// ep.poll(timeout, maxevents): the ready list as the kernel returns it, one PollEntry per
// socket (revents: what it reported; events: POLLIN/POLLOUT as select() would sort it),
// value its length. interest is the interest set (fd, mask), shown while the call waits
// and beside its answer; the first look never waits, then it waits in poll() on the
// epoll fd itself (readable while its ready list is not empty) until the timeout
// (value 0) or the waker (ECANCELED).
[[nodiscard]] CallResult epoll_wait(OpContext& ctx, int epfd, const std::vector<InterestEntry>& interest,
                                    int maxevents, double timeout_seconds);
// os.unlink(path) for an AF_UNIX socket file; abstract names ('@...') have no file.
[[nodiscard]] CallResult unlink(OpContext& ctx, const std::string& path);

}  // namespace ops

// Names for levels and options a lesson may use: "SOL_SOCKET", "SO_REUSEADDR", "SHUT_WR".
[[nodiscard]] int sockopt_level_from_name(const std::string& name);   // -1 if unknown
[[nodiscard]] int sockopt_from_name(const std::string& name);         // -1 if unknown
[[nodiscard]] int shutdown_how_from_name(const std::string& name);    // -1 if unknown
[[nodiscard]] std::string shutdown_how_name(int how);                 // "SHUT_WR"; the number if unknown
// "SOL_SOCKET, SO_REUSEADDR" as a program writes it; numbers for what has no name here.
[[nodiscard]] std::string sockopt_text(int level, int name);

}  // namespace sockstep
