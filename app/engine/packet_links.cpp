#include "engine/packet_links.hpp"

#include <algorithm>
#include <cctype>

namespace sockstep {
namespace {

constexpr std::size_t kCallsPerSocket = 32;
constexpr std::size_t kMaxSockets = 512;

int digits_at(std::string_view text, std::size_t at) {
  int port = 0;
  std::size_t n = 0;
  while (at + n < text.size() && n < 6 && std::isdigit(static_cast<unsigned char>(text[at + n])) != 0)
    port = port * 10 + (text[at + n++] - '0');
  return n > 0 && n <= 5 && port <= 65535 ? port : 0;
}

bool fits(const std::string& label, const std::string& call) {
  if (label == "SYN") return call == "connect" || call == "connect_ex";
  if (label == "PSH" || label == "UDP")
    return call == "send" || call == "sendall" || call == "sendto" || call == "sendmsg" || call == "write";
  if (label == "FIN" || label == "RST") return call == "close" || call == "shutdown";
  return false;
}

bool sent_by_a_call(const std::string& label) {
  return label == "SYN" || label == "PSH" || label == "UDP" || label == "FIN" || label == "RST";
}

}  // namespace

int port_in_text(std::string_view text) {
  // Python's tuple: the number after the quoted host.
  if (const auto quote = text.find("', "); quote != std::string_view::npos && text.find("('") != std::string_view::npos)
    return digits_at(text, quote + 3);
  // host:port, the first such word: skip a leading word such as "from" or "on".
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find_first_of(" ,(", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    const auto colon = word.rfind(':');
    if (colon != std::string_view::npos && (word.find('.') != std::string_view::npos || word.find(']') != std::string_view::npos))
      return digits_at(word, colon + 1);
    start = end + 1;
  }
  return 0;
}

PacketLinker::Socket& PacketLinker::new_socket(const std::string& actor, int fd) {
  for (Socket& s : sockets_)
    if (s.open && s.actor == actor && s.fd == fd) s.open = false;  // the fd was reused unseen
  if (sockets_.size() >= kMaxSockets) {
    const auto closed = std::find_if(sockets_.begin(), sockets_.end(), [](const Socket& s) { return !s.open; });
    sockets_.erase(closed != sockets_.end() ? closed : sockets_.begin());
  }
  sockets_.push_back(Socket{actor, fd, 0, 0, false, true, {}});
  return sockets_.back();
}

PacketLinker::Socket& PacketLinker::socket_of(const std::string& actor, int fd) {
  for (auto it = sockets_.rbegin(); it != sockets_.rend(); ++it)
    if (it->open && it->actor == actor && it->fd == fd) return *it;
  return new_socket(actor, fd);
}

void PacketLinker::note_port(int& slot, int port) {
  if (port <= 0) return;
  slot = port;
  ports_.insert(port);
}

void PacketLinker::learn(const Event& e) {
  if (e.kind != EventKind::Call || !e.ok()) return;
  if (e.call == "socket") {
    (void)new_socket(e.actor, static_cast<int>(e.value));
    return;
  }
  if (e.fd < 0) return;
  if (e.call == "accept") {
    // The new connection: its peer first in detail, and " on LOCAL" when a tracer says it.
    Socket& conn = new_socket(e.actor, static_cast<int>(e.value));
    note_port(conn.peer_port, port_in_text(e.detail));
    if (const auto on = e.detail.find(" on "); on != std::string::npos)
      note_port(conn.local_port, port_in_text(std::string_view(e.detail).substr(on + 4)));
  }
  Socket& s = socket_of(e.actor, e.fd);
  if (e.call == "bind" || e.call == "getsockname") {
    note_port(s.local_port, port_in_text(e.call == "bind" ? e.args : e.detail));
  } else if (e.call == "listen") {
    s.listening = true;
    note_port(s.local_port, port_in_text(e.detail));
  } else if (e.call == "connect" || e.call == "connect_ex") {
    note_port(s.peer_port, port_in_text(e.args));
    if (e.detail.rfind("from ", 0) == 0) note_port(s.local_port, port_in_text(e.detail));
  }
  s.calls.push_back(Call{e.seq, e.t_us, e.call});
  if (s.calls.size() > kCallsPerSocket) s.calls.pop_front();
  if (e.call == "close") s.open = false;
}

bool PacketLinker::may_have_sent(const Socket& s, const PacketFields& p, bool unknown_too) {
  if (s.listening) return false;  // a listener never sends
  if (s.local_port == 0 && s.peer_port == 0) return unknown_too;
  const bool local_says = s.local_port != 0 && s.local_port == p.from_port;
  const bool peer_says = s.peer_port != 0 && s.peer_port == p.to_port;
  const bool contradicts = (s.local_port != 0 && s.local_port != p.from_port) ||
                           (s.peer_port != 0 && s.peer_port != p.to_port);
  return (local_says || peer_says) && !contradicts;
}

bool PacketLinker::may_learn_more(const Event& packet) const {
  if (packet.kind != EventKind::Packet || !sent_by_a_call(packet.call)) return false;
  bool from_a_listeners_port = false;
  bool sender_known = false;
  for (const Socket& s : sockets_) {
    if (!s.open) continue;
    if (s.listening && s.local_port != 0 && s.local_port == packet.packet.from_port) from_a_listeners_port = true;
    // A socket with no port known yet may be the one: a client's connect() is logged after its SYN.
    if (!may_have_sent(s, packet.packet, true)) continue;
    sender_known = true;
    if (s.calls.empty() || s.calls.back().t_us < packet.packet.at_us) return true;
  }
  // A connection the listener accepted sent it, and that accept() is not logged yet.
  return from_a_listeners_port && !sender_known;
}

std::uint64_t PacketLinker::cause(const Event& packet) const {
  if (packet.kind != EventKind::Packet) return 0;
  const PacketFields& p = packet.packet;
  const Call* best = nullptr;
  for (const Socket& s : sockets_) {
    if (!may_have_sent(s, p, false)) continue;
    const auto running = std::find_if(s.calls.begin(), s.calls.end(),
                                      [&](const Call& c) { return c.t_us >= p.at_us; });
    if (running == s.calls.end() || !fits(packet.call, running->name)) continue;
    if (best == nullptr || running->t_us < best->t_us) best = &*running;
  }
  return best != nullptr ? best->seq : 0;
}

std::string PacketLinker::describe(std::uint64_t seq) const {
  for (const Socket& s : sockets_)
    for (const Call& c : s.calls)
      if (c.seq == seq) return s.actor + " " + c.name + "()";
  return {};
}

}  // namespace sockstep
