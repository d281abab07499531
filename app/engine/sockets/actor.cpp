#include "engine/sockets/actor.hpp"

#include <unistd.h>

#include <cerrno>
#include <exception>
#include <system_error>

namespace sockstep {

const char* actor_state_name(ActorState state) {
  switch (state) {
    case ActorState::Idle: return "idle";
    case ActorState::Running: return "running";
    case ActorState::Blocked: return "blocked";
  }
  return "?";
}

Actor::Actor(std::string name, EventLog* log, std::function<void()> on_change)
    : name_(std::move(name)), log_(log), on_change_(std::move(on_change)) {
  // Under a process or thread limit the kernel may refuse the thread (EAGAIN): the actor
  // then exists without one, says why, and its steps fail with that errno instead of
  // the program ending on an uncaught exception.
  try {
    thread_ = std::thread([this] { loop(); });
  } catch (const std::system_error& e) {
    start_error_ = e.code().value() != 0 ? e.code().value() : EAGAIN;
  }
}

Actor::~Actor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  waker_.wake();
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Actor::post(Job job) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
  }
  changed_.notify_all();
}

ActorStatus Actor::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

ActorState Actor::wait_settled(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  const bool settled = changed_.wait_for(lock, timeout, [this] {
    return queue_.empty() && (!busy_ || status_.state == ActorState::Blocked);
  });
  return settled ? status_.state : ActorState::Running;
}

bool Actor::wait_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

void Actor::cancel() {
  {
    std::lock_guard lock(mutex_);
    queue_.clear();
  }
  // Every wait can be woken, so the running job returns promptly; its sockets are done.
  waker_.wake();
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !busy_; });
  }
  waker_.rearm();
}

void Actor::run_sync(Job job) {
  if (start_error_ != 0) {  // no thread: nothing of this actor runs anywhere, so here is safe
    OpContext ctx(log_, name_, &waker_);
    job(ctx);
    return;
  }
  std::mutex done_mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::exception_ptr failed;
  post([&](OpContext& ctx) {
    try {
      job(ctx);
    } catch (...) {
      failed = std::current_exception();  // the caller's to handle, on its own thread
    }
    std::lock_guard lock(done_mutex);
    done = true;
    done_cv.notify_all();
  });
  std::unique_lock lock(done_mutex);
  done_cv.wait(lock, [&] { return done; });
  if (failed) std::rethrow_exception(failed);
}

// A job that throws (a bug, or memory that ran out) ends that job, not the program: the
// actor says so in the log and takes the next one.
void Actor::run_guarded(Job& job, OpContext& ctx) {
  std::string what;
  try {
    job(ctx);
    return;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "an unknown exception";
  }
  if (log_ == nullptr) return;
  Event e;
  e.kind = EventKind::Note;
  e.note = NoteKind::Error;
  e.actor = name_;
  e.detail = name_ + "'s call ended with an internal error (" + what + "); its next steps still run";
  e.args = name_ + " 的调用因内部错误结束(" + what + ");后面的步骤照常进行";
  log_->append(std::move(e));
}

void Actor::loop() {
  tid_ = static_cast<int>(::gettid());
  OpContext ctx(log_, name_, &waker_);
  ctx.on_block = [this](const BlockInfo& info) {
    {
      std::lock_guard lock(mutex_);
      status_.state = ActorState::Blocked;
      status_.blocked = info;
    }
    changed_.notify_all();
    if (on_change_) on_change_();
  };
  ctx.on_unblock = [this] {
    {
      std::lock_guard lock(mutex_);
      status_.state = ActorState::Running;
      status_.blocked = {};
    }
    changed_.notify_all();
  };
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      status_.state = ActorState::Running;
    }
    run_guarded(job, ctx);
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
      status_.state = ActorState::Idle;
      ++status_.jobs_done;
    }
    changed_.notify_all();
    if (on_change_) on_change_();
  }
}

}  // namespace sockstep
