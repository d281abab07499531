#include <imgui.h>

#include <algorithm>
#include <string_view>

#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {

void draw_help(const Model& model, bool* open) {
  if (!*open) return;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(viewport->WorkPos.x + viewport->WorkSize.x * 0.5f,
                                 viewport->WorkPos.y + viewport->WorkSize.y * 0.5f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  // Never wider or taller than the window: the meanings wrap, the table scrolls.
  ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(viewport->WorkSize.x * 0.94f, viewport->WorkSize.y * 0.94f));
  ImGui::SetNextWindowSize(ImVec2(std::min(viewport->WorkSize.x * 0.94f, ImGui::GetFontSize() * 44.0f), 0));
  ImGui::SetNextWindowBgAlpha(0.97f);
  const std::string title = std::string(model.t(Tx::HelpTitle)) + "###help";
  if (ImGui::Begin(title.c_str(), open, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    // "key\tmeaning" per line, as a table: the columns line up in both languages.
    if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_SizingFixedFit)) {
      ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableSetupColumn("meaning", ImGuiTableColumnFlags_WidthStretch);
      std::string_view text = model.t(Tx::HelpKeys);
      while (!text.empty()) {
        const std::size_t newline = text.find('\n');
        const std::string_view line = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        const std::size_t tab = line.find('\t');
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (tab != std::string_view::npos) {
          ImGui::PushFont(model.fonts->mono);
          ImGui::TextUnformatted(line.data(), line.data() + tab);
          ImGui::PopFont();
        }
        ImGui::TableSetColumnIndex(1);
        wrapped_text(tab == std::string_view::npos ? line : line.substr(tab + 1));
      }
      ImGui::EndTable();
    }
    ImGui::Spacing();
    if (ImGui::Button(model.t(Tx::HelpClose))) *open = false;
  }
  ImGui::End();
}

}  // namespace sockstep::ui
