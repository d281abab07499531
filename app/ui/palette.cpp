#include "ui/palette.hpp"

namespace sockstep::ui {

ImU32 Palette::actor(const std::string& name) const {
  if (name == "server") return server;
  if (name == "client") return client;
  if (name.rfind("client", 0) == 0) return third;
  // Traced programs ("echo_server.py[4242]"): their name says their role, mostly.
  if (name.find("serv") != std::string::npos) return server;
  if (name.find("client") != std::string::npos) return client;
  std::size_t hash = 0;
  for (char c : name) hash = hash * 31 + static_cast<unsigned char>(c);
  return hash % 2 == 0 ? third : fourth;
}

Palette make_palette(bool light) {
  Palette p;
  p.light = light;
  if (light) {
    p.server = IM_COL32(0, 114, 178, 255);    // blue
    p.client = IM_COL32(213, 94, 0, 255);     // vermillion
    p.third = IM_COL32(0, 158, 115, 255);     // bluish green
    p.fourth = IM_COL32(204, 121, 167, 255);  // reddish purple
    p.error = IM_COL32(170, 51, 119, 255);
    p.ok = IM_COL32(0, 128, 90, 255);
    p.warn = IM_COL32(150, 110, 0, 255);
    p.dim = IM_COL32(110, 110, 110, 255);
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
