#pragma once

namespace sockstep {

// A sockstep given CAP_NET_RAW with setcap (for packet capture) hands it to every user
// who runs it, and with it raw sockets to any lesson they open. So unless the user is
// root, every capability is given up (effective, permitted, inheritable and ambient)
// once the capture is open, before any lesson step runs. Capabilities are per thread:
// this is for the main thread, before the threads that run lessons are made (they
// inherit what it has then). Returns true if there was something to give up.
bool drop_borrowed_capabilities();

}  // namespace sockstep
