#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/inspect/inspect.hpp"
#include "engine/lesson/lesson.hpp"
#include "engine/sockets/socket_ops.hpp"

namespace sockstep {

// What the checks may ask of the running session, read from the kernel at check time.
struct KernelFacts {
  // SocketView of actor's variable, nullopt once it is closed.
  std::function<std::optional<SocketView>(const std::string& actor, const std::string& var)> socket;
  std::function<std::vector<OrphanSocket>()> orphans;
  // The names of the sockets an actor holds now (an epoll_wait may report any of them).
  std::function<std::vector<std::string>(const std::string& actor)> socket_names;
  std::function<std::string(const std::string& actor)> last_console_line;
  // How many descriptors (in this process and its forked children) refer to the socket
  // an actor's variable names; -1 once the variable is closed.
  std::function<int(const std::string& actor, const std::string& var)> descriptors;
  // A forked child's process: "running", "zombie" or "reaped"; "" for an actor that is none.
  std::function<std::string(const std::string& actor)> process;
  // What an actor waits in: the call by the engine's state ("" when it waits in none),
  // and the system call its thread sleeps in by /proc/.../syscall (-1: running or not
  // readable; then `kernel_read` is false when the file could not be read at all).
  struct Waiting {
    std::string call;
    long syscall = -1;
    bool kernel_read = false;
  };
  std::function<Waiting(const std::string& actor)> waiting;
};

// Every expectation of step that does not hold for result, one sentence each.
// blocks/unblocks are judged by the session while it settles, not here.
// With settle, checks whose subject the kernel finishes on its own time (bytes
// still on their way, a FIN or RST not yet processed) first wait for that event
// with poll(), bounded by a few seconds; without it they read the kernel as it is.
[[nodiscard]] std::vector<std::string> check_expectations(const Step& step, const CallResult& result,
                                                          const KernelFacts& facts, bool settle = true);
[[nodiscard]] std::vector<std::string> check_expect(const Expect& expect, const Step& step,
                                                    const CallResult& result, const KernelFacts& facts,
                                                    bool settle);

// waits_in: judged by the session as it settles a step, also one whose own call waits.
[[nodiscard]] std::vector<std::string> check_waits(const Expect& expect, const KernelFacts& facts, bool settle = true);

// Whether this process may do what step.needs names (bind below 1024, SOCK_RAW): it
// holds the capability, or (for ports) the port is at or above ip_unprivileged_port_start.
[[nodiscard]] bool process_may(Privilege need, const Step& step);
// step.expect_privileged when the step needs a privilege this process holds, else step.expect.
[[nodiscard]] const Expect& expectation_for(const Step& step);

}  // namespace sockstep
