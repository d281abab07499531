#pragma once
#include "engine/log/event.hpp"

namespace sockstep {

// What this process's socket descriptors are (family, type, inode, both names), as the
// socket layer learned them from the kernel when a call changed them. Descriptors are
// the process's, not a thread's, so the table is too: a socket handed to another
// thread keeps its facts. Thread-safe.
namespace fd_facts {

// The kernel's answer for fd now: SO_DOMAIN, SO_TYPE, fstat's inode, getsockname,
// getpeername and, for AF_UNIX, the peer's inode (sock_diag). Unknown parts stay empty.
[[nodiscard]] SocketFacts read(int fd);
// Reads and keeps them; returns what was kept.
SocketFacts learn(int fd);
void keep(int fd, const SocketFacts& facts);
[[nodiscard]] SocketFacts get(int fd);  // empty when not known
void forget(int fd);

}  // namespace fd_facts

// The inode of the AF_UNIX socket connected to the one with this inode (sock_diag's
// UNIX_DIAG_PEER); 0 when it has none or the kernel does not say.
[[nodiscard]] std::uint64_t unix_peer_inode(std::uint64_t inode);

}  // namespace sockstep
