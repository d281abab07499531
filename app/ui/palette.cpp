#include "ui/palette.hpp"

#include <algorithm>
#include <cmath>

#include "ui/actor_hue.hpp"

namespace sockstep::ui {

ImU32 Palette::actor(const std::string& name) const {
  return actors[actor_hue(name)];
}

ImU32 Palette::on_colour(ImU32 colour) {
  const ImU32 black = IM_COL32(0, 0, 0, 255);
  const ImU32 white = IM_COL32(255, 255, 255, 255);
  return contrast_ratio(black, colour) >= contrast_ratio(white, colour) ? black : white;
}

namespace {
float linear(float channel) {
  return channel <= 0.03928f ? channel / 12.92f : std::pow((channel + 0.055f) / 1.055f, 2.4f);
}
float luminance(ImU32 c) {
  const ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
  return 0.2126f * linear(v.x) + 0.7152f * linear(v.y) + 0.0722f * linear(v.z);
}
}  // namespace

float contrast_ratio(ImU32 a, ImU32 b) {
  const float la = luminance(a);
  const float lb = luminance(b);
  return (std::max(la, lb) + 0.05f) / (std::min(la, lb) + 0.05f);
}

ImU32 blend(ImU32 fg, ImU32 bg, float alpha) {
  const ImVec4 f = ImGui::ColorConvertU32ToFloat4(fg);
  const ImVec4 b = ImGui::ColorConvertU32ToFloat4(bg);
  const float a = alpha * f.w;
  return ImGui::ColorConvertFloat4ToU32(
      ImVec4(f.x * a + b.x * (1 - a), f.y * a + b.y * (1 - a), f.z * a + b.z * (1 - a), 1.0f));
}

Palette make_palette(bool light) {
  Palette p;
  p.light = light;
  if (light) {
    // Okabe-Ito's hues darkened to 4.8:1 on the light window (white text on their chips).
    p.actors = {IM_COL32(0, 109, 171, 255),   // blue
                IM_COL32(173, 76, 0, 255),    // vermillion
                IM_COL32(0, 120, 87, 255),    // bluish green
                IM_COL32(145, 86, 119, 255),  // reddish purple
                IM_COL32(140, 97, 0, 255),    // orange
                IM_COL32(52, 110, 142, 255),  // sky blue
                IM_COL32(113, 107, 31, 255)}; // yellow
    p.error = IM_COL32(150, 40, 105, 255);
    p.ok = IM_COL32(0, 95, 65, 255);
    p.warn = IM_COL32(110, 78, 0, 255);
    p.dim = IM_COL32(80, 80, 80, 255);
    p.text = IM_COL32(20, 20, 20, 255);
    p.now_bg = IM_COL32(240, 228, 66, 110);
    p.select_bg = IM_COL32(86, 180, 233, 90);
    p.blocked_bg = IM_COL32(204, 121, 167, 70);
    p.lane = IM_COL32(150, 150, 150, 255);
    p.bar_bg = IM_COL32(215, 215, 215, 255);
  } else {
    // Okabe-Ito as it is, but blue lightened: on the dark window it read at 3.7:1.
    p.actors = {IM_COL32(86, 180, 233, 255),  // sky blue
                IM_COL32(230, 159, 0, 255),   // orange
                IM_COL32(0, 158, 115, 255),   // bluish green
                IM_COL32(204, 121, 167, 255), // reddish purple
                IM_COL32(240, 228, 66, 255),  // yellow
                IM_COL32(213, 94, 0, 255),    // vermillion
                IM_COL32(38, 135, 190, 255)}; // blue
    p.error = IM_COL32(222, 140, 190, 255);
    p.ok = IM_COL32(0, 190, 140, 255);
    p.warn = IM_COL32(240, 228, 66, 255);
    p.dim = IM_COL32(150, 150, 150, 255);
    p.text = IM_COL32(235, 235, 235, 255);
    p.now_bg = IM_COL32(240, 228, 66, 60);
    p.select_bg = IM_COL32(86, 180, 233, 80);
    p.blocked_bg = IM_COL32(204, 121, 167, 60);
    p.lane = IM_COL32(110, 110, 110, 255);
    p.bar_bg = IM_COL32(60, 60, 66, 255);
  }
  return p;
}

void apply_style(bool light, float zoom) {
  ImGuiStyle style;
  if (light) {
    ImGui::StyleColorsLight(&style);
  } else {
    ImGui::StyleColorsDark(&style);
  }
  style.WindowRounding = 3.0f;
  style.FrameRounding = 3.0f;
  style.ChildRounding = 3.0f;
  style.WindowPadding = ImVec2(8, 6);
  style.ItemSpacing = ImVec2(7, 4);
  style.ScrollbarSize = 12.0f;
  style.ScaleAllSizes(zoom);
  ImGui::GetStyle() = style;
}

}  // namespace sockstep::ui
