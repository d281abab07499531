#pragma once
#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "engine/log/event_log.hpp"

namespace sockstep {

// Which call sent a packet, told from the call events logged so far. A call event is
// logged when the call returns, so the call that was running when a packet left is the
// first call on that socket logged at or after the packet's kernel time. It is the cause
// only if it is a call that sends such a packet:
//   SYN -> connect/connect_ex, data (PSH, UDP) -> a call that sends bytes,
//   FIN -> close/shutdown, RST -> close/shutdown (SO_LINGER 0, unread data).
// ACK and SYN-ACK come from the kernel on its own and link to nothing. Sockets are told
// apart by the names the events carry (SocketFacts): both ends of a connection, or the
// local name of an unconnected datagram socket.
class PacketLinker {
 public:
  // Feed every event in log order (packets are ignored).
  void learn(const Event& event);
  // seq of the causing call, or 0 when it cannot be told (yet).
  [[nodiscard]] std::uint64_t cause(const Event& packet) const;
  // True while a socket that may have sent it has logged no call since it left: the call
  // that sent it is still running (or not logged yet), so cause() may know more later.
  // Also true for a packet from a listener's port while no socket of that connection is
  // known: its accept() is not logged yet.
  [[nodiscard]] bool may_learn_more(const Event& packet) const;
  // "client connect()" for the call with this seq, if it is still known.
  [[nodiscard]] std::string describe(std::uint64_t seq) const;
  // A trace's connects, sends, closes and shutdowns are stamped with when they began (so
  // a send sorts before the recv it woke, a close before the recv that saw its FIN), not
  // when they returned: then a packet was sent by the last such call begun before it left.
  void sends_stamped_at_start(bool yes) { sends_at_start_ = yes; }
  // Every port a socket of the session was seen to use.
  [[nodiscard]] const std::set<int>& ports() const { return ports_; }

 private:
  struct CallSeen {
    std::uint64_t seq = 0;
    std::int64_t t_us = 0;
    Call call = Call::None;
  };
  struct Socket {
    std::string actor;
    int fd = -1;
    Address local;
    Address peer;  // connected sockets only
    bool listening = false;
    bool open = true;
    std::deque<CallSeen> calls;  // the newest few
  };
  Socket& socket_of(const std::string& actor, int fd);
  Socket& new_socket(const std::string& actor, int fd);
  void note(Address& slot, const Address& address);
  [[nodiscard]] static bool may_have_sent(const Socket& s, const PacketFields& p, bool unknown_too);

  std::deque<Socket> sockets_;  // bounded: the oldest closed ones are forgotten
  std::set<int> ports_;
  bool sends_at_start_ = false;
};

}  // namespace sockstep
