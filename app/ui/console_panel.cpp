#include <imgui.h>

#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {

void draw_console(const Model& model, ConsoleView& view) {
  const auto& actors = model.snap->actors;
  if (actors.empty()) return;
  const int columns = static_cast<int>(actors.size());
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
    ImGui::PushFont(model.fonts->mono);
    if (actor.console.empty()) ImGui::TextDisabled("%s", model.t(Tx::NothingPrinted));
    for (const std::string& line : actor.console) ImGui::TextUnformatted(line.c_str());
    ImGui::PopFont();
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
