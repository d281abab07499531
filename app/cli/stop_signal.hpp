#pragma once

namespace sockstep::cli {

// An eventfd written by SIGINT/SIGTERM: pass it as an OpContext wake fd and every
// waiting call returns ECANCELED, so serve/dial stop cleanly on Ctrl-C.
[[nodiscard]] int install_stop_signal();
[[nodiscard]] bool stop_requested();
// Sockets never raise SIGPIPE (MSG_NOSIGNAL); this covers stdout piped into a reader that
// quits early (`sockstep serve | head`): the write fails instead of killing the server.
// Not for trace: an ignored signal would be inherited by the traced program.
void ignore_sigpipe();

}  // namespace sockstep::cli
