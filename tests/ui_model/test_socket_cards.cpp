// The Sockets panel's model: which cards, in which order, whose an fd-less socket was,
// and which card the step just taken touched. Snapshots are built by hand.
#include <doctest/doctest.h>

#include "ui/socket_cards.hpp"

using namespace sockstep;
using namespace sockstep::ui;

namespace {

Address v4(int port) { return Address{AF_INET, "127.0.0.1", port, {}}; }

Step step(std::string actor, std::string call, std::string sock = {}, std::string result = {}) {
  Step s;
  s.actor = std::move(actor);
  s.call = std::move(call);
  s.sock = std::move(sock);
  s.result = std::move(result);
  return s;
}

SocketCard card(std::string actor, std::string var, int opened, Address local, Address peer, bool listening = false) {
  SocketCard c;
  c.actor = std::move(actor);
  c.var = std::move(var);
  c.opened_step = opened;
  c.view.local = std::move(local);
  c.view.peer = std::move(peer);
  c.view.listening = listening;
  c.view.state = listening ? "LISTEN" : "ESTABLISHED";
  return c;
}

OrphanSocket orphan(std::string state, Address local, Address peer, bool earlier = false) {
  OrphanSocket o;
  o.state = std::move(state);
  o.local = std::move(local);
  o.peer = std::move(peer);
  o.earlier = earlier;
  return o;
}

// The echo lesson's calls, enough of them: server phone, accept conn, client phone, ...
Lesson lesson() {
  Lesson l;
  l.steps = {step("server", "socket", "", "phone"),        // 0
             step("server", "listen", "phone"),             // 1
             step("server", "accept", "phone", "conn, addr"),  // 2
             step("client", "socket", "", "phone"),         // 3
             step("client", "connect", "phone"),            // 4
             step("client", "close", "phone"),              // 5
             step("server", "close", "conn"),               // 6
             step("client", "socket", "", "phone"),         // 7
             step("server", "handoff", "conn"),             // 8
             step("server", "print")};                      // 9
  l.steps[8].args["to"] = std::string("worker");
  return l;
}

std::vector<std::pair<CardSlot::Kind, bool>> kinds(const std::vector<CardSlot>& slots) {
  std::vector<std::pair<CardSlot::Kind, bool>> out;
  for (const CardSlot& s : slots) out.emplace_back(s.kind, s.touched);
  return out;
}

using K = CardSlot::Kind;

}  // namespace

TEST_CASE("the card the step just took is touched: the socket it made, used, or closed") {
  const Lesson l = lesson();
  SessionSnapshot snap;
  snap.sockets = {card("server", "phone", 0, v4(8084), {}, true)};
  snap.position = 3;  // accept still waits: the listener is what it waits on
  CHECK(kinds(card_slots(l, snap)) == std::vector<std::pair<K, bool>>{{K::Open, true}});
  snap.sockets.push_back(card("client", "phone", 3, v4(40000), v4(8084)));
  snap.sockets.push_back(card("server", "conn", 2, v4(8084), v4(40000)));
  snap.position = 5;  // client connect
  CHECK(kinds(card_slots(l, snap)) ==
        std::vector<std::pair<K, bool>>{{K::Open, false}, {K::Open, true}, {K::Open, false}});
  snap.position = 3;  // the accept returned: the connection it made, not the listener
  CHECK(kinds(card_slots(l, snap)) ==
        std::vector<std::pair<K, bool>>{{K::Open, false}, {K::Open, false}, {K::Open, true}});
  snap.position = 10;  // print touches no socket
  for (const CardSlot& s : card_slots(l, snap)) CHECK_FALSE(s.touched);
  snap.position = 0;
  for (const CardSlot& s : card_slots(l, snap)) CHECK_FALSE(s.touched);
}

TEST_CASE("a closed socket the kernel still holds is one card, the fd-less one, naming whose it was") {
  const Lesson l = lesson();
  SessionSnapshot snap;
  snap.sockets = {card("server", "phone", 0, v4(8084), {}, true)};
  SocketCard client = card("client", "phone", 3, v4(40000), v4(8084));
  client.closed_step = 5;
  SocketCard conn = card("server", "conn", 2, v4(8084), v4(40000));
  conn.closed_step = 6;
  snap.closed = {client, conn};
  snap.orphans = {orphan("TIME_WAIT", v4(40000), v4(8084))};
  snap.position = 6;  // the client's close left the TIME_WAIT
  // Open, the client's TIME_WAIT (lit: that close made it), the server's conn, gone.
  CHECK(kinds(card_slots(l, snap)) ==
        std::vector<std::pair<K, bool>>{{K::Open, false}, {K::Orphan, true}, {K::Closed, false}});
  const OrphanOrigin origin = orphan_origin(snap.orphans[0], snap);
  CHECK(origin.actor == "client");
  CHECK(origin.var == "phone");
  CHECK(origin.closed_step == 5);
  CHECK_FALSE(origin.queued);
  snap.position = 7;
  CHECK(kinds(card_slots(l, snap)) ==
        std::vector<std::pair<K, bool>>{{K::Open, false}, {K::Orphan, false}, {K::Closed, true}});
  // A new client phone takes the name: the old closed card is left out, its TIME_WAIT stays.
  snap.closed.erase(snap.closed.begin());
  snap.closed.insert(snap.closed.begin(), client);
  snap.sockets.push_back(card("client", "phone", 7, {}, {}));
  snap.position = 8;
  snap.orphans.clear();
  const auto slots = card_slots(l, snap);
  CHECK(kinds(slots) == std::vector<std::pair<K, bool>>{{K::Open, false}, {K::Open, true}, {K::Closed, false}});
  CHECK(snap.closed[slots[2].index].var == "conn");
}

TEST_CASE("an established connection nobody accepted is in its listener's queue") {
  SessionSnapshot snap;
  snap.sockets = {card("server", "phone", 0, v4(8084), {}, true)};
  const OrphanOrigin origin = orphan_origin(orphan("ESTABLISHED", v4(8084), v4(40000)), snap);
  CHECK(origin.queued);
  CHECK(origin.actor == "server");
  CHECK(origin.var == "phone");
  // On the listener's port, but a TIME_WAIT is no queued connection.
  CHECK_FALSE(orphan_origin(orphan("TIME_WAIT", v4(8084), v4(40000)), snap).queued);
}

TEST_CASE("what an earlier run left comes after the session's own sockets, and is nobody's") {
  const Lesson l = lesson();
  SessionSnapshot snap;
  snap.sockets = {card("server", "phone", 0, v4(8084), {}, true)};
  SocketCard closed = card("client", "phone", 3, v4(40000), v4(8084));
  closed.closed_step = 5;
  snap.closed = {closed};
  snap.orphans = {orphan("TIME_WAIT", v4(39000), v4(8084), true), orphan("TIME_WAIT", v4(40000), v4(8084))};
  const auto slots = card_slots(l, snap);
  CHECK(kinds(slots) == std::vector<std::pair<K, bool>>{{K::Open, false}, {K::Orphan, false}, {K::Earlier, false}});
  CHECK(slots[1].index == 1);
  CHECK(slots[2].index == 0);
  CHECK(orphan_origin(snap.orphans[0], snap).actor.empty());
}

TEST_CASE("a socket whose connect failed shows no send queue: SIOCOUTQ counts its SYN") {
  SocketView view;
  view.outq = 1;
  CHECK(shows_send_queue(view));
  view.outq_is_syn = true;
  CHECK_FALSE(shows_send_queue(view));
}
