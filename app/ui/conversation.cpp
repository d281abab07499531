#include "ui/conversation.hpp"

#include <algorithm>
#include <cerrno>

#include "engine/packet_links.hpp"

namespace sockstep::ui {

bool Conversation::is_send(const std::string& call) {
  return call == "send" || call == "sendall" || call == "sendto";
}

bool Conversation::is_recv(const std::string& call) {
  return call == "recv" || call == "recvfrom";
}

void Conversation::reset(std::vector<std::string> lanes) {
  *this = Conversation{};
  lanes_ = std::move(lanes);
}

int Conversation::lane_of(const std::string& actor) {
  auto it = std::find(lanes_.begin(), lanes_.end(), actor);
  if (it != lanes_.end()) return static_cast<int>(it - lanes_.begin());
  lanes_.push_back(actor);
  return static_cast<int>(lanes_.size()) - 1;
}

std::string Conversation::peer_of(const std::string& actor) const {
  if (auto it = peers_.find(actor); it != peers_.end()) return it->second;
  // Before a connect/accept pair is seen, the other actor is the only sensible guess.
  for (const std::string& lane : lanes_) {
    if (lane != actor) return lane;
  }
  return actor;
}

std::string Conversation::peer_for(const Event& event) const {
  if (auto it = connection_lane_.find({event.actor, event.fd}); it != connection_lane_.end()) return it->second;
  return peer_of(event.actor);
}

// The lane at the other end of a call: a program alone (a traced client of a server
// nobody traces) talks to the "peer" lane, never to itself.
std::string Conversation::other_end(const Event& event) const {
  std::string peer = peer_for(event);
  return peer == event.actor ? std::string(kPeerLane) : peer;
}

// A packet can be drawn once both its ends have a lane. One end unknown while no other
// lane exists: the calls of its other end have not been read yet (a trace reads calls
// after the capture saw their packets), so it waits for them.
bool Conversation::packet_placeable(const Event& event) const {
  const auto from = port_actor_.find(event.packet.from_port);
  const auto to = port_actor_.find(event.packet.to_port);
  if ((from == port_actor_.end()) == (to == port_actor_.end())) return true;  // both known, or not this session's
  const std::string& known = from != port_actor_.end() ? from->second : to->second;
  return peer_of(known) != known;
}

bool Conversation::is_outside(const std::string& lane) const {
  if (lane == kPeerLane) return true;
  if (outside_.empty()) return false;
  if (lane == outside_) return true;
  for (const auto& [key, name] : connection_lane_)
    if (name == lane) return true;
  return false;
}

ByteStream& Conversation::stream(const std::string& from, const std::string& to) {
  for (ByteStream& s : streams_) {
    if (s.from == from && s.to == to) return s;
  }
  streams_.push_back(ByteStream{from, to, 0, {}, 0, 0, {}, {}});
  return streams_.back();
}

void ByteStream::add(std::string_view kept, std::size_t count) {
  kept = kept.substr(0, count);
  if (data.empty()) first = total;  // no run yet: it may start with this call
  if (first + data.size() == total && data.size() < kMaxKept) data.append(kept.substr(0, kMaxKept - data.size()));
  total += count;
}

int Conversation::add_arrow(SeqArrow arrow) {
  arrows_.push_back(arrow);
  const int index = static_cast<int>(arrows_.size()) - 1;
  if (arrow.from_row >= 0) rows_[static_cast<std::size_t>(arrow.from_row)].arrows.push_back(index);
  if (arrow.to_row >= 0 && arrow.to_row != arrow.from_row) {
    rows_[static_cast<std::size_t>(arrow.to_row)].arrows.push_back(index);
  }
  return index;
}

int Conversation::row_of_event(std::size_t event_index) const {
  return event_index < row_by_event_.size() ? row_by_event_[event_index] : -1;
}

std::size_t Conversation::in_flight(const std::string& from, const std::string& to) const {
  auto it = in_flight_.find({from, to});
  if (it == in_flight_.end()) return 0;
  std::size_t total = 0;
  for (const Pending& p : it->second) total += p.left;
  return total;
}

void Conversation::add(const Event& event, std::size_t event_index) {
  latest_us_ = std::max(latest_us_, event.kind == EventKind::Packet ? event.packet.at_us : event.t_us);
  if (event.kind == EventKind::Packet) {
    if (packet_placeable(event))
      add_packet(event, event_index);
    else
      hold_back(event, event_index);
    release_held(false);
    return;
  }
  if (event.kind != EventKind::Call && event.kind != EventKind::Blocked) return;
  if (event.kind == EventKind::Call && is_recv(event.call) && event.ok() && event.value > 0 &&
      in_flight(other_end(event), event.actor) == 0 && !is_outside(other_end(event))) {
    hold_back(event, event_index);
    return;
  }
  add_row(event, event_index);
  release_held(true);
}

void Conversation::place(const Event& event, std::size_t event_index) {
  if (event.kind == EventKind::Packet)
    add_packet(event, event_index);
  else
    add_row(event, event_index);
}

// Bounded: a flood of packets nobody's calls explain (SYNs to a listener that never
// accepts) shows its oldest rather than keeping them all.
void Conversation::hold_back(const Event& event, std::size_t event_index) {
  constexpr std::size_t kMaxHeld = 256;
  deferred_.push_back(Deferred{event, event_index, 0});
  if (deferred_.size() > kMaxHeld) {
    Deferred oldest = std::move(deferred_.front());
    deferred_.erase(deferred_.begin());
    place(oldest.event, oldest.index);
  }
}

// A send may have brought what a held-back receive read, a call may have named a
// held-back packet's other end. One held too long is shown anyway: a receive after 64
// calls (its send was never logged), a packet after 64 calls or a quarter of a second
// of the session's time (its other end's calls never come: a program nobody traces).
void Conversation::release_held(bool after_call) {
  constexpr std::size_t kMaxCalls = 64;
  constexpr std::int64_t kMaxPacketWaitUs = 250'000;
  for (std::size_t i = 0; i < deferred_.size();) {
    Deferred& d = deferred_[i];
    if (after_call) ++d.age;
    const bool packet = d.event.kind == EventKind::Packet;
    const bool ready = packet ? packet_placeable(d.event) || latest_us_ - d.event.packet.at_us > kMaxPacketWaitUs
                              : after_call && in_flight(other_end(d.event), d.event.actor) > 0;
    if (ready || d.age > kMaxCalls) {
      Deferred held = std::move(d);
      deferred_.erase(deferred_.begin() + static_cast<long>(i));
      place(held.event, held.index);
    } else {
      ++i;
    }
  }
}

// Shows a row last, or (a packet) above the rows of the calls logged after it left. The
// capture is behind by a few calls at most, so the search is short; it is bounded anyway.
void Conversation::show(int row, bool at_its_time) {
  std::size_t at = order_.size();
  if (at_its_time) {
    constexpr std::size_t kLookBack = 64;
    const std::int64_t when = rows_[static_cast<std::size_t>(row)].at_us;
    for (std::size_t looked = 0; at > 0 && looked < kLookBack; ++looked, --at)
      if (rows_[static_cast<std::size_t>(order_[at - 1])].at_us <= when) break;
  }
  order_.insert(order_.begin() + static_cast<long>(at), row);
  position_.resize(rows_.size(), -1);
  for (std::size_t p = at; p < order_.size(); ++p) position_[static_cast<std::size_t>(order_[p])] = static_cast<int>(p);
}

// A row for the event at event_index, shown last or (at_its_time) where at_us puts it.
int Conversation::new_row(std::size_t event_index, int lane, std::int64_t at_us, bool at_its_time) {
  const int row = static_cast<int>(rows_.size());
  rows_.push_back(SeqRow{event_index, lane, -1, false, {}, at_us});
  if (row_by_event_.size() <= event_index) row_by_event_.resize(event_index + 1, -1);
  row_by_event_[event_index] = row;
  show(row, at_its_time);
  return row;
}

void Conversation::add_row(const Event& event, std::size_t event_index) {
  const int lane = lane_of(event.actor);
  const int row = new_row(event_index, lane, event.t_us, false);

  if (event.kind == EventKind::Blocked) {
    rows_.back().waiting = true;
    waiting_row_[event.actor] = row;
    blocked_rows_.push_back(row);
    return;
  }
  // A call returned: close the actor's waiting span if this is the call it waited in.
  if (auto it = waiting_row_.find(event.actor); it != waiting_row_.end()) {
    SeqRow& waited = rows_[static_cast<std::size_t>(it->second)];
    waited.block_end_row = row;
    waited.waiting = false;
    waiting_row_.erase(it);
  }

  learn_ports(event);
  const std::string& call = event.call;
  if ((call == "connect" || call == "connect_ex") && event.ok() && event.value == 0) {
    // The program whose socket holds the port it reached (itself, for a self-connect).
    const auto owner = port_actor_.find(port_in_text(event.args));
    const std::string peer = owner != port_actor_.end() ? owner->second : other_end(event);
    last_connector_ = event.actor;
    connected_[{event.actor, event.fd}] = true;
    add_arrow(SeqArrow{ArrowKind::Handshake, row, row, lane, lane_of(peer), 0, event.seq});
  } else if (call == "accept" && event.ok() && per_connection_ && !event.detail.empty()) {
    // A few lanes of their own; later connections share the outside lane, so a
    // thousand connects do not make a thousand lanes.
    constexpr std::size_t kMaxConnectionLanes = 6;
    const std::string peer = event.detail.substr(0, event.detail.find(' '));
    const std::string name = connection_lanes_ < kMaxConnectionLanes ? peer : outside_;
    if (name == peer) ++connection_lanes_;
    connection_lane_[{event.actor, static_cast<int>(event.value)}] = name;
    if (const int port = port_in_text(event.detail); port > 0) port_actor_[port] = name;  // its packets' lane
    connected_[{event.actor, static_cast<int>(event.value)}] = true;
    add_arrow(SeqArrow{ArrowKind::Handshake, row, row, lane_of(name), lane, 0, event.seq});
  } else if (call == "accept" && event.ok()) {
    if (!last_connector_.empty() && last_connector_ != event.actor) {
      peers_[event.actor] = last_connector_;
      peers_[last_connector_] = event.actor;
    }
    connected_[{event.actor, static_cast<int>(event.value)}] = true;
  } else if ((call == "close" || call == "shutdown") && event.ok()) {
    auto it = connected_.find({event.actor, event.fd});
    if (it != connected_.end()) {
      // shutdown(SHUT_RD) sends nothing; a FIN goes out once, and never after a reset.
      const bool sends_fin = it->second && (call == "close" || event.args.find("WR") != std::string::npos);
      if (sends_fin) {
        add_arrow(SeqArrow{ArrowKind::Fin, row, row, lane, lane_of(other_end(event)), 0, event.seq});
        it->second = false;
      }
      if (call == "close") connected_.erase(it);
    }
  } else if (event.err == ECONNRESET || event.err == EPIPE) {
    // The connection is gone: its close will send no FIN.
    if (auto it = connected_.find({event.actor, event.fd}); it != connected_.end()) it->second = false;
  } else if (is_send(call) && event.ok()) {
    const std::string peer = other_end(event);
    const std::size_t count = event.byte_count > 0 ? event.byte_count : event.bytes.size();
    ByteStream& s = stream(event.actor, peer);
    s.add(event.bytes, count);
    s.send_ends.push_back(StreamMark{s.total, event.seq});
    const bool outside = is_outside(peer);
    const int arrow = add_arrow(SeqArrow{ArrowKind::Data, row, outside ? row : -1, lane, lane_of(peer), count, event.seq});
    if (count > 0 && !outside) in_flight_[{event.actor, peer}].push_back(Pending{arrow, count});
  } else if (is_recv(call) && event.ok() && event.value > 0) {
    receive(event, row);
  }
}

void Conversation::receive(const Event& event, int row) {
  {
    const std::string peer = other_end(event);
    if (is_outside(peer)) {
      // Sent by a program whose calls are not seen: an arrow from its lane, arriving now.
      ByteStream& s = stream(peer, event.actor);
      const auto count = static_cast<std::size_t>(event.value);
      s.add(event.bytes, count);
      s.received += count;
      s.send_ends.push_back(StreamMark{s.total, event.seq});
      s.recv_ends.push_back(StreamMark{s.received, event.seq});
      add_arrow(SeqArrow{ArrowKind::Data, row, row, lane_of(peer), lane_of(event.actor), count, event.seq});
      return;
    }
    ByteStream& s = stream(peer, event.actor);
    std::size_t left = static_cast<std::size_t>(event.value);
    s.received += left;
    s.recv_ends.push_back(StreamMark{s.received, event.seq});
    // A stream, not messages: one recv may finish several sends, or part of one.
    auto& queue = in_flight_[{peer, event.actor}];
    while (left > 0 && !queue.empty()) {
      Pending& front = queue.front();
      const std::size_t take = std::min(left, front.left);
      front.left -= take;
      left -= take;
      SeqArrow& arrow = arrows_[static_cast<std::size_t>(front.arrow)];
      if (arrow.to_row < 0) {
        arrow.to_row = row;
        rows_.back().arrows.push_back(front.arrow);
      } else {
        // The rest of this send arrives here: show it as a second arrow.
        SeqArrow rest = arrow;
        rest.to_row = row;
        rest.bytes = take;
        add_arrow(rest);
      }
      if (front.left == 0) queue.pop_front();
    }
  }
}

}  // namespace sockstep::ui

namespace sockstep::ui {

void Conversation::learn_ports(const Event& event) {
  if (event.call == "connect" || event.call == "connect_ex") {
    // The port it tried is its peer's, unless a call of the session already said whose;
    // a refused connect too, so that its SYN and the RST that answered it are drawn.
    if (const int port = port_in_text(event.args); port > 0) port_actor_.try_emplace(port, other_end(event));
    // A trace says which port the caller's own socket got ("from 127.0.0.1:41234").
    if (event.detail.rfind("from ", 0) == 0)
      if (const int own = port_in_text(event.detail); own > 0) port_actor_[own] = event.actor;
    return;
  }
  if (!event.ok()) return;
  if (event.call == "bind" || event.call == "getsockname") {
    if (const int port = port_in_text(event.call == "bind" ? event.args : event.detail); port > 0)
      port_actor_[port] = event.actor;
  } else if (event.call == "accept" || event.call == "recvfrom") {
    // The client's port is the program's that connected last. A program alone (no other
    // lane) hears from one whose calls are not seen; otherwise the client's connect may
    // simply be logged after this accept, and its port is left for it to name.
    if (const int port = port_in_text(event.detail); port > 0) {
      if (event.call == "accept" && !last_connector_.empty() && last_connector_ != event.actor)
        port_actor_[port] = last_connector_;
      else if (peer_of(event.actor) == event.actor)
        port_actor_.try_emplace(port, kPeerLane);
    }
  }
}

// A packet runs between the lanes of the sockets at its two ports; a port no call has
// shown yet belongs to the other side, and to a "peer" lane for a program outside.
void Conversation::add_packet(const Event& event, std::size_t event_index) {
  const auto actor_at = [&](int port) {
    auto it = port_actor_.find(port);
    return it != port_actor_.end() ? it->second : std::string();
  };
  const std::string known_from = actor_at(event.packet.from_port);
  const std::string known_to = actor_at(event.packet.to_port);
  if (known_from.empty() && known_to.empty()) return;  // not this session's (yet): no lane to draw it on
  std::string from = known_from.empty() ? peer_of(known_to) : known_from;
  std::string to = known_to.empty() ? peer_of(known_from) : known_to;
  // A guessed end that is the known one: a program nobody traces. Both known and the
  // same: a program talking to itself.
  if (from == to && (known_from.empty() || known_to.empty())) (known_from.empty() ? from : to) = kPeerLane;
  const int from_lane = lane_of(from);
  const int row = new_row(event_index, from_lane, event.packet.at_us, event.packet.at_us != 0);
  add_arrow(SeqArrow{ArrowKind::Packet, row, row, from_lane, lane_of(to), event.byte_count, event.seq});
}

}  // namespace sockstep::ui
