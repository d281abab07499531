#include "cli/dial_client.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "engine/socket_ops.hpp"

namespace sockstep::cli {

DialClient::DialClient(EventLog& log, Address target)
    : log_(log), target_(std::move(target)), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

DialClient::~DialClient() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void DialClient::start(std::function<void()> on_done) {
  on_done_ = std::move(on_done);
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(Request{true, {}});
  }
  thread_ = std::thread([this] { run(); });
}

void DialClient::send(std::string message) {
  std::lock_guard lock(mutex_);
  requests_.push_back(Request{false, std::move(message)});
  changed_.notify_one();
}

void DialClient::reconnect() {
  std::lock_guard lock(mutex_);
  requests_.push_back(Request{true, {}});
  changed_.notify_one();
}

void DialClient::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    changed_.notify_one();
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

void DialClient::hang_up(OpContext& ctx) {
  if (fd_ < 0) return;
  (void)ops::close(ctx, fd_);
  fd_ = -1;
}

void DialClient::dial(OpContext& ctx) {
  hang_up(ctx);
  const CallResult sock = ops::socket(ctx, target_.family, SOCK_STREAM);
  if (!sock.ok()) return;
  fd_ = static_cast<int>(sock.value);
  // A refused connect (ECONNREFUSED) is in the log; the socket is of no more use.
  if (!ops::connect(ctx, fd_, target_).ok()) hang_up(ctx);
}

void DialClient::run() {
  OpContext ctx(&log_, "client", wake_fd_);
  for (;;) {
    Request request;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !requests_.empty(); });
      if (stopping_) break;
      request = std::move(requests_.front());
      requests_.pop_front();
    }
    if (request.reconnect) {
      dial(ctx);
    } else {
      if (fd_ < 0) dial(ctx);
      if (fd_ >= 0) {
        const CallResult sent = ops::send(ctx, fd_, request.message);
        const CallResult reply = sent.ok() ? ops::recv(ctx, fd_, 1024) : sent;
        // EOF or an error: the server went away; this socket is done.
        if (reply.err == ECANCELED) break;
        if (!reply.ok() || reply.value == 0) hang_up(ctx);
      }
    }
    ++done_;
    if (on_done_) on_done_();
  }
  hang_up(ctx);
}

}  // namespace sockstep::cli
