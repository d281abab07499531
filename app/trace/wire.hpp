#pragma once
// The records the preload library sends to `sockstep trace`: one per entry in the traced
// process's shared-memory ring (ring.hpp), or one per message on the AF_UNIX
// SOCK_SEQPACKET channel inherited by the traced program (the Hello that hands the ring
// over, wake-ups, and every record of a process that has no ring). Plain C layout: the
// preload side uses no C++ library at all, so this header includes only <cstdint>.
//
// A record is a WireHeader followed by four sections in this order, each as long as
// its length field says: addr (the call's address argument or result), local (the
// socket's own name after connect/accept/listen), aux (poll/select entries, or the
// program name and command line in a Hello) and data (bytes sent or received, capped).
#include <cstdint>

namespace sockstep::trace {

// The environment variable that hands the channel to the preload library:
// "FD:INODE:RING_BYTES" (RING_BYTES 0: no ring).
inline constexpr const char* kChannelEnv = "SOCKSTEP_TRACE_FD";
// Faults the preload library injects, off unless this names them (comma-separated):
// "short-writes" (a send/write on a stream socket moves at most half of what was asked,
// at most 4 KiB), "short-reads" (a recv/read on a stream socket returns at most 1 byte),
// "eintr" (every other blocking call on a stream socket ends with EINTR, in a program
// that installed a signal handler without SA_RESTART, as the kernel would end it).
// Both are what a kernel may legally do: the bytes are never changed, only how they are
// split. `sockstep check` sets it to judge whether a program handles them.
inline constexpr const char* kFaultsEnv = "SOCKSTEP_FAULTS";
inline constexpr std::uint32_t kWireMagic = 0x53545231;  // "STR1"
// SEQPACKET messages are atomic; this keeps each one small enough to be cheap to copy.
inline constexpr std::uint32_t kMaxRecord = 4096;
inline constexpr std::uint32_t kMaxData = 2048;

// Hello: arg[0] the parent's pid, arg[1] the ring's capacity (0: no ring; the ring's fd
// rides along as SCM_RIGHTS). Wake: header only, "look at the rings"; it is no event.
// Lost: the process is about to lose its channel (or its preload), so its later calls
// will not be seen: arg[0] a LostReason, arg[1] and arg[2] the fds or range the call
// named, aux the program an exec is about to run.
enum class RecordKind : std::uint16_t { Hello = 1, Call = 2, Blocked = 3, Bye = 4, Wake = 5, Lost = 6 };

enum class LostReason : std::int64_t {
  Close = 1,       // close(channel)
  CloseRange = 2,  // close_range(first, last) or closefrom(first) over the channel
  Dup = 3,         // dup2/dup3 onto the channel's fd, and no other fd was free to move it to
  Exec = 4,        // an exec without the preload in LD_PRELOAD (arg[1] 1), without the channel's
                   // variable (2), or with the channel close-on-exec (3)
  ExecFailed = 5,  // that exec failed: the process goes on, traced
};

enum class CallId : std::uint16_t {
  None = 0,
  Socket,
  Bind,
  Listen,
  Accept,
  Connect,
  Send,
  SendTo,
  SendMsg,
  Recv,
  RecvFrom,
  RecvMsg,
  Read,
  Write,
  Close,
  Shutdown,
  SetSockOpt,
  Poll,
  Select,
  // Numbered after the first ones, so older records keep their meaning.
  Readv,
  Writev,
  SendMmsg,
  RecvMmsg,
  Sendfile,
  Splice,
  Socketpair,
  GetSockOpt,
  EpollCreate,
  EpollCtl,
  EpollWait,
  Count,
};

struct WireHeader {
  std::uint32_t magic;
  std::uint32_t size;  // header + sections
  RecordKind kind;
  CallId call;
  std::int32_t pid;
  std::int32_t tid;
  std::int32_t fd;
  std::int32_t err;    // errno, 0 on success
  std::int64_t t_ns;   // CLOCK_MONOTONIC: when a sending call began, else when the call returned
  std::int64_t value;  // return value
  std::uint64_t inode; // socket inode (fstat st_ino), 0 if unknown
  std::int64_t arg[4]; // per call: see the table in preload.cpp
  std::uint64_t byte_count;  // bytes the call really moved (data may hold fewer)
  std::uint16_t addr_len;
  std::uint16_t local_len;
  std::uint16_t aux_len;
  std::uint16_t data_len;
};

// One poll()/select() entry in the aux section.
struct WirePollEntry {
  std::int32_t fd;
  std::int16_t events;
  std::int16_t revents;
};

}  // namespace sockstep::trace
