#pragma once
#include <cstdio>

#include "engine/sockets/waker.hpp"

namespace sockstep::cli {

// A waker woken by SIGINT/SIGTERM: give it to an OpContext and every waiting call returns
// ECANCELED; put its fd() in a poll() set to stop a loop. serve/dial stop cleanly on Ctrl-C.
[[nodiscard]] Waker& install_stop_signal();
[[nodiscard]] bool stop_requested();
// Sockets never raise SIGPIPE (MSG_NOSIGNAL); this covers stdout piped into a reader that
// quits early (`sockstep serve | head`): the write fails instead of killing the server.
// trace gives its programs the default back when it starts them.
void ignore_sigpipe();
// Flushes stream; true if it (or an earlier write) failed: the reader went away
// (EPIPE, said by nobody) or the write failed (said on stderr). The session is then
// asked to stop, as by Ctrl-C (stop_requested() is true).
bool output_gone(std::FILE* stream);

}  // namespace sockstep::cli
