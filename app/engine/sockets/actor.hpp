#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "engine/sockets/socket_ops.hpp"

namespace sockstep {

enum class ActorState { Idle, Running, Blocked };
[[nodiscard]] const char* actor_state_name(ActorState state);

struct ActorStatus {
  ActorState state = ActorState::Idle;
  BlockInfo blocked;        // valid while Blocked
  std::size_t jobs_done = 0;
};

// A named thread (server, client, client-2...) that runs the calls it is handed,
// one at a time, in order. Its waits can always be interrupted through cancel().
class Actor {
 public:
  using Job = std::function<void(OpContext&)>;

  Actor(std::string name, EventLog* log, std::function<void()> on_change = {});
  ~Actor();
  Actor(const Actor&) = delete;
  Actor& operator=(const Actor&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }
  // The kernel's id of the actor's thread (gettid), 0 until it has started: its
  // /proc/self/task/TID says what it does, e.g. which system call it sleeps in.
  [[nodiscard]] int tid() const { return tid_.load(); }
  // 0, or the errno with which the kernel refused this actor's thread (EAGAIN under a
  // process limit). Such an actor runs nothing: post() is not to be called on it.
  [[nodiscard]] int start_error() const { return start_error_; }
  void post(Job job);
  [[nodiscard]] ActorStatus status() const;
  // Waits until no job is queued or running: the actor is Idle, or Blocked in a call.
  // Returns the state reached, or Running on timeout.
  ActorState wait_settled(std::chrono::milliseconds timeout) const;
  // Waits until the job count reaches at least jobs_done and nothing is pending.
  bool wait_idle(std::chrono::milliseconds timeout) const;
  // Drops queued jobs, wakes a waiting call (it returns ECANCELED) and waits until idle.
  // A call woken in the kernel leaves its socket shut down: cancel() is for a reset.
  void cancel();
  // Runs job on the actor's thread and waits for it (used for cleanup after cancel()).
  void run_sync(Job job);

 private:
  void loop();
  void run_guarded(Job& job, OpContext& ctx);

  std::string name_;
  EventLog* log_;
  std::function<void()> on_change_;
  Waker waker_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<Job> queue_;
  ActorStatus status_;
  bool busy_ = false;
  bool stopping_ = false;
  int start_error_ = 0;
  std::atomic<int> tid_{0};
  std::thread thread_;
};

}  // namespace sockstep
