#include <imgui.h>

#include "ui/panels.hpp"

namespace sockstep::ui {

void draw_help(const Model& model, bool* open) {
  if (!*open) return;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(viewport->WorkPos.x + viewport->WorkSize.x * 0.5f,
                                 viewport->WorkPos.y + viewport->WorkSize.y * 0.45f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowBgAlpha(0.97f);
  const std::string title = std::string(model.t(Tx::HelpTitle)) + "###help";
  if (ImGui::Begin(title.c_str(), open,
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse |
                       ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::PushFont(model.fonts->mono);
    ImGui::TextUnformatted(model.t(Tx::HelpKeys));
    ImGui::PopFont();
    ImGui::Spacing();
    if (ImGui::Button(model.t(Tx::HelpClose))) *open = false;
  }
  ImGui::End();
}

}  // namespace sockstep::ui
