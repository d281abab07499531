#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/inspect.hpp"
#include "engine/lesson.hpp"
#include "engine/socket_ops.hpp"

namespace sockstep {

// What the checks may ask of the running session, read from the kernel at check time.
struct KernelFacts {
  // SocketView of actor's variable, nullopt once it is closed.
  std::function<std::optional<SocketView>(const std::string& actor, const std::string& var)> socket;
  std::function<std::vector<OrphanSocket>()> orphans;
  std::function<std::string(const std::string& actor)> last_console_line;
};

// Every expectation of step that does not hold for result, one sentence each.
// blocks/unblocks are judged by the session while it settles, not here.
[[nodiscard]] std::vector<std::string> check_expectations(const Step& step, const CallResult& result,
                                                          const KernelFacts& facts);

}  // namespace sockstep
