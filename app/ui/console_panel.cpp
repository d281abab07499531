#include <imgui.h>

#include <cstdio>

#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

// One actor's output; long lines wrap (Chinese between characters), never cut off.
void draw_lines(const Model& model, const ActorView& actor) {
  if (actor.pid > 0) {
    // A forked child is a process of its own: which one, and whether it is a zombie.
    const Tx what = actor.process == "zombie"   ? Tx::ProcessZombie
                    : actor.process == "reaped" ? Tx::ProcessReaped
                                                : Tx::ProcessRunning;
    char text[128];
    std::snprintf(text, sizeof text, model.t(what), actor.pid);
    wrapped_text_colored(actor.process == "zombie" ? model.palette->warn : model.palette->dim, text);
  }
  ImGui::PushFont(model.fonts->mono);
  if (actor.console.empty()) {
    wrapped_text_colored(model.palette->dim, model.t(Tx::NothingPrinted));
  }
  for (const std::string& line : actor.console) wrapped_text(line);
  ImGui::PopFont();
}

}  // namespace

void draw_console(const Model& model, ConsoleView& view) {
  const auto& actors = model.snap->actors;
  if (actors.empty()) return;
  const int columns = static_cast<int>(actors.size());
  // Side by side while each actor gets a readable width; stacked when the panel is
  // narrow (1280 px wide with three actors), so nothing is cut off.
  const bool side_by_side =
      ImGui::GetContentRegionAvail().x / static_cast<float>(columns) >= ImGui::GetFontSize() * 13.0f;
  if (!side_by_side) {
    ImGui::BeginChild("stacked");
    bool scroll = false;
    for (int c = 0; c < columns; ++c) {
      const ActorView& actor = actors[static_cast<std::size_t>(c)];
      ImGui::PushID(c);
      actor_chip(model.palette->actor(actor.name), actor.name);
      draw_lines(model, actor);
      ImGui::PopID();
      std::size_t& seen = view.seen_lines[actor.name];
      if (seen != actor.console.size()) {
        seen = actor.console.size();
        scroll = true;
      }
    }
    if (scroll) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
    return;
  }
  if (!ImGui::BeginTable("console", columns, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame,
                         ImGui::GetContentRegionAvail())) {
    return;
  }
  ImGui::TableNextRow();
  for (int c = 0; c < columns; ++c) {
    const ActorView& actor = actors[static_cast<std::size_t>(c)];
    ImGui::TableSetColumnIndex(c);
    ImGui::PushID(c);
    actor_chip(model.palette->actor(actor.name), actor.name);
    ImGui::BeginChild("out");
    draw_lines(model, actor);
    // A new line scrolls into view, like a terminal.
    std::size_t& seen = view.seen_lines[actor.name];
    if (seen != actor.console.size()) {
      seen = actor.console.size();
      ImGui::SetScrollHereY(1.0f);
    }
    ImGui::EndChild();
    ImGui::PopID();
  }
  ImGui::EndTable();
}

}  // namespace sockstep::ui
