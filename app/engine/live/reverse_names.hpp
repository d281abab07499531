#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace sockstep {

// The names a LAN gives its machines' addresses (getnameinfo with NI_NAMEREQD: /etc/hosts,
// DNS PTR records), looked up on a thread of their own so a slow or absent DNS server
// never holds up a frame. Each address is looked up once and the answer kept.
class ReverseNames {
 public:
  enum class Status { Pending, Named, Unnamed };
  struct Answer {
    Status status = Status::Pending;
    std::string name;  // Named: the host's name
  };

  // on_answer: called on the lookup thread after each answer (the window redraws).
  // max_kept: beyond this many addresses, new ones are answered Unnamed without a lookup.
  explicit ReverseNames(std::function<void()> on_answer = {}, std::size_t max_kept = 4096);
  ~ReverseNames();  // waits for the lookup under way, if any (the resolver's own timeout)
  ReverseNames(const ReverseNames&) = delete;
  ReverseNames& operator=(const ReverseNames&) = delete;

  // The answer so far for a numeric host ("10.0.0.7", "::1"); the first call asks for a
  // lookup and returns Pending at once. Thread-safe, never waits.
  [[nodiscard]] Answer lookup(const std::string& host);

 private:
  void run();

  std::function<void()> on_answer_;
  std::size_t max_kept_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Answer> answers_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread thread_;  // started on the first lookup
};

// One lookup, on the calling thread: the name of a numeric host, "" when it has none.
[[nodiscard]] std::string reverse_name(const std::string& host);

}  // namespace sockstep
