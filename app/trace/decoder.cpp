#include "trace/decoder.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "engine/log/address.hpp"
#include "engine/text/errno_names.hpp"
#include "engine/sockets/socket_ops.hpp"
#include "engine/sockets/wire_effect.hpp"
#include "trace/wire.hpp"

namespace sockstep::trace {
namespace {

// The engine's name for a record's call: Python and most programs call accept4(), the
// learner knows it as accept().
Call engine_call(CallId call) {
  switch (call) {
    case CallId::Socket: return Call::Socket;
    case CallId::Bind: return Call::Bind;
    case CallId::Listen: return Call::Listen;
    case CallId::Accept: return Call::Accept;
    case CallId::Connect: return Call::Connect;
    case CallId::Send: return Call::Send;
    case CallId::SendTo: return Call::SendTo;
    case CallId::SendMsg: return Call::SendMsg;
    case CallId::Recv: return Call::Recv;
    case CallId::RecvFrom: return Call::RecvFrom;
    case CallId::RecvMsg: return Call::RecvMsg;
    case CallId::Read: return Call::Read;
    case CallId::Write: return Call::Write;
    case CallId::Close: return Call::Close;
    case CallId::Shutdown: return Call::Shutdown;
    case CallId::SetSockOpt: return Call::SetSockOpt;
    case CallId::Poll: return Call::Poll;
    case CallId::Select: return Call::Select;
    case CallId::Readv: return Call::Readv;
    case CallId::Writev: return Call::Writev;
    case CallId::SendMmsg: return Call::SendMmsg;
    case CallId::RecvMmsg: return Call::RecvMmsg;
    case CallId::Sendfile: return Call::Sendfile;
    case CallId::Splice: return Call::Splice;
    case CallId::Socketpair: return Call::Socketpair;
    case CallId::GetSockOpt: return Call::GetSockOpt;
    case CallId::EpollCreate: return Call::EpollCreate;
    case CallId::EpollCtl: return Call::EpollCtl;
    case CallId::EpollWait: return Call::EpollWait;
    case CallId::None:
    case CallId::Count: break;
  }
  return Call::None;
}

Address address_of(std::string_view raw) {
  if (raw.size() < sizeof(sa_family_t)) return {};
  sockaddr_storage storage{};
  std::memcpy(&storage, raw.data(), std::min(raw.size(), sizeof storage));
  return from_sockaddr(reinterpret_cast<const sockaddr*>(&storage),
                       static_cast<socklen_t>(std::min(raw.size(), sizeof storage)));
}

std::string type_text(long long type) {
  std::string text = socktype_name(static_cast<int>(type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)));
  if ((type & SOCK_NONBLOCK) != 0) text += " | SOCK_NONBLOCK";
  if ((type & SOCK_CLOEXEC) != 0) text += " | SOCK_CLOEXEC";
  return text;
}

std::string flags_text(long long flags) {
  std::string text;
  const auto add = [&](int bit, const char* name) {
    if ((flags & bit) == 0) return;
    if (!text.empty()) text += " | ";
    text += name;
    flags &= ~bit;
  };
  add(MSG_PEEK, "MSG_PEEK");
  add(MSG_DONTWAIT, "MSG_DONTWAIT");
  add(MSG_WAITALL, "MSG_WAITALL");
  add(MSG_NOSIGNAL, "MSG_NOSIGNAL");
  add(MSG_MORE, "MSG_MORE");
  add(MSG_OOB, "MSG_OOB");
  if (flags != 0) text += (text.empty() ? "" : " | ") + std::to_string(flags);
  return text;
}

std::string address_text(std::string_view raw, bool python) {
  const Address a = address_of(raw);
  if (a.empty()) return {};
  return python ? a.python_repr() : a.to_string();
}

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + ", " + b;
}

}  // namespace

std::string printable_text(std::string_view text, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    std::string piece;
    if (!valid) {
      piece = "\xEF\xBF\xBD";
      len = 1;
    } else if (len == 1 && (c < 0x20 || c == 0x7F)) {
      piece = c == '\t' ? "\t" : " ";
    } else {
      piece = std::string(text.substr(i, len));
    }
    if (out.size() + piece.size() > max_bytes) {
      out += "...";
      break;
    }
    out += piece;
    i += len;
  }
  return out;
}

const TracedProcess* Decoder::process(pid_t pid) const {
  const auto it = processes_.find(pid);
  return it == processes_.end() ? nullptr : &it->second;
}

pid_t Decoder::printer_of(pid_t started) const {
  pid_t at = started;
  for (int depth = 0; depth < 64; ++depth) {  // bounded: a pid's parent chain is short
    const TracedProcess* p = process(at);
    if (p == nullptr || p->spoke) return at;
    // Its one child; of several, the one that made socket calls (strace's own helper
    // made none), else the one still running (`sh -c 'a; b'` while b runs).
    pid_t only = 0;
    pid_t speaker = 0;
    pid_t running = 0;
    int children = 0;
    int speakers = 0;
    int still = 0;
    for (const auto& [pid, child] : processes_) {
      if (child.parent != at || pid == at) continue;
      only = pid;
      ++children;
      if (child.spoke) {
        speaker = pid;
        ++speakers;
      }
      if (!child.said_bye) {
        running = pid;
        ++still;
      }
    }
    if (children == 1) {
      at = only;
    } else if (speakers == 1) {
      at = speaker;
    } else if (still == 1) {
      at = running;
    } else {
      return at;
    }
  }
  return at;
}

std::string Decoder::actor(pid_t pid, std::string_view fallback) const {
  const auto* p = process(pid);
  const std::string name = p != nullptr && !p->name.empty() ? p->name : (fallback.empty() ? "?" : std::string(fallback));
  return name + "[" + std::to_string(pid) + "]";
}

void Decoder::say_hello(TracedProcess& p, std::int64_t before_ns, std::vector<Decoded>& out) {
  p.hello_held = false;
  const bool again = p.spoke;  // it made calls under an image it left by exec
  p.spoke = true;
  Event e;
  e.kind = EventKind::Note;
  e.note = NoteKind::Hello;
  e.actor = p.actor;
  e.pid = p.pid;
  const std::string shown = printable_text(p.command, 100);
  std::string via, via_zh;
  for (const auto& hop : p.hops) {
    via += (via.empty() ? "; by exec from " : " -> ") + hop;
    via_zh += (via_zh.empty() ? ";经由 exec:" : " -> ") + hop;
  }
  p.hops.clear();
  e.detail = (again ? "traced again: " : "traced: ") + shown + " (pid " + std::to_string(p.pid) + ", parent " +
             std::to_string(p.parent) + via + ")";
  e.args = (again ? "再次跟踪:" : "开始跟踪:") + shown + "(pid " + std::to_string(p.pid) + ",父进程 " +
           std::to_string(p.parent) + via_zh + ")";
  // Just before the call that made it worth saying, wherever that sorts.
  out.push_back({before_ns > 0 ? before_ns - 1 : p.hello_t_ns, std::move(e)});
}

std::vector<std::string> Decoder::silent_processes() const {
  std::vector<std::string> names;
  for (const auto& [pid, p] : processes_)
    if (p.hello_held && !p.spoke) names.push_back(p.name);
  return names;
}

int Decoder::listens_in_tree(pid_t root) const {
  int count = 0;
  for (const auto& [pid, n] : listens_) {
    // Up the parents the processes' hellos named; bounded, a cycle cannot hold it.
    pid_t at = pid;
    for (int depth = 0; depth < 64 && at != 0 && at != root; ++depth) {
      const auto it = processes_.find(at);
      at = it == processes_.end() ? 0 : it->second.parent;
    }
    if (at == root) count += n;
  }
  return count;
}

int Decoder::listens(pid_t pid) const {
  const auto it = listens_.find(pid);
  return it == listens_.end() ? 0 : it->second;
}

void Decoder::pair(const std::string& local, const std::string& peer, End end, std::int64_t t_ns,
                   std::vector<Decoded>& out) {
  if (local.empty() || peer.empty()) return;
  const auto other = open_ends_.find({peer, local});
  if (other == open_ends_.end()) {
    open_ends_[{local, peer}] = std::move(end);
    return;
  }
  Event note;
  note.kind = EventKind::Note;
  note.note = NoteKind::Match;
  note.actor = end.actor;
  note.fd = end.fd;
  note.detail = "same connection: " + other->second.actor + " fd " + std::to_string(other->second.fd) + " (" + peer +
                ", inode " + std::to_string(other->second.inode) + ") <-> " + end.actor + " fd " +
                std::to_string(end.fd) + " (" + local + ", inode " + std::to_string(end.inode) + ")";
  note.args = "同一个连接:" + other->second.actor + " fd " + std::to_string(other->second.fd) + "(" + peer + ",inode " +
              std::to_string(other->second.inode) + ")<-> " + end.actor + " fd " + std::to_string(end.fd) + "(" + local +
              ",inode " + std::to_string(end.inode) + ")";
  out.push_back({t_ns, std::move(note)});
  open_ends_.erase(other);
}

SocketFacts& Decoder::facts_of(pid_t pid, int fd, std::uint64_t inode) {
  SocketFacts& facts = fds_[{pid, fd}];
  // Another inode at this number: the fd was closed and reused where no wrapper saw it.
  if (inode != 0 && facts.inode != 0 && facts.inode != inode) facts = SocketFacts{};
  if (inode != 0) facts.inode = inode;
  // Never seen made at this number: a copy (dup, or inherited) of a socket seen elsewhere.
  if (facts.family == AF_UNSPEC && inode != 0)
    for (auto it = fds_.lower_bound({pid, -1}); it != fds_.end() && it->first.first == pid; ++it)
      if (it->first.second != fd && it->second.inode == inode && it->second.family != AF_UNSPEC) {
        facts = it->second;
        break;
      }
  return facts;
}

namespace {
Event warning_note(std::string text) {
  Event bad;
  bad.kind = EventKind::Note;
  bad.note = NoteKind::Warning;
  bad.actor = "trace";
  bad.detail = std::move(text);
  return bad;
}
}  // namespace

void Decoder::decode(std::string_view record, std::vector<Decoded>& out) {
  WireHeader h{};
  if (record.size() < sizeof h) {
    out.push_back({0, warning_note("a short record from the preload was dropped")});
    return;
  }
  std::memcpy(&h, record.data(), sizeof h);
  const std::size_t sections = sizeof h + h.addr_len + h.local_len + h.aux_len + h.data_len;
  if (h.magic != kWireMagic || h.size != record.size() || sections != record.size()) {
    out.push_back({0, warning_note("a malformed record from the preload was dropped")});
    return;
  }
  std::size_t at = sizeof h;
  const auto take = [&](std::uint16_t len) {
    const std::string_view part = record.substr(at, len);
    at += len;
    return part;
  };
  const std::string_view addr = take(h.addr_len);
  const std::string_view local = take(h.local_len);
  const std::string_view aux = take(h.aux_len);
  const std::string_view data = take(h.data_len);

  if (h.kind == RecordKind::Wake) return;  // for the reader's loop, not an event
  Event e;
  e.fd = h.fd;
  e.value = h.value;
  e.err = h.err;
  e.pid = h.pid;
  e.tid = h.tid;
  if (h.kind == RecordKind::Hello) {
    TracedProcess& p = processes_[h.pid];
    const std::string image_before = p.name;
    p.pid = h.pid;
    p.parent = static_cast<pid_t>(h.arg[0]);
    p.name = printable_text(aux, 64);
    p.command = printable_text(data, 512);
    const bool again = p.said_hello;  // a forked child says hello under its parent's name
    // An exec: the image it leaves made no socket call, so it was a hop on the way here.
    if (again && p.hello_held) p.hops.push_back(image_before);
    p.said_hello = true;
    p.actor = actor(h.pid);
    // A child holds what its parent held when it forked (or exec'd in its place).
    if (!again && p.parent != 0)
      for (auto it = fds_.lower_bound({p.parent, -1}); it != fds_.end() && it->first.first == p.parent; ++it)
        fds_.try_emplace({h.pid, it->first.second}, it->second);
    p.hello_held = true;
    p.hello_t_ns = h.t_ns;
    return;
  }
  const auto known = processes_.find(h.pid);
  if (known != processes_.end() && known->second.hello_held &&
      (h.kind == RecordKind::Call || h.kind == RecordKind::Blocked || h.kind == RecordKind::Lost))
    say_hello(known->second, h.t_ns, out);
  e.actor = known != processes_.end() && !known->second.actor.empty() ? known->second.actor : actor(h.pid);
  // A thread of its own gets a lane of its own: name[pid/tid].
  if (h.tid != 0 && h.tid != h.pid) e.actor.insert(e.actor.size() - 1, "/" + std::to_string(h.tid));
  e.call = engine_call(h.call);
  e.dir = call_direction(e.call);
  if (h.kind == RecordKind::Bye) {
    processes_[h.pid].said_bye = true;
    return;  // the exit status note comes from whoever waits for the process
  }
  SocketFacts no_socket;
  SocketFacts& facts = h.fd >= 0 ? facts_of(h.pid, h.fd, h.call == CallId::Accept ? 0 : h.inode) : no_socket;
  if (h.kind == RecordKind::Blocked) {
    e.kind = EventKind::Blocked;
    e.sock = facts;
    out.push_back({h.t_ns, std::move(e)});
    return;
  }
  const Address local_name = address_of(local);
  const Address addr_name = address_of(addr);
  if (!local_name.empty() && h.call != CallId::Accept) facts.local = local_name;
  e.sock = facts;
  // Built only for the calls that show them: send and recv, most of a busy trace, don't.
  const auto inode_text = [&] { return h.inode != 0 ? "inode " + std::to_string(h.inode) : std::string(); };
  const auto local_text = [&] { return local_name.empty() ? std::string() : local_name.to_string(); };
  switch (h.call) {
    case CallId::Socket:
      e.args = family_name(static_cast<int>(h.arg[0])) + ", " + type_text(h.arg[1]);
      if (h.arg[2] != 0) e.args += ", " + std::to_string(h.arg[2]);
      e.detail = inode_text();
      if (e.ok()) {
        SocketFacts made;
        made.family = static_cast<int>(h.arg[0]);
        made.type = static_cast<int>(h.arg[1] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC));
        made.inode = h.inode;
        fds_[{h.pid, static_cast<int>(h.value)}] = made;
        e.sock = made;
      }
      break;
    case CallId::Bind:
      e.args = address_text(addr, true);
      if (e.ok() && facts.local.empty()) facts.local = e.sock.local = addr_name;
      // A bind that failed left the socket unnamed; its event names what it asked for
      // (EADDRINUSE: which port is taken).
      if (!e.ok()) e.sock.local = addr_name;
      break;
    case CallId::Listen:
      e.args = std::to_string(h.arg[0]);
      if (const std::string on = local_text(); !on.empty()) e.detail = "on " + on;
      ++listens_[h.pid];
      break;
    case CallId::Accept: {
      if ((h.arg[0] & SOCK_NONBLOCK) != 0) e.args = "SOCK_NONBLOCK";
      if ((h.arg[0] & SOCK_CLOEXEC) != 0) e.args = join(e.args, "SOCK_CLOEXEC");
      if (e.ok()) {
        // The event is about the new connection, as the engine's accept is.
        SocketFacts conn;
        conn.family = facts.family != AF_UNSPEC ? facts.family : local_name.family;
        conn.type = facts.type != 0 ? facts.type : SOCK_STREAM;
        conn.inode = h.inode;
        conn.local = local_name;
        conn.peer = addr_name;
        fds_[{h.pid, static_cast<int>(h.value)}] = conn;
        e.sock = conn;
        const std::string peer = address_text(addr, false);
        const std::string on = local_text();
        e.detail = peer + " (fd " + std::to_string(h.value) + " on " + on + ", " + inode_text() + ")";
        pair(on, peer, End{e.actor, static_cast<int>(h.value), h.inode}, h.t_ns, out);
      }
      break;
    }
    case CallId::Connect: {
      e.args = address_text(addr, true);
      const std::string from = local_text();
      const std::string inode = inode_text();
      if (!from.empty()) e.detail = "from " + from + (inode.empty() ? "" : ", " + inode);
      facts.peer = e.sock.peer = addr_name;
      const bool ip = facts.family == AF_INET || facts.family == AF_INET6 || addr_name.family == AF_INET ||
                      addr_name.family == AF_INET6;
      if (ip && (facts.type == SOCK_STREAM || facts.type == 0) && addr_name.family != AF_UNIX) e.wire = WireEffect::Syn;
      if (e.ok() || e.err == EINPROGRESS)
        pair(from, address_text(addr, false), End{e.actor, h.fd, h.inode}, h.t_ns, out);
      break;
    }
    case CallId::Send:
    case CallId::SendTo:
    case CallId::SendMsg:
    case CallId::SendMmsg:
    case CallId::Write:
    case CallId::Writev:
      e.bytes = Bytes(data);
      e.asked = static_cast<std::size_t>(std::max<std::int64_t>(h.arg[0], 0));
      // Failed, its bytes are the ones it was asked to send (the preload keeps their
      // first part): count them all, as the engine does.
      e.byte_count = e.ok() ? h.byte_count : static_cast<std::size_t>(std::max<std::int64_t>(h.arg[0], 0));
      e.args = join(h.call == CallId::SendTo || h.call == CallId::SendMsg || h.call == CallId::SendMmsg
                        ? address_text(addr, true)
                        : "",
                    h.call == CallId::Writev ? "" : flags_text(h.arg[1]));
      if (!addr_name.empty()) e.sock.peer = addr_name;  // a datagram's destination
      break;
    case CallId::Recv:
    case CallId::RecvFrom:
    case CallId::RecvMsg:
    case CallId::RecvMmsg:
    case CallId::Read:
    case CallId::Readv:
      e.bytes = Bytes(data);
      e.byte_count = h.byte_count;
      e.asked = static_cast<std::size_t>(std::max<std::int64_t>(h.arg[0], 0));
      e.peeked = h.call != CallId::Readv && h.call != CallId::Read && (h.arg[1] & MSG_PEEK) != 0;
      e.args = join(std::to_string(h.arg[0]), h.call == CallId::Readv ? "" : flags_text(h.arg[1]));
      if ((h.call == CallId::RecvFrom || h.call == CallId::RecvMsg || h.call == CallId::RecvMmsg) && e.ok())
        e.detail = address_text(addr, false);
      if (!addr_name.empty() && e.ok()) e.sock.peer = addr_name;  // a datagram's source
      break;
    case CallId::Sendfile:
      e.bytes = Bytes(data);
      e.byte_count = h.byte_count;
      e.args = "in_fd " + std::to_string(h.arg[1]) + ", offset " + std::to_string(h.arg[2]) + ", " +
               std::to_string(h.arg[0]);
      break;
    case CallId::Splice:
      // The bytes moved inside the kernel: their count is known, they are not.
      e.byte_count = h.byte_count;
      e.dir = h.arg[2] != 0 ? Direction::Out : Direction::In;
      e.args = std::string(h.arg[2] != 0 ? "from fd " : "to fd ") + std::to_string(h.arg[1]) + ", " +
               std::to_string(h.arg[0]);
      break;
    case CallId::Socketpair:
      e.args = family_name(static_cast<int>(h.arg[0])) + ", " + type_text(h.arg[1]);
      if (e.ok()) {
        // Two sockets joined from the start, each the other's peer.
        SocketFacts first;
        first.family = static_cast<int>(h.arg[0]);
        first.type = static_cast<int>(h.arg[1] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC));
        first.inode = h.inode;
        first.peer_inode = h.byte_count;
        SocketFacts second = first;
        second.inode = h.byte_count;
        second.peer_inode = h.inode;
        fds_[{h.pid, h.fd}] = first;
        fds_[{h.pid, static_cast<int>(h.arg[3])}] = second;
        e.sock = first;
        e.detail = "[" + std::to_string(h.fd) + ", " + std::to_string(h.arg[3]) + "]";
      }
      break;
    case CallId::GetSockOpt:
      e.args = sockopt_text(static_cast<int>(h.arg[0]), static_cast<int>(h.arg[1]));
      if (e.ok()) {
        e.value = h.arg[2];
        // SO_ERROR ends a non-blocking connect: 0, it went through; else why not.
        if (h.arg[0] == SOL_SOCKET && h.arg[1] == SO_ERROR)
          e.detail = h.arg[2] == 0 ? "no error: a connect under way has gone through"
                                   : errno_name(static_cast<int>(h.arg[2])) + ": " +
                                         errno_message(static_cast<int>(h.arg[2]));
      }
      break;
    case CallId::EpollCreate: break;
    case CallId::EpollCtl: {
      const int op = static_cast<int>(h.arg[0]);
      const int fd = static_cast<int>(h.arg[1]);
      const auto mask = static_cast<std::uint32_t>(h.arg[2]);
      e.args = std::string(ops::epoll_op_name(op)) + ", " + std::to_string(fd) + ", " + ops::epoll_events_text(mask);
      e.epoll_op = op;
      e.interest = {{fd, op == EPOLL_CTL_DEL ? 0u : mask}};
      if (e.ok()) {
        // epoll_wait hands back the data, not the fd: remember which fd it stands for.
        epoll_data_[{h.pid, h.fd, static_cast<std::uint32_t>(h.arg[3])}] = fd;
        auto& interest = epoll_interest_[{h.pid, h.fd}];
        if (op == EPOLL_CTL_DEL) interest.erase(fd);
        else interest[fd] = mask;
      }
      break;
    }
    case CallId::EpollWait: {
      std::string ready;
      for (std::size_t i = 0; i + sizeof(WirePollEntry) <= aux.size(); i += sizeof(WirePollEntry)) {
        WirePollEntry entry{};
        std::memcpy(&entry, aux.data() + i, sizeof entry);
        const auto fd = epoll_data_.find({h.pid, h.fd, static_cast<std::uint32_t>(entry.fd)});
        ready = join(ready, (fd != epoll_data_.end() ? std::to_string(fd->second) : "?") + " " +
                                ops::poll_events_text(entry.revents));
        // An entry whose data names no socket the program registered (an eventfd, a
        // pipe, data that is not an fd) stays out of the typed ready list.
        if (fd != epoll_data_.end())
          e.polled.push_back({fd->second, PollEntry::select_sets(static_cast<std::uint16_t>(entry.revents)), entry.revents});
      }
      if (const auto set = epoll_interest_.find({h.pid, h.fd}); set != epoll_interest_.end())
        for (const auto& [fd, mask] : set->second) e.interest.push_back({fd, mask});
      e.args = std::to_string(h.arg[0]) + ", " + std::to_string(h.arg[1]);
      e.detail = ready.empty() ? "" : "ready: " + ready;
      break;
    }
    case CallId::Close:
    case CallId::Shutdown: {
      const CloseFacts kernel{static_cast<int>(h.arg[1]), (h.arg[2] & 1) != 0, static_cast<int>(h.arg[3])};
      if (h.call == CallId::Close) {
        e.detail = inode_text();
        // Another descriptor (a dup, a forked child's copy) still held the socket: this
        // close only dropped a reference, and put nothing on the wire.
        const bool still_held = (h.arg[2] & 2) != 0;
        if (e.ok()) e.wire = still_held ? WireEffect::None : close_effect(kernel);
        if (e.ok() && kernel.tcp_state >= 0) compare_with_kernel(e, h.arg[0], h.byte_count, kernel.unread, out);
        fds_.erase({h.pid, h.fd});
        // The kernel drops a socket from every interest set it is in once its last
        // descriptor closes (epoll(7)); a dup or a child's copy keeps it there.
        if (!still_held)
          for (auto& [instance, interest] : epoll_interest_)
            if (instance.first == h.pid) interest.erase(h.fd);
      } else {
        e.args = shutdown_how_name(static_cast<int>(h.arg[0]));
        if (e.ok()) e.wire = shutdown_effect(kernel, static_cast<int>(h.arg[0]));
      }
      break;
    }
    case CallId::SetSockOpt:
      e.args = sockopt_text(static_cast<int>(h.arg[0]), static_cast<int>(h.arg[1])) + ", " + std::to_string(h.arg[2]);
      break;
    case CallId::Poll:
    case CallId::Select: {
      std::string wanted;
      std::string ready;
      for (std::size_t i = 0; i + sizeof(WirePollEntry) <= aux.size(); i += sizeof(WirePollEntry)) {
        WirePollEntry entry{};
        std::memcpy(&entry, aux.data() + i, sizeof entry);
        e.polled.push_back({entry.fd, entry.events, entry.revents});
        wanted = join(wanted, "(" + std::to_string(entry.fd) + ", " + ops::poll_events_text(entry.events) + ")");
        if (entry.revents != 0) ready = join(ready, std::to_string(entry.fd) + " " + ops::poll_events_text(entry.revents));
      }
      e.args = "[" + wanted + "], " + std::to_string(h.arg[1]);
      e.detail = ready.empty() ? (e.ok() ? "nothing ready (timeout)" : "") : "ready: " + ready;
      break;
    }
    case CallId::None:
    case CallId::Count: break;
  }
  if (e.ok() && e.sock.inode != 0 && e.dir != Direction::None) {
    Moved& moved = moved_[e.sock.inode];
    (e.dir == Direction::Out ? moved.sent : moved.received) += static_cast<std::uint64_t>(std::max<long long>(e.value, 0));
    moved.pids.insert(h.pid);
  }
  out.push_back({h.t_ns, std::move(e)});
}

// The kernel's count of what a TCP socket moved, against the calls this trace saw. More
// moved than seen: calls made without libc (raw syscalls) or by a process not traced.
// Only for a socket no other traced process used: their records may still be on the way.
void Decoder::compare_with_kernel(const Event& close, std::int64_t acked, std::uint64_t received, int unread,
                                  std::vector<Decoded>& out) {
  const auto it = moved_.find(close.sock.inode);
  const Moved seen = it != moved_.end() ? it->second : Moved{};
  if (it != moved_.end()) moved_.erase(it);
  if (seen.pids.size() > 1 || acked < 0) return;
  const std::uint64_t sent_kernel = static_cast<std::uint64_t>(acked);
  const std::uint64_t got_kernel = received >= static_cast<std::uint64_t>(std::max(unread, 0))
                                       ? received - static_cast<std::uint64_t>(std::max(unread, 0))
                                       : 0;
  // The kernel counts sequence numbers: a SYN and a FIN each take one, sent (acked) and
  // a FIN received; they are no bytes a call moved.
  constexpr std::uint64_t kControlOut = 2;
  constexpr std::uint64_t kControlIn = 1;
  const std::uint64_t more_sent = sent_kernel > seen.sent + kControlOut ? sent_kernel - seen.sent - kControlOut : 0;
  const std::uint64_t more_got = got_kernel > seen.received + kControlIn ? got_kernel - seen.received - kControlIn : 0;
  if (more_sent == 0 && more_got == 0) return;
  Event note;
  note.kind = EventKind::Note;
  note.note = NoteKind::Warning;
  note.actor = close.actor;
  note.pid = close.pid;
  note.fd = close.fd;
  note.sock = close.sock;
  note.detail = close.actor + " fd " + std::to_string(close.fd) + ": the kernel moved " + std::to_string(more_sent) +
                " B out and " + std::to_string(more_got) +
                " B in, at least, more than the calls seen (raw system calls, or a call this trace does not wrap)";
  out.push_back({0, std::move(note)});
}

}  // namespace sockstep::trace
