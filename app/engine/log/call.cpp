#include "engine/log/call.hpp"

#include <array>

namespace sockstep {
namespace {

using D = Direction;
constexpr std::array<CallInfo, static_cast<std::size_t>(Call::Count)> kCalls{{
    {Call::None, "?", D::None, false},
    {Call::Socket, "socket", D::None, true},
    {Call::Socketpair, "socketpair", D::None, false},
    {Call::Bind, "bind", D::None, false},
    {Call::Listen, "listen", D::None, false},
    {Call::Accept, "accept", D::None, true},
    {Call::Connect, "connect", D::None, false},
    {Call::ConnectEx, "connect_ex", D::None, false},
    {Call::Send, "send", D::Out, false},
    {Call::Sendall, "sendall", D::Out, false},
    {Call::SendTo, "sendto", D::Out, false},
    {Call::SendMsg, "sendmsg", D::Out, false},
    {Call::SendMmsg, "sendmmsg", D::Out, false},
    {Call::Write, "write", D::Out, false},
    {Call::Writev, "writev", D::Out, false},
    {Call::Sendfile, "sendfile", D::Out, false},
    {Call::Splice, "splice", D::Out, false},
    {Call::Recv, "recv", D::In, false},
    {Call::RecvFrom, "recvfrom", D::In, false},
    {Call::RecvMsg, "recvmsg", D::In, false},
    {Call::RecvMmsg, "recvmmsg", D::In, false},
    {Call::Read, "read", D::In, false},
    {Call::Readv, "readv", D::In, false},
    {Call::Shutdown, "shutdown", D::None, false},
    {Call::Close, "close", D::None, false},
    {Call::SetSockOpt, "setsockopt", D::None, false},
    {Call::GetSockOpt, "getsockopt", D::None, false},
    {Call::SetBlocking, "setblocking", D::None, false},
    {Call::SetTimeout, "settimeout", D::None, false},
    {Call::GetPeerName, "getpeername", D::None, false},
    {Call::GetSockName, "getsockname", D::None, false},
    {Call::GetAddrInfo, "getaddrinfo", D::None, false},
    {Call::GetHostByName, "gethostbyname", D::None, false},
    {Call::GetFqdn, "getfqdn", D::None, false},
    {Call::Unlink, "unlink", D::None, false},
    {Call::Poll, "poll", D::None, false},
    {Call::Select, "select", D::None, false},
    {Call::EpollCreate, "epoll_create", D::None, true},
    {Call::EpollCtl, "epoll_ctl", D::None, false},
    {Call::EpollWait, "epoll_wait", D::None, false},
    {Call::Dup, "dup", D::None, true},
    {Call::Fcntl, "fcntl", D::None, false},
    {Call::Fork, "fork", D::None, false},
    {Call::Exec, "exec", D::None, false},
    {Call::Exit, "exit", D::None, false},
    {Call::WaitPid, "waitpid", D::None, false},
    {Call::Handoff, "handoff", D::None, false},
    {Call::Print, "print", D::None, false},
}};

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < kCalls.size(); ++i)
    if (static_cast<std::size_t>(kCalls[i].call) != i) return false;
  return true;
}
static_assert(table_in_order(), "kCalls lists every Call in the enum's order");

}  // namespace

const CallInfo& call_info(Call call) {
  const auto i = static_cast<std::size_t>(call);
  return kCalls[i < kCalls.size() ? i : 0];
}

const char* call_name(Call call) { return call_info(call).name; }

std::optional<Call> call_from_name(std::string_view name) {
  for (const CallInfo& info : kCalls)
    if (info.call != Call::None && name == info.name) return info.call;
  return std::nullopt;
}

const char* direction_name(Direction dir) {
  switch (dir) {
    case Direction::Out: return "out";
    case Direction::In: return "in";
    case Direction::None: break;
  }
  return "";
}

}  // namespace sockstep
