// The sequence diagram's and the bytes panel's model: rows, arrows and streams, keyed by
// socket and connection from the events' typed facts. Hand-made events for the corner
// cases, and real lessons run against the kernel for the whole picture.
#include <doctest/doctest.h>

#include <cerrno>
#include <map>
#include <set>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/session.hpp"
#include "support/typed_events.hpp"
#include "ui/card_error.hpp"
#include "ui/conversation.hpp"

using namespace sockstep;
using namespace sockstep::ui;
using namespace sockstep::test;

namespace {

Event at(std::uint64_t seq, Event e) {
  e.seq = seq;
  return e;
}

Event blocked(std::uint64_t seq, const std::string& actor, Call name, int fd, SocketFacts facts = {}) {
  Event e = at(seq, call_event(actor, name, fd, std::move(facts)));
  e.kind = EventKind::Blocked;
  return e;
}

// Every event a lesson logs, run to its end against the kernel.
std::vector<Event> run_lesson(const std::string& id, Session** keep = nullptr) {
  const auto path = resolve_lesson(id);
  REQUIRE(path);
  static std::map<std::string, std::unique_ptr<Session>> sessions;
  auto& session = sessions[id];
  session = std::make_unique<Session>(load_lesson_file(*path));
  for (int n = 0; n < 1000 && session->step(); ++n) {
  }
  REQUIRE(session->finished());
  if (keep != nullptr) *keep = session.get();
  return session->events().all();
}

Conversation conversation_of(const std::vector<Event>& events, const std::vector<std::string>& lanes) {
  Conversation conv;
  conv.reset(lanes);
  conv.set_lesson(true);
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  return conv;
}

const Event* by_seq(const std::vector<Event>& events, std::uint64_t seq) {
  for (const Event& e : events)
    if (e.seq == seq) return &e;
  return nullptr;
}

bool names_meet(const Address& a, const Address& b) { return address_reaches(a, b) || address_reaches(b, a); }

// Every piece of every stream was sent by a call on the stream's sending socket and read
// by a call on its receiving socket, of the stream's type; every delivered arrow joins
// a send and a receive of one connection (or one datagram's two ends).
void check_attribution(const std::vector<Event>& events, const Conversation& conv) {
  for (const ByteStream& s : conv.streams()) {
    for (const StreamMark& m : s.send_ends) {
      const Event* e = by_seq(events, m.seq);
      REQUIRE(e != nullptr);
      CHECK_MESSAGE(sends_bytes(e->call), "stream " << s.from << " -> " << s.to << " " << s.from_address.to_string() << " -> " << s.to_address.to_string() << " type " << s.type << " seq " << e->seq << " " << e->name());
      CHECK(e->sock.type == s.type);
      if (s.from_address.family != AF_UNIX) CHECK(names_meet(e->sock.local, s.from_address));
    }
    for (const StreamMark& m : s.recv_ends) {
      const Event* e = by_seq(events, m.seq);
      REQUIRE(e != nullptr);
      CHECK(receives_bytes(e->call));
      CHECK(e->sock.type == s.type);
      CHECK(e->actor == s.to);
    }
  }
  for (const SeqArrow& a : conv.arrows()) {
    if (a.kind != ArrowKind::Data || a.to_row < 0 || a.to_row == a.from_row) continue;
    const Event& sent = events[conv.rows()[static_cast<std::size_t>(a.from_row)].event_index];
    const Event& got = events[conv.rows()[static_cast<std::size_t>(a.to_row)].event_index];
    CHECK(sends_bytes(sent.call));
    CHECK(receives_bytes(got.call));
    CHECK(sent.sock.type == got.sock.type);
    CHECK(sent.sock.family == got.sock.family);
    if (sent.sock.family == AF_UNIX) {
      if (sent.sock.peer_inode != 0) CHECK(sent.sock.peer_inode == got.sock.inode);
    } else if (sent.sock.stream()) {
      CHECK(sent.sock.local == got.sock.peer);
      CHECK(sent.sock.peer == got.sock.local);
    } else {
      CHECK(names_meet(got.sock.peer, sent.sock.local));
    }
  }
}

}  // namespace

TEST_CASE("conversation: the echo session's stream, arrows and waits") {
  const SocketFacts client = tcp(v4(41234), v4(8084));
  const SocketFacts conn = tcp(v4(8084), v4(41234));
  Conversation conv;
  conv.reset({"server", "client"});
  std::vector<Event> events = {
      at(1, call_event("server", Call::Socket, 3, tcp(), 3)),
      blocked(2, "server", Call::Accept, 3, tcp(v4(8084))),
      at(3, call_event("client", Call::Socket, 4, tcp(), 4)),
      at(4, call_event("client", Call::Connect, 4, client)),
      at(5, call_event("server", Call::Accept, 3, conn, 5)),
      blocked(6, "server", Call::Recv, 5, conn),
      // The receiver wakes and logs before the sender does.
      at(7, call_event("server", Call::Recv, 5, conn, 5, "hello")),
      at(8, call_event("client", Call::Send, 4, client, 5, "hello")),
      at(9, call_event("server", Call::Send, 5, conn, 5, "HELLO")),
      at(10, call_event("client", Call::Recv, 4, client, 2, "HE")),
      at(11, call_event("client", Call::Recv, 4, client, 3, "LLO")),
      at(12, call_event("client", Call::Close, 4, client)),
  };
  events.back().wire = WireEffect::Fin;
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);

  CHECK(conv.held_back() == 0);
  REQUIRE(conv.streams().size() == 2);
  const ByteStream& up = conv.streams()[0];
  CHECK(up.from == "client");
  CHECK(up.to == "server");
  CHECK(up.data == "hello");
  CHECK(up.recv_ends.size() == 1);
  const ByteStream& down = conv.streams()[1];
  CHECK(down.data == "HELLO");
  // One send, two receives: a stream, not messages.
  REQUIRE(down.send_ends.size() == 1);
  REQUIRE(down.recv_ends.size() == 2);
  CHECK(down.recv_ends[0].offset == 2);
  CHECK(down.recv_ends[1].offset == 5);

  int data_arrows = 0;
  bool handshake = false;
  bool fin = false;
  for (const SeqArrow& arrow : conv.arrows()) {
    if (arrow.kind == ArrowKind::Data) {
      ++data_arrows;
      CHECK(arrow.to_row >= arrow.from_row);  // time flows down
    }
    handshake = handshake || arrow.kind == ArrowKind::Handshake;
    fin = fin || arrow.kind == ArrowKind::Fin;
  }
  CHECK(data_arrows == 3);  // hello, and HELLO read in two pieces
  CHECK(handshake);
  CHECK(fin);
  REQUIRE(conv.blocked_rows().size() == 2);
  for (int row : conv.blocked_rows()) {
    CHECK(conv.rows()[static_cast<std::size_t>(row)].block_end_row > row);
    CHECK_FALSE(conv.rows()[static_cast<std::size_t>(row)].waiting);
  }
  CHECK(conv.row_of_event(0) == 0);
}

TEST_CASE("conversation: bytes not read yet stay in flight") {
  Conversation conv;
  conv.reset({"server", "client"});
  conv.add(at(1, call_event("server", Call::Listen, 3, tcp(v4(8084)))), 0);
  conv.add(at(2, call_event("client", Call::Send, 4, tcp(v4(41234), v4(8084)), 5, "hello")), 1);
  REQUIRE(conv.arrows().size() == 1);
  CHECK(conv.arrows()[0].to_row == -1);
  CHECK(conv.arrows()[0].to_lane == 0);  // toward the listener's program, whose accept comes later
}

TEST_CASE("conversation: what a close or shutdown sent is drawn as the socket layer saw it: FIN, RST or nothing") {
  const SocketFacts client = tcp(v4(41234), v4(8084));
  const SocketFacts conn = tcp(v4(8084), v4(41234));
  Conversation conv;
  conv.reset({"server", "client"});
  std::vector<Event> events = {
      at(1, call_event("client", Call::Connect, 4, client)),
      at(2, call_event("server", Call::Accept, 3, conn, 5)),
      at(3, call_event("client", Call::Shutdown, 4, client)),
      at(4, call_event("client", Call::Close, 4, client)),
      at(5, call_event("server", Call::Close, 5, conn)),
  };
  events[2].wire = WireEffect::Fin;
  events[4].wire = WireEffect::Rst;  // it had unread data
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  std::vector<std::pair<ArrowKind, std::uint64_t>> ends;
  for (const SeqArrow& a : conv.arrows())
    if (a.kind == ArrowKind::Fin || a.kind == ArrowKind::Rst) ends.emplace_back(a.kind, a.seq);
  CHECK(ends == std::vector<std::pair<ArrowKind, std::uint64_t>>{{ArrowKind::Fin, 3}, {ArrowKind::Rst, 5}});

  // A captured packet shows what the call sent: the call's own arrow is hidden, so each
  // is drawn once. A packet of another connection hides nothing.
  Conversation captured;
  captured.reset({"server", "client"});
  for (std::size_t i = 0; i < events.size(); ++i) captured.add(events[i], i);
  captured.add(packet_event(PacketKind::Syn, 41234, 8084), events.size());
  captured.add(packet_event(PacketKind::Fin, 8084, 41234), events.size() + 1);  // no call of that kind sent it
  captured.add(packet_event(PacketKind::Rst, 8084, 41234), events.size() + 2);
  std::vector<ArrowKind> shown;
  for (const SeqArrow& a : captured.arrows())
    if (!a.hidden) shown.push_back(a.kind);
  CHECK(shown == std::vector<ArrowKind>{ArrowKind::Fin, ArrowKind::Packet, ArrowKind::Packet, ArrowKind::Packet});
}

TEST_CASE("conversation: a stream keeps its bytes from the start, without a gap") {
  const SocketFacts client = tcp(v4(41234), v4(8084));
  Conversation conv;
  conv.reset({"server", "client"});
  conv.add(at(1, call_event("client", Call::Send, 4, client, 5, "hello")), 0);
  // The log kept 3 of this call's 10 bytes: what follows could not be placed.
  Event capped = at(2, call_event("client", Call::Send, 4, client, 10, "abc"));
  capped.byte_count = 10;
  conv.add(capped, 1);
  conv.add(at(3, call_event("client", Call::Send, 4, client, 3, "xyz")), 2);
  REQUIRE(conv.streams().size() == 1);
  const ByteStream& up = conv.streams()[0];
  CHECK(up.first == 0);
  CHECK(up.data == "helloabc");
  CHECK(up.total == 18);
  CHECK(up.send_ends.back().offset == 18);

  // Rebuilt from a window whose oldest calls let go of their bytes: the run starts at
  // the first call that has them, at its offset in the stream.
  Conversation rebuilt;
  rebuilt.reset({"server", "client"});
  Event released = at(1, call_event("client", Call::Send, 4, client, 5));
  released.byte_count = 5;
  rebuilt.add(released, 0);
  rebuilt.add(at(2, call_event("client", Call::Send, 4, client, 3, "abc")), 1);
  rebuilt.add(at(3, call_event("client", Call::Send, 4, client, 3, "xyz")), 2);
  const ByteStream& later = rebuilt.streams()[0];
  CHECK(later.first == 5);
  CHECK(later.data == "abcxyz");
  CHECK(later.total == 11);

  // And no more than kMaxKept of it, however long the stream runs.
  Conversation bulk;
  bulk.reset({"server", "client"});
  const std::string chunk(300 * 1024, 'z');
  for (std::uint64_t i = 0; i < 5; ++i)
    bulk.add(at(i + 1, call_event("client", Call::Send, 4, client, static_cast<long long>(chunk.size()), chunk)), i);
  CHECK(bulk.streams()[0].data.size() == ByteStream::kMaxKept);
  CHECK(bulk.streams()[0].total == 5 * chunk.size());

  // A class of flooding clients: the streams together keep no more than kMaxKeptAll.
  Conversation lab;
  lab.reset({"server", "client"});
  const std::string mib(ByteStream::kMaxKept, 'q');
  const std::size_t clients = Conversation::kMaxKeptAll / ByteStream::kMaxKept + 4;
  for (std::size_t i = 0; i < clients; ++i)
    lab.add(at(i + 1, call_event("client", Call::Send, static_cast<int>(10 + i), tcp(v4(static_cast<int>(42000 + i)), v4(8084)),
                                 static_cast<long long>(mib.size()), mib)),
            i);
  std::size_t kept = 0;
  for (const ByteStream& s : lab.streams()) kept += s.data.size();
  CHECK(lab.streams().size() == clients);
  CHECK(kept == Conversation::kMaxKeptAll);
  CHECK(lab.streams().front().data.size() == ByteStream::kMaxKept);  // the first keep theirs
  CHECK(lab.streams().back().data.empty());
  CHECK(lab.streams().back().total == mib.size());  // counted all the same
}

TEST_CASE("conversation, live serve: each client's connection is a lane and a stream of its own") {
  Conversation conv;
  conv.reset({"server"});
  conv.set_outside("clients", true);
  const SocketFacts one = tcp(v4(8084), v4(40001));
  const SocketFacts two = tcp(v4(8084), v4(40002));
  std::vector<Event> events = {
      at(1, call_event("server", Call::Accept, 3, one, 4)),
      at(2, call_event("server", Call::Accept, 3, two, 5)),
      // Nothing of the clients' sends is logged: the receives must not wait for them.
      at(3, call_event("server", Call::Recv, 5, two, 3, "two")),
      at(4, call_event("server", Call::Recv, 4, one, 3, "one")),
      at(5, call_event("server", Call::Send, 4, one, 3, "ONE")),
      at(6, call_event("server", Call::Close, 4, one)),
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  CHECK(conv.held_back() == 0);
  REQUIRE(conv.lanes().size() == 3);
  CHECK(conv.lanes()[1] == "127.0.0.1:40001");
  CHECK(conv.lanes()[2] == "127.0.0.1:40002");
  std::string from_one, from_two, to_one;
  for (const ByteStream& s : conv.streams()) {
    if (s.from == "127.0.0.1:40001") from_one = s.data;
    if (s.from == "127.0.0.1:40002") from_two = s.data;
    if (s.to == "127.0.0.1:40001") to_one = s.data;
  }
  CHECK(from_one == "one");
  CHECK(from_two == "two");
  CHECK(to_one == "ONE");
  // What the unseen clients sent arrives at once; what went to them is shown delivered.
  for (const SeqArrow& arrow : conv.arrows())
    if (arrow.kind == ArrowKind::Data) CHECK(arrow.to_row == arrow.from_row);
}

TEST_CASE("conversation: two clients of one server are two streams, each byte on its own connection") {
  const SocketFacts c1 = tcp(v4(40001), v4(8084));
  const SocketFacts c2 = tcp(v4(40002), v4(8084));
  const SocketFacts s1 = tcp(v4(8084), v4(40001));
  const SocketFacts s2 = tcp(v4(8084), v4(40002));
  Conversation conv;
  conv.reset({"server", "client-1", "client-2"});
  std::vector<Event> events = {
      at(1, call_event("server", Call::Listen, 3, tcp(v4(8084)))),
      at(2, call_event("client-1", Call::Connect, 4, c1)),
      at(3, call_event("client-2", Call::Connect, 5, c2)),
      at(4, call_event("client-2", Call::Send, 5, c2, 5, "world")),  // the second caller speaks first
      at(5, call_event("client-1", Call::Send, 4, c1, 5, "hello")),
      at(6, call_event("server", Call::Accept, 3, s1, 6)),
      at(7, call_event("server", Call::Recv, 6, s1, 5, "hello")),
      at(8, call_event("server", Call::Send, 6, s1, 5, "HELLO")),
      at(9, call_event("server", Call::Accept, 3, s2, 7)),
      at(10, call_event("server", Call::Recv, 7, s2, 5, "world")),
      at(11, call_event("client-1", Call::Recv, 4, c1, 5, "HELLO")),
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  check_attribution(events, conv);
  std::map<std::string, std::string> data;  // "from->to" -> bytes
  for (const ByteStream& s : conv.streams()) data[s.from + "->" + s.to] += s.data;
  CHECK(data["client-1->server"] == "hello");
  CHECK(data["client-2->server"] == "world");
  CHECK(data["server->client-1"] == "HELLO");
  CHECK(data.count("server->client-2") == 0);
}

TEST_CASE("conversation: UDP and TCP between the same programs stay apart, datagrams keep their boundaries") {
  const SocketFacts stream = tcp(v4(41000), v4(9000));
  const SocketFacts sender = udp(v4(41001, "0.0.0.0"));
  const SocketFacts receiver = udp(v4(9000));
  Conversation conv;
  conv.reset({"server", "client"});
  conv.set_lesson(true);
  std::vector<Event> events = {
      at(1, call_event("server", Call::Listen, 3, tcp(v4(9000)))),
      at(2, call_event("server", Call::Bind, 5, receiver)),
      at(3, call_event("client", Call::Connect, 4, stream)),
      at(4, call_event("client", Call::Send, 4, stream, 3, "tcp")),
      at(5, call_event("client", Call::SendTo, 6, udp(v4(41001, "0.0.0.0"), v4(9000)), 2, "u1")),
      at(6, call_event("client", Call::SendTo, 6, udp(v4(41001, "0.0.0.0"), v4(9000)), 6, "u2long")),
      at(7, call_event("server", Call::RecvFrom, 5, udp(v4(9000), v4(41001)), 2, "u1")),
      at(8, call_event("server", Call::RecvFrom, 5, udp(v4(9000), v4(41001)), 2, "u2")),  // a 2-byte buffer
      at(9, call_event("client", Call::SendTo, 6, udp(v4(41001, "0.0.0.0"), v4(9999)), 4, "lost")),
  };
  events[7].truncated = true;
  (void)sender;
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  REQUIRE(conv.streams().size() == 2);
  const ByteStream& t = conv.streams()[0];
  const ByteStream& u = conv.streams()[1];
  CHECK(t.type == SOCK_STREAM);
  CHECK(t.data == "tcp");
  CHECK(u.type == SOCK_DGRAM);
  CHECK(u.datagrams());
  CHECK(u.data == "u1u2long");
  REQUIRE(u.recv_ends.size() == 2);
  CHECK(u.recv_ends[0].offset == 2);
  CHECK(u.recv_ends[1].offset == 4);  // it took "u2" ...
  REQUIRE(u.dropped.size() == 1);     // ... and the kernel dropped "long"
  CHECK(u.dropped[0] == std::pair<std::size_t, std::size_t>{4, 8});
  CHECK(u.received == 8);
  // The datagram to a port nobody holds is lost, not sent to a lane of its own.
  CHECK(conv.lanes() == std::vector<std::string>{"server", "client"});
  CHECK(conv.arrows().back().dropped);
}

TEST_CASE("conversation: a recvfrom logged before the sendto that woke it is drawn from the sender") {
  // The client's socket has no name until its first sendto; that call's event can come
  // after the server's recvfrom returns (two threads, one lock).
  Conversation conv;
  conv.reset({"server", "client"});
  conv.set_lesson(true);
  const std::vector<Event> events = {
      at(1, call_event("server", Call::Bind, 3, udp(v4(9000)))),
      at(2, call_event("client", Call::Socket, 4, udp(Address{}))),
      at(3, call_event("server", Call::RecvFrom, 3, udp(v4(9000), v4(41001)), 5, "hello")),
      at(4, call_event("client", Call::SendTo, 4, udp(v4(41001, "0.0.0.0"), v4(9000)), 5, "hello")),
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  CHECK(conv.held_back() == 0);
  CHECK(conv.lanes() == std::vector<std::string>{"server", "client"});
  REQUIRE(conv.streams().size() == 1);
  CHECK(conv.streams()[0].from == "client");
  CHECK(conv.streams()[0].to == "server");
  CHECK(conv.streams()[0].received == 5);
}

TEST_CASE("conversation model: more-callers puts every byte on its own connection") {
  const std::vector<Event> events = run_lesson("more-callers");
  const Conversation conv = conversation_of(events, {"server", "worker", "client-1", "client-2"});
  check_attribution(events, conv);
  // client-2's b'world' is read by a recv on client-2's connection, never client-1's.
  for (const ByteStream& s : conv.streams()) {
    if (s.data.find("world") != std::string::npos) CHECK(s.from == "client-2");
    if (s.data.find("WORLD") != std::string::npos) CHECK(s.to == "client-2");
    if (s.data.find("HELLO") != std::string::npos) CHECK(s.to == "client-1");
  }
  CHECK(conv.held_back() == 0);
}

TEST_CASE("conversation model: socket-types, address-families and udp-echo keep every socket apart") {
  for (const char* id : {"socket-types", "address-families", "udp-echo"}) {
    CAPTURE(id);
    const std::vector<Event> events = run_lesson(id);
    const Conversation conv = conversation_of(events, {});
    check_attribution(events, conv);
    std::set<std::pair<int, int>> kinds;  // type, family
    for (const ByteStream& s : conv.streams()) kinds.emplace(s.type, s.to_address.family);
    if (std::string(id) == "udp-echo") {
      for (const ByteStream& s : conv.streams()) CHECK(s.datagrams());
      // The 3000-byte datagram read with a 1024-byte buffer lost its tail, and says so.
      bool tail_lost = false;
      for (const ByteStream& s : conv.streams())
        for (const auto& [begin, end] : s.dropped) tail_lost = tail_lost || end - begin == 3000 - 1024;
      CHECK(tail_lost);
    } else {
      CHECK(kinds.size() >= 3);  // never one stream for all
    }
    for (const std::string& lane : conv.lanes()) CHECK(lane != "peer");
  }
}

TEST_CASE("conversation model: hanging-up's close after SO_LINGER {1, 0} is an RST, not a FIN") {
  const std::vector<Event> events = run_lesson("hanging-up");
  const Conversation conv = conversation_of(events, {});
  // The kernel's word on it: the peer's next recv() saw the reset.
  bool peer_reset = false;
  for (const Event& e : events) peer_reset = peer_reset || (receives_bytes(e.call) && e.err == ECONNRESET);
  REQUIRE(peer_reset);
  int rst = 0;
  for (const SeqArrow& a : conv.arrows()) {
    const Event& e = events[conv.rows()[static_cast<std::size_t>(a.from_row)].event_index];
    if (a.kind == ArrowKind::Rst) {
      ++rst;
      CHECK(e.call == Call::Close);
      CHECK(e.wire == WireEffect::Rst);
    }
    if (a.kind == ArrowKind::Fin) CHECK(e.wire == WireEffect::Fin);
  }
  CHECK(rst >= 1);
}

TEST_CASE("socket cards: a new socket under an old name has none of the old one's errors") {
  for (const std::string& id : {std::string("address-families"), std::string("ports-bind"), std::string("connect-ex"),
                                std::string("more-callers")}) {
    CAPTURE(id);
    const auto path = resolve_lesson(id);
    REQUIRE(path);
    Session session(load_lesson_file(*path));
    const Lesson& lesson = session.lesson();
    for (int n = 0; n < 1000 && session.step(); ++n) {
      const SessionSnapshot snap = session.snapshot();
      for (const SocketCard& card : snap.sockets) {
        bool failed_since = false;
        for (std::size_t i = static_cast<std::size_t>(std::max(card.opened_step, 0)); i < snap.position; ++i) {
          const Step& step = lesson.steps[i];
          if (step.actor != card.actor || step.sock != card.var) continue;
          const CallResult& r = snap.outcomes[i].result;
          failed_since = failed_since || r.err != 0 || (step.call == "connect_ex" && r.value != 0);
        }
        const std::string shown = card_error(lesson, snap, card.actor, card.var, card.opened_step, false);
        if (!failed_since) CHECK_MESSAGE(shown.empty(), card.actor << "." << card.var << ": " << shown);
        if (!shown.empty()) CHECK(shown.rfind("step ", 0) == 0);
      }
    }
  }
}

TEST_CASE("a recv with MSG_PEEK moves no byte: the stream holds each byte once") {
  const SocketFacts c = tcp(v4(40001), v4(8084));
  const SocketFacts s = tcp(v4(8084), v4(40001));
  Conversation conv;
  conv.reset({"server", "client"});
  Event peek = call_event("server", Call::Recv, 6, s, 5, "hello");
  peek.peeked = true;
  const std::vector<Event> events = {
      at(1, call_event("server", Call::Listen, 3, tcp(v4(8084)))),
      at(2, call_event("client", Call::Connect, 4, c)),
      at(3, call_event("server", Call::Accept, 3, s, 6)),
      at(4, call_event("client", Call::Send, 4, c, 5, "hello")),
      at(5, peek),
      at(6, call_event("server", Call::Recv, 6, s, 5, "hello")),
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  REQUIRE(conv.streams().size() == 1);
  CHECK(conv.streams()[0].data == "hello");
  CHECK(conv.streams()[0].total == 5);
  CHECK(conv.rows().size() == events.size());  // the peek is a row of its own
}

TEST_CASE("conversation: a fork() is an arrow from the parent's lane to the lane of the child it made") {
  // The real lesson: the child's calls carry its own pid, the one fork() returned.
  const std::vector<Event> events = run_lesson("fork-per-client");
  const Conversation conv = conversation_of(events, {"server", "child-1", "client-1"});
  std::vector<const SeqArrow*> forks;
  for (const SeqArrow& a : conv.arrows())
    if (a.kind == ArrowKind::Fork) forks.push_back(&a);
  REQUIRE(forks.size() == 1);
  CHECK(conv.lanes()[static_cast<std::size_t>(forks[0]->from_lane)] == "server");
  CHECK(conv.lanes()[static_cast<std::size_t>(forks[0]->to_lane)] == "child-1");
  const Event& fork = events[conv.rows()[static_cast<std::size_t>(forks[0]->from_row)].event_index];
  CHECK(fork.call == Call::Fork);
  // A child that makes no call, or a failed fork, draws nothing.
  Conversation alone;
  alone.reset({"server"});
  Event failed = at(1, call_event("server", Call::Fork, -1));
  failed.value = -1;
  failed.err = EAGAIN;
  alone.add(failed, 0);
  CHECK(alone.arrows().empty());
  // A traced fork names no lane: the child is known by its first call, made with its pid.
  Conversation traced;
  traced.reset({"srv[10/10]"});
  Event forked = at(1, call_event("srv[10/10]", Call::Fork, -1));
  forked.value = 500;
  forked.pid = 10;
  Event first = at(2, call_event("srv[500/500]", Call::Recv, 4));
  first.pid = 500;
  traced.add(forked, 0);
  CHECK(traced.arrows().empty());
  traced.add(first, 1);
  std::vector<SeqArrow> fork_arrows;
  for (const SeqArrow& a : traced.arrows())
    if (a.kind == ArrowKind::Fork) fork_arrows.push_back(a);
  REQUIRE(fork_arrows.size() == 1);
  CHECK(traced.lanes()[static_cast<std::size_t>(fork_arrows[0].from_lane)] == "srv[10/10]");
  CHECK(traced.lanes()[static_cast<std::size_t>(fork_arrows[0].to_lane)] == "srv[500/500]");
}
