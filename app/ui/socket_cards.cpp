#include "ui/socket_cards.hpp"

#include <algorithm>
#include <optional>

namespace sockstep::ui {
namespace {

bool same_connection(const SocketView& view, const OrphanSocket& orphan) {
  return !view.local.empty() && !view.peer.empty() && view.local == orphan.local && view.peer == orphan.peer;
}

// The socket the step just taken was about: the one it made (accept's new connection),
// else the one it was called on; a close names the socket it closed.
struct Touch {
  std::string actor;
  std::string var;
  int step = -1;
  bool closes = false;
};

std::optional<Touch> touched_by(const Lesson& lesson, const SessionSnapshot& snap) {
  if (snap.position == 0 || snap.position > lesson.steps.size()) return std::nullopt;
  const int index = static_cast<int>(snap.position) - 1;
  const Step& step = lesson.steps[snap.position - 1];
  if (step.call == "close") return Touch{step.actor, step.sock, index, true};
  if (step.call == "handoff") return Touch{arg_string(step, "to"), step.sock, index, false};
  if (const std::string made = socket_made_by(step); !made.empty()) {
    for (const SocketCard& card : snap.sockets)
      if (card.actor == step.actor && card.var == made && card.opened_step == index)
        return Touch{step.actor, made, index, false};
  }
  // An accept that still waits has made nothing yet: the listener is what it waits on.
  if (!step.sock.empty()) return Touch{step.actor, step.sock, index, false};
  return std::nullopt;
}

// A newer socket took this closed lesson socket's name.
bool superseded(const SocketCard& closed, const SessionSnapshot& snap) {
  if (closed.closed_step < 0) return false;  // a live session's: each connection its own card
  const auto newer = [&](const SocketCard& other, int since) {
    return other.actor == closed.actor && other.var == closed.var && since > closed.closed_step;
  };
  for (const SocketCard& card : snap.sockets)
    if (newer(card, card.opened_step)) return true;
  for (const SocketCard& card : snap.closed)
    if (newer(card, card.closed_step)) return true;
  return false;
}

}  // namespace

OrphanOrigin orphan_origin(const OrphanSocket& orphan, const SessionSnapshot& snap) {
  OrphanOrigin origin;
  if (orphan.state == "ESTABLISHED" || orphan.state == "SYN_RECV") {
    for (const SocketCard& card : snap.sockets) {
      if (!card.view.listening || card.view.local.port != orphan.local.port) continue;
      origin.actor = card.actor;
      origin.var = card.var;
      origin.queued = true;
      return origin;
    }
  }
  // Newest first: a lesson may close several sockets of one name.
  for (std::size_t i = snap.closed.size(); i-- > 0;) {
    const SocketCard& card = snap.closed[i];
    if (!same_connection(card.view, orphan)) continue;
    origin.actor = card.actor;
    origin.var = card.var;
    origin.closed_step = card.closed_step;
    return origin;
  }
  if (orphan.earlier) return origin;
  // Not seen closing (a live session's socket between two looks at the kernel): the
  // session's socket with the same local address is whose it was.
  for (const SocketCard& card : snap.sockets)
    if (card.view.local == orphan.local) origin.actor = card.actor;
  for (const SocketCard& card : snap.closed)
    if (card.view.local == orphan.local) origin.actor = card.actor;
  return origin;
}

std::vector<CardSlot> card_slots(const Lesson& lesson, const SessionSnapshot& snap) {
  const std::optional<Touch> touch = touched_by(lesson, snap);
  std::vector<CardSlot> slots;
  for (std::size_t i = 0; i < snap.sockets.size(); ++i) {
    const SocketCard& card = snap.sockets[i];
    const bool touched = touch && !touch->closes && card.actor == touch->actor && card.var == touch->var;
    slots.push_back({CardSlot::Kind::Open, i, touched});
  }
  for (std::size_t i = 0; i < snap.orphans.size(); ++i) {
    if (snap.orphans[i].earlier) continue;
    const OrphanOrigin origin = orphan_origin(snap.orphans[i], snap);
    const bool touched = touch && touch->closes && origin.closed_step == touch->step && origin.closed_step >= 0;
    slots.push_back({CardSlot::Kind::Orphan, i, touched});
  }
  // Newest first: the socket that just closed sits next to the open ones.
  for (std::size_t i = snap.closed.size(); i-- > 0;) {
    const SocketCard& card = snap.closed[i];
    if (superseded(card, snap)) continue;
    const bool still_held = std::any_of(snap.orphans.begin(), snap.orphans.end(), [&](const OrphanSocket& o) {
      return !o.earlier && same_connection(card.view, o);
    });
    if (still_held) continue;  // drawn as the fd-less socket it became
    const bool touched = touch && touch->closes && card.closed_step == touch->step;
    slots.push_back({CardSlot::Kind::Closed, i, touched});
  }
  for (std::size_t i = 0; i < snap.orphans.size(); ++i)
    if (snap.orphans[i].earlier) slots.push_back({CardSlot::Kind::Earlier, i, false});
  return slots;
}

bool shows_send_queue(const SocketView& view) { return !view.outq_is_syn; }

}  // namespace sockstep::ui
