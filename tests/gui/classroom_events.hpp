#pragma once
// A class in serve's log, by hand: each student accepted by serve, then sending a line.
#include <string>

#include "engine/log/event_log.hpp"

namespace sockstep::test {

// Student i comes from 192.168.100.(100 + i) and says line(i).
template <class Line>
void accept_students(EventLog& log, int students, Line line) {
  for (int i = 0; i < students; ++i) {
    Event accept;
    accept.actor = "server";
    accept.call = Call::Accept;
    accept.fd = 3;
    accept.value = 10 + i;
    accept.sock.peer = Address{AF_INET, "192.168.100." + std::to_string(100 + i), 40000 + i, {}};
    log.append(accept);
    Event recv;
    recv.actor = "server";
    recv.call = Call::Recv;
    recv.dir = Direction::In;
    recv.fd = 10 + i;
    const std::string said = line(i);
    recv.value = static_cast<long long>(said.size());
    recv.bytes = Bytes(said);
    recv.byte_count = said.size();
    log.append(recv);
  }
}

inline void accept_students(EventLog& log, int students) {
  accept_students(log, students, [](int i) { return "student " + std::to_string(i) + " says hello\n"; });
}

}  // namespace sockstep::test
