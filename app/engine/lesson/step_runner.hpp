#pragma once
#include <optional>
#include <string>

#include "engine/lesson/session.hpp"

namespace sockstep {

// Turns one lesson step into its socket call, on the actor's thread: looks up the
// socket and data variables the step names, makes the call, stores what it returned.
class StepRunner {
 public:
  StepRunner(Session& session, OpContext& ctx) : session_(session), ctx_(ctx) {}
  CallResult run(std::size_t index);

 private:
  CallResult call(const Step& step);
  // fork, waitpid, and the calls a forked child makes (in its own process).
  CallResult fork(const Step& step);
  CallResult waitpid(const Step& step);
  CallResult child_call(const Step& step, ForkedChild& child);
  void record(const Step& step, Call call, int fd, std::string args, const CallResult& result, int pid,
              const SocketFacts& facts, WireEffect wire = WireEffect::None);
  [[nodiscard]] int socket_of(const Step& step) const;
  [[nodiscard]] Address address_of(const Step& step, int fd) const;
  [[nodiscard]] std::optional<std::string> payload_of(const Step& step) const;
  [[nodiscard]] std::string unix_path(const std::string& path) const;
  void store(const Step& step, std::size_t index, const CallResult& result);

  Session& session_;
  OpContext& ctx_;
};

}  // namespace sockstep
