#include "engine/lesson/session.hpp"

#include <dirent.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "engine/text/errno_names.hpp"
#include "engine/lesson/expectations.hpp"
#include "engine/sockets/port_probe.hpp"
#include "engine/lesson/predict.hpp"
#include "engine/lesson/step_runner.hpp"

namespace sockstep {
namespace {
// How long a step without a `blocks` expectation may take before it is shown as waiting.
constexpr std::chrono::milliseconds kSettle{500};
}  // namespace

Session::Session(Lesson lesson, SessionOptions options)
    : lesson_(std::move(lesson)), options_(std::move(options)), log_(options_.log_limits) {
  port_ = lesson_.port;
  choose_port();
  if (options_.on_change) {
    log_.set_listener([cb = options_.on_change](const Event&) { cb(); });
  }
  for (const auto& name : lesson_.actors)
    actors_[name] = std::make_unique<Actor>(name, &log_, options_.on_change);
  outcomes_.resize(lesson_.steps.size());
  if (!notice_.en.empty()) note(notice_);
  for (const auto& [name, a] : actors_)
    if (const int err = a->start_error(); err != 0)
      note(Text{"no thread for " + name + ": " + errno_name(err) + " (" + errno_message(err) +
                    "); its steps fail",
                "无法为 " + name + " 启动线程:" + errno_name(err) + "(" + errno_message(err) +
                    ");它的步骤都会失败"},
           NoteKind::Warning);
  keep_snapshot();
}

Session::~Session() {
  reset();
  actors_.clear();
  if (!unix_dir_.empty()) {
    // Only this session ever wrote here (0700): whatever a lesson left goes with it.
    if (DIR* dir = ::opendir(unix_dir_.c_str())) {
      const int dfd = ::dirfd(dir);
      while (const dirent* entry = ::readdir(dir))
        if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
          (void)::unlinkat(dfd, entry->d_name, 0);
      ::closedir(dir);
    }
    (void)::rmdir(unix_dir_.c_str());
  }
}

ForkedChild* Session::child_of(const std::string& actor) const {
  const auto it = children_.find(actor);
  return it == children_.end() ? nullptr : it->second.get();
}

unsigned long Session::inode_of(const std::string& actor, int fd) const {
  if (const ForkedChild* child = child_of(actor)) return child->socket_inode(fd);
  return socket_inode_of_fd(fd);
}

int Session::descriptors_of(unsigned long inode) const {
  if (inode == 0) return 0;
  int count = descriptors_in("self", inode);
  for (const auto& [name, child] : children_) count += child->descriptors_of(inode);
  return count;
}

Session::SocketSource Session::source_of(const std::string& actor, int fd) const {
  SocketSource source;
  source.fd = fd;
  source.child = child_of(actor);
  if (source.child != nullptr)
    if (const auto a = child_facts_.find(actor); a != child_facts_.end())
      if (const auto f = a->second.find(fd); f != a->second.end()) source.facts = f->second;
  return source;
}

SocketView Session::read_socket(const SocketSource& source) {
  const int fd = source.fd;
  if (source.child == nullptr) return inspect_socket(fd);
  SocketView view;
  view.fd = fd;
  const unsigned long inode = source.child->socket_inode(fd);
  if (inode == 0) {
    view.error = EBADF;
    return view;
  }
  const SocketFacts& facts = source.facts;
  view.family = facts.family;
  view.type = facts.type;
  view.local = facts.local;
  view.peer = facts.peer;
  view.state = "?";
  if (facts.local.port == 0) return view;
  for (const DiagSocket& d : diag_sockets({facts.local.port})) {
    if (d.inode != inode) continue;
    view.state = d.state;
    view.local = d.local;
    view.peer = d.peer;
    view.listening = d.listening();
    if (view.listening) {
      view.peer = {};  // sock_diag names a listener's peer 0.0.0.0:0; it has none
      view.accept_queue = d.rqueue;
      view.backlog = d.wqueue;
    } else {
      view.inq = d.rqueue;
      view.outq = d.wqueue;
    }
    view.rcvbuf = d.rcvbuf;
    view.sndbuf = d.sndbuf;
    break;
  }
  return view;
}

std::size_t Session::position() const {
  std::lock_guard lock(mutex_);
  return position_;
}

bool Session::finished() const { return position() >= lesson_.steps.size(); }

Actor& Session::actor(const std::string& name) { return *actors_.at(name); }

void Session::note(const Text& text, NoteKind kind) {
  Event event;
  event.kind = EventKind::Note;
  event.actor = "sockstep";
  event.note = kind;
  event.detail = text.en;
  event.args = text.zh;
  log_.append(std::move(event));
}

void Session::changed() const {
  if (options_.on_change) options_.on_change();
}

void Session::set_message(std::optional<std::string> message) {
  std::lock_guard lock(mutex_);
  options_.message = std::move(message);
}

std::optional<std::size_t> Session::step() {
  std::size_t index;
  {
    std::lock_guard lock(mutex_);
    if (position_ >= lesson_.steps.size()) return std::nullopt;
    index = position_++;
  }
  run_step(index);
  settle(index);
  keep_snapshot();
  changed();
  return index;
}

void Session::keep_snapshot() {
  if (!options_.keep_history) return;
  // The log's end first: every event up to it happened before the kernel is read.
  SnapshotAt at;
  at.after_seq = log_.next_seq() - 1;
  at.snap = snapshot();
  std::lock_guard lock(mutex_);
  history_.push_back(std::move(at));
}

std::vector<SnapshotAt> Session::history() const {
  std::lock_guard lock(mutex_);
  return history_;
}

void Session::run_step(std::size_t index) {
  Actor& own = actor(lesson_.steps[index].actor);
  if (const int err = own.start_error(); err != 0) {
    std::lock_guard lock(mutex_);
    auto& outcome = outcomes_[index];
    outcome.status = StepStatus::Done;
    outcome.result.value = -1;
    outcome.result.err = err;
    outcome.result.text = "the thread of " + own.name() + " could not be started";
    return;
  }
  own.post([this, index](OpContext& ctx) {
    StepRunner runner(*this, ctx);
    CallResult result = runner.run(index);
    std::lock_guard lock(mutex_);
    auto& outcome = outcomes_[index];
    outcome.status = result.err == ECANCELED ? StepStatus::Cancelled : StepStatus::Done;
    outcome.result = std::move(result);
    const auto it = blocked_step_.find(lesson_.steps[index].actor);
    if (it != blocked_step_.end() && it->second == static_cast<int>(index)) blocked_step_.erase(it);
  });
}

void Session::settle(std::size_t index) {
  const Step& step = lesson_.steps[index];
  const Expect& e = step.expect;
  Actor& own = actor(step.actor);
  std::vector<std::string> failures;
  if (e.blocks.value_or(false)) {
    own.wait_settled(options_.step_timeout);
  } else {
    own.wait_idle(e.blocks.has_value() ? options_.step_timeout : kSettle);
  }
  const bool returned = outcome(index).status != StepStatus::NotRun;
  if (e.blocks && *e.blocks && returned)
    failures.push_back(step.call + "() was expected to wait for the peer, but it returned at once");
  if (e.blocks && !*e.blocks && !returned)
    failures.push_back(step.call + "() was expected to return, but it is still waiting");
  if (!returned) {
    std::lock_guard lock(mutex_);
    outcomes_[index].status = StepStatus::Blocked;
    blocked_step_[step.actor] = static_cast<int>(index);
  }

  // A call this step made ready (connect -> accept, send -> recv) returns now. The
  // peer's kernel work can lag the call that caused it, so a named actor is awaited.
  for (auto& [name, other] : actors_) {
    if (name == step.actor) continue;
    const ActorStatus status = other->status();
    if (e.unblocks && *e.unblocks == name) {
      if (!other->wait_idle(options_.step_timeout))
        failures.push_back("expected this step to let " + name + "'s " + call_name(other->status().blocked.call) +
                           "() return, but it still waits");
      continue;
    }
    if (status.state == ActorState::Idle) continue;
    // A select() waits on each of its sockets: any of them ready lets it return.
    std::vector<pollfd> waits_on{{status.blocked.fd, status.blocked.events, 0}};
    for (const PollEntry& entry : status.blocked.watched) waits_on.push_back({entry.fd, entry.events, 0});
    // A forked child's fd is no fd of this process: only its own answer tells.
    const bool ready = status.state == ActorState::Running ||
                       (!status.blocked.remote && ::poll(waits_on.data(), waits_on.size(), 0) > 0);
    if (ready) other->wait_idle(kSettle);
  }

  // Remember every port the session's TCP sockets use, to find them after close().
  {
    std::lock_guard lock(mutex_);
    if (port_ != 0) ports_.insert(port_);
    for (const auto& [actor_name, vars] : sockets_)
      for (const auto& [var, fd] : vars) {
        const SocketView view = view_of(actor_name, fd);
        if (view.local.port != 0) ports_.insert(view.local.port);
        if (view.peer.port != 0) ports_.insert(view.peer.port);
        connections_.add(view.local, view.peer);
      }
    auto& outcome = outcomes_[index];
    outcome.failures.insert(outcome.failures.end(), failures.begin(), failures.end());
  }
  // Who waits where is true now, while this step's own call may still wait.
  if (!e.waits_in.empty()) {
    const std::vector<std::string> waits = check_waits(e, kernel_facts());
    std::lock_guard lock(mutex_);
    auto& outcome = outcomes_[index];
    outcome.failures.insert(outcome.failures.end(), waits.begin(), waits.end());
  }
  check_completed(index);
}

KernelFacts Session::kernel_facts() {
  KernelFacts facts;
  facts.socket = [this](const std::string& actor_name, const std::string& var) -> std::optional<SocketView> {
    std::lock_guard lock(mutex_);
    const auto& vars = sockets_[actor_name];
    const auto it = vars.find(var);
    if (it == vars.end()) return std::nullopt;
    return view_of(actor_name, it->second);
  };
  facts.socket_names = [this](const std::string& actor_name) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    for (const auto& [var, fd] : sockets_[actor_name]) names.push_back(var);
    return names;
  };
  facts.descriptors = [this](const std::string& actor_name, const std::string& var) {
    std::lock_guard lock(mutex_);
    const auto& vars = sockets_[actor_name];
    const auto it = vars.find(var);
    if (it == vars.end()) return -1;
    return descriptors_of(inode_of(actor_name, it->second));
  };
  facts.waiting = [this](const std::string& actor_name) {
    KernelFacts::Waiting w;
    const auto it = actors_.find(actor_name);
    if (it == actors_.end()) return w;
    const ActorStatus status = it->second->status();
    if (status.state == ActorState::Blocked) w.call = call_name(status.blocked.call);
    std::string task;
    {
      std::lock_guard lock(mutex_);
      if (const ForkedChild* child = child_of(actor_name)) task = "/proc/" + std::to_string(child->pid()) + "/syscall";
    }
    if (task.empty()) task = "/proc/self/task/" + std::to_string(it->second->tid()) + "/syscall";
    std::ifstream file(task);
    std::string first;
    if (file >> first) {
      w.kernel_read = true;
      // "running" while it runs; else the number of the call it sleeps in, then its arguments.
      if (first != "running") w.syscall = std::strtol(first.c_str(), nullptr, 10);
    }
    return w;
  };
  facts.process = [this](const std::string& actor_name) {
    std::lock_guard lock(mutex_);
    const ForkedChild* child = child_of(actor_name);
    return child == nullptr ? std::string() : child->process_state();
  };
  facts.orphans = [this] {
    std::lock_guard lock(mutex_);
    return orphan_sockets(ports_);
  };
  facts.last_console_line = [this](const std::string& actor_name) {
    std::lock_guard lock(mutex_);
    const auto& lines = console_[actor_name];
    return lines.empty() ? std::string() : lines.back();
  };
  return facts;
}

void Session::check_completed(std::size_t upto) {
  const KernelFacts facts = kernel_facts();
  for (std::size_t i = 0; i <= upto && i < lesson_.steps.size(); ++i) {
    StepOutcome current = outcome(i);
    if (current.status != StepStatus::Done || current.checked) continue;
    std::vector<std::string> found = check_expectations(lesson_.steps[i], current.result, facts);
    std::vector<std::size_t> right = judge_predict(lesson_.steps[i], current.result, facts);
    std::lock_guard lock(mutex_);
    auto& outcome = outcomes_[i];
    outcome.checked = true;
    outcome.predict_right = std::move(right);
    outcome.failures.insert(outcome.failures.end(), found.begin(), found.end());
  }
}

StepOutcome Session::outcome(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return index < outcomes_.size() ? outcomes_[index] : StepOutcome{};
}

std::vector<std::string> Session::failures() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < position_; ++i) {
    for (const auto& f : outcomes_[i].failures)
      out.push_back("step " + std::to_string(i + 1) + " (" + lesson_.steps[i].actor + " " +
                    lesson_.steps[i].call + "): " + f);
  }
  return out;
}

void Session::reset() {
  for (auto& [name, a] : actors_) a->cancel();
  {
    // A child's descriptors are its own: they close as it is killed and reaped, and the
    // numbers in this process may be other sockets.
    std::map<std::string, std::unique_ptr<ForkedChild>> children;
    {
      std::lock_guard lock(mutex_);
      children.swap(children_);
      for (const auto& [name, child] : children) sockets_[name].clear();
      child_facts_.clear();
    }
  }
  for (auto& [name, a] : actors_) {
    a->run_sync([this, name = name](OpContext& ctx) {
      const std::unique_lock no_reads(fd_reads_);  // see fd_reads_
      std::lock_guard lock(mutex_);
      for (const auto& [var, fd] : sockets_[name]) {
        // An abortive close leaves no TIME_WAIT behind, so the lesson restarts cleanly.
        const linger abort{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        ::close(fd);
        ctx.forget(fd);
      }
      sockets_[name].clear();
    });
  }
  {
    std::lock_guard lock(mutex_);
    // A bound AF_UNIX path outlives its socket; without this a replay gets EADDRINUSE.
    for (const auto& path : unix_paths_) ::unlink(path.c_str());
    unix_paths_.clear();
    position_ = 0;
    outcomes_.assign(lesson_.steps.size(), StepOutcome{});
    sockets_.clear();
    socket_steps_.clear();
    values_.clear();
    epoll_interest_.clear();
    console_.clear();
    blocked_step_.clear();
    ports_.clear();
    connections_.clear();
    closed_.clear();
    ipv6_noted_ = false;
    // Another program may have taken the port since the last run: the replay must not
    // dial it (its bind would fail, and its clients would call that program instead).
    choose_port();
    ++generation_;
  }
  log_.clear();
  if (!notice_.en.empty()) note(notice_);
  {
    std::lock_guard lock(mutex_);
    history_.clear();
  }
  keep_snapshot();
  changed();
}

void Session::choose_port() {
  if (port_ == 0 || port_is_free(port_)) return;
  port_ = free_port();
  const std::string p = std::to_string(lesson_.port);
  const std::string q = std::to_string(port_);
  notice_ = Text{"Port " + p + " is in use by another program; this session uses port " + q + " instead.",
                 "端口 " + p + " 已被其他程序占用;本次会话改用端口 " + q + "。"};
}

void Session::go_to(std::size_t count) {
  reset();
  count = std::min(count, lesson_.steps.size());
  while (position() < count) step();
}

void Session::back() {
  const std::size_t now = position();
  go_to(now == 0 ? 0 : now - 1);
}

void Session::run_to_end() {
  while (step()) {
  }
}

SessionSnapshot Session::snapshot() const {
  SessionSnapshot snap;
  std::vector<SocketSource> sources;  // one per card, read from the kernel once the lock is let go
  std::set<int> ports;
  const std::shared_lock reading(fd_reads_);
  std::unique_lock lock(mutex_);
  snap.generation = generation_;
  snap.position = position_;
  snap.step_count = lesson_.steps.size();
  snap.port = port_;
  snap.notice = notice_;
  snap.outcomes = outcomes_;
  for (const auto& name : lesson_.actors) {
    ActorView view;
    view.name = name;
    const ActorStatus status = actors_.at(name)->status();
    view.state = status.state;
    if (status.state == ActorState::Blocked) {
      view.blocked_in = call_name(status.blocked.call);
      const auto it = blocked_step_.find(name);
      view.blocked_step = it == blocked_step_.end() ? -1 : it->second;
    }
    if (const auto it = console_.find(name); it != console_.end()) view.console = it->second;
    if (const ForkedChild* child = child_of(name)) {
      view.pid = static_cast<int>(child->pid());
      view.process = child->process_state();
    }
    if (const auto it = sockets_.find(name); it != sockets_.end()) {
      for (const auto& [var, fd] : it->second) {
        if (epoll_interest_.contains(fd)) continue;  // an epoll instance: no socket card
        SocketCard card;
        card.actor = name;
        card.var = var;
        sources.push_back(source_of(name, fd));
        const auto& steps = socket_steps_.at(name);
        if (const auto s = steps.find(var); s != steps.end()) card.opened_step = s->second;
        if (status.state == ActorState::Blocked && status.blocked.waits_on(fd)) card.blocked_in = call_name(status.blocked.call);
        snap.sockets.push_back(std::move(card));
      }
    }
    snap.actors.push_back(std::move(view));
  }
  snap.closed = closed_;
  ports = ports_;
  // Its own connections: those seen after each step, and those open now.
  ConnectionSet own = connections_;
  lock.unlock();

  for (std::size_t i = 0; i < snap.sockets.size(); ++i) snap.sockets[i].view = read_socket(sources[i]);
  std::stable_sort(snap.sockets.begin(), snap.sockets.end(),
                   [](const SocketCard& a, const SocketCard& b) { return a.opened_step < b.opened_step; });
  snap.orphans = orphan_sockets(ports);
  for (const SocketCard& card : snap.sockets) own.add(card.view.local, card.view.peer);
  own.sort_orphans(snap.orphans);
  return snap;
}

}  // namespace sockstep
