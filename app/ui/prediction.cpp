#include "ui/prediction.hpp"

#include <algorithm>

#include "engine/text/errno_names.hpp"
#include "engine/text/py_text.hpp"
#include "ui/conversation.hpp"

namespace sockstep::ui {

std::optional<int> pick_of(const Picks& picks, std::size_t step) {
  const auto it = picks.find(step);
  if (it == picks.end()) return std::nullopt;
  return it->second;
}

bool awaits_pick(const Lesson& lesson, std::size_t position, const Picks& picks) {
  if (position >= lesson.steps.size()) return false;
  return lesson.steps[position].predict.has_value() && picks.count(position) == 0;
}

Verdict verdict(const StepOutcome& outcome, std::optional<int> pick) {
  if (!outcome.checked) return Verdict::Waiting;
  if (outcome.predict_right.empty()) return Verdict::Undescribed;
  if (!pick || *pick < 0) return Verdict::Unanswered;
  const auto& right = outcome.predict_right;
  return std::find(right.begin(), right.end(), static_cast<std::size_t>(*pick)) != right.end()
             ? Verdict::Right
             : Verdict::Wrong;
}

std::string kernel_answer(const Step& step, const StepOutcome& outcome, Lang lang) {
  const bool zh = lang == Lang::Zh;
  const CallResult& r = outcome.result;
  std::string text = step.call + "() ";
  if (step.call == "connect_ex") {
    // It reports the error as its return value instead of raising.
    const long long code = r.ok() ? r.value : r.err;
    text += (zh ? "返回 " : "returned ") + std::to_string(code);
    if (code != 0) text += " (" + errno_name(static_cast<int>(code)) + ")";
    return text;
  }
  if (!r.ok()) {
    return text + (zh ? "失败:" : "failed: ") + errno_name(r.err) + " (" + errno_message(r.err, zh) + ")";
  }
  text += zh ? "返回 " : "returned ";
  if (const auto call = call_from_name(step.call); call && receives_bytes(*call) && (!r.bytes.empty() || r.value == 0)) {
    constexpr std::size_t kShown = 40;
    text += python_bytes_repr(r.bytes.substr(0, kShown)) + (r.bytes.size() > kShown ? "…" : "");
    text += zh ? "(" + std::to_string(r.bytes.size()) + " 字节)"
               : " (" + std::to_string(r.bytes.size()) + " bytes)";
    if (!r.text.empty()) text += " " + r.text;  // "truncated"
    return text;
  }
  if (step.call == "accept") {
    text += "fd " + std::to_string(r.value);
    if (!r.address.empty()) text += zh ? ",对端 " + r.address.python_repr() : ", peer " + r.address.python_repr();
    return text;
  }
  if (!r.address.empty()) return text + r.address.python_repr();
  if (!r.text.empty()) return text + (r.text.size() > 60 ? r.text.substr(0, 60) + "…" : r.text);
  return text + std::to_string(r.value);
}

namespace {

// Where a verdict most likely arrived when several steps ran between two frames (a
// replay): a waiting call returns at the step that names its actor in `unblocks`.
int guess_judged_at(const Lesson& lesson, std::size_t index, std::size_t last) {
  const Step& step = lesson.steps[index];
  if (!step.expect.blocks.value_or(false)) return static_cast<int>(index);
  for (std::size_t j = index + 1; j <= last && j < lesson.steps.size(); ++j) {
    if (lesson.steps[j].expect.unblocks == step.actor) return static_cast<int>(j);
  }
  return static_cast<int>(last);
}

}  // namespace

void VerdictTimeline::update(const Lesson& lesson, const SessionSnapshot& snap) {
  const std::size_t count = lesson.steps.size();
  const bool fresh = snap.generation != generation_ || judged_at_.size() != count;
  if (fresh) {
    generation_ = snap.generation;
    judged_at_.assign(count, -1);
    position_ = 0;
  }
  if (snap.position == 0) return;
  const std::size_t last = snap.position - 1;
  // One step since the last frame: whatever got judged now was judged during it.
  const bool one_step = snap.position <= position_ + 1;
  for (std::size_t i = 0; i < count && i < snap.outcomes.size() && i <= last; ++i) {
    if (!lesson.steps[i].predict || judged_at_[i] >= 0 || !snap.outcomes[i].checked) continue;
    judged_at_[i] = one_step ? static_cast<int>(last) : guess_judged_at(lesson, i, last);
  }
  position_ = snap.position;
}

std::vector<std::size_t> VerdictTimeline::judged_during(std::size_t index) const {
  std::vector<std::size_t> steps;
  for (std::size_t i = 0; i < judged_at_.size(); ++i) {
    if (judged_at_[i] == static_cast<int>(index)) steps.push_back(i);
  }
  return steps;
}

}  // namespace sockstep::ui
