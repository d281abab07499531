#include "engine/live/dial_client.hpp"

#include "engine/sockets/socket_ops.hpp"

namespace sockstep {

DialClient::DialClient(EventLog& log, Address target)
    : log_(log), target_(std::move(target)) {}

DialClient::~DialClient() {
  stop();
}

void DialClient::start(std::function<void()> on_done, std::optional<std::string> first_message) {
  on_done_ = std::move(on_done);
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(Request{true, std::move(first_message)});
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
  waker_.wake();
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
  OpContext ctx(&log_, "client", &waker_);
  for (;;) {
    Request request;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !requests_.empty(); });
      if (stopping_) break;
      request = std::move(requests_.front());
      requests_.pop_front();
    }
    // A message typed while hung up dials again first.
    if (request.reconnect || fd_ < 0) dial(ctx);
    bool went_through = fd_ >= 0;
    if (request.message && fd_ >= 0) {
      const CallResult sent = ops::send(ctx, fd_, *request.message);
      const CallResult reply = sent.ok() ? ops::recv(ctx, fd_, 1024) : sent;
      // EOF or an error: the server went away; this socket is done.
      if (reply.err == ECANCELED) break;  // stopped before its reply came
      went_through = reply.ok() && reply.value > 0;
      if (!went_through) hang_up(ctx);
    }
    if (done_ == 0) first_went_through_ = went_through;
    ++done_;
    if (on_done_) on_done_();
  }
  hang_up(ctx);
}

}  // namespace sockstep
