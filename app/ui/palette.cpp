#include "ui/palette.hpp"

#include <algorithm>
#include <cmath>

#include "ui/actor_hue.hpp"

namespace sockstep::ui {

ImU32 Palette::actor(const std::string& name) const {
  switch (actor_hue(name)) {
    case ActorHue::Server: return server;
    case ActorHue::Client: return client;
    case ActorHue::Third: return third;
    case ActorHue::Fourth: return fourth;
  }
  return third;
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
    p.server = IM_COL32(0, 114, 178, 255);    // blue
    p.client = IM_COL32(213, 94, 0, 255);     // vermillion
    p.third = IM_COL32(0, 158, 115, 255);     // bluish green
    p.fourth = IM_COL32(204, 121, 167, 255);  // reddish purple
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
    p.server = IM_COL32(86, 180, 233, 255);   // sky blue
    p.client = IM_COL32(230, 159, 0, 255);    // orange
    p.third = IM_COL32(0, 158, 115, 255);     // bluish green
    p.fourth = IM_COL32(204, 121, 167, 255);  // reddish purple
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
