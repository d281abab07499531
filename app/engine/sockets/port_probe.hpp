#pragma once

namespace sockstep {

// True when a listener could bind 127.0.0.1:port now (SO_REUSEADDR, as lessons do).
[[nodiscard]] bool port_is_free(int port);
// A port the kernel picks on 127.0.0.1; 0 if none could be had.
[[nodiscard]] int free_port();

}  // namespace sockstep
