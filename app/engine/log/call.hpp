#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace sockstep {

// Every call the engine makes or the tracer records, as a value: readers ask what a call
// is (does it move bytes, which way, does it open a socket) from this table, never from
// its name.
enum class Call : std::uint8_t {
  None,
  // Making and naming sockets
  Socket, Socketpair, Bind, Listen, Accept, Connect, ConnectEx,
  // Bytes out
  Send, Sendall, SendTo, SendMsg, SendMmsg, Write, Writev, Sendfile, Splice,
  // Bytes in
  Recv, RecvFrom, RecvMsg, RecvMmsg, Read, Readv,
  // Ending
  Shutdown, Close,
  // Options and names
  SetSockOpt, GetSockOpt, SetBlocking, SetTimeout, GetPeerName, GetSockName,
  GetAddrInfo, GetHostByName, GetFqdn, Unlink,
  // Waiting for many sockets
  Poll, Select, EpollCreate, EpollCtl, EpollWait,
  // Descriptors and processes
  Dup, Fcntl, Fork, Exec, Exit, WaitPid,
  // Lesson steps that are no socket call
  Handoff, Print,
  Count,
};

// Which way a call moves bytes, seen from the socket it is made on.
enum class Direction : std::uint8_t { None, Out, In };

struct CallInfo {
  Call call;
  const char* name;     // as the learner knows it: "accept" for accept4 too
  Direction dir;        // Out: sends, In: receives; splice and sendfile as made on a socket
  bool makes_fd;        // its value is a new descriptor (socket, accept, dup)
};

[[nodiscard]] const CallInfo& call_info(Call call);
[[nodiscard]] const char* call_name(Call call);
[[nodiscard]] std::optional<Call> call_from_name(std::string_view name);
[[nodiscard]] inline Direction call_direction(Call call) { return call_info(call).dir; }
[[nodiscard]] inline bool sends_bytes(Call call) { return call_direction(call) == Direction::Out; }
[[nodiscard]] inline bool receives_bytes(Call call) { return call_direction(call) == Direction::In; }
[[nodiscard]] inline bool is_connect(Call call) { return call == Call::Connect || call == Call::ConnectEx; }
[[nodiscard]] const char* direction_name(Direction dir);  // "out", "in", ""

}  // namespace sockstep
