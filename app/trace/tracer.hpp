#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/call_timing.hpp"
#include "engine/log/event_log.hpp"
#include "trace/ring.hpp"

namespace sockstep::trace {

// What can be known about a program before it runs: where it is, and whether a
// preload library can see its calls at all.
struct ProgramCheck {
  std::string path;                   // absolute, "" if not found
  bool found = false;
  bool dynamic = true;                // has PT_INTERP (or is a script run by one that has)
  bool secure = false;                // setuid/setgid: the loader ignores LD_PRELOAD
  std::vector<std::string> warnings;  // one sentence each, for the user
};

// Finds name on PATH (or takes it as a path) and reads its ELF header; for "#!"
// scripts the interpreter is checked instead.
[[nodiscard]] ProgramCheck check_program(const std::string& name);

// True when the ELF file at path has a PT_INTERP program header (a dynamic executable).
// nullopt-like: returns false and sets is_elf=false for files that are not ELF.
[[nodiscard]] bool elf_has_interp(const std::string& path, bool& is_elf);

// A "python3" found on PATH may be a shell shim (pyenv, a venv wrapper) that loses
// or rewrites the environment; run the real interpreter (sys.executable) instead.
// Returns argv unchanged when it is not a Python shim or the question fails.
[[nodiscard]] std::vector<std::string> resolve_interpreter(const std::vector<std::string>& argv,
                                                           std::string& note);

// libsockstep-preload.so: $SOCKSTEP_PRELOAD, next to this executable, or installed.
[[nodiscard]] std::string find_preload_library();

struct TraceOptions {
  std::vector<std::vector<std::string>> commands;  // `A ::: B` gives two
  std::string preload;                             // path of the preload library
  bool together = false;  // start every command at once instead of after the previous listens
  int stop_fd = -1;       // readable when the user asked to stop (Ctrl-C)
  bool unbuffered = true; // PYTHONUNBUFFERED=1 so prints show when they happen
  std::vector<std::string> env;  // NAME=VALUE added to every program's environment (faults)
  // Each traced process's ring (ring.hpp); 0: every record over the channel instead.
  std::uint64_t ring_bytes = kRingDefaultBytes;
  // Sees every raw record before it is decoded (to keep real traces as test inputs).
  std::function<void(std::string_view)> on_record;
};

// How a traced call reaches the log: connects and sends stamped with when they began,
// and let out once older than the tracer's reorder window (20 ms), the rings read every
// 5 ms; a busy machine adds to it, so a capture linking packets waits 100 ms at most.
inline constexpr CallTiming kTracedCallTiming{std::chrono::milliseconds{100}, true};

struct TraceResult {
  std::vector<int> exit_codes;  // per command: exit code, 128 + signal, -1 never ran
  bool all_ok = false;
  std::string error;            // set when nothing could run (bad command, no preload)
};

// Runs the commands with the preload library, turns every record into an Event in
// log (actor "name[pid]"), their stdout/stderr lines into Print events, and ends
// with each program's exit status. Never waits for grandchildren that outlive the
// programs it started: once they have all exited (or on a stop), every process they
// left behind is ended (SIGTERM, then SIGKILL), so none outlives the trace.
[[nodiscard]] TraceResult run_trace(const TraceOptions& options, EventLog& log);

}  // namespace sockstep::trace
