#include "engine/lesson/step_runner.hpp"

#include <netinet/in.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "engine/text/errno_names.hpp"
#include "engine/sockets/fd_facts.hpp"
#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/py_print.hpp"
#include "engine/text/py_text.hpp"
#include "engine/sockets/wire_effect.hpp"

namespace sockstep {
namespace {

std::string fmt_tag(long pid, std::uintptr_t session) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "sockstep-%ld-%lx", pid, static_cast<unsigned long>(session & 0xffffffu));
  return buffer;
}

// Why a lesson may not use this address (empty: it may): it stays on loopback, and its
// AF_UNIX files in the session's folder. A bind may take the wildcard address (a
// dual-stack server on ::) only on a socket tied to the loopback device, which no
// packet from another interface reaches.
std::string refused(const Address& address, int fd, bool binding) {
  if (binding && address.is_wildcard()) {
    if (ops::bound_device(fd) == "lo") return {};
    return "a lesson binds " + address.host + " only on a socket tied to loopback (SO_BINDTODEVICE 'lo')";
  }
  if ((address.family == AF_INET || address.family == AF_INET6) && !is_loopback_address(address.host))
    return "a lesson stays on loopback; " + address.host + " is not a loopback address";
  if (address.family == AF_UNIX && address.path.empty())
    return "a lesson's AF_UNIX files live in the session's own folder";
  return {};
}

CallResult missing(int err, std::string why) {
  CallResult r;
  r.value = -1;
  r.err = err;
  r.text = std::move(why);
  return r;
}

// The line the program prints about this call, if its code prints one (see Prints).
std::optional<std::string> printed_by(const Step& step, const CallResult& result) {
  switch (step.prints) {
    case Prints::Nothing: return std::nullopt;
    case Prints::Result: {
      // A failed call raises instead: the print(...) around it never runs.
      if (step.kind != Call::ConnectEx && !result.ok()) return std::nullopt;
      const std::optional<PyValue> value = python_return_value(step.call, result);
      return value ? std::optional(value->str()) : std::nullopt;
    }
    case Prints::Error:
      if (result.ok()) return std::nullopt;  // nothing raised, so the except clause never runs
      return python_exception_str(result.err);
    case Prints::Errno:
      if (result.ok()) return std::nullopt;
      if (result.err == kPythonTimeout) return "None None";  // TimeoutError has neither
      return std::to_string(result.err) + " " + errno_message(result.err);
  }
  return std::nullopt;
}

}  // namespace

int StepRunner::socket_of(const Step& step) const {
  std::lock_guard lock(session_.mutex_);
  const auto& vars = session_.sockets_[step.actor];
  const auto it = vars.find(step.sock);
  return it == vars.end() ? -1 : it->second;
}

std::string StepRunner::unix_path(const std::string& path) const {
  // Lessons name AF_UNIX sockets "echo.sock" or "@echo"; every session gets names of
  // its own, so two sessions (or a rerun while the old file is still there) never collide.
  if (!path.empty() && path[0] == '@')
    return "@" + fmt_tag(::getpid(), reinterpret_cast<std::uintptr_t>(&session_)) + "-" + path.substr(1);
  // A file lives in the session's private folder and nowhere else: a name that would
  // leave it (a '/', "..") is refused here too, whatever the loader let through.
  if (path.empty() || path == "." || path == ".." || path.find('/') != std::string::npos ||
      path.find('\0') != std::string::npos)
    return {};
  std::lock_guard lock(session_.mutex_);
  if (session_.unix_dir_.empty()) {
    std::error_code ec;
    std::string base = std::filesystem::temp_directory_path(ec).string();
    // sun_path holds 107 bytes: a long $TMPDIR would leave no room for the name.
    if (ec || base.empty() || base.size() > 40) base = "/tmp";
    std::string dir = base + "/sockstep-XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) return {};  // mode 0700, a name nobody can guess
    session_.unix_dir_ = dir;
  }
  const std::string full = session_.unix_dir_ + "/" + path;
  return full.size() < sizeof(sockaddr_un{}.sun_path) ? full : std::string{};
}

Address StepRunner::address_of(const Step& step, int fd) const {
  for (const char* key : {"to", "at"}) {
    if (!has_arg(step, key)) continue;
    // "server.addr" names another actor's variable: the number a client was told to dial.
    std::string owner = step.actor;
    std::string name = arg_string(step, key);
    if (const auto dot = name.find('.'); dot != std::string::npos) {
      owner = name.substr(0, dot);
      name = name.substr(dot + 1);
    }
    std::lock_guard lock(session_.mutex_);
    const auto& values = session_.values_[owner];
    const auto it = values.find(name);
    if (it == values.end() || it->second.kind != PyValue::Kind::Address) return {};
    Address address = it->second.address;
    if (has_arg(step, "host")) {
      // (host, addr[1]): another host at the same port, e.g. an IPv4 client dialling a
      // server whose getsockname() said ('::', port, 0, 0).
      address.host = arg_string(step, "host");
      address.family = address.host.find(':') != std::string::npos ? AF_INET6 : AF_INET;
      address.path.clear();
    }
    return address;
  }
  if (has_arg(step, "path")) return Address{AF_UNIX, {}, 0, unix_path(arg_string(step, "path"))};
  std::string host = arg_string(step, "host", "127.0.0.1");
  if (host == "localhost") host = "127.0.0.1";
  int port = static_cast<int>(arg_int(step, "port", 0));
  // The lesson's well-known port may have been moved to a free one.
  if (session_.lesson_.port != 0 && port == session_.lesson_.port) port = session_.port_;
  int family = host.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (fd >= 0) {
    int domain = 0;
    socklen_t length = sizeof domain;
    if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 && domain == AF_UNIX) family = AF_UNIX;
  }
  return Address{family, host, port, {}};
}

std::optional<std::string> StepRunner::payload_of(const Step& step) const {
  std::string data;
  if (has_arg(step, "from")) {
    std::lock_guard lock(session_.mutex_);
    const auto& values = session_.values_[step.actor];
    const auto it = values.find(arg_string(step, "from"));
    if (it != values.end()) data = it->second.bytes;
  } else {
    data = session_.options_.message.value_or(arg_string(step, "data"));
  }
  if (arg_bool(step, "upper", false)) data = ascii_upper(data);
  const long long repeat = std::max(1LL, arg_int(step, "repeat", 1));
  // The loader bounds data x repeat; received bytes and an edited message are known only now.
  if (static_cast<long double>(data.size()) * repeat > kMaxPayloadBytes) return std::nullopt;
  std::string whole;
  if (repeat > 1) {
    whole.reserve(data.size() * static_cast<std::size_t>(repeat));
    for (long long i = 0; i < repeat; ++i) whole += data;
  } else {
    whole = std::move(data);
  }
  if (has_arg(step, "skip_from")) {
    // sendall(data[sent:]): the rest of the same data after an earlier partial send.
    long long skip = 0;
    {
      std::lock_guard lock(session_.mutex_);
      const auto& values = session_.values_[step.actor];
      const auto it = values.find(arg_string(step, "skip_from"));
      if (it != values.end() && it->second.kind == PyValue::Kind::Int) skip = std::max(0LL, it->second.number);
    }
    return whole.substr(std::min<std::size_t>(static_cast<std::size_t>(skip), whole.size()));
  }
  return whole;
}

void StepRunner::record(const Step& step, Call call, int fd, std::string args, const CallResult& result, int pid,
                        const SocketFacts& facts, WireEffect wire) {
  Event event;
  event.kind = EventKind::Call;
  event.call = call;
  event.dir = call_direction(call);
  event.wire = wire;
  event.actor = step.actor;
  event.pid = pid;
  event.tid = pid;  // a child of fork() has the one thread
  event.args = std::move(args);
  event.fd = fd;
  event.sock = facts;
  event.value = result.value;
  event.err = result.err;
  event.detail = result.text;
  event.byte_count = result.bytes.size();
  event.bytes = result.bytes;
  event.step = ctx_.step;
  session_.log_.append(std::move(event));
}

CallResult StepRunner::fork(const Step& step) {
  const std::string child_actor = arg_string(step, "child");
  std::vector<int> keep;
  {
    std::lock_guard lock(session_.mutex_);
    for (const auto& [var, fd] : session_.sockets_[step.actor]) keep.push_back(fd);
  }
  int err = 0;
  std::unique_ptr<ForkedChild> child = ForkedChild::start(keep, err);
  CallResult r;
  if (!child) {
    r = missing(err, {});
  } else {
    r.value = child->pid();
    std::lock_guard lock(session_.mutex_);
    // The child's table is a copy of the parent's: the same numbers, the same sockets,
    // and a copy of every variable (what the parent had read, its address).
    session_.sockets_[child_actor] = session_.sockets_[step.actor];
    session_.socket_steps_[child_actor] = session_.socket_steps_[step.actor];
    session_.values_[child_actor] = session_.values_[step.actor];
    auto& facts = session_.child_facts_[child_actor];
    for (const int fd : keep) facts[fd] = fd_facts::get(fd);
    session_.children_[child_actor] = std::move(child);
  }
  // The event names who the child is (the diagram draws the fork to its lane); the call
  // returned only the pid.
  CallResult shown = r;
  if (r.ok()) shown.text = child_actor;
  record(step, Call::Fork, -1, "", shown, static_cast<int>(::getpid()), SocketFacts{});
  return r;
}

CallResult StepRunner::waitpid(const Step& step) {
  ForkedChild* child = nullptr;
  {
    std::lock_guard lock(session_.mutex_);
    child = session_.child_of(arg_string(step, "child"));
  }
  CallResult r;
  int status = 0;
  const bool nohang = arg_string(step, "options", "0") == "WNOHANG";
  if (child == nullptr) {
    r = missing(ECHILD, "no child of this actor was forked");
  } else {
    const ChildAnswer a = child->wait(nohang ? WNOHANG : 0, status, ctx_.waker(), [&] {
      if (ctx_.on_block) ctx_.on_block(BlockInfo{Call::WaitPid, -1, 0, {}, true});
    });
    if (!nohang && ctx_.on_unblock) ctx_.on_unblock();
    r.value = a.value;
    r.err = a.err;
    if (a.err != 0) r.value = -1;
  }
  // Python: (pid, status); the exit code is waitstatus_to_exitcode(status).
  if (r.ok()) {
    r.text = "(" + std::to_string(r.value) + ", " + std::to_string(status) + ")";
    const auto [first, second] = result_names(step.result);
    std::lock_guard lock(session_.mutex_);
    if (!first.empty()) session_.values_[step.actor][first] = PyValue{PyValue::Kind::Int, {}, {}, r.value};
    if (!second.empty()) session_.values_[step.actor][second] = PyValue{PyValue::Kind::Int, {}, {}, status};
  }
  record(step, Call::WaitPid, -1, std::string(child != nullptr ? std::to_string(child->pid()) : "?") + ", " +
                                      (nohang ? "os.WNOHANG" : "0"),
         r, static_cast<int>(::getpid()), SocketFacts{});
  return r;
}

CallResult StepRunner::child_call(const Step& step, ForkedChild& child) {
  const Call c = step.kind;
  const int pid = static_cast<int>(child.pid());
  int fd = -1;
  SocketFacts facts;
  {
    std::lock_guard lock(session_.mutex_);
    const auto& vars = session_.sockets_[step.actor];
    if (const auto it = vars.find(step.sock); it != vars.end()) fd = it->second;
    const auto& known = session_.child_facts_[step.actor];
    if (const auto f = known.find(fd); f != known.end()) facts = f->second;
  }
  const auto on_wait = [&, call = c] {
    if (ctx_.log() != nullptr) {
      Event event;
      event.kind = EventKind::Blocked;
      event.actor = step.actor;
      event.pid = pid;
      event.tid = pid;
      event.call = call;
      event.dir = call_direction(call);
      event.fd = fd;
      event.sock = facts;
      event.step = ctx_.step;
      ctx_.log()->append(std::move(event));
    }
    if (ctx_.on_block) ctx_.on_block(BlockInfo{call, fd, static_cast<short>(c == Call::Recv ? POLLIN : POLLOUT), {}, true});
  };
  const auto answered = [&](const ChildAnswer& a) {
    if (ctx_.on_unblock) ctx_.on_unblock();
    CallResult r;
    r.value = a.value;
    r.err = a.err;
    if (a.err != 0 && a.value >= 0) r.err = 0;  // a send that queued a part reports the part
    return r;
  };
  if (c == Call::Exit) {
    const long long status = arg_int(step, "status", 0);
    // Exit closes every descriptor the child holds: their cards stay, faded, as they were.
    std::vector<SocketCard> cards;
    {
      std::lock_guard lock(session_.mutex_);
      const auto& steps = session_.socket_steps_[step.actor];
      for (const auto& [var, held] : session_.sockets_[step.actor]) {
        SocketCard card;
        card.actor = step.actor;
        card.var = var;
        card.closed_step = ctx_.step;
        card.view = session_.view_of(step.actor, held);
        if (const auto s = steps.find(var); s != steps.end()) card.opened_step = s->second;
        cards.push_back(std::move(card));
      }
    }
    CallResult r = answered(child.call(ForkedChild::Op::Exit, -1, status, 0, {}, ctx_.waker(), on_wait));
    if (r.ok()) {
      std::lock_guard lock(session_.mutex_);
      session_.sockets_[step.actor].clear();
      for (auto& card : cards) session_.closed_.push_back(std::move(card));
    }
    record(step, Call::Exit, -1, std::to_string(status), r, pid, SocketFacts{});
    return r;
  }
  if (fd < 0) return missing(EBADF, "no open socket named '" + step.sock + "'");
  if (c == Call::Recv) {
    const ChildAnswer a = child.call(ForkedChild::Op::Recv, fd, arg_int(step, "bufsize", 1024),
                                     arg_bool(step, "waitall", false) ? MSG_WAITALL : 0, {}, ctx_.waker(), on_wait);
    CallResult r = answered(a);
    if (r.ok()) r.bytes = Bytes(a.bytes);
    record(step, Call::Recv, fd, std::to_string(arg_int(step, "bufsize", 1024)), r, pid, facts);
    return r;
  }
  if (c == Call::Send || c == Call::Sendall) {
    const auto payload = payload_of(step);
    if (!payload || payload->size() > (1 << 16)) return missing(EMSGSIZE, "a forked child sends at most 65536 bytes at once");
    const ChildAnswer a = child.call(c == Call::Send ? ForkedChild::Op::Send : ForkedChild::Op::Sendall, fd, 0, 0, *payload,
                                     ctx_.waker(), on_wait);
    CallResult r = answered(a);
    r.bytes = Bytes(r.ok() ? payload->substr(0, static_cast<std::size_t>(r.value)) : *payload);
    record(step, c == Call::Send ? Call::Send : Call::Sendall, fd, {}, r, pid, facts);
    return r;
  }
  if (c == Call::Shutdown) {
    const int how = shutdown_how_from_name(arg_string(step, "how", "SHUT_RDWR"));
    const SocketView before = [&] {
      std::lock_guard lock(session_.mutex_);
      return session_.view_of(step.actor, fd);
    }();
    const bool fin = how != SHUT_RD && (before.state == "ESTABLISHED" || before.state == "CLOSE_WAIT");
    CallResult r = answered(child.call(ForkedChild::Op::Shutdown, fd, how, 0, {}, ctx_.waker(), on_wait));
    record(step, Call::Shutdown, fd, shutdown_how_name(how), r, pid, facts,
           r.ok() && fin ? WireEffect::Fin : WireEffect::None);
    return r;
  }
  if (c == Call::Close) {
    const std::unique_lock no_reads(session_.fd_reads_);  // as for this process's close below
    std::lock_guard lock(session_.mutex_);
    SocketCard card;
    card.actor = step.actor;
    card.var = step.sock;
    card.closed_step = ctx_.step;
    card.view = session_.view_of(step.actor, fd);
    const auto& steps = session_.socket_steps_[step.actor];
    if (const auto s = steps.find(step.sock); s != steps.end()) card.opened_step = s->second;
    // What goes on the wire: only the last descriptor's close ends the connection.
    const unsigned long inode = session_.inode_of(step.actor, fd);
    const bool last = session_.descriptors_of(inode) <= 1;
    const bool fin = last && (card.view.state == "ESTABLISHED" || card.view.state == "CLOSE_WAIT");
    const bool rst = last && card.view.inq > 0 && !card.view.listening;
    CallResult r = answered(child.call(ForkedChild::Op::Close, fd, 0, 0, {}, ctx_.waker(), on_wait));
    if (r.ok()) {
      session_.sockets_[step.actor].erase(step.sock);
      session_.closed_.push_back(std::move(card));
    }
    record(step, Call::Close, fd, "", r, pid, facts, !r.ok() ? WireEffect::None : rst ? WireEffect::Rst : fin ? WireEffect::Fin : WireEffect::None);
    return r;
  }
  return missing(ENOSYS, "a forked child in a lesson does not make " + step.call + "()");
}

CallResult StepRunner::call(const Step& step) {
  const Call c = step.kind;
  if (c == Call::Fork) return fork(step);
  if (c == Call::WaitPid) return waitpid(step);
  {
    ForkedChild* child = nullptr;
    {
      std::lock_guard lock(session_.mutex_);
      child = session_.child_of(step.actor);
    }
    if (child != nullptr) return child_call(step, *child);
    if (c == Call::Exit) return missing(ENOSYS, step.actor + " is no forked child");
  }
  if (c == Call::Socket) {
    const std::string family = arg_string(step, "family", "AF_INET");
    const int type = socktype_from_name(arg_string(step, "type", "SOCK_STREAM"));
    CallResult r = ops::socket(ctx_, family_from_name(family), type, static_cast<int>(arg_int(step, "proto", 0)));
    // Lessons restart on the same port; a listener that cannot rebind would stop them.
    if (r.ok() && session_.lesson_.reuseaddr && type == SOCK_STREAM && family != "AF_UNIX") {
      const int one = 1;
      ::setsockopt(static_cast<int>(r.value), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    return r;
  }
  if (c == Call::GetAddrInfo) {
    const std::string family = arg_string(step, "family", "AF_UNSPEC");
    const std::string type = arg_string(step, "type", "SOCK_STREAM");
    return ops::getaddrinfo(ctx_, arg_string(step, "host", "localhost"),
                            static_cast<int>(arg_int(step, "port", 0)),
                            family == "AF_UNSPEC" ? AF_UNSPEC : family_from_name(family),
                            socktype_from_name(type));
  }
  if (c == Call::GetHostByName) return ops::gethostbyname(ctx_, arg_string(step, "host", "localhost"));
  if (c == Call::GetFqdn) return ops::getfqdn(ctx_);
  if (c == Call::Print) return {};
  if (c == Call::Unlink) {
    const std::string path = arg_string(step, "path");
    if (path.empty() || path[0] != '@') {
      const std::string file = unix_path(path);
      if (file.empty()) return missing(EPERM, "sockstep removes only the session's own socket files");
      return ops::unlink(ctx_, file);
    }
    return ops::unlink(ctx_, unix_path(path));
  }

  if (c == Call::Select) {
    // A socket in both lists is one entry asking both; Python lists it in both answers.
    std::vector<PollEntry> watch;
    const auto add = [&](const std::string& var, short events) {
      Step named = step;
      named.sock = var;
      const int fd = socket_of(named);
      if (fd < 0) return false;
      const auto same = std::find_if(watch.begin(), watch.end(), [&](const PollEntry& e) { return e.fd == fd; });
      if (same != watch.end()) same->events |= events;
      else watch.push_back({fd, events, 0});
      return true;
    };
    for (const auto& var : arg_names(step, "read"))
      if (!add(var, POLLIN)) return missing(EBADF, "no open socket named '" + var + "'");
    for (const auto& var : arg_names(step, "write"))
      if (!add(var, POLLOUT)) return missing(EBADF, "no open socket named '" + var + "'");
    return ops::select(ctx_, std::move(watch), has_arg(step, "timeout") ? arg_double(step, "timeout", 0) : -1.0);
  }

  if (c == Call::EpollCreate) return ops::epoll_create(ctx_);
  if (c == Call::EpollCtl || c == Call::EpollWait) {
    const int epfd = socket_of(step);
    if (epfd < 0) return missing(EBADF, "no epoll instance named '" + step.sock + "'");
    if (c == Call::EpollWait) {
      // What the instance watches, for the wait's display: every socket it was given.
      std::vector<InterestEntry> interest;
      {
        std::lock_guard lock(session_.mutex_);
        for (const auto& [fd, events] : session_.epoll_interest_[epfd]) interest.push_back({fd, events});
      }
      return ops::epoll_wait(ctx_, epfd, interest, static_cast<int>(arg_int(step, "maxevents", 16)),
                             has_arg(step, "timeout") ? arg_double(step, "timeout", 0) : -1.0);
    }
    Step named = step;
    named.sock = arg_string(step, "fd");
    const int fd = socket_of(named);
    if (fd < 0) return missing(EBADF, "no open socket named '" + named.sock + "'");
    const std::string op_name = arg_string(step, "op", "EPOLL_CTL_ADD");
    const int op = op_name == "EPOLL_CTL_MOD" ? EPOLL_CTL_MOD : op_name == "EPOLL_CTL_DEL" ? EPOLL_CTL_DEL : EPOLL_CTL_ADD;
    unsigned events = 0;
    for (const auto& name : arg_names(step, "events"))
      events |= name == "EPOLLIN" ? EPOLLIN : name == "EPOLLOUT" ? EPOLLOUT : name == "EPOLLET" ? EPOLLET
              : name == "EPOLLRDHUP" ? EPOLLRDHUP : 0u;
    CallResult r = ops::epoll_ctl(ctx_, epfd, op, fd, events);
    if (r.ok()) {
      std::lock_guard lock(session_.mutex_);
      auto& interest = session_.epoll_interest_[epfd];
      if (op == EPOLL_CTL_DEL) interest.erase(fd);
      else interest[fd] = events;
    }
    return r;
  }

  const int fd = socket_of(step);
  if (fd < 0) return missing(EBADF, "no open socket named '" + step.sock + "'");
  if (c == Call::Bind || c == Call::Connect || c == Call::ConnectEx || c == Call::SendTo) {
    if (const std::string why = refused(address_of(step, fd), fd, c == Call::Bind); !why.empty()) return missing(EPERM, why);
  }
  if (c == Call::Bind) {
    const Address address = address_of(step, fd);
    CallResult r = ops::bind(ctx_, fd, address);
    if (r.ok() && address.family == AF_UNIX && !address.path.empty() && address.path[0] != '@') {
      // This bind created the file; reset removes it so a replay can bind the same name.
      std::lock_guard lock(session_.mutex_);
      session_.unix_paths_.insert(address.path);
    }
    return r;
  }
  if (c == Call::Listen) return ops::listen(ctx_, fd, static_cast<int>(arg_int(step, "backlog", 5)));
  if (c == Call::Accept) return ops::accept(ctx_, fd);
  if (c == Call::Connect) return ops::connect(ctx_, fd, address_of(step, fd));
  if (c == Call::ConnectEx) return ops::connect_ex(ctx_, fd, address_of(step, fd));
  if (c == Call::Send && has_arg(step, "parts")) {
    std::vector<Bytes> parts;
    for (const auto& part : arg_names(step, "parts")) parts.emplace_back(part);
    CallResult r = ops::send_parts(ctx_, fd, parts);
    if (r.held_us >= 0) {
      // What the kernel did with the bytes after the calls returned: no call says it.
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.1f", static_cast<double>(r.held_us) / 1000.0);
      const std::string n = std::to_string(r.held_bytes);
      session_.note(r.held_bytes > 0
                        ? Text{n + " byte(s) waited " + ms + " ms unsent in the kernel after the last send() returned (TCP_INFO tcpi_notsent_bytes)",
                               n + " 个字节在最后一次 send() 返回后,在内核里等了 " + ms + " ms 才发出(TCP_INFO 的 tcpi_notsent_bytes)"}
                        : Text{"no byte waited unsent in the kernel after the last send() returned (TCP_INFO tcpi_notsent_bytes 0)",
                               "最后一次 send() 返回后,内核里没有字节等着发出(TCP_INFO 的 tcpi_notsent_bytes 为 0)"});
    }
    return r;
  }
  if (c == Call::Send || c == Call::Sendall || c == Call::SendTo) {
    const auto payload = payload_of(step);
    if (!payload)
      return missing(EMSGSIZE, "the data to send is over " + std::to_string(kMaxPayloadBytes) + " bytes");
    if (c == Call::Send) return ops::send(ctx_, fd, *payload);
    if (c == Call::Sendall) return ops::sendall(ctx_, fd, *payload);
    return ops::sendto(ctx_, fd, *payload, address_of(step, fd));
  }
  if (c == Call::Recv)
    return ops::recv(ctx_, fd, static_cast<std::size_t>(arg_int(step, "bufsize", 1024)), arg_bool(step, "waitall", false));
  if (c == Call::Handoff) {
    // The fd stays open; only who holds it changes, as when a thread is given conn.
    std::lock_guard lock(session_.mutex_);
    const std::string to = arg_string(step, "to");
    session_.sockets_[step.actor].erase(step.sock);
    session_.sockets_[to][step.sock] = fd;
    auto& steps = session_.socket_steps_[step.actor];
    if (const auto it = steps.find(step.sock); it != steps.end()) {
      session_.socket_steps_[to][step.sock] = it->second;
      steps.erase(it);
    }
    CallResult r;
    r.value = fd;
    r.text = to;
    return r;
  }
  if (c == Call::RecvFrom) return ops::recvfrom(ctx_, fd, static_cast<std::size_t>(arg_int(step, "bufsize", 1024)));
  if (c == Call::Shutdown) return ops::shutdown(ctx_, fd, shutdown_how_from_name(arg_string(step, "how", "SHUT_RDWR")));
  if (c == Call::Close) {
    // No snapshot reads an fd while it is closed (and its number perhaps reused).
    const std::unique_lock no_reads(session_.fd_reads_);
    std::lock_guard lock(session_.mutex_);
    // Its card stays, faded, as the socket was just before: what an fd-less socket left
    // behind (TIME_WAIT) is matched to it by these addresses.
    SocketCard card;
    card.actor = step.actor;
    card.var = step.sock;
    card.closed_step = ctx_.step;
    card.view = inspect_socket(fd);
    const auto& steps = session_.socket_steps_[step.actor];
    if (const auto s = steps.find(step.sock); s != steps.end()) card.opened_step = s->second;
    // An epoll instance is no socket: it leaves no card behind.
    const bool epoll = session_.epoll_interest_.contains(fd);
    // A forked child's copy (or a dup) keeps the socket open: this close drops one reference.
    const bool still_held = !epoll && session_.descriptors_of(socket_inode_of_fd(fd)) > 1;
    CallResult r = ops::close(ctx_, fd, still_held);
    session_.sockets_[step.actor].erase(step.sock);
    if (epoll) {
      session_.epoll_interest_.erase(fd);
    } else if (!still_held) {
      // The kernel drops a socket from every interest set once its last descriptor closes.
      for (auto& [ep, interest] : session_.epoll_interest_) interest.erase(fd);
    }
    if (r.ok() && !epoll) session_.closed_.push_back(std::move(card));
    return r;
  }
  if (c == Call::SetBlocking) return ops::setblocking(ctx_, fd, arg_bool(step, "flag", true));
  if (c == Call::SetTimeout) return ops::settimeout(ctx_, fd, arg_double(step, "seconds", -1));
  if (c == Call::SetSockOpt && has_arg(step, "device")) return ops::bind_to_device(ctx_, fd, arg_string(step, "device"));
  if (c == Call::SetSockOpt)
    return ops::setsockopt(ctx_, fd, sockopt_level_from_name(arg_string(step, "level", "SOL_SOCKET")),
                           sockopt_from_name(arg_string(step, "name")), static_cast<int>(arg_int(step, "value", 0)));
  if (c == Call::GetSockOpt)
    return ops::getsockopt(ctx_, fd, sockopt_level_from_name(arg_string(step, "level", "SOL_SOCKET")),
                           sockopt_from_name(arg_string(step, "name")));
  if (c == Call::GetPeerName) return ops::getpeername(ctx_, fd);
  if (c == Call::GetSockName) return ops::getsockname(ctx_, fd);
  return missing(ENOSYS, "sockstep does not know the call " + step.call);
}

void StepRunner::store(const Step& step, std::size_t index, const CallResult& result) {
  const auto [first, second] = result_names(step.result);
  std::string printed;
  {
    std::lock_guard lock(session_.mutex_);
    auto& sockets = session_.sockets_[step.actor];
    auto& values = session_.values_[step.actor];
    if (result.ok() && (step.kind == Call::Socket || step.kind == Call::Accept || step.kind == Call::EpollCreate) && !first.empty()) {
      sockets[first] = static_cast<int>(result.value);
      session_.socket_steps_[step.actor][first] = static_cast<int>(index);
      if (step.kind == Call::EpollCreate) session_.epoll_interest_[static_cast<int>(result.value)];  // empty, and known as epoll
    }
    if (result.ok() && step.kind == Call::Accept && !second.empty())
      values[second] = PyValue{PyValue::Kind::Address, {}, result.address, 0};
    if (step.kind == Call::Recv || step.kind == Call::RecvFrom) {
      if (result.ok() && !first.empty()) values[first] = PyValue{PyValue::Kind::Bytes, result.bytes.str(), {}, 0};
      if (result.ok() && !second.empty()) values[second] = PyValue{PyValue::Kind::Address, {}, result.address, 0};
    }
    const std::optional<PyValue> returned =
        step.kind == Call::Recv ? std::nullopt : python_return_value(step.call, result);  // recv: above
    if (returned && !first.empty()) values[first] = *returned;
    if (step.kind == Call::Print) {
      printed = arg_string(step, "text");
      if (has_arg(step, "value")) {
        const auto it = values.find(arg_string(step, "value"));
        const std::string shown = it == values.end() ? "<" + arg_string(step, "value") + " is not set>" : it->second.str();
        printed += (printed.empty() ? "" : " ") + shown;
      }
    } else if (const std::optional<std::string> line = printed_by(step, result)) {
      printed = *line;
    }
    if (step.kind == Call::Print || !printed.empty()) session_.console_[step.actor].push_back(printed);
  }
  if (step.kind == Call::Handoff && result.ok()) {
    Event event;
    event.kind = EventKind::Call;
    event.actor = step.actor;
    event.call = Call::Handoff;
    event.sock = fd_facts::get(static_cast<int>(result.value));
    event.args = step.sock + " -> " + arg_string(step, "to");
    event.fd = static_cast<int>(result.value);
    event.value = result.value;
    event.step = static_cast<int>(index);
    session_.log_.append(std::move(event));
  }
  if (step.kind == Call::Print || !printed.empty()) {
    Event event;
    event.kind = EventKind::Print;
    event.actor = step.actor;
    event.call = Call::Print;
    event.detail = printed;
    event.step = static_cast<int>(index);
    session_.log_.append(std::move(event));
  }
}

// Where IPv6 is off, a lesson's IPv6 steps fail, and every step after them for that
// reason: one note says why at the first of them, instead of a list of puzzling errors.
static std::optional<Text> ipv6_missing(const Step& step, const CallResult& result, int fd) {
  if (result.ok() || (result.err != EAFNOSUPPORT && result.err != EADDRNOTAVAIL)) return std::nullopt;
  const bool v6 = step.kind == Call::Socket ? arg_string(step, "family") == "AF_INET6"
                                        : fd >= 0 && fd_facts::get(fd).family == AF_INET6;
  if (!v6 || (step.kind != Call::Socket && step.kind != Call::Bind && step.kind != Call::Connect)) return std::nullopt;
  std::ifstream lo("/proc/sys/net/ipv6/conf/lo/disable_ipv6");
  int disabled = -1;
  lo >> disabled;
  const std::string why = disabled == 1 ? "net.ipv6.conf.lo.disable_ipv6 = 1: loopback has no ::1"
                          : disabled < 0 ? "the kernel has no IPv6 (booted with ipv6.disable=1)"
                                         : "this machine gives loopback no IPv6 address";
  const std::string why_zh = disabled == 1 ? "net.ipv6.conf.lo.disable_ipv6 = 1:回环接口上没有 ::1"
                             : disabled < 0 ? "内核没有 IPv6(启动时用了 ipv6.disable=1)"
                                            : "这台机器的回环接口没有 IPv6 地址";
  return Text{"IPv6 is disabled on this machine (" + why + "): this lesson's IPv6 steps cannot work here, and the checks that follow fail for that reason, not for a mistake in the lesson.",
              "这台机器禁用了 IPv6(" + why_zh + "):本课的 IPv6 步骤在这里无法进行,后面的检查会因此失败,而不是课程本身有错。"};
}

CallResult StepRunner::run(std::size_t index) {
  const Step& step = session_.lesson_.steps[index];
  ctx_.step = static_cast<int>(index);
  const auto started = std::chrono::steady_clock::now();
  CallResult result = call(step);
  result.took_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  if (step.expect.took_ms_min || step.expect.took_ms_max) {
    // A lesson that times a call shows the time: no return value says how long it took.
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f", static_cast<double>(result.took_us) / 1e6);
    session_.note(Text{step.call + "() returned after " + seconds + " s",
                       step.call + "() 在 " + seconds + " 秒后返回"});
  }
  if (!session_.ipv6_noted_)
    if (const auto why = ipv6_missing(step, result, socket_of(step))) {
      session_.ipv6_noted_ = true;
      session_.note(*why, NoteKind::Warning);
    }
  store(step, index, result);
  return result;
}

}  // namespace sockstep
