#include "check/check_runner.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "check/check_client.hpp"
#include "check/check_server.hpp"
#include "check/traced_program.hpp"
#include "engine/text/errno_names.hpp"
#include "engine/inspect/inspect.hpp"
#include "trace/wire.hpp"

namespace sockstep::check {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kListenWithin{5000};
constexpr milliseconds kConnectWithin{2000};
constexpr milliseconds kEchoWithin{3000};
constexpr milliseconds kCloseWithin{1000};
constexpr milliseconds kClientRunsWithin{5000};
constexpr milliseconds kFinGrace{50};
constexpr milliseconds kEchoIdle{3000};
constexpr std::size_t kEvidenceCalls = 6;

milliseconds within(const Action& a, milliseconds fallback) {
  return a.within_ms > 0 ? milliseconds(a.within_ms) : fallback;
}

// A failed step: why, in both languages, and what showed it.
struct Failure {
  Text why;
  std::vector<std::string> evidence;
  std::string lesson;  // empty: the check's own
  std::uint64_t decided_seq = 0;  // the call that showed it (its seq in the program's log)
};

Failure decided_by(Failure f, const Event* e) {
  if (e != nullptr) f.decided_seq = e->seq;
  return f;
}

Failure failure(std::string en, std::string zh, std::vector<std::string> evidence = {}, std::string lesson = {}) {
  return Failure{Text{std::move(en), std::move(zh)}, std::move(evidence), std::move(lesson)};
}

std::string result_text(const Event& e) {
  if (!e.ok()) return errno_name(e.err);
  return std::to_string(e.value);
}

// "server fd 4 send(65536) -> 4096": what a learner reads in strace, from the typed fields.
std::string call_text(const std::string& who, const Event& e) {
  std::string args = e.asked > 0 ? std::to_string(e.asked) : e.args;
  if (e.call == Call::Connect && !e.sock.peer.empty()) args = e.sock.peer.python_repr();
  if (e.call == Call::Bind && !e.sock.local.empty()) args = e.sock.local.python_repr();
  // socket() and epoll_create() make the fd they are shown with: it is their result.
  if (e.call == Call::Socket || e.call == Call::Socketpair || e.call == Call::EpollCreate || e.fd < 0)
    return fmt::format("{} {}({}) -> {}", who, e.name(), args, result_text(e));
  return fmt::format("{} fd {} {}({}) -> {}", who, e.fd, e.name(), args, result_text(e));
}

std::string substitute_port(const std::string& arg, int port) {
  std::string out = arg;
  for (std::size_t at = out.find("{port}"); at != std::string::npos; at = out.find("{port}", at))
    out.replace(at, 6, std::to_string(port));
  return out;
}

// Bytes a check sends when it asks for `size` of them: lines a person can read in the
// evidence ("sockstep 000042\n"), cut to the size.
std::string generated_bytes(std::size_t size) {
  std::string out;
  out.reserve(size + 16);
  for (std::size_t line = 0; out.size() < size; ++line) out += fmt::format("sockstep {:06}\n", line);
  out.resize(size);
  return out;
}

std::string env_faults(unsigned faults) {
  std::string names;
  if ((faults & kShortWrites) != 0) names += "short-writes";
  if ((faults & kShortReads) != 0) names += std::string(names.empty() ? "" : ",") + "short-reads";
  if ((faults & kEintr) != 0) names += std::string(names.empty() ? "" : ",") + "eintr";
  return names.empty() ? "" : std::string(trace::kFaultsEnv) + "=" + names;
}

// Socket fds a process holds, as the kernel lists them in /proc/PID/fd.
std::optional<int> socket_fd_count(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return std::nullopt;
  int count = 0;
  for (dirent* entry = ::readdir(d); entry != nullptr; entry = ::readdir(d)) {
    char target[64];
    const std::string link = dir + "/" + entry->d_name;
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n > 7 && std::string_view(target, 7) == "socket:") ++count;
  }
  ::closedir(d);
  return count;
}

// What the kernel holds for the server's end of a connection: its state, or "" if gone.
std::string server_end_state(int server_port, int client_port) {
  for (const DiagSocket& s : diag_sockets({server_port}))
    if (s.local.port == server_port && s.peer.port == client_port) return s.state;
  return {};
}

// A send on the socket `inode` that moved less than asked, after which the program never
// sent the rest (its next call on the socket was no send of exactly what was left).
struct ShortSend {
  const Event* call = nullptr;
  std::size_t left = 0;
};
std::optional<ShortSend> unfinished_short_send(const std::vector<Event>& events, std::uint64_t inode) {
  ShortSend pending;
  for (const Event& e : events) {
    if (e.kind != EventKind::Call || e.sock.inode != inode || inode == 0) continue;
    const bool sends = e.dir == Direction::Out;
    if (pending.left > 0 && (!sends || e.asked != pending.left)) return pending;  // the rest was never sent
    if (sends && e.ok() && static_cast<std::size_t>(e.value) < e.asked) {
      pending = {&e, e.asked - static_cast<std::size_t>(e.value)};
    } else if (sends) {
      pending = {};
    }
  }
  if (pending.left > 0) return pending;
  return std::nullopt;
}

Failure short_send_failure(const std::string& who_en, const std::string& who_zh, const ShortSend& s,
                           std::vector<std::string> evidence, bool nonblocking = false) {
  if (nonblocking)
    return decided_by(failure(fmt::format("{}'s {}({}) returned {} on a non-blocking socket and the other {} bytes were never "
                               "sent: keep what send() did not take (or got EAGAIN for) and send it when the socket "
                               "is writable again",
                               who_en, s.call->name(), s.call->asked, s.call->value, s.left),
                   fmt::format("{}在非阻塞套接字上的 {}({}) 返回 {},剩下的 {} 字节再也没有发送:"
                               "把 send() 没收下(或遇到 EAGAIN)的字节留着,等套接字可写时再发",
                               who_zh, s.call->name(), s.call->asked, s.call->value, s.left),
                   std::move(evidence)), s.call);
  return decided_by(failure(fmt::format("{}'s {}({}) returned {} and the other {} bytes were never sent: send() may move "
                             "less than asked, and sendall() (or a loop over what is left) sends the rest",
                             who_en, s.call->name(), s.call->asked, s.call->value, s.left),
                 fmt::format("{}的 {}({}) 返回 {},剩下的 {} 字节再也没有发送:send() 可能少发,"
                             "sendall()(或对剩余部分循环发送)才会把其余的发出去",
                             who_zh, s.call->name(), s.call->asked, s.call->value, s.left),
                 std::move(evidence)), s.call);
}

// ---- server checks: sockstep plays the clients -------------------------------------

class ServerCheck {
 public:
  ServerCheck(const CheckSpec& spec, const RunOptions& options) : spec_(spec), options_(options) {
    if (names_port(options.command)) port_ = free_loopback_port();
  }

  std::optional<Failure> run() {
    if (auto f = start("")) return f;
    for (const Action& a : spec_.steps) {
      if (interrupted()) return failure("interrupted", "被中断");
      if (auto f = step(a)) return f;
    }
    return std::nullopt;
  }

  // Closes what sockstep holds so that the next check finds the port free: a client
  // whose server already closed resets (the server's FIN_WAIT2 end then goes at once,
  // instead of a TIME_WAIT on the server's port); the others close first (the TIME_WAIT
  // stays on sockstep's side). Then the server is stopped.
  void finish() {
    for (auto& [name, c] : clients_) (c.peer_closed() || c.error() != 0) ? c.reset() : c.close();
    if (program_) program_->stop();
    clients_.clear();
    keep_session();
  }

  std::vector<Event> session;  // what every run of the program did, when kept

 private:
  // Moves the events of the run so far into session (restart-same-port runs it twice).
  void keep_session() {
    if (!program_ || !options_.keep_sessions) return;
    program_->settle();
    session.insert(session.end(), program_->events().begin(), program_->events().end());
    program_.reset();
  }

  bool interrupted() const { return options_.interrupted && options_.interrupted(); }

  std::vector<std::string> command() const {
    std::vector<std::string> argv;
    for (const auto& arg : options_.command) argv.push_back(substitute_port(arg, port_));
    return argv;
  }

  std::optional<Failure> start(const std::string& again) {
    std::vector<std::string> env;
    if (const std::string faults = env_faults(spec_.faults); !faults.empty()) env.push_back(faults);
    keep_session();
    program_ = std::make_unique<TracedProgram>(command(), env, options_.preload);
    if (!program_->start()) return failure(program_->error(), program_->error());
    const auto deadline = Clock::now() + kListenWithin;
    program_->wait_until([&] { return program_->listening_port() || program_->exit_code() || interrupted(); }, deadline);
    if (program_->listening_port()) {
      port_ = *program_->listening_port();
      return std::nullopt;
    }
    std::vector<std::string> evidence = last_calls();
    if (const Event* bad = program_->failed_listen()) {
      if (port_ == 0) port_ = bad->sock.local.port;
      const auto sockets = diag_sockets({port_});
      const bool listener = std::any_of(sockets.begin(), sockets.end(), [&](const DiagSocket& s) {
        return s.listening() && s.local.port == port_;
      });
      if (bad->err == EADDRINUSE && listener)
        return decided_by(failure(fmt::format("the server's bind() failed with EADDRINUSE: another program listens on port {}", port_),
                       fmt::format("服务器的 bind() 失败,EADDRINUSE:另一个程序正在端口 {} 上监听", port_), evidence,
                       "ports-bind"), bad);
      if (bad->err == EADDRINUSE)
        return decided_by(failure(
            fmt::format("{}the server's bind() failed with EADDRINUSE: port {} is still held by the "
                        "connections of its previous run and it does not set SO_REUSEADDR",
                        again.empty() ? "" : "started " + again + ", ", port_),
            fmt::format("{}启动时服务器的 bind() 失败,EADDRINUSE:端口 {} 仍被上一次运行的连接占着,而它没有设置 SO_REUSEADDR",
                        again.empty() ? "" : "再次", port_),
            evidence, "restart-timewait"), bad);
    }
    if (program_->exit_code())
      return failure(fmt::format("the server {} before it listened", program_->exit_text()),
                     fmt::format("服务器在监听之前就{}", program_->exit_text_zh()), evidence, "echo-tcp");
    if (!program_->error().empty()) return failure(program_->error(), program_->error());
    return failure(fmt::format("the server did not call listen() within {} s", kListenWithin.count() / 1000),
                   fmt::format("服务器在 {} 秒内没有调用 listen()", kListenWithin.count() / 1000), evidence, "echo-tcp");
  }

  // The program's last calls, newest last.
  std::vector<std::string> last_calls(std::uint64_t inode = 0) const {
    program_->settle();
    std::vector<std::string> out;
    for (auto it = program_->events().rbegin(); it != program_->events().rend() && out.size() < kEvidenceCalls; ++it)
      if (it->kind == EventKind::Call && (inode == 0 || it->sock.inode == inode)) out.push_back(call_text("server", *it));
    std::reverse(out.begin(), out.end());
    return out;
  }

  // The server's socket for a client's connection: the inode of the accept that took it.
  // The server's socket for the connection from a client's port: the inode of the
  // accept that took it (0: none did).
  std::uint64_t accepted_inode(int client_port) const {
    for (const Event& e : program_->events())
      if (e.kind == EventKind::Call && e.call == Call::Accept && e.ok() && e.sock.peer.port == client_port)
        return e.sock.inode;
    return 0;
  }
  std::uint64_t accepted_inode(const CheckClient& c) const { return accepted_inode(c.local().port); }


  // What the server's recv calls on a connection took before it closed it; nullopt if
  // it has not closed it.
  std::optional<std::size_t> read_before_close(std::uint64_t inode) const {
    // A forking server's parent closes its copy at once: only a close by a process that
    // read from the connection ends the reading.
    std::size_t read = 0;
    std::set<int> readers;
    for (const Event& e : program_->events()) {
      if (e.kind != EventKind::Call || e.sock.inode != inode || inode == 0) continue;
      if (e.dir == Direction::In && e.ok()) {
        read += static_cast<std::size_t>(std::max<long long>(e.value, 0));
        readers.insert(e.pid);
      }
      if (e.call == Call::Close && e.ok() && readers.count(e.pid) > 0) return read;
    }
    return std::nullopt;
  }

  std::vector<std::string> connection_evidence(const CheckClient& c) const {
    program_->settle();
    const std::uint64_t inode = accepted_inode(c);
    if (inode != 0) return last_calls(inode);
    std::vector<std::string> out = last_calls();
    out.push_back(fmt::format("no accept() took the connection from port {}: it waited in the accept queue",
                              c.local().port));
    return out;
  }

  std::optional<Failure> ended(const std::string& during_en, const std::string& during_zh) {
    program_->settle();
    if (!program_->exit_code()) return std::nullopt;
    const long accepted = std::count_if(program_->events().begin(), program_->events().end(), [](const Event& e) {
      return e.kind == EventKind::Call && e.call == Call::Accept && e.ok();
    });
    // Ended by itself, with status 0, after serving: by design, not by a crash.
    if (accepted > 0 && *program_->exit_code() == 0)
      return failure(fmt::format("the server {} after {} client{} {}: it must go on serving clients until it is "
                                 "stopped",
                                 program_->exit_text(), accepted, accepted == 1 ? "" : "s", during_en),
                     fmt::format("服务器服务了 {} 个客户端后,{}{}:它应当一直服务客户端,直到被停止", accepted,
                                 during_zh, program_->exit_text_zh()),
                     last_calls(), "more-callers");
    return failure(fmt::format("the server {} {}", program_->exit_text(), during_en),
                   fmt::format("服务器{}{}", during_zh, program_->exit_text_zh()), last_calls());
  }

  CheckClient* client(const Action& a) {
    const auto it = clients_.find(a.client);
    return it == clients_.end() ? nullptr : &it->second;
  }

  std::optional<Failure> connect(const std::string& name, milliseconds limit, int rcvbuf = 0) {
    CheckClient c;
    const int err = c.connect(port_, limit, rcvbuf);
    if (err != 0) {
      // A refused or reset connect often means the server has just ended: let its end show.
      program_->wait_until([&] { return program_->exit_code().has_value(); }, Clock::now() + milliseconds(300));
      if (auto f = ended("before a client could connect", "在客户端连上之前")) return f;
      return failure(fmt::format("client {} could not connect to port {}: {}", name, port_, errno_name(err)),
                     fmt::format("客户端 {} 连不上端口 {}:{}", name, port_, errno_name(err)), last_calls());
    }
    clients_[name] = std::move(c);
    return std::nullopt;
  }

  std::optional<Failure> expect_echo(CheckClient& c, const std::string& name, milliseconds limit) {
    const std::size_t want = c.sent().size() + c.unsent();
    const auto deadline = Clock::now() + limit;
    // Done when all came back, or as soon as a byte differs (each checked once, against
    // what has been sent by then: the queued bytes leave while this pumps).
    std::size_t checked = 0;
    bool differs = false;
    const auto done = [&] {
      const std::string& got = c.received();
      for (; checked < got.size() && checked < c.sent().size() && !differs; ++checked) {
        const char expected = c.sent()[checked];
        const char wanted = options_.upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(expected))) : expected;
        differs = got[checked] != wanted;
      }
      return differs || got.size() >= want;
    };
    // Pumped in slices, so that a server that ends is seen at once; a long echo that has
    // stopped coming (no byte moved either way for kEchoIdle) is not waited for to the end.
    auto progress_at = Clock::now();
    bool idle = false;
    std::size_t moved = c.sent().size() + c.received().size();
    while (!done() && Clock::now() < deadline && !c.eof() && c.error() == 0 && !interrupted()) {
      c.pump(done, std::min<milliseconds>(milliseconds(100), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()) + milliseconds(1)));
      program_->refresh();
      if (program_->exit_code()) break;
      if (const std::size_t now_moved = c.sent().size() + c.received().size(); now_moved != moved) {
        moved = now_moved;
        progress_at = Clock::now();
      } else if (Clock::now() - progress_at > kEchoIdle) {
        idle = true;
        break;
      }
    }
    const std::size_t got = c.received().size();
    (void)done();  // the bytes the last pump brought are compared too
    if (!differs && got >= want) return std::nullopt;
    const std::vector<std::string> evidence = connection_evidence(c);
    if (const auto s = unfinished_short_send(program_->events(), accepted_inode(c))) {
      const std::uint64_t inode = accepted_inode(c);
      const bool nonblocking = std::any_of(program_->events().begin(), program_->events().end(), [&](const Event& e) {
        return e.kind == EventKind::Call && e.sock.inode == inode && e.err == EAGAIN;
      });
      return short_send_failure("the server", "服务器", *s, evidence, nonblocking);
    }
    if (differs) {
      const std::size_t at = checked - 1;  // the loop stopped one past the byte that differs
      return failure(fmt::format("client {} got back different bytes from byte {} on: not an echo{}", name, at,
                                 options_.upper ? "" : " (a server that answers in upper case, as the seed's does, is checked with --upper)"),
                     fmt::format("客户端 {} 收回的字节从第 {} 个起与发出的不同:这不是回显{}", name, at,
                                 options_.upper ? "" : "(像原教程的服务端那样用大写回答的服务器,请加 --upper 检查)"),
                     evidence);
    }
    if (const auto read = read_before_close(accepted_inode(c)); read && *read < want)
      return failure(fmt::format("the server closed client {}'s connection after reading {} of the {} bytes it sent: "
                                 "a recv() returns what has arrived so far, not a whole message",
                                 name, *read, want),
                     fmt::format("服务器只读了客户端 {} 发来的 {} 字节中的 {} 字节就关闭了连接:"
                                 "recv() 返回的是目前已到达的字节,而不是一整条消息",
                                 name, want, *read),
                     evidence);
    // Ended before it took this client: it served the earlier ones and stopped.
    if (program_->exit_code() && accepted_inode(c) == 0)
      if (auto f = ended(fmt::format("without accepting client {}", name), fmt::format("没有接受客户端 {} 就", name)))
        return f;
    if (program_->exit_code())
      return failure(fmt::format("the server {} after sending back {} of the {} bytes client {} sent",
                                 program_->exit_text(), got, want, name),
                     fmt::format("服务器在送回客户端 {} 发出的 {} 字节中的 {} 字节后{}", name, want, got,
                                 program_->exit_text_zh()),
                     evidence);
    if (c.error() != 0)
      return failure(fmt::format("the server reset client {}'s connection ({}) after sending back {} of {} bytes", name,
                                 errno_name(c.error()), got, want),
                     fmt::format("服务器在送回 {} 字节中的 {} 字节后重置了客户端 {} 的连接({})", want, got, name,
                                 errno_name(c.error())),
                     evidence);
    if (c.eof())
      return failure(fmt::format("the server closed client {}'s connection after sending back {} of {} bytes", name,
                                 got, want),
                     fmt::format("服务器在送回 {} 字节中的 {} 字节后关闭了客户端 {} 的连接", want, got, name), evidence);
    if (accepted_inode(c) == 0 && clients_.size() > 1)
      return failure(fmt::format("the server did not accept client {} in {:.1f} s while another client was connected: "
                                 "it serves one client at a time",
                                 name, limit.count() / 1000.0),
                     fmt::format("另一个客户端连着时,服务器 {:.1f} 秒内都没有接受客户端 {}:它一次只服务一个客户端",
                                 limit.count() / 1000.0, name),
                     evidence);
    if (idle)
      return failure(fmt::format("{} of the {} bytes client {} sent came back, then nothing more for {:.0f} s: the rest "
                                 "was lost",
                                 got, want, name, kEchoIdle.count() / 1000.0),
                     fmt::format("客户端 {} 发出的 {} 字节只收回 {} 字节,之后 {:.0f} 秒再无字节:其余的丢了", name, want,
                                 got, kEchoIdle.count() / 1000.0),
                     evidence);
    return failure(fmt::format("{:.1f} s after client {} sent {} bytes, {} had come back", limit.count() / 1000.0, name,
                               want, got),
                   fmt::format("客户端 {} 发出 {} 字节 {:.1f} 秒后,只收回 {} 字节", name, want, limit.count() / 1000.0, got),
                   evidence);
  }

  std::optional<Failure> step(const Action& a) {
    switch (a.kind) {
      case ActionKind::Connect: return connect(a.client, within(a, kConnectWithin), a.rcvbuf);
      case ActionKind::Send: {
        CheckClient* c = client(a);
        if (c == nullptr) return no_client(a);
        c->queue(a.size > 0 ? generated_bytes(a.size) : a.text);
        return std::nullopt;
      }
      case ActionKind::Stall: {
        CheckClient* c = client(a);
        if (c == nullptr) return no_client(a);
        c->stall(within(a, milliseconds(500)));
        return ended("while its client was not reading", "在客户端不读的时候");
      }
      case ActionKind::ExpectEcho: {
        CheckClient* c = client(a);
        if (c == nullptr) return no_client(a);
        return expect_echo(*c, a.client, within(a, kEchoWithin));
      }
      case ActionKind::Close:
      case ActionKind::Reset: {
        CheckClient* c = client(a);
        if (c == nullptr) return no_client(a);
        // What is still queued goes first, so that a close comes after the bytes.
        c->pump([&] { return c->unsent() == 0; }, kEchoWithin);
        closed_ports_[a.client] = c->local().port;
        if (a.kind == ActionKind::Reset || server_closed_first(*c)) {
          // After the server's own close an RST changes nothing the server can see, and
          // frees its end (FIN_WAIT2) at once: no TIME_WAIT is left on its port to stop
          // the next check's start. A FIN from here would leave one.
          c->reset();
        } else {
          c->close();
        }
        return std::nullopt;
      }
      case ActionKind::ExpectServerCloses: return expect_server_closes(a);
      case ActionKind::Clients: return many_clients(a);
      case ActionKind::CountFds: {
        fd_baseline_ = socket_fd_count(program_->listener_pid());
        if (!fd_baseline_) return ended("before its sockets could be counted", "在清点它的套接字之前");
        return std::nullopt;
      }
      case ActionKind::ExpectFdsSteady: return expect_fds_steady(a);
      case ActionKind::StopServer: {
        program_->stop();
        return std::nullopt;
      }
      case ActionKind::StartServer: return start("again at once on the same port");
      default: return failure("a client action in a server check", "服务器检查里出现了客户端动作");
    }
  }

  // The server closed its end of c's connection: its close was traced, or its FIN is in.
  bool server_closed_first(CheckClient& c) {
    program_->refresh();
    const std::uint64_t inode = accepted_inode(c);
    const bool traced = inode != 0 && std::any_of(program_->events().begin(), program_->events().end(), [&](const Event& e) {
      return e.kind == EventKind::Call && e.sock.inode == inode && e.ok() &&
             (e.call == Call::Close || (e.call == Call::Shutdown && e.wire == WireEffect::Fin));
    });
    if (traced && !c.eof()) c.pump([&] { return c.eof(); }, milliseconds(500));
    // A server that closes right after its reply (the seed's) may not have been seen doing
    // it yet: its FIN is given a moment to arrive.
    if (!c.eof()) c.pump([&] { return c.eof(); }, kFinGrace);
    return c.eof() || c.peer_closed();
  }

  std::optional<Failure> no_client(const Action& a) const {
    return failure(fmt::format("the check names client {} before connecting it", a.client),
                   fmt::format("检查在连接客户端 {} 之前就用到了它", a.client));
  }

  std::optional<Failure> expect_server_closes(const Action& a) {
    const auto it = closed_ports_.find(a.client);
    if (it == closed_ports_.end()) return no_client(a);
    const int client_port = it->second;
    std::string state;
    const auto closed_its_end = [&] {
      state = server_end_state(port_, client_port);
      return state != "ESTABLISHED" && state != "CLOSE_WAIT";
    };
    if (program_->wait_until(closed_its_end, Clock::now() + within(a, kCloseWithin))) return std::nullopt;
    std::vector<std::string> evidence = last_calls(accepted_inode(client_port));
    evidence.push_back(fmt::format("kernel: 127.0.0.1:{} <- 127.0.0.1:{} in {} {:.1f} s after client {} closed", port_,
                                   client_port, state, within(a, kCloseWithin).count() / 1000.0, a.client));
    if (auto f = ended("", "")) return f;
    return failure(fmt::format("the server did not close its end after client {} hung up: its socket stays in {}",
                               a.client, state),
                   fmt::format("客户端 {} 挂断后,服务器没有关闭自己这一端:它的套接字停在 {}", a.client, state),
                   evidence);
  }

  std::optional<Failure> many_clients(const Action& a) {
    for (int i = 1; i <= a.count; ++i) {
      if (interrupted()) return failure("interrupted", "被中断");
      const std::string name = fmt::format("{}/{}", i, a.count);
      if (auto f = connect(name, kConnectWithin)) return f;
      CheckClient& c = clients_[name];
      c.queue(fmt::format("client {}\n", i));
      if (auto f = expect_echo(c, name, kEchoWithin)) return f;
      c.close();
      clients_.erase(name);
    }
    return std::nullopt;
  }

  std::optional<Failure> expect_fds_steady(const Action& a) {
    if (!fd_baseline_) return failure("the check counts fds before count_fds", "检查在 count_fds 之前就比较套接字数");
    std::optional<int> now;
    const auto steady = [&] {
      now = socket_fd_count(program_->listener_pid());
      return !now || *now <= *fd_baseline_ + a.slack;
    };
    program_->wait_until(steady, Clock::now() + within(a, kCloseWithin));
    if (!now) return ended("while its sockets were counted", "在清点它的套接字时");
    if (*now <= *fd_baseline_ + a.slack) return std::nullopt;
    return failure(fmt::format("the server holds {} more sockets than before the clients came: it does not close "
                               "the connections it is done with",
                               *now - *fd_baseline_),
                   fmt::format("服务器比客户端到来之前多持有 {} 个套接字:它没有关闭用完的连接", *now - *fd_baseline_),
                   {fmt::format("kernel: /proc/{}/fd holds {} sockets, {} before", program_->listener_pid(), *now,
                                *fd_baseline_)});
  }

  const CheckSpec& spec_;
  const RunOptions& options_;
  int port_ = 0;
  std::unique_ptr<TracedProgram> program_;
  std::map<std::string, CheckClient> clients_;
  std::map<std::string, int> closed_ports_;  // a client's own port, kept once it closed
  std::optional<int> fd_baseline_;
};

// ---- client checks: sockstep plays the server ---------------------------------------

class ClientCheck {
 public:
  ClientCheck(const CheckSpec& spec, const RunOptions& options) : spec_(spec), options_(options) {
    port_ = names_port(options.command) ? free_loopback_port() : options.port;
  }

  std::optional<Failure> run() {
    for (const Action& a : spec_.steps) {
      if (auto f = step(a)) return f;
    }
    return std::nullopt;
  }

  void finish() {
    if (program_) program_->stop();
    server_.stop();
    if (program_ && options_.keep_sessions) session = program_->events();
  }

  std::vector<Event> session;  // what the client did, when kept


 private:
  std::vector<std::string> command() const {
    std::vector<std::string> argv;
    for (const auto& arg : options_.command) argv.push_back(substitute_port(arg, port_));
    return argv;
  }

  std::optional<Failure> step(const Action& a) {
    if (a.kind == ActionKind::RunClient) return run_client(a);
    if (!program_) return failure("the check judges the client before run_client", "检查在 run_client 之前就评判客户端");
    switch (a.kind) {
      case ActionKind::ExpectWholeReply: return expect_whole_reply();
      case ActionKind::ExpectWholeSend: return expect_whole_send();
      case ActionKind::ExpectFailedExit: return expect_failed_exit();
      case ActionKind::ExpectClosesSocket: return expect_closes_socket();
      default: return failure("a server action in a client check", "客户端检查里出现了服务器动作");
    }
  }

  std::optional<Failure> run_client(const Action& a) {
    if (a.serve != ServeMode::Nothing) {
      if (const int err = server_.start(port_, a.serve); err != 0)
        return failure(fmt::format("sockstep could not listen on port {}: {}", port_, errno_name(err)),
                       fmt::format("sockstep 无法在端口 {} 上监听:{}", port_, errno_name(err)));
    }
    std::vector<std::string> env;
    if (const std::string faults = env_faults(spec_.faults); !faults.empty()) env.push_back(faults);
    program_ = std::make_unique<TracedProgram>(command(), env, options_.preload);
    if (!program_->start()) return failure(program_->error(), program_->error());
    const auto limit = within(a, kClientRunsWithin);
    program_->wait_until(
        [&] { return program_->exit_code().has_value() || (options_.interrupted && options_.interrupted()); },
        Clock::now() + limit);
    ran_out_ = !program_->exit_code();
    program_->stop();
    server_.stop();
    if (!program_->error().empty() && !program_->exit_code()) return failure(program_->error(), program_->error());
    limit_s_ = limit.count() / 1000.0;
    return std::nullopt;
  }

  // The client's connection to sockstep's server: the connect that named its port.
  const Event* connect_event() const {
    for (const Event& e : program_->events())
      if (e.kind == EventKind::Call && e.connect_started() && e.sock.peer.port == port_) return &e;
    return nullptr;
  }

  std::vector<std::string> calls_on(std::uint64_t inode) const {
    std::vector<std::string> out;
    for (const Event& e : program_->events())
      if (e.kind == EventKind::Call && e.sock.inode == inode) out.push_back(call_text("client", e));
    if (out.size() > kEvidenceCalls) out.erase(out.begin() + 1, out.end() - static_cast<std::ptrdiff_t>(kEvidenceCalls - 1));
    if (program_->exit_code()) out.push_back("client " + program_->exit_text());
    return out;
  }

  std::optional<Failure> no_connection() const {
    std::vector<std::string> evidence;
    if (program_->exit_code()) evidence.push_back("client " + program_->exit_text());
    return failure(fmt::format("the client never connected to port {}", port_),
                   fmt::format("客户端从未连接端口 {}", port_), evidence, "echo-tcp");
  }

  std::optional<Failure> still_running() const {
    if (!ran_out_) return std::nullopt;
    return failure(fmt::format("the client was still running {:.0f} s after it started, and was stopped", limit_s_),
                   fmt::format("客户端启动 {:.0f} 秒后仍在运行,已被停止", limit_s_));
  }

  std::optional<Failure> expect_whole_reply() {
    const Event* connect = connect_event();
    if (connect == nullptr) return no_connection();
    const auto conns = server_.connections();
    const std::size_t sent_back = conns.empty() ? 0 : conns.front().sent.size();
    const std::size_t sent = conns.empty() ? 0 : conns.front().received.size();
    std::vector<std::string> evidence = calls_on(connect->sock.inode);
    if (sent == 0) return failure("the client sent nothing to echo", "客户端什么也没发送,无从回显", evidence, "echo-tcp");
    std::size_t read = 0;
    for (const Event& e : program_->events())
      if (e.kind == EventKind::Call && e.sock.inode == connect->sock.inode && e.dir == Direction::In && e.ok())
        read += static_cast<std::size_t>(std::max<long long>(e.value, 0));
    if (read >= sent) return std::nullopt;
    if (auto f = still_running()) {
      f->evidence = evidence;
      return f;
    }
    return failure(fmt::format("the client read {} of the {} bytes sent back before it was done: the reply came in "
                               "pieces and it took what one recv() returned as all of it",
                               read, std::max(sent, sent_back)),
                   fmt::format("客户端结束前只读了送回的 {} 字节中的 {} 字节:回复是分几次到的,它把一次 recv() 的结果当成了全部",
                               std::max(sent, sent_back), read),
                   evidence);
  }

  std::optional<Failure> expect_whole_send() {
    const Event* connect = connect_event();
    if (connect == nullptr) return no_connection();
    const auto unfinished = unfinished_short_send(program_->events(), connect->sock.inode);
    if (!unfinished) return std::nullopt;
    return short_send_failure("the client", "客户端", *unfinished, calls_on(connect->sock.inode));
  }

  std::optional<Failure> expect_failed_exit() {
    std::vector<std::string> evidence;
    for (const Event& e : program_->events())
      if (e.kind == EventKind::Call && e.connect_started() == false && is_connect(e.call))
        evidence.push_back(call_text("client", e));
    if (evidence.size() > 3) {
      const std::size_t tries = evidence.size();
      evidence.erase(evidence.begin() + 1, evidence.end() - 1);
      evidence.insert(evidence.begin() + 1, fmt::format("... {} refused connects in all", tries));
    }
    if (ran_out_)
      return failure(fmt::format("nothing listened on port {} and the client was still running {:.0f} s later: it "
                                 "should give up and say so",
                                 port_, limit_s_),
                     fmt::format("端口 {} 上没有人监听,客户端 {:.0f} 秒后仍在运行:它应当放弃并说明原因", port_, limit_s_),
                     evidence);
    evidence.push_back("client " + program_->exit_text());
    if (*program_->exit_code() == 0)
      return failure("nothing listened and the client exited with status 0, as if it had worked: a script that runs "
                     "it cannot tell it failed",
                     "没有人监听,客户端却以状态 0 退出,好像成功了一样:调用它的脚本无从得知它失败了",
                     evidence);
    if (!program_->printed_something())
      return failure("nothing listened and the client exited without a word: say what went wrong",
                     "没有人监听,客户端一言不发就退出了:应当说明出了什么错", evidence);
    return std::nullopt;
  }

  std::optional<Failure> expect_closes_socket() {
    const Event* connect = connect_event();
    if (connect == nullptr) return no_connection();
    for (const Event& e : program_->events())
      if (e.kind == EventKind::Call && e.sock.inode == connect->sock.inode &&
          (e.call == Call::Close || e.call == Call::Shutdown) && e.ok())
        return std::nullopt;
    std::vector<std::string> evidence = calls_on(connect->sock.inode);
    if (auto f = still_running()) {
      f->evidence = evidence;
      return f;
    }
    return failure(fmt::format("the client {} with fd {} still open: it never closed its socket (the kernel did, "
                               "at exit)",
                               program_->exit_text(), connect->fd),
                   fmt::format("客户端{}时 fd {} 仍然打开:它从未关闭自己的套接字(是内核在进程退出时关闭的)",
                               program_->exit_text_zh(), connect->fd),
                   evidence);
  }

  const CheckSpec& spec_;
  const RunOptions& options_;
  int port_ = 0;
  CheckServer server_;
  std::unique_ptr<TracedProgram> program_;
  bool ran_out_ = false;
  double limit_s_ = 0;
};

}  // namespace

bool names_port(const std::vector<std::string>& command) {
  return std::any_of(command.begin(), command.end(), [](const std::string& a) { return a.find("{port}") != std::string::npos; });
}

Verdict run_check(const CheckSpec& spec, const RunOptions& options) {
  Verdict v;
  v.id = spec.id;
  v.role = spec.role;
  v.lesson = spec.lesson;
  v.title = spec.title;
  const auto started = Clock::now();
  std::optional<Failure> failed;
  if (spec.role == Role::Server) {
    ServerCheck check(spec, options);
    failed = check.run();
    check.finish();
    v.session = std::move(check.session);
  } else {
    ClientCheck check(spec, options);
    failed = check.run();
    check.finish();
    v.session = std::move(check.session);
  }
  v.passed = !failed.has_value();
  if (failed) {
    v.why = failed->why;
    v.evidence = failed->evidence;
    if (!failed->lesson.empty()) v.lesson = failed->lesson;
    v.decided_seq = failed->decided_seq;
  }
  // Without a call named by the failure, the program's last call is what it did last.
  if (!v.passed && v.decided_seq == 0)
    for (auto it = v.session.rbegin(); it != v.session.rend(); ++it)
      if (it->kind == EventKind::Call) {
        v.decided_seq = it->seq;
        break;
      }
  v.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return v;
}

}  // namespace sockstep::check
