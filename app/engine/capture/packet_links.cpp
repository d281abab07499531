#include "engine/capture/packet_links.hpp"

#include <algorithm>

namespace sockstep {
namespace {

constexpr std::size_t kCallsPerSocket = 32;
constexpr std::size_t kMaxSockets = 512;

bool fits(PacketKind label, Call call) {
  switch (label) {
    case PacketKind::Syn: return is_connect(call);
    case PacketKind::Psh:
    case PacketKind::Udp: return sends_bytes(call);
    case PacketKind::Fin:
    case PacketKind::Rst: return call == Call::Close || call == Call::Shutdown;
    case PacketKind::SynAck:
    case PacketKind::Ack: break;
  }
  return false;
}

bool sent_by_a_call(PacketKind label) {
  return label == PacketKind::Syn || label == PacketKind::Psh || label == PacketKind::Udp ||
         label == PacketKind::Fin || label == PacketKind::Rst;
}

}  // namespace

PacketLinker::Socket& PacketLinker::new_socket(const std::string& actor, int fd) {
  for (Socket& s : sockets_)
    if (s.open && s.actor == actor && s.fd == fd) s.open = false;  // the fd was reused unseen
  if (sockets_.size() >= kMaxSockets) {
    const auto closed = std::find_if(sockets_.begin(), sockets_.end(), [](const Socket& s) { return !s.open; });
    sockets_.erase(closed != sockets_.end() ? closed : sockets_.begin());
  }
  sockets_.push_back(Socket{actor, fd, {}, {}, false, true, {}});
  return sockets_.back();
}

PacketLinker::Socket& PacketLinker::socket_of(const std::string& actor, int fd) {
  for (auto it = sockets_.rbegin(); it != sockets_.rend(); ++it)
    if (it->open && it->actor == actor && it->fd == fd) return *it;
  return new_socket(actor, fd);
}

void PacketLinker::note(Address& slot, const Address& address) {
  if (address.empty() || address.family == AF_UNIX) return;
  slot = address;
  if (address.port > 0) ports_.insert(address.port);
}

void PacketLinker::learn(const Event& e) {
  if (e.kind != EventKind::Call || !(e.ok() || e.connect_started())) return;
  if (e.call == Call::Socket) {
    (void)new_socket(e.actor, static_cast<int>(e.value));
    return;
  }
  if (e.fd < 0) return;
  if (e.call == Call::Accept) {
    // The event's facts are the new connection's.
    Socket& conn = new_socket(e.actor, static_cast<int>(e.value));
    note(conn.local, e.sock.local);
    note(conn.peer, e.sock.peer);
  }
  Socket& s = socket_of(e.actor, e.fd);
  if (e.call != Call::Accept) {
    if (!e.sock.local.empty()) note(s.local, e.sock.local);
    // A datagram's address is no connection's peer; a connect (UDP too) makes one.
    const bool connected_peer = e.sock.stream() || is_connect(e.call);
    if (connected_peer && !e.sock.peer.empty()) note(s.peer, e.sock.peer);
    if (!connected_peer && !e.sock.peer.empty() && e.sock.peer.port > 0) ports_.insert(e.sock.peer.port);
  }
  if (e.call == Call::Listen) s.listening = true;
  s.calls.push_back(CallSeen{e.seq, e.t_us, e.call});
  if (s.calls.size() > kCallsPerSocket) s.calls.pop_front();
  if (e.call == Call::Close) s.open = false;
}

bool PacketLinker::may_have_sent(const Socket& s, const PacketFields& p, bool unknown_too) {
  if (s.listening) return false;  // a listener never sends
  if (s.local.empty() && s.peer.empty()) return unknown_too;
  const bool local_says = !s.local.empty() && address_reaches(s.local, p.from);
  const bool peer_says = !s.peer.empty() && address_reaches(s.peer, p.to);
  const bool contradicts = (!s.local.empty() && !address_reaches(s.local, p.from)) ||
                           (!s.peer.empty() && !address_reaches(s.peer, p.to));
  return (local_says || peer_says) && !contradicts;
}

bool PacketLinker::may_learn_more(const Event& packet) const {
  if (packet.kind != EventKind::Packet || !sent_by_a_call(packet.packet.label)) return false;
  bool from_a_listeners_port = false;
  bool sender_known = false;
  for (const Socket& s : sockets_) {
    if (!s.open) continue;
    if (s.listening && address_reaches(s.local, packet.packet.from)) from_a_listeners_port = true;
    // A socket with no name known yet may be the one: a client's connect() is logged after its SYN.
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
  const CallSeen* best = nullptr;
  const bool begun = sends_at_start_;
  for (const Socket& s : sockets_) {
    if (!may_have_sent(s, p, false)) continue;
    if (begun) {
      const auto last = std::find_if(s.calls.rbegin(), s.calls.rend(),
                                     [&](const CallSeen& c) { return c.t_us <= p.at_us && fits(p.label, c.call); });
      if (last != s.calls.rend() && (best == nullptr || last->t_us > best->t_us)) best = &*last;
      continue;
    }
    const auto running = std::find_if(s.calls.begin(), s.calls.end(),
                                      [&](const CallSeen& c) { return c.t_us >= p.at_us; });
    if (running == s.calls.end() || !fits(p.label, running->call)) continue;
    if (best == nullptr || running->t_us < best->t_us) best = &*running;
  }
  return best != nullptr ? best->seq : 0;
}

std::string PacketLinker::describe(std::uint64_t seq) const {
  for (const Socket& s : sockets_)
    for (const CallSeen& c : s.calls)
      if (c.seq == seq) return s.actor + " " + call_name(c.call) + "()";
  return {};
}

}  // namespace sockstep
