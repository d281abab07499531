// File > Export...: asks where the session's files go, then the app writes them there
// (Command::Export) and the menu bar says where they went.
#include <imgui.h>

#include <algorithm>
#include <cstring>

#include "ui/panels.hpp"

namespace sockstep::ui {

void draw_export_dialog(const Model& model, ExportView& view) {
  if (model.exporting == nullptr || !model.exporting->available) return;
  const char* id = "###export_dialog";
  const std::string title = std::string(model.t(Tx::ExportTitle)) + id;
  if (view.open_requested) {
    view.open_requested = false;
    // Each time a fresh proposal (its name carries the time), which the learner may edit.
    std::strncpy(view.folder, model.exporting->folder.c_str(), sizeof view.folder - 1);
    view.folder[sizeof view.folder - 1] = '\0';
    ImGui::OpenPopup(title.c_str());
  }
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  // Once the files are written: where they went (or why not), until dismissed.
  const std::string done = std::string(model.t(model.exporting->failed ? Tx::ExportTitle : Tx::ExportDone)) + "###export_done";
  if (view.shown != model.exporting->count) {
    view.shown = model.exporting->count;
    view.enter_pressed = false;  // the Enter that exported does not close the message too
    ImGui::OpenPopup(done.c_str());
  }
  ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(viewport->WorkSize.x * 0.8f, 900.0f * model.zoom()), 0.0f));
  if (ImGui::BeginPopupModal(done.c_str(), nullptr, ImGuiWindowFlags_NoSavedSettings)) {
    const ImVec4 colour =
        model.exporting->failed ? ImVec4(0.95f, 0.45f, 0.4f, 1.0f) : ImVec4(0.45f, 0.8f, 0.5f, 1.0f);
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::TextWrapped("%s", model.exporting->message.c_str());
    ImGui::PopStyleColor();
    ImGui::Spacing();
    if (ImGui::Button("OK") || view.enter_pressed || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
      ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }

  ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(viewport->WorkSize.x * 0.8f, 900.0f * model.zoom()), 0.0f));
  if (!ImGui::BeginPopupModal(title.c_str(), nullptr, ImGuiWindowFlags_NoSavedSettings)) return;
  ImGui::TextWrapped("%s", model.t(Tx::ExportWrites));
  ImGui::Spacing();
  ImGui::TextUnformatted(model.t(Tx::ExportFolder));
  ImGui::SetNextItemWidth(-1.0f);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  const bool entered =
      ImGui::InputText("##export_folder", view.folder, sizeof view.folder, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::Spacing();
  if ((ImGui::Button(model.t(Tx::ExportButton)) || entered || view.enter_pressed) && view.folder[0] != '\0') {
    model.send({Command::Kind::Export, 0, 0.0, view.folder});
    ImGui::CloseCurrentPopup();
  }
  ImGui::SameLine();
  if (ImGui::Button(model.t(Tx::Cancel)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

}  // namespace sockstep::ui
