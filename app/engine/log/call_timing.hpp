#pragma once
#include <chrono>

namespace sockstep {

// How a session's calls reach the log, for linking packets to them. The engine logs a
// call as it returns. A trace logs them up to `late` after (read from the program's ring
// through the tracer's reorder window): a packet waits, at most that long, until the log
// holds a call from after it. It also stamps a connect, a send, a close or a shutdown
// with when it began
// (PacketLinker::sends_stamped_at_start).
struct CallTiming {
  std::chrono::milliseconds late{0};
  bool sends_stamped_at_start = false;
};

}  // namespace sockstep
