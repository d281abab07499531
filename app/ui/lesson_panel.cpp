#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>

#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

// The line of the step's own actor's code in the first listing that has it: the line
// a learner would point at.
std::string step_code_line(const Lesson& lesson, const Step& step) {
  for (const Listing& listing : lesson.listings) {
    if (listing.actor != step.actor) continue;
    auto it = step.lines.find(listing.name);
    if (it == step.lines.end()) continue;
    std::string line = listing.line(it->second);
    const auto start = line.find_first_not_of(" \t");
    return start == std::string::npos ? line : line.substr(start);
  }
  return call_text(step);
}

void draw_controls(const Model& model) {
  const SessionSnapshot& snap = *model.snap;
  const bool at_start = snap.position == 0;
  const bool at_end = snap.position >= snap.step_count;
  const float unit = ImGui::GetFrameHeight();

  ImGui::BeginDisabled(at_start);
  if (ImGui::Button((std::string("◀ ") + model.t(Tx::Back) + "###back").c_str(),
                    ImVec2(unit * 3.6f, unit * 1.3f))) {
    model.send({Command::Kind::Back});
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  // A question before the step holds Next until the learner answers or skips it.
  ImGui::BeginDisabled(at_end || model.question_pending());
  ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
  if (ImGui::Button((std::string(model.t(Tx::Next)) + " ▶###next").c_str(),
                    ImVec2(unit * 4.6f, unit * 1.3f))) {
    model.send({Command::Kind::Step});
  }
  ImGui::PopStyleColor();
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button((std::string(model.t(Tx::Reset)) + "###reset").c_str(),
                    ImVec2(0, unit * 1.3f))) {
    model.send({Command::Kind::Reset});
  }
  ImGui::SameLine();
  const char* play = model.state->playing ? model.t(Tx::Pause) : model.t(Tx::Play);
  ImGui::BeginDisabled(at_end && !model.state->playing);
  if (ImGui::Button((std::string(play) + "###play").c_str(), ImVec2(0, unit * 1.3f))) {
    model.send({Command::Kind::TogglePlay});
  }
  ImGui::EndDisabled();

  float seconds = static_cast<float>(model.state->play_seconds);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.6f);
  if (ImGui::SliderFloat("###speed", &seconds, 0.3f, 5.0f, model.t(Tx::SecondsPerStep))) {
    model.send({Command::Kind::SetSpeed, 0, seconds});
  }
  ImGui::SameLine();
  ImGui::TextUnformatted(model.t(Tx::Speed));
}

void draw_message_editor(const Model& model, LessonView& view) {
  const auto send_step = editable_send_step(*model.lesson);
  // A recording sent what it sent (its bytes say it): nothing to edit or replay.
  if (!send_step || model.replay != nullptr) return;
  if (view.synced_generation != model.snap->generation && !ImGui::IsAnyItemActive()) {
    view.synced_generation = model.snap->generation;
    view.message = model.state->message_set ? model.state->message : lesson_message(*model.lesson);
  }
  const Step& step = model.lesson->steps[*send_step];
  ImGui::Separator();
  ImGui::PushStyleColor(ImGuiCol_Text, model.palette->actor(step.actor));
  ImGui::TextUnformatted(model.t(Tx::Message));
  ImGui::PopStyleColor();
  ImGui::SameLine();
  ImGui::TextDisabled("(%s %zu)", model.t(Tx::Step), *send_step + 1);
  ImGui::SetNextItemWidth(-1.0f);
  ImGui::PushFont(model.fonts->mono);
  const bool entered = ImGui::InputTextWithHint("###message", model.t(Tx::MessageHint),
                                                &view.message,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::PopFont();
  if (entered || ImGui::IsItemDeactivatedAfterEdit()) {
    model.send({Command::Kind::SetMessage, 0, 0.0, view.message});
  }
  if (model.snap->position > *send_step) ImGui::TextDisabled("%s", model.t(Tx::MessageReplay));
}

}  // namespace

void draw_lesson(const Model& model, LessonView& view) {
  const Lesson& lesson = *model.lesson;
  const SessionSnapshot& snap = *model.snap;
  const Palette& palette = *model.palette;

  text_colored(palette.dim, model.t(lesson.title));
  if (!snap.notice.en.empty()) {
    wrapped_text_colored(palette.warn, model.t(snap.notice));
  }
  if (model.fonts->cjk_missing && model.lang() == Lang::Zh) {
    wrapped_text_colored(palette.warn, model.t(Tx::NoCjkFont));
  }

  draw_controls(model);
  // Next waits for the question, which may sit below the fold: say where it is.
  if (model.question_pending() && !view.question_in_view) {
    char below[160];
    std::snprintf(below, sizeof below, model.t(Tx::QuestionBelow), snap.position + 1);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(palette.warn));
    if (ImGui::Selectable(below)) view.scroll_to_question = true;
    ImGui::PopStyleColor();
  }
  ImGui::Separator();
  // The text scrolls under the controls, which stay in view.
  ImGui::BeginChild("lesson_text");

  const Step* step = model.current_step();
  if (step == nullptr) {
    ImGui::TextDisabled("%s", model.t(Tx::NotStarted));
    ImGui::PushFont(model.fonts->big);
    wrapped_text(model.t(lesson.title));
    ImGui::PopFont();
    if (!lesson.summary.en.empty()) wrapped_text(model.t(lesson.summary));
    ImGui::Spacing();
    text_colored(palette.ok, model.t(Tx::PressNext));
  } else {
    ImGui::TextDisabled(model.t(Tx::StepOf), model.current_index() + 1,
                        static_cast<int>(snap.step_count));
    ImGui::SameLine();
    actor_chip(palette.actor(step->actor), step->actor);
    if (model.card(step->call) != nullptr) {
      ImGui::SameLine();
      if (ImGui::SmallButton((std::string(model.t(Tx::Reference)) + " (F2)###card").c_str())) {
        model.send({Command::Kind::ToggleCard, 0, 0.0, step->call});
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", model.t(Tx::ReferenceTip));
    }
    ImGui::PushFont(model.fonts->big);
    wrapped_text_colored(palette.actor(step->actor), model.t(step->metaphor));
    ImGui::PopFont();
    // The kernel's verdict on a prediction is the moment of the step: first, in view.
    draw_verdicts(model);
    ImGui::PushFont(model.fonts->mono);
    wrapped_text(step_code_line(lesson, *step));
    ImGui::PopFont();
    ImGui::Spacing();
    wrapped_text(model.t(step->explain));

    const StepOutcome& outcome = snap.outcomes[static_cast<std::size_t>(model.current_index())];
    if (!outcome.failures.empty()) {
      ImGui::Spacing();
      text_colored(palette.error, std::string("✗ ") + model.t(Tx::ChecksFailed));
      for (const std::string& failure : outcome.failures) {
        wrapped_text_colored(palette.error, "  " + failure);
      }
    } else if (outcome.checked) {
      wrapped_text_colored(palette.ok, std::string("✓ ") + model.t(Tx::ChecksOk));
    }
  }

  for (const ActorView& actor : snap.actors) {
    if (actor.state != ActorState::Blocked) continue;
    char waits[256];
    std::snprintf(waits, sizeof waits, model.t(Tx::WaitsForPeer), actor.name.c_str(), actor.blocked_in.c_str());
    wrapped_text_colored(palette.actor(actor.name), waits);
  }

  if (const Step* next = model.next_step()) {
    ImGui::Spacing();
    ImGui::TextDisabled("%s", model.t(Tx::NextUp));
    ImGui::SameLine();
    text_colored(palette.actor(next->actor), next->actor + " · " + next->call + "()");
    ImGui::SameLine();
    wrapped_text(std::string("— ") + model.t(next->metaphor));
    if (next->predict && model.state->playing) text_colored(palette.dim, model.t(Tx::PlayAsksNothing));
  } else if (snap.step_count > 0) {
    ImGui::Spacing();
    text_colored(palette.ok, model.t(Tx::Finished));
  }

  // The question about the next step comes after what the step just taken did: the
  // metaphor and its explanation, which the class reads first.
  view.question_in_view = true;
  if (model.shown_question() != nullptr) {
    ImGui::Separator();
    const float top = ImGui::GetCursorPosY();
    draw_question(model);
    // In view when all of it shows, or as much as the panel can hold from its start.
    const float needed = std::min(ImGui::GetCursorPosY() - top, ImGui::GetWindowHeight());
    view.question_in_view = top >= ImGui::GetScrollY() && top + needed <= ImGui::GetScrollY() + ImGui::GetWindowHeight();
    if (view.scroll_to_question) ImGui::SetScrollHereY(1.0f);
  }
  view.scroll_to_question = false;

  draw_message_editor(model, view);
  ImGui::EndChild();
}

}  // namespace sockstep::ui
