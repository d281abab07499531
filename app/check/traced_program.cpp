#include "check/traced_program.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "trace/tracer.hpp"

namespace sockstep::check {

TracedProgram::TracedProgram(std::vector<std::string> argv, std::vector<std::string> env, std::string preload)
    : argv_(std::move(argv)), env_(std::move(env)), preload_(std::move(preload)) {}

TracedProgram::~TracedProgram() {
  stop();
  for (int fd : stop_pipe_)
    if (fd >= 0) ::close(fd);
}

bool TracedProgram::start() {
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
    error_ = "pipe failed";
    return false;
  }
  thread_ = std::thread([this] {
    trace::TraceOptions options;
    options.commands = {argv_};
    options.preload = preload_;
    options.env = env_;
    options.stop_fd = stop_pipe_[0];
    const trace::TraceResult result = trace::run_trace(options, log_);
    run_error_ = result.error;
    finished_.store(true, std::memory_order_release);
    // Wakes a reader waiting for an event: the end is news too.
    Event done;
    done.kind = EventKind::Note;
    done.actor = "check";
    log_.append(std::move(done));
  });
  return true;
}

void TracedProgram::stop() {
  if (!thread_.joinable()) return;
  if (!finished_.load(std::memory_order_acquire)) {
    stopped_ = true;
    const char byte = 's';
    (void)!::write(stop_pipe_[1], &byte, 1);
  }
  thread_.join();
  refresh();
  if (!run_error_.empty() && error_.empty()) error_ = run_error_;
}

void TracedProgram::take(const Event& e) {
  if (e.kind == EventKind::Print) printed_ = true;
  if (e.kind == EventKind::Call && e.call == Call::Listen && e.ok() && !port_) {
    port_ = e.sock.local.port;
    listener_pid_ = e.pid;
  }
  if (e.kind == EventKind::Note && e.note == NoteKind::Exit && !exit_code_) {
    exit_code_ = static_cast<int>(e.value);
    exit_text_ = e.detail;
    exit_text_zh_ = e.args;
  }
  events_.push_back(e);
}

void TracedProgram::refresh(std::chrono::milliseconds wait) {
  if (wait.count() > 0 && log_.next_seq() <= next_seq_) log_.wait_for(next_seq_, wait);
  next_seq_ = log_.visit_since(next_seq_, [this](const Event& e) { take(e); });
  if (finished_.load(std::memory_order_acquire) && !exit_code_ && !run_error_.empty()) error_ = run_error_;
}

void TracedProgram::settle() {
  refresh();
  if (exit_code_) {
    // Ended: its tracer is finishing (what it left behind is being stopped); wait for it.
    wait_until([this] { return finished_.load(std::memory_order_acquire); }, Clock::now() + std::chrono::seconds(5));
    return;
  }
  // Longer than the tracer's sorting window (20 ms), with room for a busy machine.
  const auto until = Clock::now() + std::chrono::milliseconds(60);
  while (Clock::now() < until)
    refresh(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()) + std::chrono::milliseconds(1));
}

bool TracedProgram::wait_until(const std::function<bool()>& done, Clock::time_point deadline) {
  refresh();
  // Each wait ends at the next event or at the deadline, so this loop runs once per
  // batch of events, and at most once more.
  while (!done()) {
    const auto now = Clock::now();
    if (now >= deadline) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1);
    refresh(std::min(left, std::chrono::milliseconds(100)));
  }
  return true;
}

const Event* TracedProgram::failed_listen() const {
  for (auto it = events_.rbegin(); it != events_.rend(); ++it)
    if (it->kind == EventKind::Call && (it->call == Call::Bind || it->call == Call::Listen) && !it->ok()) return &*it;
  return nullptr;
}

}  // namespace sockstep::check
