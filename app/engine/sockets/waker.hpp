#pragma once
#include <atomic>

namespace sockstep {

// Ends the wait of a call made through the engine's ops, for a reset or a stop.
//
// A call waits the way Python's socket module waits. With a timeout (and for connect) it
// waits in poll() on its fd and on this waker's eventfd. In plain blocking mode the thread
// sits in the real system call, as the program being taught would: the kernel wakes it,
// with nothing in between. wake() ends such a call by shutting its socket down, so a
// woken socket is finished: wake() is for tearing a session down, never for going on.
//
// wake() only writes atomics and makes system calls: it is safe in a signal handler.
class Waker {
 public:
  Waker();
  ~Waker();
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;

  // Readable once wake() was called: for poll() sets (-1 if no eventfd could be made).
  [[nodiscard]] int fd() const { return fd_; }
  void wake();
  [[nodiscard]] bool woken() const { return woken_.load(); }
  // Ready for the next session: the woken call has returned.
  void rearm();

  // Around a call that may sit in the kernel on fd. enter() is false when wake() came
  // first: the call must not start. Between enter() and leave(), wake() shuts fd down.
  [[nodiscard]] bool enter(int fd);
  void leave();

 private:
  int fd_;
  std::atomic<bool> woken_{false};
  std::atomic<int> waiting_fd_{-1};
};

}  // namespace sockstep
