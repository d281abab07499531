#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "engine/lesson/lesson.hpp"
#include "engine/lesson/session.hpp"

namespace sockstep::ui {

// What the Sockets panel draws and in which order, decided without ImGui: the open
// sockets, the session's own fd-less ones (each named after the socket it was), the
// closed ones the kernel no longer holds, and last what earlier runs left on the ports.

// Whose an fd-less socket is.
struct OrphanOrigin {
  std::string actor;     // "" when no socket of the session explains it
  std::string var;       // the socket it was ("phone"); a queued one: its listener
  int closed_step = -1;  // the lesson step whose close left it behind
  bool queued = false;   // a connection in a listener's accept queue, never accepted
};

// An established (or half-open) connection on a port a socket listens on is waiting in
// its accept queue; otherwise the closed socket with the same two addresses left it.
[[nodiscard]] OrphanOrigin orphan_origin(const OrphanSocket& orphan, const SessionSnapshot& snap);

struct CardSlot {
  enum class Kind {
    Open,     // snap.sockets[index]
    Orphan,   // snap.orphans[index], the session's own
    Closed,   // snap.closed[index]: gone from the kernel (or not seen without its fd)
    Earlier,  // snap.orphans[index], left by an earlier run
  };
  Kind kind = Kind::Open;
  std::size_t index = 0;
  bool touched = false;  // the step just taken made, used or closed this socket
};

// The cards in the order drawn. A closed socket that the kernel still holds without an
// fd is drawn once, as that fd-less socket; a closed lesson socket whose name a later
// socket took is left out (the newest socket of a name is the one the code means).
[[nodiscard]] std::vector<CardSlot> card_slots(const Lesson& lesson, const SessionSnapshot& snap);

// SIOCOUTQ of a socket whose connect failed counts only its unacknowledged SYN: no
// byte is queued, so no send queue is drawn.
[[nodiscard]] bool shows_send_queue(const SocketView& view);

}  // namespace sockstep::ui
