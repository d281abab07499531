#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/lesson/lesson.hpp"
#include "engine/lesson/session.hpp"

namespace sockstep::ui {

// The learner's answers to a lesson's predictions: step index -> choice, or kSkipped.
inline constexpr int kSkipped = -1;
using Picks = std::map<std::size_t, int>;

// Next waits for the learner when the step about to run asks a question that has
// no answer yet (auto-play and replays never ask).
[[nodiscard]] bool awaits_pick(const Lesson& lesson, std::size_t position, const Picks& picks);
[[nodiscard]] std::optional<int> pick_of(const Picks& picks, std::size_t step);

enum class Verdict {
  Waiting,      // the call has not returned yet: the kernel has not answered
  Right,        // the learner's choice is one the kernel bore out
  Wrong,
  Unanswered,   // skipped, or run by auto-play: only the kernel's answer is shown
  Undescribed,  // the kernel did something none of the choices describe
};
[[nodiscard]] Verdict verdict(const StepOutcome& outcome, std::optional<int> pick);

// What the kernel gave back for the step, as a learner reads it:
// "connect() failed: ECONNREFUSED (Connection refused)", "recv() returned b'hello' (5 bytes)".
[[nodiscard]] std::string kernel_answer(const Step& step, const StepOutcome& outcome, Lang lang);

// A call that waits is judged when it returns, which happens during a later step
// (accept() returns at the client's connect()). This remembers, per step, the step
// during which its verdict arrived, so the verdict is shown where the learner is.
class VerdictTimeline {
 public:
  // Once per frame, with the frame's snapshot.
  void update(const Lesson& lesson, const SessionSnapshot& snap);
  // Steps with a prediction whose verdict arrived while step `index` ran.
  [[nodiscard]] std::vector<std::size_t> judged_during(std::size_t index) const;

 private:
  std::uint64_t generation_ = 0;
  std::size_t position_ = 0;
  std::vector<int> judged_at_;  // per step; -1 while not judged
};

}  // namespace sockstep::ui
