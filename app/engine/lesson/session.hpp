#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/sockets/actor.hpp"
#include "engine/log/event_log.hpp"
#include "engine/sockets/forked_child.hpp"
#include "engine/inspect/inspect.hpp"
#include "engine/inspect/snapshot.hpp"
#include "engine/lesson/lesson.hpp"
#include "engine/lesson/py_value.hpp"

namespace sockstep {

struct KernelFacts;

struct SessionOptions {
  // Replaces the data of the first send/sendall whose data is a literal (editable message).
  std::optional<std::string> message;
  // How long a step may take before it is reported as still running. Only a broken
  // lesson waits this long; sanitizers on a loaded machine need the slack.
  std::chrono::milliseconds step_timeout{10000};
  // Called from any thread when something changed (GUI: glfwPostEmptyEvent).
  std::function<void()> on_change;
  EventLogLimits log_limits{};
  // Keep the snapshot after every step (and at the start), with where in the log it
  // falls: what a recording (session.sockstep) replays. Off by default: a snapshot reads
  // the kernel (a sock_diag dump walks the whole machine's TCP tables), and a replay
  // (back()) would take one per step: 1 ms becomes 200-300 ms (bench_replay).
  bool keep_history = false;
};

// Runs a lesson on real sockets: each step is handed to its actor's thread; a
// call that would block leaves its actor waiting while the learner goes on.
class Session {
 public:
  Session(Lesson lesson, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  [[nodiscard]] const Lesson& lesson() const { return lesson_; }
  [[nodiscard]] EventLog& events() { return log_; }
  [[nodiscard]] std::size_t position() const;
  [[nodiscard]] bool finished() const;
  [[nodiscard]] int port() const { return port_; }

  // Runs the next step; returns its index (or nullopt at the end).
  std::optional<std::size_t> step();
  void back();                    // reset, then replay all but the last step taken
  void reset();                   // every actor idle, every socket closed, log cleared
  void go_to(std::size_t count);  // reset, then replay count steps
  void run_to_end();
  void set_message(std::optional<std::string> message);

  [[nodiscard]] SessionSnapshot snapshot() const;
  // With keep_history: the snapshot at the start and after each step taken since the
  // last reset, oldest first. Empty without it.
  [[nodiscard]] std::vector<SnapshotAt> history() const;
  // Turns keep_history on or off from the next reset or step on (the window turns it on
  // for the replay File > Export makes, and off again).
  void keep_history(bool on) { options_.keep_history = on; }
  [[nodiscard]] StepOutcome outcome(std::size_t index) const;
  // Every step taken so far whose expectations did not hold, as "step N: ...".
  [[nodiscard]] std::vector<std::string> failures() const;

 private:
  // The lesson's port, or a free one (with a notice) while another program holds it.
  void choose_port();
  void run_step(std::size_t index);
  void settle(std::size_t index);
  void check_completed(std::size_t index);
  // What the checks read from the kernel, for this session's actors and sockets.
  [[nodiscard]] KernelFacts kernel_facts();
  void note(const Text& text, NoteKind kind = NoteKind::Info);
  // Where the kernel's view of an actor's fd is read from: this process's fd, or a forked
  // child's, which is in the child's table and is read by its inode (/proc/PID/fd) with
  // sock_diag, its addresses as the child's calls reported them.
  struct SocketSource {
    int fd = -1;
    const ForkedChild* child = nullptr;
    SocketFacts facts;  // a child's socket
  };
  // With mutex_ held.
  [[nodiscard]] SocketSource source_of(const std::string& actor, int fd) const;
  // Reads the kernel; needs no lock (snapshot() calls it after letting mutex_ go, so that
  // no step waits on a netlink round trip).
  [[nodiscard]] static SocketView read_socket(const SocketSource& source);
  // With mutex_ held: both of the above.
  [[nodiscard]] SocketView view_of(const std::string& actor, int fd) const { return read_socket(source_of(actor, fd)); }
  // With mutex_ held: the inode of the socket an actor's fd refers to, 0 if none.
  [[nodiscard]] unsigned long inode_of(const std::string& actor, int fd) const;
  // With mutex_ held: how many descriptors, in this process and in its forked children,
  // refer to the socket with this inode.
  [[nodiscard]] int descriptors_of(unsigned long inode) const;
  [[nodiscard]] ForkedChild* child_of(const std::string& actor) const;  // mutex_ held
  void changed() const;
  void keep_snapshot();
  Actor& actor(const std::string& name);

  friend class StepRunner;

  Lesson lesson_;
  SessionOptions options_;
  EventLog log_;
  int port_ = 0;
  Text notice_;
  std::map<std::string, std::unique_ptr<Actor>> actors_;

  // Held shared while snapshot() reads the kernel for the fds it collected, and exclusively
  // while a step closes an fd, so that an fd being read is never closed and reused under
  // the read (its card would show another socket). Taken before mutex_.
  mutable std::shared_mutex fd_reads_;
  mutable std::mutex mutex_;  // guards everything below
  std::size_t position_ = 0;
  std::vector<StepOutcome> outcomes_;
  std::map<std::string, std::map<std::string, int>> sockets_;          // actor -> var -> fd
  std::map<std::string, std::map<std::string, int>> socket_steps_;     // actor -> var -> step
  std::map<std::string, std::map<std::string, PyValue>> values_;       // actor -> var -> value
  std::map<std::string, std::vector<std::string>> console_;
  std::map<std::string, int> blocked_step_;                            // actor -> step
  // Each epoll instance's interest set as epoll_ctl left it: epoll fd -> fd -> mask
  // (every epoll fd of the session has an entry, so none is shown as a socket).
  std::map<int, std::map<int, unsigned>> epoll_interest_;
  std::set<int> ports_;          // ports this session's TCP sockets used (for orphans)
  ConnectionSet connections_;    // the connections its sockets had (to tell its orphans from older ones)
  std::vector<SocketCard> closed_;  // what each close step closed, as it was just before
  std::set<std::string> unix_paths_;  // AF_UNIX files this session's binds created
  // The session's own folder for AF_UNIX files (mkdtemp, mode 0700), made on first use:
  // a lesson's socket files live there and nowhere else. Empty until then.
  std::string unix_dir_;
  std::uint64_t generation_ = 1;
  // Forked children, by the actor that stands for each; their descriptors' facts as
  // they were at the fork (the parent may close and reuse the numbers).
  std::map<std::string, std::unique_ptr<ForkedChild>> children_;
  std::map<std::string, std::map<int, SocketFacts>> child_facts_;
  std::atomic<bool> ipv6_noted_{false};  // said once per run that IPv6 is off here
  std::vector<SnapshotAt> history_;  // guarded by mutex_
};

}  // namespace sockstep
