#pragma once

#include "engine/waker.hpp"

namespace sockstep::cli {

// A waker woken by SIGINT/SIGTERM: give it to an OpContext and every waiting call returns
// ECANCELED; put its fd() in a poll() set to stop a loop. serve/dial stop cleanly on Ctrl-C.
[[nodiscard]] Waker& install_stop_signal();
[[nodiscard]] bool stop_requested();
// Sockets never raise SIGPIPE (MSG_NOSIGNAL); this covers stdout piped into a reader that
// quits early (`sockstep serve | head`): the write fails instead of killing the server.
// Not for trace: an ignored signal would be inherited by the traced program.
void ignore_sigpipe();

}  // namespace sockstep::cli
