#pragma once
#include <string>

#include <imgui.h>

namespace sockstep::ui {

// Okabe-Ito colours: told apart by people with any common colour-vision deficiency.
// Every colour-coded thing also carries a word or a mark, so colour is never the only cue.
struct Palette {
  bool light = false;
  ImU32 server;
  ImU32 client;
  ImU32 third;    // client-2 and further actors
  ImU32 fourth;
  ImU32 error;
  ImU32 ok;
  ImU32 warn;
  ImU32 dim;
  ImU32 text;
  ImU32 now_bg;     // the step just taken
  ImU32 select_bg;  // the event the learner clicked
  ImU32 blocked_bg;
  ImU32 lane;
  ImU32 bar_bg;

  [[nodiscard]] ImU32 actor(const std::string& name) const;
  [[nodiscard]] ImVec4 actor_vec(const std::string& name) const {
    return ImGui::ColorConvertU32ToFloat4(actor(name));
  }
};

[[nodiscard]] Palette make_palette(bool light);
// Applies the theme to the current ImGui style at this zoom.
void apply_style(bool light, float zoom);

}  // namespace sockstep::ui
