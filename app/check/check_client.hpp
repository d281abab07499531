#pragma once
// One of sockstep's own clients in a server check: a non-blocking TCP socket on
// loopback that sends what it is told and keeps every byte it gets back.
#include <chrono>
#include <functional>
#include <string>

#include "engine/log/address.hpp"

namespace sockstep::check {

class CheckClient {
 public:
  CheckClient() = default;
  ~CheckClient();
  CheckClient(CheckClient&& other) noexcept;
  CheckClient& operator=(CheckClient&& other) noexcept;

  // Connects to 127.0.0.1:port, waiting at most `within`; 0 or the errno.
  int connect(int port, std::chrono::milliseconds within, int rcvbuf = 0);
  // Bytes to send: they leave as the kernel takes them, in as few writes as it allows.
  void queue(const std::string& bytes);
  // Sends what is queued and reads what arrives until done() is true, the peer closed or
  // reset, or `within` passed; returns done().
  bool pump(const std::function<bool()>& done, std::chrono::milliseconds within);
  // Sends what is queued and reads nothing for `during`: a reader that is slow.
  void stall(std::chrono::milliseconds during);
  void close();  // FIN
  void reset();  // SO_LINGER {1, 0}, then close: RST

  [[nodiscard]] bool open() const { return fd_ >= 0; }
  [[nodiscard]] const Address& local() const { return local_; }
  [[nodiscard]] const std::string& sent() const { return sent_; }
  [[nodiscard]] const std::string& received() const { return received_; }
  [[nodiscard]] std::size_t unsent() const { return queued_.size() - queued_at_; }
  [[nodiscard]] bool eof() const { return eof_; }  // the server closed its end
  // Reads what is there without waiting: true if the server's FIN has arrived.
  [[nodiscard]] bool peer_closed();
  [[nodiscard]] int error() const { return error_; }  // ECONNRESET, EPIPE...

 private:
  void send_queued();  // one send() of what is queued, as much as the kernel takes

  int fd_ = -1;
  Address local_;
  std::string queued_;
  std::size_t queued_at_ = 0;
  std::string sent_;
  std::string received_;
  bool eof_ = false;
  int error_ = 0;
};

// A loopback port nothing listens on now (the kernel picks it).
[[nodiscard]] int free_loopback_port();

}  // namespace sockstep::check
