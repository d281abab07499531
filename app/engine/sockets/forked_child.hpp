#pragma once
#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sockets/waker.hpp"

namespace sockstep {

// What a forked child's call returned, as its kernel returned it.
struct ChildAnswer {
  long long value = 0;
  int err = 0;         // errno; ECANCELED: the parent's wait was woken; ESRCH: the child is gone
  std::string bytes;   // recv: what it read
};

// A lesson's fork-per-client server: fork() makes a real copy of this process. The child
// holds copies of the descriptors the forking actor held (the listener, the connection)
// and makes the calls it is asked for, one at a time, over a socketpair, in its own
// process: its close() drops its own descriptor, its recv() sleeps in its own kernel call.
//
// Lesson actors are threads of one process, so the child closes every descriptor other
// than the forking actor's (and its channel): its fd table is what a real server's child
// has, not the copies of the lesson's clients' sockets. After fork() in a threaded
// program the child may only make async-signal-safe calls (fork(2)): its side uses
// system calls and static memory only, never malloc or a lock.
class ForkedChild {
 public:
  enum class Op : int { Recv, Send, Sendall, Close, Shutdown, Exit };

  // fork(). keep: the descriptors the child keeps. nullptr with err set when the kernel
  // refused (EAGAIN under a process limit, ENOMEM).
  [[nodiscard]] static std::unique_ptr<ForkedChild> start(const std::vector<int>& keep, int& err);
  ~ForkedChild();  // a child not reaped yet is killed (SIGKILL) and reaped
  ForkedChild(const ForkedChild&) = delete;
  ForkedChild& operator=(const ForkedChild&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }

  // Asks the child to make one call on its fd and waits for the answer. arg: recv's
  // buffer size, shutdown's how, exit's status; flags: recv's MSG_WAITALL. on_wait runs
  // once the child found that the call must wait and waits in it (a blocking socket).
  // Exit answers once the child is gone (a zombie until reaped): value is the status.
  [[nodiscard]] ChildAnswer call(Op op, int fd, long long arg, int flags, std::string_view data, Waker* waker,
                                 const std::function<void()>& on_wait);

  // waitpid(pid, &status, options): the pid reaped, 0 (WNOHANG, still running) or -1
  // with err. Without WNOHANG it waits (on a pidfd, woken by waker: ECANCELED), having
  // run on_wait first.
  [[nodiscard]] ChildAnswer wait(int options, int& status, Waker* waker, const std::function<void()>& on_wait);

  [[nodiscard]] bool reaped() const { return reaped_; }
  // "running", "zombie" (exited, not reaped) or "reaped", from /proc/PID/stat while the
  // pid is still this child's (until it is reaped no other process can have it).
  [[nodiscard]] std::string process_state() const;
  // The inode of the socket the child's fd refers to (/proc/PID/fd/N), 0 if it holds none.
  [[nodiscard]] unsigned long socket_inode(int fd) const;
  // How many of the child's descriptors refer to the socket with this inode.
  [[nodiscard]] int descriptors_of(unsigned long inode) const;

 private:
  ForkedChild(pid_t pid, int channel, int pidfd) : pid_(pid), channel_(channel), pidfd_(pidfd) {}
  void await_exit(int timeout_ms) const;

  pid_t pid_;
  int channel_;
  int pidfd_;
  // Written by the thread that makes its calls, read by any (a snapshot, a check).
  std::atomic<bool> reaped_{false};
  std::atomic<bool> gone_{false};  // its channel closed: it exited (or was killed)
};

// The inode of the socket this process's fd refers to (fstat), 0 if none.
[[nodiscard]] unsigned long socket_inode_of_fd(int fd);
// How many descriptors in /proc/PID/fd ("self" for this process) refer to the socket.
[[nodiscard]] int descriptors_in(const std::string& pid, unsigned long inode);

}  // namespace sockstep
