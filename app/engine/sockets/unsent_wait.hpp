#pragma once
#include <chrono>

namespace sockstep {

// How long bytes a TCP socket was given stayed in its kernel unsent, read from TCP_INFO
// (tcpi_notsent_bytes: written by the program, not yet put on the wire). Nagle's
// algorithm holds a small write back while an earlier one waits for its ACK, so right
// after write-write the second write's bytes are here.
struct UnsentWait {
  long long first_bytes = -1;  // unsent bytes at the first look; -1: the kernel does not say
  long long waited_us = -1;    // from the first look until none was unsent; -1: not measured
  bool gave_up = false;        // still unsent when the bound ran out
};

// Reads TCP_INFO again and again (every 100 µs, for at most bound) until no byte is
// unsent. No event tells a process that its kernel sent a segment, so this looks.
[[nodiscard]] UnsentWait wait_until_sent(int fd, std::chrono::milliseconds bound);

}  // namespace sockstep
