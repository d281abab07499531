#pragma once
#include <sys/types.h>

#include <chrono>
#include <vector>

namespace sockstep::trace {

// Makes this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER):
// a traced program's background child whose parent exits becomes sockstep's child, not
// init's, so it can still be found and ended when the trace ends.
void adopt_orphans();

// Every live descendant of this process (children, their children, ...), from
// /proc/<pid>/task/<tid>/children; bounded, so a fork bomb cannot hold it up.
[[nodiscard]] std::vector<pid_t> descendants();

// Sends sig to every live descendant.
void signal_descendants(int sig);

// Ends every descendant still alive: SIGTERM, up to grace for them to exit, then
// SIGKILL, and reaps those that are this process's own children. Returns how many
// there were.
std::size_t end_descendants(std::chrono::milliseconds grace);

}  // namespace sockstep::trace
