// The lesson panel's questions: asked before a step, judged by what the kernel did.
#include <imgui.h>

#include <cstdio>
#include <string>

#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

std::string key_label(std::size_t choice) { return std::to_string(choice + 1); }

std::string choice_line(const Model& model, const Predict& predict, std::size_t choice) {
  return "(" + key_label(choice) + ") " + model.t(predict.choices[choice].text);
}

// The kernel's answer: the choices it bore out, and the call's actual result.
void draw_kernel_side(const Model& model, const Step& step, const StepOutcome& outcome) {
  const Predict& predict = *step.predict;
  const Palette& palette = *model.palette;
  text_colored(palette.dim, model.t(Tx::KernelSays));
  bool first = true;
  for (std::size_t right : outcome.predict_right) {
    if (right >= predict.choices.size()) continue;
    if (first) ImGui::SameLine();
    first = false;
    wrapped_text_colored(palette.ok, choice_line(model, predict, right));
  }
  ImGui::PushFont(model.fonts->mono);
  wrapped_text(kernel_answer(step, outcome, model.lang()));
  ImGui::PopFont();
}

void draw_one_verdict(const Model& model, std::size_t index) {
  const Step& step = model.lesson->steps[index];
  const Predict& predict = *step.predict;
  const Palette& palette = *model.palette;
  const StepOutcome& outcome = model.snap->outcomes[index];
  const std::optional<int> pick = pick_of(model.state->picks, index);
  const bool earlier = static_cast<int>(index) != model.current_index();

  ImGui::PushID(static_cast<int>(index));
  if (earlier) {
    // Judged now, asked a few steps ago: repeat the question for context.
    char header[96];
    std::snprintf(header, sizeof header, "%s · %s %zu", model.t(Tx::Predict), model.t(Tx::Step), index + 1);
    text_colored(palette.dim, header);
    wrapped_text_colored(palette.dim, model.t(predict.question));
  }
  const Verdict result = verdict(outcome, pick);
  if (result == Verdict::Right || result == Verdict::Wrong) {
    ImGui::PushFont(model.fonts->big);
    wrapped_text_colored(result == Verdict::Right ? palette.ok : palette.error,
                         model.t(result == Verdict::Right ? Tx::VerdictRight : Tx::VerdictWrong));
    ImGui::PopFont();
  }
  if (pick && *pick >= 0 && static_cast<std::size_t>(*pick) < predict.choices.size()) {
    text_colored(palette.dim, model.t(Tx::YourPick));
    ImGui::SameLine();
    wrapped_text(choice_line(model, predict, static_cast<std::size_t>(*pick)));
  }
  switch (result) {
    case Verdict::Waiting:
      wrapped_text_colored(palette.warn, model.t(Tx::VerdictWaiting));
      break;
    case Verdict::Unanswered:
      wrapped_text_colored(palette.dim, model.t(Tx::VerdictUnanswered));
      [[fallthrough]];
    case Verdict::Right:
    case Verdict::Wrong:
      draw_kernel_side(model, step, outcome);
      break;
    case Verdict::Undescribed:
      wrapped_text_colored(palette.warn, model.t(Tx::VerdictUndescribed));
      ImGui::PushFont(model.fonts->mono);
      wrapped_text(kernel_answer(step, outcome, model.lang()));
      ImGui::PopFont();
      break;
  }
  ImGui::Separator();
  ImGui::PopID();
}

}  // namespace

void draw_question(const Model& model) {
  const Predict* predict = model.shown_question();
  if (predict == nullptr) return;
  const Palette& palette = *model.palette;
  const std::size_t step = model.snap->position;
  const std::optional<int> pick = pick_of(model.state->picks, step);

  ImGui::PushID("question");
  char header[96];
  std::snprintf(header, sizeof header, "? %s · %s %zu", model.t(Tx::Predict), model.t(Tx::Step), step + 1);
  text_colored(palette.warn, header);
  wrapped_text(model.t(predict->question));
  ImGui::Spacing();
  for (std::size_t i = 0; i < predict->choices.size(); ++i) {
    const std::string id = "##choice" + std::to_string(i);
    const bool selected = pick && *pick == static_cast<int>(i);
    if (choice_button(id.c_str(), key_label(i).c_str(), model.t(predict->choices[i].text), selected,
                      palette.warn, palette.lane)) {
      model.send(Command::pick(step, static_cast<int>(i)));
    }
  }
  const bool skipped = pick && *pick == kSkipped;
  if (skipped) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
  if (ImGui::SmallButton((std::string(model.t(Tx::Skip)) + " (S)###skip").c_str())) {
    model.send(Command::pick(step, kSkipped));
  }
  if (skipped) ImGui::PopStyleColor();
  if (!pick) {
    char hint[256];
    std::snprintf(hint, sizeof hint, model.t(Tx::PredictHint), static_cast<int>(predict->choices.size()));
    wrapped_text_colored(palette.dim, hint);
  }
  ImGui::PopID();
}

void draw_verdicts(const Model& model) {
  if (model.verdicts == nullptr || model.snap->position == 0) return;
  const std::size_t current = model.snap->position - 1;
  bool shown_current = false;
  for (std::size_t index : model.verdicts->judged_during(current)) {
    if (index >= model.snap->outcomes.size()) continue;
    draw_one_verdict(model, index);
    shown_current = shown_current || index == current;
  }
  // The step just taken asked a question but its call still waits: say so.
  const Step* step = model.current_step();
  if (!shown_current && step != nullptr && step->predict && current < model.snap->outcomes.size() &&
      !model.snap->outcomes[current].checked) {
    draw_one_verdict(model, current);
  }
}

}  // namespace sockstep::ui
