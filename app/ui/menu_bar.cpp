#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "ui/panels.hpp"

namespace sockstep::ui {
namespace {


}  // namespace


namespace {

// A recording's timeline: a slider over its events, the panels showing the state at the
// event it stands on.
void draw_timeline(const Model& model) {
  const ReplayInfo& replay = *model.replay;
  ImGui::TextDisabled("%s", model.t(Tx::Timeline));
  int shown = static_cast<int>(replay.shown);
  ImGui::SetNextItemWidth(std::max(120.0f, ImGui::GetWindowWidth() * 0.22f));
  if (ImGui::SliderInt("##timeline", &shown, 0, static_cast<int>(replay.total), "")) {
    model.send({Command::Kind::Seek, shown});
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", model.t(Tx::TimelineKeys));
  char where[96];
  std::snprintf(where, sizeof where, model.t(Tx::EventOf), static_cast<int>(replay.shown),
                static_cast<int>(replay.total));
  ImGui::TextUnformatted(where);
}

}  // namespace

void draw_menu_bar(const Model& model, ExportView& exporting) {
  if (!ImGui::BeginMainMenuBar()) return;
  if (model.exporting != nullptr && model.exporting->available &&
      ImGui::BeginMenu((std::string(model.t(Tx::MenuFile)) + "###file_menu").c_str())) {
    if (ImGui::MenuItem(model.t(Tx::ExportMenu), "Ctrl+E")) exporting.open_requested = true;
    ImGui::Separator();
    if (ImGui::MenuItem(model.t(Tx::Quit), "Ctrl+Q")) model.send({Command::Kind::Quit});
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu((std::string(model.t(Tx::MenuLesson)) + "###lesson_menu").c_str())) {
    for (const LessonEntry& entry : *model.lessons) {
      const bool current = entry.path == model.lesson_path;
      if (ImGui::MenuItem(model.t(entry.title).c_str(), entry.id.c_str(), current)) {
        model.send({Command::Kind::OpenLesson, 0, 0.0, entry.path});
      }
    }
    ImGui::Separator();
    if (ImGui::MenuItem(model.t(Tx::Quit), "Ctrl+Q")) model.send({Command::Kind::Quit});
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu((std::string(model.t(Tx::MenuView)) + "###view_menu").c_str())) {
    if (ImGui::MenuItem(model.t(Tx::PresentMode), "F5", model.state->present)) {
      model.send({Command::Kind::TogglePresent});
    }
    ImGui::Separator();
    // The panels of the mode on screen (presentation mode keeps a set of its own).
    for (const PanelSpec& spec : kPanels) {
      const auto i = static_cast<std::size_t>(spec.panel);
      const std::string keys = "Ctrl " + std::to_string(i + 1);
      if (ImGui::MenuItem(model.t(spec.title), keys.c_str(), model.state->shown_panels()[i])) {
        model.send({Command::Kind::TogglePanel, static_cast<long long>(i)});
      }
    }
    if (model.state->maximised >= 0) {
      if (ImGui::MenuItem(model.t(Tx::RestorePanels), "M")) model.send({Command::Kind::Maximise, -1});
    }
    ImGui::Separator();
    if (ImGui::MenuItem(model.t(Tx::ZoomIn), "Ctrl +")) model.send({Command::Kind::Zoom, 0, 1.15});
    if (ImGui::MenuItem(model.t(Tx::ZoomOut), "Ctrl -")) model.send({Command::Kind::Zoom, 0, 1.0 / 1.15});
    if (ImGui::MenuItem(model.t(Tx::ZoomReset), "Ctrl 0")) model.send({Command::Kind::Zoom, 0, 0.0});
    if (ImGui::MenuItem(model.t(Tx::LightTheme), nullptr, model.state->light_theme(), !model.state->present)) {
      model.send({Command::Kind::SetLight, model.state->light ? 0 : 1});
    }
    ImGui::EndMenu();
  }
  // The language switch sits in the bar itself: one click, visible from the back row.
  if (ImGui::MenuItem("English", nullptr, model.lang() == Lang::En)) {
    model.send({Command::Kind::SetLang, 0, 0.0, "en"});
  }
  if (ImGui::MenuItem("中文", nullptr, model.lang() == Lang::Zh)) {
    model.send({Command::Kind::SetLang, 0, 0.0, "zh"});
  }
  if (ImGui::MenuItem((std::string(model.t(Tx::MenuHelp)) + " (F1)###help_menu").c_str())) {
    model.send({Command::Kind::ToggleHelp});
  }
  if (model.replay != nullptr) draw_timeline(model);
  // Where the lesson stands, at the right end, for whoever sits far away.
  char where[96];
  if (model.live != nullptr) {
    std::snprintf(where, sizeof where, "%s", model.t(model.live->finished ? Tx::LiveEnded : Tx::LiveSession));
  } else if (model.snap->position == 0) {
    std::snprintf(where, sizeof where, "%s", model.t(Tx::NotStarted));
  } else {
    std::snprintf(where, sizeof where, model.t(Tx::StepOf), static_cast<int>(model.snap->position),
                  static_cast<int>(model.snap->step_count));
  }
  const float w = ImGui::CalcTextSize(where).x;
  ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowWidth() - w - 16.0f));
  ImGui::TextUnformatted(where);
  ImGui::EndMainMenuBar();
}

}  // namespace sockstep::ui
