#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/inspect/inspect.hpp"
#include "engine/sockets/actor.hpp"
#include "engine/sockets/socket_ops.hpp"
#include "engine/text/text.hpp"

namespace sockstep {

// What the panels draw of a session at one moment: its actors, the kernel's view of its
// sockets, and how its steps went. A lesson's Session and a live session's LiveSource
// both make one, so neither needs the other.

enum class StepStatus { NotRun, Done, Blocked, Cancelled };
[[nodiscard]] const char* step_status_name(StepStatus status);

// What happened to one step: its call's result (once it returned) and the checks.
struct StepOutcome {
  StepStatus status = StepStatus::NotRun;
  CallResult result;
  std::vector<std::string> failures;  // expectations that did not hold
  bool checked = false;
  std::vector<std::size_t> predict_right;  // choices of the step's prediction the kernel bore out
};

struct ActorView {
  std::string name;
  ActorState state = ActorState::Idle;
  std::string blocked_in;    // "accept" while waiting
  int blocked_step = -1;     // the step whose call waits
  std::vector<std::string> console;
  std::string ended;         // live sessions: how the program ended ("exited with status 0")
  std::string ended_zh;      // the same in Chinese, when the note says it
  // A lesson's forked child: its pid and "running", "zombie" or "reaped" (/proc/PID/stat).
  int pid = 0;
  std::string process;
};

// A socket a lesson variable holds, as the kernel sees it now.
struct SocketCard {
  std::string actor;
  std::string var;      // "phone", "conn"
  int opened_step = -1;
  int closed_step = -1;  // a closed socket's card: the lesson step that closed it (-1: live)
  SocketView view;       // a closed socket: as the kernel showed it just before the close
  std::string blocked_in;
};

struct SessionSnapshot {
  std::uint64_t generation = 0;   // changes on every reset
  std::size_t position = 0;       // steps taken
  std::size_t step_count = 0;
  int port = 0;                   // the port in use (may differ from the lesson's)
  Text notice;                    // e.g. "port 8084 was taken; using 40123"
  std::vector<ActorView> actors;
  std::vector<SocketCard> sockets;
  std::vector<OrphanSocket> orphans;
  std::vector<StepOutcome> outcomes;
  // Sockets closed since they were opened, as last seen, oldest first: in a lesson with
  // the step that closed them, in a live session as the kernel last reported them.
  std::vector<SocketCard> closed;
};

// The kernel's view at one moment of a session: it holds for the events up to after_seq.
struct SnapshotAt {
  std::uint64_t after_seq = 0;
  SessionSnapshot snap;
};

}  // namespace sockstep
