#pragma once
#include "check/check_runner.hpp"
#include "cli/commands.hpp"
#include "engine/log/address.hpp"
#include "trace/tracer.hpp"

namespace sockstep::cli {

// serve, dial and trace without --headless: the same session in the window, live.
// Each reports bad input (a taken port, a missing program) before the window opens,
// and says in one line when there is no display (exit 1).
int serve_window(const Address& address, const ServeOptions& options);
int dial_window(const Address& target, const DialOptions& options);
int trace_window(trace::TraceOptions run, const TraceOptions& options);
// check --gui: after the checks, the window on the first failed check's session (the
// program's calls, bytes and sockets as it ran), every verdict in the event log.
int check_window(const std::vector<check::Verdict>& verdicts, const CheckOptions& options);

}  // namespace sockstep::cli
