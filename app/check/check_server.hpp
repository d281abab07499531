#pragma once
// sockstep's own echo server in a client check, on a thread of its own: it echoes at
// once, or late and one byte at a time, and remembers what each connection moved.
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "check/check_spec.hpp"

namespace sockstep::check {

struct ServedConnection {
  int client_port = 0;
  std::string received;  // what the client sent
  std::string sent;      // what went back to it
  bool client_closed = false;
};

class CheckServer {
 public:
  CheckServer() = default;
  ~CheckServer();
  CheckServer(const CheckServer&) = delete;
  CheckServer& operator=(const CheckServer&) = delete;

  // Listens on 127.0.0.1:port and serves until stop(); 0 or the errno of bind/listen.
  int start(int port, ServeMode mode);
  void stop();
  [[nodiscard]] std::vector<ServedConnection> connections() const;

 private:
  void serve();

  ServeMode mode_ = ServeMode::Echo;
  int listener_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<ServedConnection> connections_;  // guarded by mutex_
};

}  // namespace sockstep::check
