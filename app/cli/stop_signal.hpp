#pragma once

namespace sockstep::cli {

// An eventfd written by SIGINT/SIGTERM: pass it as an OpContext wake fd and every
// waiting call returns ECANCELED, so serve/dial stop cleanly on Ctrl-C.
[[nodiscard]] int install_stop_signal();
[[nodiscard]] bool stop_requested();

}  // namespace sockstep::cli
