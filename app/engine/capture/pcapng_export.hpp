#pragma once
// A session's packets as pcapng, each packet a call sent commented with that call
// ("client fd 3 connect(('127.0.0.1', 8084)) -> 0"): Wireshark shows the comment in the
// packet list and `tshark -e frame.comment` prints it.
#include <string>
#include <vector>

#include "engine/log/event.hpp"

namespace sockstep {

// "client fd 3 send(b'hello') -> 5": a call as a packet's comment names it.
[[nodiscard]] std::string packet_comment(const Event& call);

// Reads the pcap file the capture wrote (pcap_in) and writes it to out as pcapng, one
// interface, with the comment of the call that sent each packet (events: the session's
// log, its Packet events linked to calls by caused_by). False with why set on failure.
[[nodiscard]] bool write_commented_pcapng(const std::string& pcap_in, const std::string& out,
                                          const std::vector<Event>& events, std::string& why);

}  // namespace sockstep
