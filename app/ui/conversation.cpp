#include "ui/conversation.hpp"

#include <algorithm>

namespace sockstep::ui {
namespace {

// Two socket names that one packet or datagram may join: the same name, or one of them
// bound to every address of the machine (0.0.0.0:9000 meets 127.0.0.1:9000).
bool names_meet(const Address& a, const Address& b) { return address_reaches(a, b) || address_reaches(b, a); }

bool same_kind(int a, int b) { return a == 0 || b == 0 || a == b; }

// A connection: made by connect and accept, a peer for life, EOF at its end.
bool connection_type(int type) { return type == SOCK_STREAM || type == SOCK_SEQPACKET; }

// A call made on a socket that has a peer of its own: a connection (stream, seqpacket),
// or a connected datagram socket used without an address. sendto/recvfrom name the
// datagram's own address.
bool connected(const SocketFacts& facts, const Event& event) {
  if (connection_type(facts.type)) return true;
  const bool own_address = event.call == Call::SendTo || event.call == Call::RecvFrom || event.call == Call::SendMsg ||
                           event.call == Call::RecvMsg || event.call == Call::SendMmsg || event.call == Call::RecvMmsg;
  return !own_address && !facts.peer.empty();
}

constexpr std::size_t kMaxEnds = 4096;
constexpr std::size_t kMaxFlows = 4096;

}  // namespace

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

int Conversation::row_of_event(std::size_t event_index) const {
  return event_index < row_by_event_.size() ? row_by_event_[event_index] : -1;
}

std::size_t ByteStream::add(std::string_view kept, std::size_t count, std::size_t room) {
  kept = kept.substr(0, count);
  if (data.empty()) first = total;  // no run yet: it may start with this call
  std::size_t added = 0;
  if (first + data.size() == total && data.size() < kMaxKept) {
    added = std::min({kept.size(), kMaxKept - data.size(), room});
    data.append(kept.substr(0, added));
  }
  total += count;
  return added;
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

// ---- sockets ----------------------------------------------------------------------

// The socket an event's fd names: descriptors are a process's, so threads of one
// program (a lesson's actors, a traced server's workers) share them.
Conversation::End* Conversation::end_of(const Event& event) {
  const int fd = event.call == Call::Socket || event.call == Call::Accept ? static_cast<int>(event.value) : event.fd;
  if (fd < 0) return nullptr;
  for (auto it = ends_.rbegin(); it != ends_.rend(); ++it)
    if (it->fd == fd && (event.pid != 0 ? it->pid == event.pid : it->actor == event.actor)) return &*it;
  return nullptr;
}

Conversation::End& Conversation::learn(const Event& event) {
  End* end = end_of(event);
  const bool made = event.ok() && (event.call == Call::Socket || event.call == Call::Accept);
  if (made && event.call == Call::Accept) {
    // The listener's own record first: it may be a socket this log never saw made.
    Event listener = event;
    listener.call = Call::Listen;
    if (End* l = end_of(listener); l != nullptr) l->listening = true;
  }
  if (end == nullptr || made) {
    if (ends_.size() >= kMaxEnds) {
      const auto closed = std::find_if(ends_.begin(), ends_.end(), [](const End& e) { return !e.open; });
      ends_.erase(closed != ends_.end() ? closed : ends_.begin());
    }
    if (end != nullptr) end->open = false;  // the number was reused where no close was seen
    End fresh;
    fresh.pid = event.pid;
    fresh.fd = event.call == Call::Socket || event.call == Call::Accept ? static_cast<int>(event.value) : event.fd;
    ends_.push_back(std::move(fresh));
    end = &ends_.back();
    if (made) end->facts = event.sock;
  }
  end->actor = event.actor;
  if (!made) {
    SocketFacts& f = end->facts;
    const SocketFacts& seen = event.sock;
    if (seen.family != AF_UNSPEC) f.family = seen.family;
    if (seen.type != 0) f.type = seen.type;
    if (seen.inode != 0) f.inode = seen.inode;
    if (seen.peer_inode != 0) f.peer_inode = seen.peer_inode;
    if (!seen.local.empty()) f.local = seen.local;
    // A datagram call's address is that datagram's; a connect makes a peer of it.
    const bool connection = connection_type(seen.type) || connection_type(f.type);
    if (!seen.peer.empty() && (connection || is_connect(event.call))) f.peer = seen.peer;
  }
  if (event.call == Call::Listen && event.ok()) end->listening = true;
  if (event.call == Call::Close && event.ok()) end->open = false;
  return *end;
}

// The socket at the other end of a connection, if it is one of the session's: the one
// whose names mirror this one's (an AF_UNIX socket: the kernel's peer inode).
const Conversation::End* Conversation::other_end(const End& end) const {
  const SocketFacts& f = end.facts;
  const End* found = nullptr;
  for (auto it = ends_.rbegin(); it != ends_.rend(); ++it) {
    const End& e = *it;
    bool match = false;
    if (f.family == AF_UNIX) {
      match = &e != &end && ((f.peer_inode != 0 && e.facts.inode == f.peer_inode) ||
                             (f.inode != 0 && e.facts.peer_inode == f.inode));
    } else if (!f.peer.empty() && !e.listening && same_kind(e.facts.type, f.type)) {
      const bool self = f.local == f.peer;  // a socket connected to itself
      match = self ? &e == &end
                   : &e != &end && !e.facts.peer.empty() && names_meet(e.facts.local, f.peer) &&
                         names_meet(e.facts.peer, f.local);
    }
    if (!match) continue;
    if (e.open) return &e;
    if (found == nullptr) found = &e;  // closed since: it still sent what it sent
  }
  return found;
}

// The socket that will accept a connection to `address`: a listener, or else a socket
// bound to that name whose listen() the log has not shown.
const Conversation::End* Conversation::listener_for(const Address& address, int type) const {
  if (address.empty()) return nullptr;
  const End* bound = nullptr;
  for (auto it = ends_.rbegin(); it != ends_.rend(); ++it) {
    if (!it->open || !same_kind(it->facts.type, type) || !address_reaches(it->facts.local, address)) continue;
    if (it->listening) return &*it;
    if (bound == nullptr && it->facts.peer.empty()) bound = &*it;
  }
  return bound;
}

const Conversation::End* Conversation::receiver_of_datagram(const Address& to, int type) const {
  if (to.empty()) return nullptr;
  for (auto it = ends_.rbegin(); it != ends_.rend(); ++it)
    if (it->open && !it->listening && same_kind(it->facts.type, type) && it->facts.type == SOCK_DGRAM &&
        names_meet(it->facts.local, to))
      return &*it;
  return nullptr;
}

// The lane of a program at the other end that the log does not show.
std::string Conversation::unseen_lane(const End& end) const {
  if (!end.unseen_lane.empty()) return end.unseen_lane;
  return outside_.empty() ? std::string(kPeerLane) : outside_;
}

// Where what a call on `end` sends goes: the lane of the socket that will receive it.
std::string Conversation::lane_toward(const End& end, const Event& event) const {
  if (connected(end.facts, event)) {
    if (const End* other = other_end(end); other != nullptr) return other->actor;
  }
  const Address& to = event.sock.peer.empty() || connected(end.facts, event) ? end.facts.peer : event.sock.peer;
  if (const End* r = receiver_of_datagram(to, end.facts.type); r != nullptr && !end.facts.stream()) return r->actor;
  if (const End* l = listener_for(to, end.facts.type); l != nullptr) return l->actor;  // its accept comes later
  return unseen_lane(end);
}

// Whether the bytes a receive on `end` took were sent by a socket of the session. A
// datagram socket with no name yet counts: the kernel names it at its first sendto, and
// that call's event may be logged after the recvfrom it woke.
bool Conversation::observed_sender(const End& end, const Event& event) const {
  if (connected(end.facts, event)) return other_end(end) != nullptr;
  const Address& from = event.sock.peer;
  for (const End& e : ends_) {
    if (&e == &end || !same_kind(e.facts.type, end.facts.type) || e.facts.stream()) continue;
    if (!from.empty() && names_meet(e.facts.local, from)) return true;
    if (end.facts.family == AF_UNIX && from.empty()) return true;
    const bool unnamed = e.facts.local.empty() || (e.facts.family != AF_UNIX && e.facts.local.port == 0);
    if (e.open && unnamed && !from.empty() && (e.facts.family == from.family || e.facts.family == AF_UNSPEC))
      return true;
  }
  return false;
}

// ---- flows ------------------------------------------------------------------------

Conversation::Flow& Conversation::flow_out(const End& end, const Event& event, const std::string& to_lane) {
  const bool conn = connected(end.facts, event);
  const Address& to = conn ? end.facts.peer : event.sock.peer;
  const std::uint64_t to_inode = conn ? end.facts.peer_inode : 0;
  for (Flow& f : flows_) {
    if (f.type != end.facts.type) continue;
    const bool from_ok = end.facts.inode != 0 && f.from_inode != 0 ? f.from_inode == end.facts.inode
                                                                   : names_meet(f.from, end.facts.local);
    const bool to_ok = to_inode != 0 && f.to_inode != 0 ? f.to_inode == to_inode : names_meet(f.to, to);
    if (from_ok && to_ok) return f;
  }
  if (flows_.size() >= kMaxFlows) flows_.erase(flows_.begin());
  ByteStream s;
  s.from = end.actor;
  s.to = to_lane;
  s.from_address = end.facts.local;
  s.to_address = to;
  s.type = end.facts.type == 0 ? SOCK_STREAM : end.facts.type;
  streams_.push_back(std::move(s));
  flows_.push_back(Flow{end.facts.type, end.facts.local, to, end.facts.inode, to_inode, streams_.size() - 1, {}});
  return flows_.back();
}

// The flow whose bytes a receive on `end` takes: the one that goes to this socket (and,
// on a connection or from a known source, comes from its peer), oldest bytes first.
Conversation::Flow* Conversation::flow_in(const End& end, const Event& event) {
  const bool conn = connected(end.facts, event);
  const Address& from = conn ? end.facts.peer : event.sock.peer;
  Flow* best = nullptr;
  for (Flow& f : flows_) {
    if (!same_kind(f.type, end.facts.type)) continue;
    const bool to_ok = (f.to_inode != 0 && f.to_inode == end.facts.inode) ||
                       (end.facts.family != AF_UNIX && names_meet(f.to, end.facts.local)) ||
                       (end.facts.family == AF_UNIX && !f.to.path.empty() && f.to == end.facts.local);
    if (!to_ok) continue;
    bool from_ok = true;
    if (end.facts.family == AF_UNIX) {
      if (conn && end.facts.peer_inode != 0 && f.from_inode != 0) from_ok = f.from_inode == end.facts.peer_inode;
    } else if (!from.empty()) {
      from_ok = names_meet(f.from, from);
    }
    if (!from_ok) continue;
    if (best == nullptr || (best->pending.empty() && !f.pending.empty())) best = &f;
  }
  return best;
}

std::size_t Conversation::pending_in(const End& end, const Event& event) {
  const Flow* f = flow_in(end, event);
  if (f == nullptr) return 0;
  std::size_t total = 0;
  for (const Pending& p : f->pending) total += p.left;
  return total + (f->pending.empty() ? 0 : 1);  // an empty datagram is something to read too
}

// ---- events -----------------------------------------------------------------------

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
  // A recv with MSG_PEEK leaves its bytes queued: it is a row, and moves no byte.
  if (event.kind == EventKind::Call && receives_bytes(event.call) && event.ok() && !event.peeked) {
    End& end = learn(event);
    if (observed_sender(end, event) && pending_in(end, event) == 0 && (event.value > 0 || !connection_type(end.facts.type))) {
      hold_back(event, event_index);
      return;
    }
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
    bool ready = false;
    if (d.event.kind == EventKind::Packet) {
      ready = packet_placeable(d.event) || latest_us_ - d.event.packet.at_us > kMaxPacketWaitUs;
    } else if (after_call) {
      End* end = end_of(d.event);
      ready = end == nullptr || pending_in(*end, d.event) > 0;
    }
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
  if (const auto fork = forks_.find(event.pid); fork != forks_.end()) {
    const int parent_lane = rows_[static_cast<std::size_t>(fork->second)].lane;
    if (parent_lane != lane) add_arrow(SeqArrow{ArrowKind::Fork, fork->second, fork->second, parent_lane, lane, 0, 0});
    forks_.erase(fork);
  }

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
  if (event.call == Call::Handoff || event.call == Call::Print) return;
  if (event.call == Call::Fork) {
    constexpr std::size_t kMaxPendingForks = 256;  // children that never make a call
    if (!event.ok() || event.value <= 0) return;
    // A lesson's fork names its child's actor; a traced one is known by the child's first call.
    if (const auto child = std::find(lanes_.begin(), lanes_.end(), event.detail); !event.detail.empty() && child != lanes_.end()) {
      add_arrow(SeqArrow{ArrowKind::Fork, row, row, lane, static_cast<int>(child - lanes_.begin()), 0, 0});
    } else if (forks_.size() < kMaxPendingForks) {
      forks_[static_cast<int>(event.value)] = row;
    }
    return;
  }

  End& end = learn(event);
  if (event.connect_started() && connection_type(end.facts.type)) {
    add_wire_arrow(ArrowKind::Handshake, row, lane, lane_of(lane_toward(end, event)), event.seq, end.facts.local,
                   end.facts.peer);
  } else if (event.call == Call::Accept && event.ok() && !outside_.empty() && other_end(end) == nullptr) {
    // A client whose calls are not seen (serve): a few lanes of their own, then one
    // lane for the rest, so a thousand connects do not make a thousand lanes.
    constexpr std::size_t kMaxConnectionLanes = 6;
    const bool own = per_connection_ && connection_lanes_ < kMaxConnectionLanes && !end.facts.peer.empty();
    end.unseen_lane = own ? end.facts.peer.to_string() : outside_;
    if (own) ++connection_lanes_;
    remember_unseen(end.facts.peer, end.unseen_lane);
    add_wire_arrow(ArrowKind::Handshake, row, lane_of(end.unseen_lane), lane, event.seq, end.facts.peer,
                   end.facts.local);
  } else if (event.call == Call::Accept && event.ok() && !lesson_ && other_end(end) == nullptr &&
             std::all_of(lanes_.begin(), lanes_.end(), [&](const std::string& l) { return l == event.actor; })) {
    // A program alone (a trace of a server whose clients are not traced): its client
    // is a program whose calls are not seen. With other programs about, the client's
    // connect may simply be logged after this accept.
    end.unseen_lane = kPeerLane;
    remember_unseen(end.facts.peer, end.unseen_lane);
  } else if (event.wire == WireEffect::Fin || event.wire == WireEffect::Rst) {
    const ArrowKind kind = event.wire == WireEffect::Rst ? ArrowKind::Rst : ArrowKind::Fin;
    add_wire_arrow(kind, row, lane, lane_of(lane_toward(end, event)), event.seq, end.facts.local, end.facts.peer);
  } else if (sends_bytes(event.call) && event.ok()) {
    send(event, end, row, lane);
  } else if (receives_bytes(event.call) && event.ok() && !event.peeked) {
    receive(event, end, row);
  }
}

void Conversation::send(const Event& event, const End& end, int row, int lane) {
  const std::string to_lane = lane_toward(end, event);
  const bool conn = connected(end.facts, event);
  const Address& to = conn ? end.facts.peer : event.sock.peer;
  // Someone of the session will read it: its socket is known, or a listener will
  // accept it. Otherwise nobody seen is there: a program outside, or (a lesson) nobody.
  const bool to_session = (conn && other_end(end) != nullptr) || listener_for(to, end.facts.type) != nullptr ||
                          (!end.facts.stream() && receiver_of_datagram(to, end.facts.type) != nullptr);
  if (!to_session && lesson_) {
    // Nobody is there: the kernel drops it (a datagram to a closed port).
    SeqArrow lost{ArrowKind::Data, row, row, lane, lane, event.byte_count, event.seq};
    lost.dropped = true;
    add_arrow(lost);
    return;
  }
  Flow& flow = flow_out(end, event, to_lane);
  ByteStream& s = streams_[flow.stream];
  const std::size_t count = event.byte_count > 0 ? event.byte_count : event.bytes.size();
  kept_all_ += s.add(event.bytes, count, max_kept_all_ - std::min(kept_all_, max_kept_all_));
  s.send_ends.push_back(StreamMark{s.total, event.seq});
  const int arrow = add_arrow(SeqArrow{ArrowKind::Data, row, to_session ? -1 : row, lane, lane_of(to_lane), count, event.seq});
  if (to_session && (count > 0 || s.datagrams())) flow.pending.push_back(Pending{arrow, count});
}

void Conversation::receive(const Event& event, const End& end, int row) {
  const auto got = static_cast<std::size_t>(event.value);
  Flow* flow = flow_in(end, event);
  if (!observed_sender(end, event) || flow == nullptr || flow->pending.empty()) {
    if (got == 0 && connection_type(end.facts.type)) return;  // EOF: the FIN shows it
    if (observed_sender(end, event) && flow != nullptr) return;  // its send was never logged
    // Sent by a program whose calls are not seen: an arrow from its lane, arriving now.
    const std::string from_lane = unseen_lane(end);
    remember_unseen(connected(end.facts, event) ? end.facts.peer : event.sock.peer, from_lane);
    if (flow == nullptr) {
      streams_.push_back(ByteStream{});
      ByteStream& s = streams_.back();
      s.from = from_lane;
      s.to = end.actor;
      s.from_address = connected(end.facts, event) ? end.facts.peer : event.sock.peer;
      s.to_address = end.facts.local;
      s.type = end.facts.type == 0 ? SOCK_STREAM : end.facts.type;
      if (flows_.size() >= kMaxFlows) flows_.erase(flows_.begin());
      flows_.push_back(Flow{end.facts.type, s.from_address, s.to_address, end.facts.peer_inode, end.facts.inode,
                            streams_.size() - 1, {}});
      flow = &flows_.back();
    }
    ByteStream& s = streams_[flow->stream];
    kept_all_ += s.add(event.bytes, got, max_kept_all_ - std::min(kept_all_, max_kept_all_));
    s.received += got;
    s.send_ends.push_back(StreamMark{s.total, event.seq});
    s.recv_ends.push_back(StreamMark{s.received, event.seq});
    add_arrow(SeqArrow{ArrowKind::Data, row, row, lane_of(from_lane), lane_of(end.actor), got, event.seq});
    return;
  }
  ByteStream& s = streams_[flow->stream];
  s.to = end.actor;  // a guess made at the send is settled now
  auto& queue = flow->pending;
  const auto arrive = [&](Pending& front, std::size_t take) {
    SeqArrow& arrow = arrows_[static_cast<std::size_t>(front.arrow)];
    arrow.to_lane = lane_of(end.actor);
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
  };
  if (s.datagrams()) {
    // A datagram is read whole or not at all: what did not fit the buffer is gone.
    Pending front = queue.front();
    queue.pop_front();
    const std::size_t delivered = std::min(got, front.left);
    arrive(front, delivered);
    s.recv_ends.push_back(StreamMark{s.received + delivered, event.seq});
    if (front.left > delivered) {
      s.dropped.emplace_back(s.received + delivered, s.received + front.left);
      arrows_[static_cast<std::size_t>(front.arrow)].dropped = true;
    }
    s.received += front.left;
    return;
  }
  // A stream, not messages: one recv may finish several sends, or part of one.
  std::size_t left = got;
  s.received += left;
  s.recv_ends.push_back(StreamMark{s.received, event.seq});
  while (left > 0 && !queue.empty()) {
    Pending& front = queue.front();
    const std::size_t take = std::min(left, front.left);
    front.left -= take;
    left -= take;
    arrive(front, take);
    if (front.left == 0) queue.pop_front();
  }
}

// ---- packets ----------------------------------------------------------------------

// The lane of the socket a packet from `from` to `to` left: the connection's own socket
// first, then a listener or an unconnected socket with that name, then the lane of a
// client that only its server's socket names (serve).
std::string Conversation::packet_lane(const Address& from, const Address& to, bool& known) const {
  known = true;
  const End* loose = nullptr;
  for (auto it = ends_.rbegin(); it != ends_.rend(); ++it) {
    const SocketFacts& f = it->facts;
    if (f.family == AF_UNIX || !names_meet(f.local, from)) continue;
    if (!f.peer.empty() && names_meet(f.peer, to)) return it->actor;
    if (f.peer.empty() && loose == nullptr) loose = &*it;
  }
  if (loose != nullptr) return loose->actor;
  // A socket that tried to reach `to` and has no name of its own any more (a refused
  // connect gives its port back): the SYN was its.
  for (auto it = ends_.rbegin(); it != ends_.rend(); ++it)
    if (it->facts.family != AF_UNIX && it->facts.local.port == 0 && names_meet(it->facts.peer, to)) return it->actor;
  for (auto it = unseen_names_.rbegin(); it != unseen_names_.rend(); ++it)
    if (names_meet(it->first, from)) return it->second;
  known = false;
  return {};
}

void Conversation::remember_unseen(const Address& name, const std::string& lane) {
  if (name.empty() || name.family == AF_UNIX) return;
  constexpr std::size_t kMaxUnseen = 256;
  unseen_names_.emplace_back(name, lane);
  if (unseen_names_.size() > kMaxUnseen) unseen_names_.pop_front();
}

// A packet can be drawn once both its ends have a lane. One end unknown: the calls of
// that end may not have been read yet (a trace reads calls after the capture saw their
// packets), so it waits for them, unless the other end is a program outside (serve,
// dial). Neither known: not this session's; it is dropped when placed.
bool Conversation::packet_placeable(const Event& event) const {
  bool from_known = false;
  bool to_known = false;
  (void)packet_lane(event.packet.from, event.packet.to, from_known);
  (void)packet_lane(event.packet.to, event.packet.from, to_known);
  return from_known == to_known || !outside_.empty();
}

void Conversation::add_wire_arrow(ArrowKind kind, int row, int from_lane, int to_lane, std::uint64_t seq,
                                  const Address& from, const Address& to) {
  const int arrow = add_arrow(SeqArrow{kind, row, row, from_lane, to_lane, 0, seq});
  if (from.family != AF_INET && from.family != AF_INET6) return;  // no packet will ever show it
  constexpr std::size_t kMaxWireArrows = 256;
  const PacketKind packet = kind == ArrowKind::Handshake ? PacketKind::Syn
                            : kind == ArrowKind::Fin     ? PacketKind::Fin
                                                         : PacketKind::Rst;
  wire_arrows_.push_back(WireArrow{arrow, packet, from, to});
  if (wire_arrows_.size() > kMaxWireArrows) wire_arrows_.pop_front();
}

void Conversation::add_packet(const Event& event, std::size_t event_index) {
  bool from_known = false;
  bool to_known = false;
  std::string from = packet_lane(event.packet.from, event.packet.to, from_known);
  std::string to = packet_lane(event.packet.to, event.packet.from, to_known);
  if (!from_known && !to_known) return;  // not this session's: no lane to draw it on
  const std::string unseen = outside_.empty() ? std::string(kPeerLane) : outside_;
  if (!from_known) from = unseen;
  if (!to_known) to = unseen;
  const int from_lane = lane_of(from);
  const int row = new_row(event_index, from_lane, event.packet.at_us, event.packet.at_us != 0);
  add_arrow(SeqArrow{ArrowKind::Packet, row, row, from_lane, lane_of(to), event.byte_count, event.seq});
  // The call that sent it drew it already: the packet shows it now, the call's arrow goes.
  for (auto it = wire_arrows_.begin(); it != wire_arrows_.end(); ++it) {
    if (it->kind != event.packet.label || !names_meet(it->from, event.packet.from) || !names_meet(it->to, event.packet.to))
      continue;
    arrows_[static_cast<std::size_t>(it->arrow)].hidden = true;
    wire_arrows_.erase(it);
    break;
  }
}

}  // namespace sockstep::ui
