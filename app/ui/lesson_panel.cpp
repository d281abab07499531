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
  // Each button goes on the line it fits on: at a projector's zoom or in a narrow panel
  // they wrap onto a second line rather than run past the edge.
  const auto wide = [](const std::string& label, float least) { return std::max(least, button_width(label.c_str())); };

  const std::string back = std::string("◀ ") + model.t(Tx::Back) + "###back";
  ImGui::BeginDisabled(at_start);
  if (ImGui::Button(back.c_str(), ImVec2(wide(back, unit * 3.6f), unit * 1.3f))) {
    model.send({Command::Kind::Back});
  }
  ImGui::EndDisabled();
  // A question before the step holds Next until the learner answers or skips it.
  const std::string next = std::string(model.t(Tx::Next)) + " ▶###next";
  flow_next(wide(next, unit * 4.6f));
  ImGui::BeginDisabled(at_end || model.question_pending());
  ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
  if (ImGui::Button(next.c_str(), ImVec2(wide(next, unit * 4.6f), unit * 1.3f))) {
    model.send({Command::Kind::Step});
  }
  ImGui::PopStyleColor();
  ImGui::EndDisabled();
  const std::string reset = std::string(model.t(Tx::Reset)) + "###reset";
  flow_next(button_width(reset.c_str()));
  if (ImGui::Button(reset.c_str(), ImVec2(0, unit * 1.3f))) {
    model.send({Command::Kind::Reset});
  }
  const std::string play = std::string(model.state->playing ? model.t(Tx::Pause) : model.t(Tx::Play)) + "###play";
  flow_next(button_width(play.c_str()));
  ImGui::BeginDisabled(at_end && !model.state->playing);
  if (ImGui::Button(play.c_str(), ImVec2(0, unit * 1.3f))) {
    model.send({Command::Kind::TogglePlay});
  }
  ImGui::EndDisabled();

  float seconds = static_cast<float>(model.state->play_seconds);
  const float speed_w = ImGui::CalcTextSize(model.t(Tx::Speed)).x;
  const float avail = ImGui::GetContentRegionAvail().x;
  // The slider takes what the word "speed" leaves, never less than 8 font sizes (then
  // the word goes under it).
  const float slider_w = std::max(ImGui::GetFontSize() * 8.0f, std::min(avail * 0.6f, avail - speed_w - ImGui::GetStyle().ItemSpacing.x));
  ImGui::SetNextItemWidth(std::min(slider_w, avail));
  if (ImGui::SliderFloat("###speed", &seconds, 0.3f, 5.0f, model.t(Tx::SecondsPerStep))) {
    model.send({Command::Kind::SetSpeed, 0, seconds});
  }
  flow_next(speed_w);
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
  if (model.snap->position > *send_step) {
    wrapped_text_colored(ImGui::GetColorU32(ImGuiCol_TextDisabled), model.t(Tx::MessageReplay));
  }
}

}  // namespace

void draw_lesson(const Model& model, LessonView& view) {
  const Lesson& lesson = *model.lesson;
  const SessionSnapshot& snap = *model.snap;
  const Palette& palette = *model.palette;

  wrapped_text_colored(palette.dim, model.t(lesson.title));
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
    // Wrapped, not a one-line Selectable: in a narrow panel or at a projector's zoom
    // the whole sentence still shows.
    wrapped_text_colored(palette.warn, below);
    if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    if (ImGui::IsItemClicked()) view.scroll_to_question = true;
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
    wrapped_text_colored(palette.ok, model.t(Tx::PressNext));
  } else {
    ImGui::TextDisabled(model.t(Tx::StepOf), model.current_index() + 1,
                        static_cast<int>(snap.step_count));
    flow_next(ImGui::CalcTextSize(step->actor.c_str()).x + 8.0f);
    actor_chip(palette.actor(step->actor), step->actor);
    if (model.card(step->call) != nullptr) {
      const std::string card = std::string(model.t(Tx::Reference)) + " (F2)###card";
      flow_next(ImGui::CalcTextSize(card.c_str(), nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2.0f);
      if (ImGui::SmallButton(card.c_str())) {
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
    const std::string who = next->actor + " · " + next->call + "()";
    flow_next(ImGui::CalcTextSize(who.c_str()).x);
    text_colored(palette.actor(next->actor), who);
    // The metaphor wraps in what is left of the line, or under it if that is little.
    if (room_after_item() > ImGui::GetFontSize() * 10.0f) ImGui::SameLine();
    wrapped_text(std::string("— ") + model.t(next->metaphor));
    if (next->predict && model.state->playing) wrapped_text_colored(palette.dim, model.t(Tx::PlayAsksNothing));
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
