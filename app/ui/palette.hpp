#pragma once
#include <array>
#include <string>

#include <imgui.h>

#include "ui/actor_hue.hpp"

namespace sockstep::ui {

// Okabe-Ito colours (ui/actor_hue): told apart by people with any common colour-vision
// deficiency. Every colour-coded thing also carries a word or a mark, so colour is never
// the only cue.
struct Palette {
  bool light = false;
  // Okabe-Ito's seven hues, each made dark enough (light theme) or kept light enough
  // (dark theme) to read as text at 4.5:1 on the window: the server's first, then the
  // clients' in turn, so neighbouring lanes never share one.
  std::array<ImU32, kActorColours> actors{};
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
  // Text drawn on an actor's colour (a lane's chip): black or white, whichever reads better.
  [[nodiscard]] static ImU32 on_colour(ImU32 colour);
  [[nodiscard]] ImVec4 actor_vec(const std::string& name) const {
    return ImGui::ColorConvertU32ToFloat4(actor(name));
  }
};

[[nodiscard]] Palette make_palette(bool light);

// How opaque a closed socket's card is drawn: faded enough to read as past, not so much
// that its dimmest text falls under 4.5:1 against the window (WCAG AA, a projector's
// washed-out black included): tests/gui/test_contrast.cpp holds it to that.
inline constexpr float kFadedCardAlpha = 0.85f;
// WCAG 2 contrast ratio of two opaque colours (1 to 21).
[[nodiscard]] float contrast_ratio(ImU32 a, ImU32 b);
// fg drawn at alpha over bg, as ImGui blends it.
[[nodiscard]] ImU32 blend(ImU32 fg, ImU32 bg, float alpha);
// Applies the theme to the current ImGui style at this zoom.
void apply_style(bool light, float zoom);

}  // namespace sockstep::ui
