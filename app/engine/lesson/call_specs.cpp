#include "engine/lesson/call_specs.hpp"

namespace sockstep {
namespace {

const ArgSpec kHost{"host", ArgType::String, "numeric IP address, e.g. 127.0.0.1 or ::1"};
const ArgSpec kPort{"port", ArgType::Int, "port number 0-65535"};
const ArgSpec kPath{"path", ArgType::String, "AF_UNIX path, '@name' for an abstract name"};
const ArgSpec kTo{"to", ArgType::String, "variable holding an address (from recvfrom/accept)"};
const ArgSpec kData{"data", ArgType::String, "the bytes to send"};
const ArgSpec kFrom{"from", ArgType::String, "variable holding the bytes to send"};
const ArgSpec kUpper{"upper", ArgType::Bool, "send the bytes upper-cased, like data.upper()"};
const ArgSpec kRepeat{"repeat", ArgType::Int, "send the data this many times over"};
const ArgSpec kBufsize{"bufsize", ArgType::Int, "most bytes to receive, e.g. 1024"};
const ArgSpec kAt{"at", ArgType::String,
                  "variable holding an address (from getsockname/accept/recvfrom); with host, that host at its port"};
const ArgSpec kSkip{"skip_from", ArgType::String, "variable holding a byte count to skip, like data[sent:]"};

}  // namespace

const std::vector<CallSpec>& call_specs() {
  static const std::vector<CallSpec> specs = {
      {"socket", false, 1,
       {{"family", ArgType::String, "AF_INET, AF_INET6 or AF_UNIX"},
        {"type", ArgType::String, "SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, SOCK_RDM"},
        {"proto", ArgType::Int, "protocol number, usually 0"}}},
      {"bind", true, 0, {kHost, kPort, kPath, kAt}},
      {"listen", true, 0, {{"backlog", ArgType::Int, "how many calls may wait, e.g. 5"}}},
      {"accept", true, 2, {}},
      {"connect", true, 0, {kHost, kPort, kPath, kAt}},
      {"connect_ex", true, 1, {kHost, kPort, kPath, kAt}},
      {"send", true, 1,
       {kData, kFrom, kUpper, kRepeat, kSkip,
        {"parts", ArgType::Names, "several small sends, one right after the other: [\"hello\", \"world\"]"}}},
      {"sendall", true, 0, {kData, kFrom, kUpper, kRepeat, kSkip}},
      {"recv", true, 1,
       {kBufsize, {"waitall", ArgType::Bool, "MSG_WAITALL: wait until bufsize bytes (or EOF) arrived"}}},
      {"sendto", true, 1, {kData, kFrom, kUpper, kRepeat, kHost, kPort, kPath, kTo}},
      {"recvfrom", true, 2, {kBufsize}},
      {"shutdown", true, 0, {{"how", ArgType::String, "SHUT_RD, SHUT_WR or SHUT_RDWR"}}},
      {"close", true, 0, {}},
      {"setblocking", true, 0, {{"flag", ArgType::Bool, "true: block (default); false: never"}}},
      {"settimeout", true, 0, {{"seconds", ArgType::Number, "how long to wait; negative: forever"}}},
      {"setsockopt", true, 0,
       {{"level", ArgType::String, "SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6"},
        {"name", ArgType::String, "SO_REUSEADDR, SO_RCVBUF, SO_SNDBUF, TCP_NODELAY..."},
        {"value", ArgType::Int, "the option's value; SO_LINGER: seconds of struct linger {1, value}"},
        {"device", ArgType::String, "SO_BINDTODEVICE: the interface's name, \"lo\" (loopback)"}}},
      {"getsockopt", true, 1,
       {{"level", ArgType::String, "SOL_SOCKET, IPPROTO_TCP"},
        {"name", ArgType::String, "SO_RCVBUF, SO_SNDBUF, SO_TYPE..."}}},
      {"getpeername", true, 1, {}},
      {"getsockname", true, 1, {}},
      {"getaddrinfo", false, 1,
       {kHost, kPort, {"family", ArgType::String, "AF_INET, AF_INET6 or AF_UNSPEC"},
        {"type", ArgType::String, "SOCK_STREAM or SOCK_DGRAM"}}},
      {"gethostbyname", false, 1, {kHost}},
      {"getfqdn", false, 1, {}},
      // select.select(read, write, [], timeout): which of these sockets are ready.
      {"select", false, 2,
       {{"read", ArgType::Names, "sockets to watch for reading, e.g. [\"phone\", \"conn\"]"},
        {"write", ArgType::Names, "sockets to watch for writing, e.g. [\"phone\"]"},
        {"timeout", ArgType::Number, "seconds to wait, 0: just look; left out: until one is ready"}}},
      // select.epoll(): epoll_create1(EPOLL_CLOEXEC); the result names the epoll instance.
      {"epoll_create", false, 1, {}},
      // ep.register(fd, mask) / ep.modify / ep.unregister, made on the epoll instance (sock).
      {"epoll_ctl", true, 0,
       {{"op", ArgType::String, "EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL"},
        {"fd", ArgType::String, "the socket variable it watches, e.g. \"conn\""},
        {"events", ArgType::Names, "[\"EPOLLIN\"], [\"EPOLLIN\", \"EPOLLET\"], [\"EPOLLOUT\"]..."}}},
      // ep.poll(timeout, maxevents): the ready list.
      {"epoll_wait", true, 1,
       {{"timeout", ArgType::Number, "seconds to wait, 0: just look; left out: until one is ready"},
        {"maxevents", ArgType::Int, "most events returned, 1 to 64 (default 16)"}}},
      // os.unlink(path): an AF_UNIX path stays in the file system after close().
      {"unlink", false, 0, {kPath}},
      // threading.Thread(target=handle, args=(conn,)): the socket moves to another actor.
      {"handoff", true, 0, {{"to", ArgType::String, "the actor (thread) that takes the socket over"}}},
      // os.fork() in a fork-per-client server: a child process with copies of the descriptors.
      {"fork", false, 1, {{"child", ArgType::String, "the actor that is the child process"}}},
      // os.waitpid(pid, options): the parent reaps its exited child (a zombie until then).
      {"waitpid", false, 2,
       {{"child", ArgType::String, "the forked child's actor"},
        {"options", ArgType::String, "\"WNOHANG\": do not wait; \"0\": wait until it exits"}}},
      // os._exit(status) in the forked child: its descriptors close, it stays a zombie.
      {"exit", false, 0, {{"status", ArgType::Int, "the exit status, 0 to 255"}}},
      {"print", false, 0,
       {{"text", ArgType::String, "text printed first"},
        {"value", ArgType::String, "variable printed after it, the way Python prints it"}}},
  };
  return specs;
}

const CallSpec* find_call_spec(const std::string& name) {
  for (const auto& spec : call_specs())
    if (name == spec.name) return &spec;
  return nullptr;
}

}  // namespace sockstep
