#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

constexpr const char* kStates[] = {"LISTEN",     "SYN_SENT",  "ESTABLISHED", "CLOSE_WAIT",
                                   "FIN_WAIT1",  "FIN_WAIT2", "LAST_ACK",    "TIME_WAIT",
                                   "CLOSE"};

std::vector<std::string> lesson_calls(const Lesson& lesson) {
  std::vector<std::string> calls;
  for (const Step& step : lesson.steps) {
    if (std::find(calls.begin(), calls.end(), step.call) == calls.end()) calls.push_back(step.call);
  }
  return calls;
}

void draw_run_until(const Model& model, StepsView& view) {
  const std::vector<std::string> calls = lesson_calls(*model.lesson);
  if (calls.empty()) return;
  view.until_call = std::clamp(view.until_call, 0, static_cast<int>(calls.size()) - 1);
  ImGui::TextUnformatted(model.t(Tx::RunUntil));
  ImGui::SameLine();
  const float combo_w = ImGui::GetFontSize() * 7.5f;
  ImGui::SetNextItemWidth(combo_w);
  if (ImGui::BeginCombo("###until_call", (calls[static_cast<std::size_t>(view.until_call)] + "()").c_str())) {
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (ImGui::Selectable((calls[i] + "()").c_str(), static_cast<int>(i) == view.until_call)) {
        view.until_call = static_cast<int>(i);
      }
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Button((std::string(model.t(Tx::Run)) + "###run_call").c_str())) {
    model.send({Command::Kind::RunUntilCall, 0, 0.0, calls[static_cast<std::size_t>(view.until_call)]});
  }
  ImGui::TextUnformatted(model.t(Tx::RunUntil));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(combo_w);
  view.until_state = std::clamp(view.until_state, 0, static_cast<int>(std::size(kStates)) - 1);
  if (ImGui::BeginCombo("###until_state", kStates[view.until_state])) {
    for (int i = 0; i < static_cast<int>(std::size(kStates)); ++i) {
      if (ImGui::Selectable(kStates[i], i == view.until_state)) view.until_state = i;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Button((std::string(model.t(Tx::Run)) + "###run_state").c_str())) {
    model.send({Command::Kind::RunUntilState, 0, 0.0, kStates[view.until_state]});
  }
}

}  // namespace

void draw_steps(const Model& model, StepsView& view) {
  const Lesson& lesson = *model.lesson;
  const SessionSnapshot& snap = *model.snap;
  const Palette& palette = *model.palette;

  draw_run_until(model, view);

  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("steps", 5, flags, ImGui::GetContentRegionAvail())) return;
  ImGui::TableSetupScrollFreeze(0, 0);
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("actor", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("call", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("card", ImGuiTableColumnFlags_WidthFixed);

  const int current = model.current_index();
  const bool follow = view.followed_position != static_cast<int>(snap.position);
  for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
    const Step& step = lesson.steps[i];
    const int index = static_cast<int>(i);
    ImGui::TableNextRow();
    ImGui::PushID(index);
    const StepOutcome* outcome = i < snap.outcomes.size() ? &snap.outcomes[i] : nullptr;
    const bool done = i < snap.position;
    if (index == current) {
      ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, palette.now_bg);
    }

    ImGui::TableSetColumnIndex(0);
    // The status mark is the status, so it reads without colour too.
    const char* mark = "  ";
    ImU32 mark_color = palette.dim;
    if (outcome != nullptr && outcome->status == StepStatus::Blocked) {
      mark = "…";
      mark_color = palette.warn;
    } else if (outcome != nullptr && !outcome->failures.empty()) {
      mark = "✗";
      mark_color = palette.error;
    } else if (done) {
      mark = "✓";
      mark_color = palette.ok;
    } else if (i == snap.position) {
      mark = "▶";
      mark_color = palette.text;
    }
    char label[32];
    std::snprintf(label, sizeof label, "%s %2d", mark, index + 1);
    ImGui::PushStyleColor(ImGuiCol_Text, mark_color);
    // Clicking a step shows the state right after it ran: replay up to and including it.
    if (ImGui::Selectable(label, false,
                          ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
      model.send({Command::Kind::GoTo, index + 1});
    }
    ImGui::PopStyleColor();
    if (follow && (index == std::max(current, 0))) ImGui::SetScrollHereY(0.4f);

    ImGui::TableSetColumnIndex(1);
    text_colored(palette.actor(step.actor), step.actor);
    ImGui::TableSetColumnIndex(2);
    if (done) {
      ImGui::TextUnformatted((step.call + "()").c_str());
    } else {
      ImGui::TextDisabled("%s()", step.call.c_str());
    }
    ImGui::TableSetColumnIndex(3);
    // The columns before fit their text; this one takes what is left, and a metaphor
    // too long for it ends in "…" and says it whole on hover.
    text_in_cell(model.t(step.metaphor));
    ImGui::TableSetColumnIndex(4);
    // "?" opens the call's reference card without leaving the current step.
    if (model.card(step.call) != nullptr) {
      const bool open = model.state->card_call == step.call;
      if (open) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
      if (ImGui::SmallButton("?")) model.send({Command::Kind::ToggleCard, 0, 0.0, step.call});
      if (open) ImGui::PopStyleColor();
      if (ImGui::IsItemHovered()) {
        char tip[128];
        std::snprintf(tip, sizeof tip, model.t(Tx::ReferenceTitle), step.call.c_str());
        ImGui::SetTooltip("%s", tip);
      }
    }
    ImGui::PopID();
  }
  if (follow) view.followed_position = static_cast<int>(snap.position);
  ImGui::EndTable();
}

}  // namespace sockstep::ui
