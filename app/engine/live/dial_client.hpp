#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/log/address.hpp"
#include "engine/sockets/waker.hpp"
#include "engine/log/event_log.hpp"
#include "engine/sockets/socket_ops.hpp"

namespace sockstep {

// The lesson's client on its own thread, for the window: it connects, and sends each
// message it is handed and reads one reply (recv(1024), like the seed's client). A
// refused connect or a server that went away (EOF, ECONNRESET) closes the socket and
// leaves the errors in the log; the next send or a reconnect dials again.
class DialClient {
 public:
  DialClient(EventLog& log, Address target);
  ~DialClient();
  DialClient(const DialClient&) = delete;
  DialClient& operator=(const DialClient&) = delete;

  // Starts the thread and dials, then sends first_message if the call went through (a
  // refused dial is not tried again for it); on_done runs (on that thread) after each
  // request.
  void start(std::function<void()> on_done, std::optional<std::string> first_message = std::nullopt);
  void send(std::string message);
  void reconnect();
  // Wakes a call that waits (recv, connect) and joins the thread.
  void stop();
  // Requests carried out so far (the first connect counts as one).
  [[nodiscard]] int done() const { return done_.load(); }
  // The first request (the dial, and its message) did not go through: refused, no reply,
  // or stopped before it finished.
  [[nodiscard]] bool first_failed() const { return !first_went_through_.load(); }

 private:
  struct Request {
    bool reconnect = false;
    std::optional<std::string> message;
  };
  void run();
  void dial(OpContext& ctx);
  void hang_up(OpContext& ctx);

  EventLog& log_;
  Address target_;
  Waker waker_;
  int fd_ = -1;  // the thread's socket, -1 while not connected
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Request> requests_;
  bool stopping_ = false;
  std::function<void()> on_done_;
  std::atomic<int> done_{0};
  std::atomic<bool> first_went_through_{false};
};

}  // namespace sockstep
