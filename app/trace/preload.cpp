// libsockstep-preload.so: loaded into a traced program with LD_PRELOAD, it wraps the
// socket calls, lets the real call run (dlsym(RTLD_NEXT)), and writes one record per
// call into this process's shared-memory ring (ring.hpp), which `sockstep trace` reads.
// The channel named by SOCKSTEP_TRACE_FD carries the rest: the Hello that hands the
// ring over, and a wake-up when the reader asked for one. Without a ring (memfd refused,
// or the launcher asked for none) every record goes over the channel, one message each.
//
// It must run inside any program, so it uses only libc: no C++ library, no
// exceptions, no allocation. errno is always what the real call left behind.
//
// Per-call meaning of WireHeader::arg:
//   socket     family, type, protocol          listen     backlog
//   accept     flags (accept4)                 send*/write length asked, flags
//   recv*/read length asked, flags             shutdown   how
//   setsockopt level, name, int value (or -1), option length
//   poll       nfds, timeout ms                select     nfds, timeout ms (-1: none)
//   readv/writev  length asked, 0              send/recvmmsg  one record per message: length, flags
//   sendfile   count asked, in_fd, offset read from (the bytes are read back from the file)
//   splice     length asked, the other fd, 1 when the socket is the one written (bytes not kept)
//   socketpair family, type, protocol, the second fd (fd: the first; byte_count: the
//              second's inode)
//   getsockopt level, name, int value (or -1), option length
//   epoll_ctl  op, fd, events, data (its low 32 bits come back in epoll_wait's entries)
//   epoll_wait maxevents, timeout ms; aux: ready entries {data, 0, events}
//   close      kernel's tcpi_bytes_acked, then what decides the packet it sends, read
//              just before the call (byte_count: tcpi_bytes_received):
//   shutdown   how, then the same: [1] TCP state (-1: not TCP), [2] SO_LINGER {1, 0},
//              [3] bytes unread (SIOCINQ)
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/tcp.h>  // struct tcp_info with the byte counters (glibc's copy is older)
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>

#include "trace/channel.hpp"
#include "trace/ring.hpp"
#include "trace/wire.hpp"

using sockstep::trace::CallId;
using sockstep::trace::ChannelEnd;
using sockstep::trace::LostReason;
using sockstep::trace::RingHeader;
using sockstep::trace::RingWrite;
using sockstep::trace::RecordKind;
using sockstep::trace::WireHeader;
using sockstep::trace::WirePollEntry;

#define SOCKSTEP_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// Process-level state. A preload library has no object to hang state on: the wrapped
// functions are called by the program with libc's signatures. These few statics are
// written once at load (or in the child after fork) and read by every call:
//   g_chan      the inherited SEQPACKET fd and its inode (channel.hpp), fd -1 when
//               tracing is off or the channel was lost
//   g_pid       this process's id, refreshed after fork
//   g_inode     fd -> socket inode, so send/recv need no fstat each time
//   g_ring      this process's ring (nullptr: records go over the channel), replaced
//               in a child after fork
//   g_room_given_up  the ring's room counter when a writer last gave up waiting for
//               room: until the reader takes something, later writers drop at once
ChannelEnd g_chan;
RingHeader* g_ring = nullptr;
std::uint64_t g_ring_bytes = 0;  // capacity asked for by the launcher, 0: no ring
std::uint32_t g_room_given_up = ~0u;
pid_t g_pid = 0;
constexpr int kInodeSlots = 4096;
unsigned long long g_inode[kInodeSlots];
char g_name[64];
char g_command[512];
std::size_t g_command_len = 0;
const char* g_library = "libsockstep-preload.so";  // this library's file name, for exec checks

// Faults asked for by kFaultsEnv (wire.hpp), read once at load.
bool g_short_writes = false;
bool g_short_reads = false;
bool g_eintr = false;

// Each thread remembers its id; gettid() costs a system call.
thread_local pid_t t_tid = 0;

template <typename Fn>
Fn real(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

// Resolved on first use: other libraries' constructors may call socket() before ours.
// The race between two first calls is harmless: both store the same pointer.
#define REAL(name, ...)                   \
  using name##_type = __VA_ARGS__;        \
  static name##_type real_##name = nullptr; \
  if (real_##name == nullptr) real_##name = real<name##_type>(#name)

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

pid_t tid() {
  if (t_tid == 0) t_tid = static_cast<pid_t>(syscall(SYS_gettid));
  return t_tid;
}

bool tracing() { return sockstep::trace::channel_open(g_chan); }
bool is_channel(int fd) { return fd >= 0 && fd == __atomic_load_n(&g_chan.fd, __ATOMIC_RELAXED); }
// False in a child made by vfork() (or a raw clone): it shares this memory with its
// parent, so it must change nothing of the parent's state (no atfork handler ran in it).
bool in_own_process() { return static_cast<pid_t>(syscall(SYS_getpid)) == g_pid; }

// Socket inode of fd, or 0 if fd is not a socket (or is our own channel).
unsigned long long socket_inode(int fd) {
  if (fd < 0 || is_channel(fd)) return 0;
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return 0;
  if (fd < kInodeSlots) g_inode[fd] = st.st_ino;
  return st.st_ino;
}

unsigned long long cached_inode(int fd) {
  if (fd < 0 || is_channel(fd)) return 0;
  if (fd < kInodeSlots && g_inode[fd] != 0) return g_inode[fd];
  return socket_inode(fd);
}

// Only a stream socket may split bytes as it likes: a datagram is sent or read whole.
bool is_stream_socket(int fd) {
  REAL(getsockopt, int (*)(int, int, int, void*, socklen_t*));
  int type = 0;
  socklen_t length = sizeof type;
  return real_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_STREAM;
}

// How much of length a send may move when short writes are injected: half, rounded up,
// and at most 4 KiB, so that even a one-recv-one-send echo of 2 bytes comes back short.
std::size_t write_limit(int fd, std::size_t length) {
  if (!g_short_writes || length <= 1 || is_channel(fd) || !is_stream_socket(fd)) return length;
  const std::size_t half = (length + 1) / 2;
  return half < 4096 ? half : 4096;
}

// How much a read may return when short reads are injected: one byte. MSG_WAITALL asks
// the kernel for all of it, and the kernel gives less only on a signal, an error or EOF.
std::size_t read_limit(int fd, std::size_t length, int flags) {
  if (!g_short_reads || length <= 1 || (flags & MSG_WAITALL) != 0 || is_channel(fd) || !is_stream_socket(fd))
    return length;
  return 1;
}

// A copy of iov cut to at most limit bytes in all (and kMaxFaultIov entries): what a
// short write or read of a scatter call moves. Returns the entries used.
constexpr int kMaxFaultIov = 64;
int trim_iov(const iovec* iov, int count, std::size_t limit, iovec (&out)[kMaxFaultIov]) {
  int used = 0;
  for (int i = 0; i < count && used < kMaxFaultIov && limit > 0; ++i) {
    out[used] = iov[i];
    if (out[used].iov_len > limit) out[used].iov_len = limit;
    limit -= out[used].iov_len;
    ++used;
  }
  return used;
}

// message with its iovecs cut to at most limit bytes (into cut): what a short
// sendmsg/recvmsg moves.
msghdr trimmed(const msghdr* message, std::size_t limit, iovec (&cut)[kMaxFaultIov]) {
  msghdr shorter = *message;
  shorter.msg_iov = cut;
  shorter.msg_iovlen = static_cast<std::size_t>(trim_iov(message->msg_iov, static_cast<int>(message->msg_iovlen), limit, cut));
  return shorter;
}

struct Record {
  WireHeader h{};
  const void* addr = nullptr;
  const void* local = nullptr;
  const void* aux = nullptr;
  const void* data = nullptr;
  const iovec* data_iov = nullptr;  // recvmsg/sendmsg: gathered instead of data
  int data_iovcnt = 0;
};

// From a writer: no record is made from now on. (A writer holds the channel, so it
// must not wait for writers as channel_give_up does.)
void stop_tracing() { __atomic_store_n(&g_chan.fd, -1, __ATOMIC_SEQ_CST); }

bool reader_went_away(int err) { return err == EPIPE || err == ECONNRESET || err == ENOTCONN || err == ECONNREFUSED; }

long send_message(const void* buffer, std::size_t size, int waits) {
  iovec iov{const_cast<void*>(buffer), size};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  return sockstep::trace::channel_send(g_chan, &message, waits);
}

void send_raw(const char* buffer, std::size_t size) {
  // sockstep went away: stop tracing, never disturb the program.
  if (send_message(buffer, size, 200) < 0 && reader_went_away(errno)) stop_tracing();
}

// Tells a reader that sleeps on the channel to look at the ring. Never blocks: if the
// channel is full of wake-ups already, the reader is bound to look anyway.
void wake_reader() {
  WireHeader h{};
  h.magic = sockstep::trace::kWireMagic;
  h.size = sizeof h;
  h.kind = RecordKind::Wake;
  if (send_message(&h, sizeof h, 0) < 0 && reader_went_away(errno)) stop_tracing();
}

bool reader_gone() {
  const int fd = sockstep::trace::channel_acquire(g_chan);
  if (fd < 0) return false;
  pollfd p{fd, 0, 0};
  timespec zero{0, 0};
  const bool gone = syscall(SYS_ppoll, &p, 1, &zero, nullptr, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
  sockstep::trace::channel_release(g_chan);
  return gone;
}

// How long one record may wait for the reader to make room: 200 x 10 ms. The reader
// drains every few milliseconds, so only a reader that stopped reading makes a writer
// give up; the record is then counted in the ring's dropped total, which the trace shows.
constexpr int kRoomWaits = 200;
constexpr long kRoomWaitNs = 10'000'000;

void write_to_ring(const char* record, std::uint32_t size) {
  RingHeader* ring = g_ring;
  for (int wait = 0;; ++wait) {
    switch (sockstep::trace::ring_try_write(ring, record, size)) {
      case RingWrite::Written: return;
      case RingWrite::WrittenWakeReader: wake_reader(); return;
      case RingWrite::Full: break;
    }
    const std::uint32_t room = __atomic_load_n(&ring->room, __ATOMIC_ACQUIRE);
    if (wait >= kRoomWaits || room == __atomic_load_n(&g_room_given_up, __ATOMIC_RELAXED)) {
      __atomic_store_n(&g_room_given_up, room, __ATOMIC_RELAXED);
      __atomic_add_fetch(&ring->dropped, 1, __ATOMIC_RELAXED);
      return;
    }
    if (wait == 0) wake_reader();
    (void)sockstep::trace::ring_wait_for_room(ring, room, kRoomWaitNs);
    if (reader_gone()) {
      stop_tracing();
      return;
    }
  }
}

// Lays the record out as it travels: header, then the sections. Returns its size.
std::size_t build(Record& r, char (&buffer)[sockstep::trace::kMaxRecord]) {
  WireHeader& h = r.h;
  h.magic = sockstep::trace::kWireMagic;
  h.pid = g_pid;
  h.tid = tid();
  if (h.t_ns == 0) h.t_ns = now_ns();
  std::size_t at = sizeof(WireHeader);
  const auto put = [&](const void* src, std::uint16_t& len) {
    if (src == nullptr || len == 0) {
      len = 0;
      return;
    }
    if (at + len > sizeof buffer) len = static_cast<std::uint16_t>(sizeof buffer - at);
    std::memcpy(buffer + at, src, len);
    at += len;
  };
  put(r.addr, h.addr_len);
  put(r.local, h.local_len);
  put(r.aux, h.aux_len);
  if (r.data_iov != nullptr) {
    std::size_t room = sizeof buffer - at;
    std::size_t want = h.data_len < room ? h.data_len : room;
    std::size_t copied = 0;
    for (int i = 0; i < r.data_iovcnt && copied < want; ++i) {
      std::size_t n = r.data_iov[i].iov_len;
      if (n > want - copied) n = want - copied;
      std::memcpy(buffer + at + copied, r.data_iov[i].iov_base, n);
      copied += n;
    }
    h.data_len = static_cast<std::uint16_t>(copied);
    at += copied;
  } else {
    put(r.data, h.data_len);
  }
  h.size = static_cast<std::uint32_t>(at);
  std::memcpy(buffer, &h, sizeof h);
  return at;
}

void emit(Record& r) {
  if (!tracing()) return;
  char buffer[sockstep::trace::kMaxRecord];
  const std::size_t size = build(r, buffer);
  if (g_ring != nullptr)
    write_to_ring(buffer, static_cast<std::uint32_t>(size));
  else
    send_raw(buffer, size);
}

std::uint16_t data_cap(long long n) {
  if (n <= 0) return 0;
  return static_cast<std::uint16_t>(n < sockstep::trace::kMaxData ? n : sockstep::trace::kMaxData);
}

Record call_record(CallId call, int fd, long long value, int err) {
  Record r;
  r.h.kind = RecordKind::Call;
  r.h.call = call;
  r.h.fd = fd;
  r.h.value = value;
  r.h.err = value < 0 ? err : 0;
  return r;
}

// The socket's own name and, when known, the peer's: for matching sockets across programs.
struct Names {
  sockaddr_storage local{};
  socklen_t local_len = sizeof(sockaddr_storage);
  sockaddr_storage peer{};
  socklen_t peer_len = sizeof(sockaddr_storage);
};

void fill_local(Record& r, int fd, Names& names) {
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&names.local), &names.local_len) == 0) {
    r.local = &names.local;
    r.h.local_len = static_cast<std::uint16_t>(names.local_len);
  }
}

void fill_peer(Record& r, int fd, Names& names) {
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&names.peer), &names.peer_len) == 0) {
    r.addr = &names.peer;
    r.h.addr_len = static_cast<std::uint16_t>(names.peer_len);
  }
}

// What closing fd will put on the wire depends on these (engine/sockets/wire_effect.cpp decides).
void fill_close_facts(Record& r, int fd) {
  r.h.arg[0] = -1;
  r.h.arg[1] = -1;
  int type = 0;
  int protocol = 0;
  socklen_t length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM) return;
  length = sizeof protocol;
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &length) != 0 || protocol != IPPROTO_TCP) return;
  tcp_info info{};
  length = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return;
  r.h.arg[1] = info.tcpi_state;
  // What the kernel moved, for comparison with the calls seen (raw syscalls are not).
  r.h.arg[0] = static_cast<std::int64_t>(info.tcpi_bytes_acked);
  r.h.byte_count = info.tcpi_bytes_received;
  linger l{};
  length = sizeof l;
  r.h.arg[2] = getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &length) == 0 && l.l_onoff != 0 && l.l_linger == 0 ? 1 : 0;
  int unread = 0;
  r.h.arg[3] = ioctl(fd, SIOCINQ, &unread) == 0 ? unread : 0;
}

// libc's syscall() itself, past this library's own wrapper of it (which records socket
// calls): for the tracer's own questions to the kernel. Every argument is passed as a long.
long raw_syscall(long number, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
  using syscall_type = long (*)(long, ...);
  static syscall_type next = nullptr;  // as REAL(): no guard (this library has no libstdc++)
  if (next == nullptr) next = real<syscall_type>("syscall");
  return next(number, a, b, c, d, e, f);
}

long as_arg(const void* p) { return static_cast<long>(reinterpret_cast<std::uintptr_t>(p)); }

// Whether a socket whose descriptor was just closed lives on in another one (a dup, a
// forked child's copy): then that close put nothing on the wire (close(2)). Asked of the
// kernel by the connection's two addresses (sock_diag): a socket still attached to a file
// reports its inode; after the last close it is orphaned (inode 0) or gone. Made with raw
// system calls, so that the program's own socket calls are not traced here.
bool still_held(const sockaddr_storage& local, const sockaddr_storage& peer, unsigned long long inode) {
  if (local.ss_family != peer.ss_family || (local.ss_family != AF_INET && local.ss_family != AF_INET6)) return false;
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } ask{};
  ask.nlh.nlmsg_len = sizeof ask;
  ask.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  ask.nlh.nlmsg_flags = NLM_F_REQUEST;
  ask.req.sdiag_family = static_cast<std::uint8_t>(local.ss_family);
  ask.req.sdiag_protocol = IPPROTO_TCP;
  ask.req.idiag_states = ~0U;
  ask.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  ask.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  if (local.ss_family == AF_INET) {
    const auto& l = reinterpret_cast<const sockaddr_in&>(local);
    const auto& p = reinterpret_cast<const sockaddr_in&>(peer);
    ask.req.id.idiag_sport = l.sin_port;
    ask.req.id.idiag_dport = p.sin_port;
    std::memcpy(ask.req.id.idiag_src, &l.sin_addr, 4);
    std::memcpy(ask.req.id.idiag_dst, &p.sin_addr, 4);
  } else {
    const auto& l = reinterpret_cast<const sockaddr_in6&>(local);
    const auto& p = reinterpret_cast<const sockaddr_in6&>(peer);
    ask.req.id.idiag_sport = l.sin6_port;
    ask.req.id.idiag_dport = p.sin6_port;
    std::memcpy(ask.req.id.idiag_src, &l.sin6_addr, 16);
    std::memcpy(ask.req.id.idiag_dst, &p.sin6_addr, 16);
  }
  const int nl = static_cast<int>(raw_syscall(SYS_socket, AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (nl < 0) return false;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  bool held = false;
  if (raw_syscall(SYS_sendto, nl, as_arg(&ask), sizeof ask, 0, as_arg(&kernel), sizeof kernel) == static_cast<long>(sizeof ask)) {
    alignas(nlmsghdr) char answer[1024];
    const long n = raw_syscall(SYS_recvfrom, nl, as_arg(answer), sizeof answer);
    const auto* h = reinterpret_cast<const nlmsghdr*>(answer);
    if (n >= static_cast<long>(NLMSG_LENGTH(sizeof(inet_diag_msg))) && h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
      const auto* msg = reinterpret_cast<const inet_diag_msg*>(NLMSG_DATA(h));
      held = msg->idiag_inode != 0 && msg->idiag_inode == inode;
    }
  }
  raw_syscall(SYS_close, nl);
  return held;
}

bool is_blocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) == 0;
}

// A handler the program installed without SA_RESTART: when its signal comes, the kernel
// ends a blocking socket call with EINTR (signal(7)). Only then is an injected EINTR
// one the kernel could have given. CPython installs its handlers so (and retries).
bool has_interrupting_handler() {
  const int signals[] = {SIGCHLD, SIGALRM, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGIO};
  for (const int sig : signals) {
    struct sigaction action {};
    if (sigaction(sig, nullptr, &action) != 0) continue;
    const bool handled = (action.sa_flags & SA_SIGINFO) != 0 || (action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN);
    if (handled && (action.sa_flags & SA_RESTART) == 0) return true;
  }
  return false;
}

thread_local bool t_interrupted = false;  // this thread's last blocking call was interrupted

// Injected EINTR: every other blocking call on a stream socket ends at once with EINTR,
// as if a signal had come, so the call that retries goes through.
bool inject_eintr(int fd) {
  if (!g_eintr || is_channel(fd)) return false;
  if (t_interrupted) {
    t_interrupted = false;
    return false;
  }
  if (!is_blocking(fd) || !is_stream_socket(fd) || !has_interrupting_handler()) return false;
  t_interrupted = true;
  return true;
}

// The call a wrapper makes: the real one, or an injected EINTR.
#define OR_EINTR(fd, call) (inject_eintr(fd) ? (errno = EINTR, -1) : (call))

void emit_blocked(CallId call, int fd) {
  Record r;
  r.h.kind = RecordKind::Blocked;
  r.h.call = call;
  r.h.fd = fd;
  r.h.inode = cached_inode(fd);
  emit(r);
}

// A new ring for this process; returns its fd to hand over, or -1 (no ring).
int create_ring() {
  RingHeader* ring = nullptr;
  const int fd = sockstep::trace::ring_create(g_ring_bytes, g_pid, ring);
  g_ring = ring;
  return fd;
}

// The Hello goes over the channel, with the ring's fd when there is a ring; every
// later record goes into the ring.
void say_hello(pid_t parent) {
  const int ring_fd = create_ring();
  Record r;
  r.h.kind = RecordKind::Hello;
  r.h.arg[0] = parent;
  r.h.arg[1] = ring_fd >= 0 ? static_cast<std::int64_t>(g_ring_bytes) : 0;
  r.aux = g_name;
  r.h.aux_len = static_cast<std::uint16_t>(std::strlen(g_name));
  r.data = g_command;
  r.h.data_len = static_cast<std::uint16_t>(g_command_len);
  char buffer[sockstep::trace::kMaxRecord];
  const std::size_t size = build(r, buffer);
  iovec iov{buffer, size};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (ring_fd >= 0) {
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&message);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &ring_fd, sizeof ring_fd);
  }
  const long n = sockstep::trace::channel_send(g_chan, &message, 500);
  if (ring_fd >= 0) syscall(SYS_close, ring_fd);  // the mapping stays; the reader has its own fd
  if (n < 0) stop_tracing();
}

// The last record of a process that is about to lose its channel (or its preload): the
// trace says from which call on it sees nothing more. path: what an exec runs.
void say_lost(LostReason why, long long first, long long last, const char* path = nullptr) {
  Record r;
  r.h.kind = RecordKind::Lost;
  r.h.arg[0] = static_cast<std::int64_t>(why);
  r.h.arg[1] = first;
  r.h.arg[2] = last;
  if (path != nullptr) {
    r.aux = path;
    const std::size_t n = std::strlen(path);
    r.h.aux_len = static_cast<std::uint16_t>(n < 1024 ? n : 1024);
  }
  emit(r);
}

void after_fork_in_child() {
  if (!tracing()) return;
  g_pid = getpid();
  t_tid = 0;
  // The parent's ring stays the parent's: this process gets its own, so a child that
  // dies mid-write can never stall or corrupt what its parent writes.
  if (g_ring != nullptr) {
    RingHeader* parent_ring = g_ring;
    g_ring = nullptr;
    sockstep::trace::ring_unmap(parent_ring, g_ring_bytes);
  }
  say_hello(getppid());
}

const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

bool is_interpreter(const char* name) {
  const char* const prefixes[] = {"python", "perl", "ruby", "node", "bash", "sh", "dash"};
  for (const char* prefix : prefixes)
    if (std::strncmp(name, prefix, std::strlen(prefix)) == 0) return true;
  return false;
}

// Glibc passes argc/argv/envp to a preloaded library's constructors.
__attribute__((constructor)) void sockstep_trace_init(int argc, char** argv, char**) {
  const char* value = std::getenv(sockstep::trace::kChannelEnv);
  if (value == nullptr) return;
  // "FD:INODE[:RING_BYTES]": the inode proves the fd is still our channel after exec
  // and not a file the program happened to open at the same number. RING_BYTES is the
  // ring's size (0: no ring, every record over the channel).
  char* end = nullptr;
  const long fd = std::strtol(value, &end, 10);
  if (end == value || *end != ':') return;
  const unsigned long long inode = std::strtoull(end + 1, &end, 10);
  g_ring_bytes = *end == ':' ? std::strtoull(end + 1, nullptr, 10) : sockstep::trace::kRingDefaultBytes;
  // The channel may have moved before the exec that started this image (the program
  // had dup2'd onto its number): its inode finds it.
  const int found = sockstep::trace::channel_find(static_cast<int>(fd), inode);
  if (found < 0) return;
  g_chan.inode = inode;
  __atomic_store_n(&g_chan.fd, found, __ATOMIC_SEQ_CST);
  Dl_info self{};
  if (dladdr(reinterpret_cast<void*>(&sockstep_trace_init), &self) != 0 && self.dli_fname != nullptr)
    g_library = base_name(self.dli_fname);
  g_pid = getpid();
  if (const char* faults = std::getenv(sockstep::trace::kFaultsEnv)) {
    g_short_writes = std::strstr(faults, "short-writes") != nullptr;
    g_short_reads = std::strstr(faults, "short-reads") != nullptr;
    g_eintr = std::strstr(faults, "eintr") != nullptr;
  }
  const char* name = argc > 0 && argv[0] != nullptr ? base_name(argv[0]) : "?";
  // `python3 server.py`: the script is the better name.
  if (is_interpreter(name) && argc > 1 && argv[1][0] != '-') name = base_name(argv[1]);
  std::strncpy(g_name, name, sizeof g_name - 1);
  for (int i = 0; i < argc && g_command_len + 1 < sizeof g_command; ++i) {
    const std::size_t room = sizeof g_command - g_command_len - 1;
    std::size_t n = std::strlen(argv[i]);
    if (n > room) n = room;
    std::memcpy(g_command + g_command_len, argv[i], n);
    g_command_len += n;
    if (g_command_len + 1 < sizeof g_command && i + 1 < argc) g_command[g_command_len++] = ' ';
  }
  pthread_atfork(nullptr, nullptr, after_fork_in_child);
  say_hello(getppid());
}

__attribute__((destructor)) void sockstep_trace_fini() {
  if (!tracing()) return;
  Record r;
  r.h.kind = RecordKind::Bye;
  emit(r);
}

}  // namespace

// ---- the wrapped calls -------------------------------------------------------

SOCKSTEP_EXPORT int socket(int domain, int type, int protocol) {
  REAL(socket, int (*)(int, int, int));
  const int fd = real_socket(domain, type, protocol);
  const int err = errno;
  if (tracing()) {
    Record r = call_record(CallId::Socket, fd, fd, err);
    r.h.arg[0] = domain;
    r.h.arg[1] = type;
    r.h.arg[2] = protocol;
    if (fd >= 0) r.h.inode = socket_inode(fd);
    emit(r);
  }
  errno = err;
  return fd;
}

SOCKSTEP_EXPORT int bind(int fd, const sockaddr* address, socklen_t length) {
  REAL(bind, int (*)(int, const sockaddr*, socklen_t));
  const int rc = real_bind(fd, address, length);
  const int err = errno;
  if (tracing() && !is_channel(fd)) {
    Record r = call_record(CallId::Bind, fd, rc, err);
    r.h.inode = cached_inode(fd);
    r.addr = address;
    r.h.addr_len = static_cast<std::uint16_t>(address != nullptr ? length : 0);
    emit(r);
  }
  errno = err;
  return rc;
}

SOCKSTEP_EXPORT int listen(int fd, int backlog) {
  REAL(listen, int (*)(int, int));
  const int rc = real_listen(fd, backlog);
  const int err = errno;
  if (tracing() && !is_channel(fd)) {
    Record r = call_record(CallId::Listen, fd, rc, err);
    r.h.inode = cached_inode(fd);
    r.h.arg[0] = backlog;
    Names names;
    fill_local(r, fd, names);
    emit(r);
  }
  errno = err;
  return rc;
}

namespace {
int traced_accept(int fd, sockaddr* address, socklen_t* length, int flags, bool four) {
  REAL(accept, int (*)(int, sockaddr*, socklen_t*));
  REAL(accept4, int (*)(int, sockaddr*, socklen_t*, int));
  if (tracing() && !is_channel(fd) && is_blocking(fd)) emit_blocked(CallId::Accept, fd);
  const int conn = OR_EINTR(fd, four ? real_accept4(fd, address, length, flags) : real_accept(fd, address, length));
  const int err = errno;
  if (tracing() && !is_channel(fd)) {
    Record r = call_record(CallId::Accept, fd, conn, err);
    r.h.arg[0] = flags;
    Names names;
    if (conn >= 0) {
      r.h.inode = socket_inode(conn);
      fill_local(r, conn, names);
      fill_peer(r, conn, names);
    } else {
      r.h.inode = cached_inode(fd);
    }
    emit(r);
  }
  errno = err;
  return conn;
}
}  // namespace

SOCKSTEP_EXPORT int accept(int fd, sockaddr* address, socklen_t* length) {
  return traced_accept(fd, address, length, 0, false);
}

SOCKSTEP_EXPORT int accept4(int fd, sockaddr* address, socklen_t* length, int flags) {
  return traced_accept(fd, address, length, flags, true);
}

SOCKSTEP_EXPORT int connect(int fd, const sockaddr* address, socklen_t length) {
  REAL(connect, int (*)(int, const sockaddr*, socklen_t));
  const bool traced = tracing() && !is_channel(fd);
  if (traced && is_blocking(fd)) emit_blocked(CallId::Connect, fd);
  const std::int64_t started = traced ? now_ns() : 0;
  const int rc = real_connect(fd, address, length);
  const int err = errno;
  if (traced) {
    Record r = call_record(CallId::Connect, fd, rc, err);
    r.h.t_ns = started;  // the SYN leaves at the start: before the peer's accept returns
    r.h.inode = cached_inode(fd);
    r.addr = address;
    r.h.addr_len = static_cast<std::uint16_t>(address != nullptr ? length : 0);
    Names names;
    if (rc == 0 || err == EINPROGRESS) fill_local(r, fd, names);
    emit(r);
  }
  errno = err;
  return rc;
}

namespace {
// Up to `size` of the bytes a failed send was asked to send, copied without trusting the
// pointer: the kernel may have refused it (EFAULT), or failed before reading it, and a
// fault here would kill the program. process_vm_readv reports a bad pointer instead.
std::uint16_t copy_asked(char (&to)[sockstep::trace::kMaxData], const void* from, std::size_t size) {
  const std::size_t want = size < sizeof to ? size : sizeof to;
  if (from == nullptr || want == 0) return 0;
  iovec local{to, want};
  iovec remote{const_cast<void*>(from), want};
  const ssize_t got = ::process_vm_readv(g_pid, &local, 1, &remote, 1, 0);
  return got > 0 ? static_cast<std::uint16_t>(got) : 0;
}

// started: for calls that send, the time the call began (0: now). The reader sorts by
// it, so a send shows before the peer's recv that its bytes woke up.
void record_data(CallId call, int fd, long long n, int err, const void* data, std::size_t asked, int flags,
                 const sockaddr* address = nullptr, socklen_t address_len = 0, std::int64_t started = 0) {
  Record r = call_record(call, fd, n, err);
  r.h.t_ns = started;
  r.h.inode = cached_inode(fd);
  r.h.arg[0] = static_cast<std::int64_t>(asked);
  r.h.arg[1] = flags;
  r.h.byte_count = n > 0 ? static_cast<std::uint64_t>(n) : 0;
  r.data = data;
  r.h.data_len = data_cap(n);
  // A send that failed keeps what it was asked to send, as its call line shows it.
  char asked_bytes[sockstep::trace::kMaxData];
  const bool sends = call == CallId::Send || call == CallId::SendTo || call == CallId::Write;
  if (n < 0 && sends) {
    r.h.data_len = copy_asked(asked_bytes, data, asked);
    r.data = asked_bytes;
  }
  r.addr = address;
  r.h.addr_len = static_cast<std::uint16_t>(address != nullptr ? address_len : 0);
  emit(r);
}

std::size_t iov_total(const msghdr* message) {
  std::size_t total = 0;
  for (std::size_t i = 0; message != nullptr && i < message->msg_iovlen; ++i) total += message->msg_iov[i].iov_len;
  return total;
}

void record_msg(CallId call, int fd, long long n, int err, const msghdr* message, int flags,
                std::int64_t started = 0) {
  if (n < 0 && err == EFAULT) message = nullptr;  // the kernel could not read it: neither can we
  Record r = call_record(call, fd, n, err);
  r.h.t_ns = started;
  r.h.inode = cached_inode(fd);
  r.h.arg[0] = static_cast<std::int64_t>(iov_total(message));
  r.h.arg[1] = flags;
  r.h.byte_count = n > 0 ? static_cast<std::uint64_t>(n) : 0;
  r.h.data_len = data_cap(n);  // a failed sendmsg keeps nothing: its iovecs may be the fault
  if (message != nullptr) {
    r.data_iov = message->msg_iov;
    r.data_iovcnt = static_cast<int>(message->msg_iovlen);
    r.addr = message->msg_name;
    r.h.addr_len = static_cast<std::uint16_t>(message->msg_name != nullptr ? message->msg_namelen : 0);
  }
  emit(r);
}
}  // namespace

SOCKSTEP_EXPORT ssize_t send(int fd, const void* buffer, size_t length, int flags) {
  REAL(send, ssize_t (*)(int, const void*, size_t, int));
  const std::int64_t started = tracing() ? now_ns() : 0;
  const ssize_t n = OR_EINTR(fd, real_send(fd, buffer, write_limit(fd, length), flags));
  const int err = errno;
  if (tracing() && !is_channel(fd) && !(n < 0 && err == ENOTSOCK))
    record_data(CallId::Send, fd, n, err, buffer, length, flags, nullptr, 0, started);
  errno = err;
  return n;
}

SOCKSTEP_EXPORT ssize_t sendto(int fd, const void* buffer, size_t length, int flags, const sockaddr* to,
                               socklen_t to_length) {
  REAL(sendto, ssize_t (*)(int, const void*, size_t, int, const sockaddr*, socklen_t));
  const std::int64_t started = tracing() ? now_ns() : 0;
  const ssize_t n = OR_EINTR(fd, real_sendto(fd, buffer, write_limit(fd, length), flags, to, to_length));
  const int err = errno;
  if (tracing() && !is_channel(fd) && !(n < 0 && err == ENOTSOCK))
    record_data(CallId::SendTo, fd, n, err, buffer, length, flags, to, to_length, started);
  errno = err;
  return n;
}

SOCKSTEP_EXPORT ssize_t sendmsg(int fd, const msghdr* message, int flags) {
  REAL(sendmsg, ssize_t (*)(int, const msghdr*, int));
  const std::int64_t started = tracing() ? now_ns() : 0;
  iovec cut[kMaxFaultIov];
  const bool trim = g_short_writes && message != nullptr && message->msg_iov != nullptr;
  const msghdr shorter = trim ? trimmed(message, write_limit(fd, iov_total(message)), cut) : msghdr{};
  const ssize_t n = OR_EINTR(fd, real_sendmsg(fd, trim ? &shorter : message, flags));
  const int err = errno;
  if (tracing() && !is_channel(fd) && !(n < 0 && err == ENOTSOCK))
    record_msg(CallId::SendMsg, fd, n, err, message, flags, started);
  errno = err;
  return n;
}

SOCKSTEP_EXPORT ssize_t recv(int fd, void* buffer, size_t length, int flags) {
  REAL(recv, ssize_t (*)(int, void*, size_t, int));
  const ssize_t n = OR_EINTR(fd, real_recv(fd, buffer, read_limit(fd, length, flags), flags));
  const int err = errno;
  if (tracing() && !is_channel(fd) && !(n < 0 && err == ENOTSOCK))
    record_data(CallId::Recv, fd, n, err, buffer, length, flags);
  errno = err;
  return n;
}

SOCKSTEP_EXPORT ssize_t __recv_chk(int fd, void* buffer, size_t length, size_t, int flags) {
  return recv(fd, buffer, length, flags);
}

SOCKSTEP_EXPORT ssize_t recvfrom(int fd, void* buffer, size_t length, int flags, sockaddr* from,
                                 socklen_t* from_length) {
  REAL(recvfrom, ssize_t (*)(int, void*, size_t, int, sockaddr*, socklen_t*));
  const ssize_t n = OR_EINTR(fd, real_recvfrom(fd, buffer, read_limit(fd, length, flags), flags, from, from_length));
  const int err = errno;
  if (tracing() && !is_channel(fd) && !(n < 0 && err == ENOTSOCK))
    record_data(CallId::RecvFrom, fd, n, err, buffer, length, flags, n >= 0 ? from : nullptr,
                from_length != nullptr ? *from_length : 0);
  errno = err;
  return n;
}

SOCKSTEP_EXPORT ssize_t __recvfrom_chk(int fd, void* buffer, size_t length, size_t, int flags, sockaddr* from,
                                       socklen_t* from_length) {
  return recvfrom(fd, buffer, length, flags, from, from_length);
}

SOCKSTEP_EXPORT ssize_t recvmsg(int fd, msghdr* message, int flags) {
  REAL(recvmsg, ssize_t (*)(int, msghdr*, int));
  iovec cut[kMaxFaultIov];
  const bool trim = g_short_reads && message != nullptr && message->msg_iov != nullptr;
  msghdr shorter = trim ? trimmed(message, read_limit(fd, iov_total(message), flags), cut) : msghdr{};
  const ssize_t n = OR_EINTR(fd, real_recvmsg(fd, trim ? &shorter : message, flags));
  if (trim) {
    // What the kernel wrote back into the copy belongs to the caller's header.
    message->msg_namelen = shorter.msg_namelen;
    message->msg_controllen = shorter.msg_controllen;
    message->msg_flags = shorter.msg_flags;
  }
  const int err = errno;
  if (tracing() && !is_channel(fd) && !(n < 0 && err == ENOTSOCK))
    record_msg(CallId::RecvMsg, fd, n, err, message, flags);
  errno = err;
  return n;
}

// read/write are traced only on sockets: fstat each time, because a file may have
// taken the number of a socket closed inside libc, where no wrapper saw it.
SOCKSTEP_EXPORT ssize_t read(int fd, void* buffer, size_t length) {
  REAL(read, ssize_t (*)(int, void*, size_t));
  const ssize_t n = OR_EINTR(fd, real_read(fd, buffer, g_short_reads ? read_limit(fd, length, 0) : length));
  if (!tracing() || is_channel(fd)) return n;
  const int err = errno;
  if (socket_inode(fd) != 0) record_data(CallId::Read, fd, n, err, buffer, length, 0);
  errno = err;
  return n;
}

SOCKSTEP_EXPORT ssize_t __read_chk(int fd, void* buffer, size_t length, size_t) { return read(fd, buffer, length); }

SOCKSTEP_EXPORT ssize_t write(int fd, const void* buffer, size_t length) {
  REAL(write, ssize_t (*)(int, const void*, size_t));
  const std::int64_t started = tracing() ? now_ns() : 0;
  const ssize_t n = OR_EINTR(fd, real_write(fd, buffer, g_short_writes ? write_limit(fd, length) : length));
  if (!tracing() || is_channel(fd)) return n;
  const int err = errno;
  if (socket_inode(fd) != 0) record_data(CallId::Write, fd, n, err, buffer, length, 0, nullptr, 0, started);
  errno = err;
  return n;
}

SOCKSTEP_EXPORT int close(int fd) {
  REAL(close, int (*)(int));
  if (!tracing() || fd < 0) return real_close(fd);
  if (is_channel(fd)) {
    // The program closes every fd it did not open (a daemon, a careful child): let it,
    // say so, and stop tracing rather than write into whatever takes this number next.
    if (in_own_process()) {
      say_lost(LostReason::Close, fd, fd);
      sockstep::trace::channel_give_up(g_chan);
    }
    return real_close(fd);
  }
  const unsigned long long inode = socket_inode(fd);
  Record r;
  if (inode != 0) fill_close_facts(r, fd);
  // A connection that a FIN or RST could end: its names, to ask after the close whether
  // another descriptor still holds it.
  const int state = inode != 0 ? static_cast<int>(r.h.arg[1]) : -1;
  // The kernel's TCP states (include/net/tcp_states.h): ESTABLISHED 1, SYN_RECV 3,
  // FIN_WAIT1 4, FIN_WAIT2 5, CLOSE_WAIT 8; <linux/tcp.h> does not name them.
  const bool may_end = state == 1 || state == 3 || state == 4 || state == 5 || state == 8;
  sockaddr_storage local{};
  sockaddr_storage peer{};
  socklen_t local_len = sizeof local;
  socklen_t peer_len = sizeof peer;
  const bool named = may_end && getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0 &&
                     getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0;
  // Stamped with when it began, as a send is: the FIN or RST it sends then sorts before
  // the peer's recv that it ended (-> 0, ECONNRESET), and after the close.
  const std::int64_t started = inode != 0 ? now_ns() : 0;
  const int rc = real_close(fd);
  const int err = errno;
  if (fd < kInodeSlots) g_inode[fd] = 0;
  if (inode != 0) {
    Record done = call_record(CallId::Close, fd, rc, err);
    done.h.t_ns = started;
    for (int i = 0; i < 4; ++i) done.h.arg[i] = r.h.arg[i];
    // Bit 1 of arg[2] (beside SO_LINGER's bit 0): another descriptor keeps it open.
    if (rc == 0 && named && still_held(local, peer, inode)) done.h.arg[2] |= 2;
    done.h.byte_count = r.h.byte_count;
    done.h.inode = inode;
    emit(done);
  }
  errno = err;
  return rc;
}

SOCKSTEP_EXPORT int shutdown(int fd, int how) {
  REAL(shutdown, int (*)(int, int));
  Record before;
  if (tracing() && !is_channel(fd)) fill_close_facts(before, fd);
  const std::int64_t started = tracing() ? now_ns() : 0;  // as close: its FIN sorts after it
  const int rc = real_shutdown(fd, how);
  const int err = errno;
  if (tracing() && !is_channel(fd)) {
    Record r = call_record(CallId::Shutdown, fd, rc, err);
    r.h.t_ns = started;
    r.h.inode = cached_inode(fd);
    r.h.arg[0] = how;
    for (int i = 1; i < 4; ++i) r.h.arg[i] = before.h.arg[i];
    emit(r);
  }
  errno = err;
  return rc;
}

SOCKSTEP_EXPORT int setsockopt(int fd, int level, int name, const void* value, socklen_t length) {
  REAL(setsockopt, int (*)(int, int, int, const void*, socklen_t));
  const int rc = real_setsockopt(fd, level, name, value, length);
  const int err = errno;
  if (tracing() && !is_channel(fd)) {
    Record r = call_record(CallId::SetSockOpt, fd, rc, err);
    r.h.inode = cached_inode(fd);
    r.h.arg[0] = level;
    r.h.arg[1] = name;
    int int_value = -1;
    if (value != nullptr && length == sizeof(int)) std::memcpy(&int_value, value, sizeof int_value);
    // SO_LINGER's struct: {on, seconds}; show the seconds when on, -1 when off.
    if (value != nullptr && level == SOL_SOCKET && name == SO_LINGER && length >= sizeof(linger)) {
      linger l{};
      std::memcpy(&l, value, sizeof l);
      int_value = l.l_onoff != 0 ? l.l_linger : -1;
    }
    r.h.arg[2] = int_value;
    r.h.arg[3] = length;
    emit(r);
  }
  errno = err;
  return rc;
}

namespace {
constexpr int kMaxPollEntries = 32;
}

SOCKSTEP_EXPORT int poll(pollfd* fds, nfds_t count, int timeout) {
  REAL(poll, int (*)(pollfd*, nfds_t, int));
  const int n = real_poll(fds, count, timeout);
  if (!tracing()) return n;
  const int err = errno;
  WirePollEntry entries[kMaxPollEntries];
  int used = 0;
  for (nfds_t i = 0; i < count && used < kMaxPollEntries; ++i) {
    if (fds[i].fd < 0 || is_channel(fds[i].fd)) continue;
    entries[used++] = {fds[i].fd, fds[i].events, fds[i].revents};
  }
  bool any_socket = false;
  for (int i = 0; i < used && !any_socket; ++i) any_socket = cached_inode(entries[i].fd) != 0;
  if (any_socket) {
    Record r = call_record(CallId::Poll, -1, n, err);
    r.h.arg[0] = static_cast<std::int64_t>(count);
    r.h.arg[1] = timeout;
    r.aux = entries;
    r.h.aux_len = static_cast<std::uint16_t>(used * sizeof(WirePollEntry));
    emit(r);
  }
  errno = err;
  return n;
}

SOCKSTEP_EXPORT int __poll_chk(pollfd* fds, nfds_t count, int timeout, size_t) { return poll(fds, count, timeout); }

SOCKSTEP_EXPORT int select(int nfds, fd_set* readfds, fd_set* writefds, fd_set* exceptfds, timeval* timeout) {
  REAL(select, int (*)(int, fd_set*, fd_set*, fd_set*, timeval*));
  if (!tracing()) return real_select(nfds, readfds, writefds, exceptfds, timeout);
  fd_set want_read, want_write;
  FD_ZERO(&want_read);
  FD_ZERO(&want_write);
  if (readfds != nullptr) want_read = *readfds;
  if (writefds != nullptr) want_write = *writefds;
  const long long timeout_ms = timeout != nullptr ? timeout->tv_sec * 1000LL + timeout->tv_usec / 1000 : -1;
  const int n = real_select(nfds, readfds, writefds, exceptfds, timeout);
  const int err = errno;
  WirePollEntry entries[kMaxPollEntries];
  int used = 0;
  bool any_socket = false;
  const int limit = nfds < FD_SETSIZE ? nfds : FD_SETSIZE;
  for (int fd = 0; fd < limit && used < kMaxPollEntries; ++fd) {
    if (is_channel(fd)) continue;
    short events = 0, revents = 0;
    if (FD_ISSET(fd, &want_read)) events |= POLLIN;
    if (FD_ISSET(fd, &want_write)) events |= POLLOUT;
    if (events == 0) continue;
    if (n > 0 && readfds != nullptr && FD_ISSET(fd, readfds)) revents |= POLLIN;
    if (n > 0 && writefds != nullptr && FD_ISSET(fd, writefds)) revents |= POLLOUT;
    entries[used++] = {fd, events, revents};
    any_socket = any_socket || cached_inode(fd) != 0;
  }
  if (any_socket) {
    Record r = call_record(CallId::Select, -1, n, err);
    r.h.arg[0] = nfds;
    r.h.arg[1] = timeout_ms;
    r.aux = entries;
    r.h.aux_len = static_cast<std::uint16_t>(used * sizeof(WirePollEntry));
    emit(r);
  }
  errno = err;
  return n;
}

// ---- the channel's fd number: the program must never write into it, nor lose it silently

namespace {
// dup2/dup3 onto the channel's number: the channel moves to a free fd first, so the
// program gets the number it asked for and the channel stays the channel.
void before_replacing(int oldfd, int newfd) {
  if (!tracing() || oldfd == newfd || !is_channel(newfd) || !in_own_process()) return;
  if (sockstep::trace::channel_move_away(g_chan, newfd)) return;
  say_lost(LostReason::Dup, oldfd, newfd);  // no fd free to move it to
  sockstep::trace::channel_give_up(g_chan);
}

// A failed dup2 onto the old number leaves the copy of the channel there, which the
// program never had: closed, so its fd table is as it would be untraced.
void after_replacing(int rc, int newfd, bool moved) {
  if (rc < 0 && moved && sockstep::trace::fd_is_channel(newfd, g_chan.inode)) syscall(SYS_close, newfd);
}
}  // namespace

SOCKSTEP_EXPORT int dup2(int oldfd, int newfd) {
  REAL(dup2, int (*)(int, int));
  const bool moving = tracing() && oldfd != newfd && is_channel(newfd) && in_own_process();
  before_replacing(oldfd, newfd);
  const int rc = real_dup2(oldfd, newfd);
  const int err = errno;
  after_replacing(rc, newfd, moving && tracing());
  errno = err;
  return rc;
}

SOCKSTEP_EXPORT int dup3(int oldfd, int newfd, int flags) {
  REAL(dup3, int (*)(int, int, int));
  const bool moving = tracing() && oldfd != newfd && is_channel(newfd) && in_own_process();
  before_replacing(oldfd, newfd);
  const int rc = real_dup3(oldfd, newfd, flags);
  const int err = errno;
  after_replacing(rc, newfd, moving && tracing());
  errno = err;
  return rc;
}

namespace {
// close_range/closefrom over the channel: the program asked for every fd it does not
// know of to go, as a daemon or Python's subprocess (close_fds=True, in a vfork child)
// does. The channel stays: the range is closed around it, so the program and what it
// execs stay traced. The channel's number is high (the launcher puts it at 1000), so no
// fd the program opens later lands elsewhere than it would have. The kernel's own
// result is kept: an error of either half is the call's.
int close_range_around_channel(unsigned first, unsigned last, int flags) {
  const int fd = __atomic_load_n(&g_chan.fd, __ATOMIC_RELAXED);
  const bool around = tracing() && fd >= 0 && static_cast<unsigned>(fd) >= first && static_cast<unsigned>(fd) <= last;
  if (!around) return static_cast<int>(syscall(SYS_close_range, first, last, flags));
  const auto channel = static_cast<unsigned>(fd);
  int rc = 0;
  if (channel > first && syscall(SYS_close_range, first, channel - 1, flags) != 0) rc = -1;
  const int err = errno;
  if (channel < last && syscall(SYS_close_range, channel + 1, last, flags) != 0) return -1;
  errno = err;
  return rc;
}
}  // namespace

SOCKSTEP_EXPORT int close_range(unsigned first, unsigned last, int flags) {
  return close_range_around_channel(first, last, flags);
}

SOCKSTEP_EXPORT void closefrom(int lowfd) {
  REAL(closefrom, void (*)(int));
  if (lowfd < 0 || !tracing()) {
    real_closefrom(lowfd);
    return;
  }
  (void)close_range_around_channel(static_cast<unsigned>(lowfd), ~0U, 0);
}

namespace {
bool has_entry(char* const* envp, const char* prefix, const char* containing) {
  const std::size_t n = std::strlen(prefix);
  for (char* const* e = envp; e != nullptr && *e != nullptr; ++e)
    if (std::strncmp(*e, prefix, n) == 0) return containing == nullptr || std::strstr(*e + n, containing) != nullptr;
  return false;
}

// Before an exec: will the new program be traced? It needs this library in LD_PRELOAD,
// the channel's variable, and the channel kept open across the exec. If not, that is
// said now, while the channel is still there. Returns whether it was said.
bool before_exec(const char* path, char* const* envp) {
  if (!tracing() || !in_own_process()) return false;
  const int fd = sockstep::trace::channel_acquire(g_chan);
  bool cloexec = fd < 0;
  if (fd >= 0) {
    cloexec = (syscall(SYS_fcntl, fd, F_GETFD) & FD_CLOEXEC) != 0;
    sockstep::trace::channel_release(g_chan);
  }
  // arg[1] of the record says which: 1 no preload, 2 no channel variable, 3 channel closed on exec.
  const int missing = !has_entry(envp, "LD_PRELOAD=", g_library)           ? 1
                      : !has_entry(envp, "SOCKSTEP_TRACE_FD=", nullptr) ? 2
                      : cloexec                                         ? 3
                                                                        : 0;
  if (missing == 0) return false;
  say_lost(LostReason::Exec, missing, -1, path);
  return true;
}

void after_failed_exec(bool said, const char* path) {
  if (said) say_lost(LostReason::ExecFailed, -1, -1, path);
}
}  // namespace

extern char** environ;

SOCKSTEP_EXPORT int execve(const char* path, char* const argv[], char* const envp[]) {
  REAL(execve, int (*)(const char*, char* const*, char* const*));
  const bool said = before_exec(path, envp);
  const int rc = real_execve(path, argv, envp);
  const int err = errno;
  after_failed_exec(said, path);
  errno = err;
  return rc;
}

SOCKSTEP_EXPORT int execv(const char* path, char* const argv[]) {
  REAL(execv, int (*)(const char*, char* const*));
  const bool said = before_exec(path, environ);
  const int rc = real_execv(path, argv);
  const int err = errno;
  after_failed_exec(said, path);
  errno = err;
  return rc;
}

SOCKSTEP_EXPORT int execvp(const char* file, char* const argv[]) {
  REAL(execvp, int (*)(const char*, char* const*));
  const bool said = before_exec(file, environ);
  const int rc = real_execvp(file, argv);
  const int err = errno;
  after_failed_exec(said, file);
  errno = err;
  return rc;
}

SOCKSTEP_EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) {
  REAL(execvpe, int (*)(const char*, char* const*, char* const*));
  const bool said = before_exec(file, envp);
  const int rc = real_execvpe(file, argv, envp);
  const int err = errno;
  after_failed_exec(said, file);
  errno = err;
  return rc;
}

SOCKSTEP_EXPORT int fexecve(int fd, char* const argv[], char* const envp[]) {
  REAL(fexecve, int (*)(int, char* const*, char* const*));
  const char* name = argv[0] != nullptr ? argv[0] : "?";
  const bool said = before_exec(name, envp);
  const int rc = real_fexecve(fd, argv, envp);
  const int err = errno;
  after_failed_exec(said, name);
  errno = err;
  return rc;
}

// execl, execlp and execle call the kernel from inside libc, past the wrappers above:
// each gathers its arguments and goes through execve/execvp.
namespace {
constexpr int kMaxExecArgs = 4096;
}

SOCKSTEP_EXPORT int execl(const char* path, const char* arg, ...) {
  char* argv[kMaxExecArgs];
  int n = 0;
  va_list args;
  va_start(args, arg);
  for (const char* a = arg; a != nullptr && n < kMaxExecArgs - 1; a = va_arg(args, const char*)) argv[n++] = const_cast<char*>(a);
  va_end(args);
  argv[n] = nullptr;
  return execve(path, argv, environ);
}

SOCKSTEP_EXPORT int execlp(const char* file, const char* arg, ...) {
  char* argv[kMaxExecArgs];
  int n = 0;
  va_list args;
  va_start(args, arg);
  for (const char* a = arg; a != nullptr && n < kMaxExecArgs - 1; a = va_arg(args, const char*)) argv[n++] = const_cast<char*>(a);
  va_end(args);
  argv[n] = nullptr;
  return execvp(file, argv);
}

SOCKSTEP_EXPORT int execle(const char* path, const char* arg, ...) {
  char* argv[kMaxExecArgs];
  int n = 0;
  va_list args;
  va_start(args, arg);
  const char* a = arg;
  for (; a != nullptr && n < kMaxExecArgs - 1; a = va_arg(args, const char*)) argv[n++] = const_cast<char*>(a);
  while (a != nullptr) a = va_arg(args, const char*);  // past any that did not fit, to envp
  char* const* envp = va_arg(args, char* const*);
  va_end(args);
  argv[n] = nullptr;
  return execve(path, argv, envp);
}

// ---- calls that move bytes in other shapes ---------------------------------------

namespace {
std::size_t iov_sum(const iovec* iov, int count) {
  std::size_t total = 0;
  for (int i = 0; iov != nullptr && i < count; ++i) total += iov[i].iov_len;
  return total;
}

void record_iov(CallId call, int fd, long long n, int err, const iovec* iov, int count, std::int64_t started = 0) {
  Record r = call_record(call, fd, n, err);
  r.h.t_ns = started;
  r.h.inode = cached_inode(fd);
  r.h.arg[0] = static_cast<std::int64_t>(iov_sum(iov, count));
  r.h.byte_count = n > 0 ? static_cast<std::uint64_t>(n) : 0;
  r.h.data_len = data_cap(n);
  if (n > 0) {
    r.data_iov = iov;
    r.data_iovcnt = count;
  }
  emit(r);
}
}  // namespace

// readv/writev are traced only on sockets, as read/write are.
SOCKSTEP_EXPORT ssize_t readv(int fd, const iovec* iov, int count) {
  REAL(readv, ssize_t (*)(int, const iovec*, int));
  iovec cut[kMaxFaultIov];
  const bool trim = g_short_reads && iov != nullptr && count > 0;
  const ssize_t n = trim ? real_readv(fd, cut, trim_iov(iov, count, read_limit(fd, iov_sum(iov, count), 0), cut))
                         : real_readv(fd, iov, count);
  if (!tracing() || is_channel(fd)) return n;
  const int err = errno;
  if (socket_inode(fd) != 0) record_iov(CallId::Readv, fd, n, err, iov, count);
  errno = err;
  return n;
}

SOCKSTEP_EXPORT ssize_t writev(int fd, const iovec* iov, int count) {
  REAL(writev, ssize_t (*)(int, const iovec*, int));
  const std::int64_t started = tracing() ? now_ns() : 0;
  iovec cut[kMaxFaultIov];
  const bool trim = g_short_writes && iov != nullptr && count > 0;
  const ssize_t n = trim ? real_writev(fd, cut, trim_iov(iov, count, write_limit(fd, iov_sum(iov, count)), cut))
                         : real_writev(fd, iov, count);
  if (!tracing() || is_channel(fd)) return n;
  const int err = errno;
  if (socket_inode(fd) != 0) record_iov(CallId::Writev, fd, n, err, iov, count, started);
  errno = err;
  return n;
}

// One record per message: each is a datagram (or a piece of the stream) of its own.
SOCKSTEP_EXPORT int sendmmsg(int fd, mmsghdr* messages, unsigned int count, int flags) {
  REAL(sendmmsg, int (*)(int, mmsghdr*, unsigned int, int));
  const std::int64_t started = tracing() ? now_ns() : 0;
  const int n = real_sendmmsg(fd, messages, count, flags);
  const int err = errno;
  if (tracing() && !is_channel(fd) && !(n < 0 && err == ENOTSOCK)) {
    if (n < 0) record_msg(CallId::SendMmsg, fd, -1, err, nullptr, flags, started);
    for (int i = 0; i < n; ++i)
      record_msg(CallId::SendMmsg, fd, messages[i].msg_len, 0, &messages[i].msg_hdr, flags, started);
  }
  errno = err;
  return n;
}

SOCKSTEP_EXPORT int recvmmsg(int fd, mmsghdr* messages, unsigned int count, int flags, timespec* timeout) {
  REAL(recvmmsg, int (*)(int, mmsghdr*, unsigned int, int, timespec*));
  const int n = real_recvmmsg(fd, messages, count, flags, timeout);
  const int err = errno;
  if (tracing() && !is_channel(fd) && !(n < 0 && err == ENOTSOCK)) {
    if (n < 0) record_msg(CallId::RecvMmsg, fd, -1, err, nullptr, flags);
    for (int i = 0; i < n; ++i) {
      // What arrived is msg_len bytes: the iovecs say where, not how much.
      msghdr got = messages[i].msg_hdr;
      record_msg(CallId::RecvMmsg, fd, messages[i].msg_len, 0, &got, flags);
    }
  }
  errno = err;
  return n;
}

// The bytes sendfile sent are read back from the file where they were (pread leaves
// the file's offset alone), up to the record's limit.
SOCKSTEP_EXPORT ssize_t sendfile(int out_fd, int in_fd, off_t* offset, size_t count) {
  REAL(sendfile, ssize_t (*)(int, int, off_t*, size_t));
  REAL(pread, ssize_t (*)(int, void*, size_t, off_t));
  const std::int64_t started = tracing() ? now_ns() : 0;
  const off_t from = offset != nullptr ? *offset : lseek(in_fd, 0, SEEK_CUR);
  const ssize_t n = real_sendfile(out_fd, in_fd, offset, count);
  const int err = errno;
  if (tracing() && !is_channel(out_fd) && cached_inode(out_fd) != 0) {
    Record r = call_record(CallId::Sendfile, out_fd, n, err);
    r.h.t_ns = started;
    r.h.inode = cached_inode(out_fd);
    r.h.arg[0] = static_cast<std::int64_t>(count);
    r.h.arg[1] = in_fd;
    r.h.arg[2] = from;
    r.h.byte_count = n > 0 ? static_cast<std::uint64_t>(n) : 0;
    char bytes[sockstep::trace::kMaxData];
    if (n > 0 && from >= 0) {
      const ssize_t got = real_pread(in_fd, bytes, data_cap(n), from);
      r.data = bytes;
      r.h.data_len = got > 0 ? static_cast<std::uint16_t>(got) : 0;
    }
    emit(r);
  }
  errno = err;
  return n;
}

SOCKSTEP_EXPORT ssize_t sendfile64(int out_fd, int in_fd, off_t* offset, size_t count) {
  return sendfile(out_fd, in_fd, offset, count);
}

// A socket on one side of a splice: the count is seen, the bytes stay in the kernel.
SOCKSTEP_EXPORT ssize_t splice(int fd_in, loff_t* off_in, int fd_out, loff_t* off_out, size_t length,
                               unsigned int flags) {
  REAL(splice, ssize_t (*)(int, loff_t*, int, loff_t*, size_t, unsigned int));
  const std::int64_t started = tracing() ? now_ns() : 0;
  const ssize_t n = real_splice(fd_in, off_in, fd_out, off_out, length, flags);
  const int err = errno;
  if (tracing() && !is_channel(fd_in) && !is_channel(fd_out)) {
    const bool out = cached_inode(fd_out) != 0;
    const int fd = out ? fd_out : fd_in;
    if (out || cached_inode(fd_in) != 0) {
      Record r = call_record(CallId::Splice, fd, n, err);
      r.h.t_ns = started;
      r.h.inode = cached_inode(fd);
      r.h.arg[0] = static_cast<std::int64_t>(length);
      r.h.arg[1] = out ? fd_in : fd_out;
      r.h.arg[2] = out ? 1 : 0;
      r.h.byte_count = n > 0 ? static_cast<std::uint64_t>(n) : 0;
      emit(r);
    }
  }
  errno = err;
  return n;
}

SOCKSTEP_EXPORT int socketpair(int domain, int type, int protocol, int fds[2]) {
  REAL(socketpair, int (*)(int, int, int, int*));
  const int rc = real_socketpair(domain, type, protocol, fds);
  const int err = errno;
  if (tracing()) {
    Record r = call_record(CallId::Socketpair, rc == 0 ? fds[0] : -1, rc, err);
    r.h.arg[0] = domain;
    r.h.arg[1] = type;
    r.h.arg[2] = protocol;
    r.h.arg[3] = rc == 0 ? fds[1] : -1;
    if (rc == 0) {
      r.h.inode = socket_inode(fds[0]);
      r.h.byte_count = socket_inode(fds[1]);
    }
    emit(r);
  }
  errno = err;
  return rc;
}

SOCKSTEP_EXPORT int getsockopt(int fd, int level, int name, void* value, socklen_t* length) {
  REAL(getsockopt, int (*)(int, int, int, void*, socklen_t*));
  const int rc = real_getsockopt(fd, level, name, value, length);
  const int err = errno;
  // Only the options a program acts on: SO_ERROR ends a non-blocking connect's story.
  const bool shown = level == SOL_SOCKET && (name == SO_ERROR || name == SO_RCVBUF || name == SO_SNDBUF);
  if (tracing() && !is_channel(fd) && shown) {
    Record r = call_record(CallId::GetSockOpt, fd, rc, err);
    r.h.inode = cached_inode(fd);
    r.h.arg[0] = level;
    r.h.arg[1] = name;
    int int_value = -1;
    if (rc == 0 && value != nullptr && length != nullptr && *length >= sizeof(int)) std::memcpy(&int_value, value, sizeof int_value);
    r.h.arg[2] = int_value;
    r.h.arg[3] = length != nullptr ? *length : 0;
    emit(r);
  }
  errno = err;
  return rc;
}

namespace {
void record_epoll_create(int epfd, int err) {
  Record r = call_record(CallId::EpollCreate, epfd, epfd, err);
  emit(r);
}
}  // namespace

SOCKSTEP_EXPORT int epoll_create(int size) {
  REAL(epoll_create, int (*)(int));
  const int fd = real_epoll_create(size);
  const int err = errno;
  if (tracing()) record_epoll_create(fd, err);
  errno = err;
  return fd;
}

SOCKSTEP_EXPORT int epoll_create1(int flags) {
  REAL(epoll_create1, int (*)(int));
  const int fd = real_epoll_create1(flags);
  const int err = errno;
  if (tracing()) record_epoll_create(fd, err);
  errno = err;
  return fd;
}

SOCKSTEP_EXPORT int epoll_ctl(int epfd, int op, int fd, epoll_event* event) {
  REAL(epoll_ctl, int (*)(int, int, int, epoll_event*));
  const int rc = real_epoll_ctl(epfd, op, fd, event);
  const int err = errno;
  if (tracing() && !is_channel(fd) && cached_inode(fd) != 0) {
    Record r = call_record(CallId::EpollCtl, epfd, rc, err);
    r.h.arg[0] = op;
    r.h.arg[1] = fd;
    r.h.arg[2] = event != nullptr ? static_cast<std::int64_t>(event->events) : 0;
    r.h.arg[3] = event != nullptr ? static_cast<std::int64_t>(event->data.u64) : 0;
    r.h.inode = cached_inode(fd);
    emit(r);
  }
  errno = err;
  return rc;
}

namespace {
// Only a wait that found something: an event loop's idle wake-ups say nothing.
void record_epoll_wait(int epfd, const epoll_event* events, int n, int err, int maxevents, int timeout) {
  if (n <= 0 && err != EINTR) return;
  WirePollEntry entries[kMaxPollEntries];
  int used = 0;
  for (int i = 0; i < n && used < kMaxPollEntries; ++i)
    entries[used++] = {static_cast<std::int32_t>(events[i].data.u64 & 0xFFFFFFFFu), 0,
                       static_cast<std::int16_t>(events[i].events & 0xFFFF)};
  Record r = call_record(CallId::EpollWait, epfd, n, err);
  r.h.arg[0] = maxevents;
  r.h.arg[1] = timeout;
  r.aux = entries;
  r.h.aux_len = static_cast<std::uint16_t>(used * sizeof(WirePollEntry));
  emit(r);
}
}  // namespace

SOCKSTEP_EXPORT int epoll_wait(int epfd, epoll_event* events, int maxevents, int timeout) {
  REAL(epoll_wait, int (*)(int, epoll_event*, int, int));
  const int n = real_epoll_wait(epfd, events, maxevents, timeout);
  const int err = errno;
  if (tracing()) record_epoll_wait(epfd, events, n, err, maxevents, timeout);
  errno = err;
  return n;
}

SOCKSTEP_EXPORT int epoll_pwait(int epfd, epoll_event* events, int maxevents, int timeout, const sigset_t* mask) {
  REAL(epoll_pwait, int (*)(int, epoll_event*, int, int, const sigset_t*));
  const int n = real_epoll_pwait(epfd, events, maxevents, timeout, mask);
  const int err = errno;
  if (tracing()) record_epoll_wait(epfd, events, n, err, maxevents, timeout);
  errno = err;
  return n;
}

// libc's syscall() itself: a program that makes its socket calls through it (libuv
// closes every socket with syscall(SYS_close, fd)) is seen as if it had called libc.
// Only the calls wrapped above are routed; everything else goes straight through.
SOCKSTEP_EXPORT long syscall(long number, ...) {
  using syscall_type = long (*)(long, ...);
  static syscall_type real_syscall = nullptr;
  if (real_syscall == nullptr) real_syscall = real<syscall_type>("syscall");
  va_list list;
  va_start(list, number);
  long a[6];
  for (long& value : a) value = va_arg(list, long);
  va_end(list);
  const int fd = static_cast<int>(a[0]);
  // Only the routed numbers are looked at: this library's own system calls (fstat on
  // the channel among them) come through here too and must go straight on. Never the
  // channel, nor a copy of it this library makes and drops for itself.
  const bool routed = number == SYS_close || number == SYS_shutdown || number == SYS_accept4 ||
                      number == SYS_connect || number == SYS_sendto || number == SYS_recvfrom ||
                      number == SYS_sendmsg || number == SYS_recvmsg || number == SYS_sendmmsg ||
                      number == SYS_recvmmsg;
  if (routed && tracing() && !is_channel(fd) && !sockstep::trace::fd_is_channel(fd, g_chan.inode)) {
    switch (number) {
      case SYS_close: return close(fd);
      case SYS_shutdown: return shutdown(fd, static_cast<int>(a[1]));
      case SYS_accept4:
        return accept4(fd, reinterpret_cast<sockaddr*>(a[1]), reinterpret_cast<socklen_t*>(a[2]), static_cast<int>(a[3]));
      case SYS_connect: return connect(fd, reinterpret_cast<const sockaddr*>(a[1]), static_cast<socklen_t>(a[2]));
      case SYS_sendto:
        return sendto(fd, reinterpret_cast<const void*>(a[1]), static_cast<size_t>(a[2]), static_cast<int>(a[3]),
                      reinterpret_cast<const sockaddr*>(a[4]), static_cast<socklen_t>(a[5]));
      case SYS_recvfrom:
        return recvfrom(fd, reinterpret_cast<void*>(a[1]), static_cast<size_t>(a[2]), static_cast<int>(a[3]),
                        reinterpret_cast<sockaddr*>(a[4]), reinterpret_cast<socklen_t*>(a[5]));
      case SYS_sendmsg: return sendmsg(fd, reinterpret_cast<const msghdr*>(a[1]), static_cast<int>(a[2]));
      case SYS_recvmsg: return recvmsg(fd, reinterpret_cast<msghdr*>(a[1]), static_cast<int>(a[2]));
      case SYS_sendmmsg:
        return sendmmsg(fd, reinterpret_cast<mmsghdr*>(a[1]), static_cast<unsigned>(a[2]), static_cast<int>(a[3]));
      case SYS_recvmmsg:
        return recvmmsg(fd, reinterpret_cast<mmsghdr*>(a[1]), static_cast<unsigned>(a[2]), static_cast<int>(a[3]),
                        reinterpret_cast<timespec*>(a[4]));
      default: break;
    }
  }
  return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
