// The reference card of a call: C signature, Python form, whether it waits, and the
// errors it commonly returns with what they mean. A floating window over the panels.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {

void draw_reference_card(const Model& model, bool* open) {
  if (!*open) return;
  const std::string& call = model.state->card_call;
  const ReferenceCard* card = model.card(call);
  const Palette& palette = *model.palette;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  const float width = std::min(viewport->WorkSize.x * 0.9f,
                               std::max(viewport->WorkSize.x * 0.5f, ImGui::GetFontSize() * 40.0f));
  ImGui::SetNextWindowPos(ImVec2(viewport->WorkPos.x + viewport->WorkSize.x * 0.5f,
                                 viewport->WorkPos.y + viewport->WorkSize.y * 0.5f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(width, 0.0f), ImVec2(width, viewport->WorkSize.y * 0.95f));
  ImGui::SetNextWindowBgAlpha(0.98f);
  char title[128];
  std::snprintf(title, sizeof title, model.t(Tx::ReferenceTitle), call.c_str());
  const std::string window = std::string(title) + "###reference";
  if (ImGui::Begin(window.c_str(), open,
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse |
                       ImGuiWindowFlags_NoSavedSettings)) {
    if (card == nullptr) {
      char none[128];
      std::snprintf(none, sizeof none, model.t(Tx::NoCard), call.c_str());
      wrapped_text(none);
    } else {
      ImGui::PushFont(model.fonts->big);
      ImGui::TextUnformatted((card->call + "()").c_str());
      ImGui::PopFont();
      wrapped_text(model.t(card->summary));
      ImGui::Spacing();

      const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_BordersInnerH;
      if (ImGui::BeginTable("forms", 2, flags, ImVec2(ImGui::GetContentRegionAvail().x, 0))) {
        ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthFixed);
        ImGui::TableSetupColumn("text", ImGuiTableColumnFlags_WidthStretch);
        const auto row = [&](const char* label, const std::string& text, bool mono) {
          ImGui::TableNextRow();
          ImGui::TableSetColumnIndex(0);
          text_colored(palette.dim, label);
          ImGui::TableSetColumnIndex(1);
          if (mono) ImGui::PushFont(model.fonts->mono);
          wrapped_text(text);
          if (mono) ImGui::PopFont();
        };
        row(model.t(Tx::CCode), card->c_signature, true);
        row(model.t(Tx::Python), card->python, true);
        row(model.t(Tx::Blocks), model.t(card->blocks), false);
        ImGui::EndTable();
      }

      if (!card->errors.empty()) {
        ImGui::Spacing();
        text_colored(palette.dim, model.t(Tx::CommonErrors));
        const ImGuiTableFlags error_flags =
            ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV;
        if (ImGui::BeginTable("errors", 3, error_flags, ImVec2(ImGui::GetContentRegionAvail().x, 0))) {
          ImGui::TableSetupColumn("errno", ImGuiTableColumnFlags_WidthFixed);
          ImGui::TableSetupColumn(model.t(Tx::PythonRaises), ImGuiTableColumnFlags_WidthFixed);
          ImGui::TableSetupColumn(model.t(Tx::Meaning), ImGuiTableColumnFlags_WidthStretch);
          ImGui::TableHeadersRow();
          for (const CardError& error : card->errors) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::PushFont(model.fonts->mono);
            text_colored(palette.error, error.name);
            ImGui::PopFont();
            ImGui::TableSetColumnIndex(1);
            ImGui::TextUnformatted(model.t(error.python).c_str());
            ImGui::TableSetColumnIndex(2);
            wrapped_text(model.t(error.meaning));
          }
          ImGui::EndTable();
        }
      }
    }
    ImGui::Spacing();
    if (ImGui::Button(model.t(Tx::CloseCard))) *open = false;
  }
  ImGui::End();
}

}  // namespace sockstep::ui
