// Text on a projector: every palette colour used for text, and the dimmest text of a
// faded (closed) socket card, reads at 4.5:1 or more against the window in both themes.
#include <doctest/doctest.h>

#include <imgui.h>

#include <cstdio>
#include <string>
#include <vector>

#include "ui/palette.hpp"

using namespace sockstep::ui;

TEST_CASE("text colours reach 4.5:1 against the window, also on a faded card") {
  for (const bool light : {false, true}) {
    CAPTURE(light);
    ImGuiStyle style;
    light ? ImGui::StyleColorsLight(&style) : ImGui::StyleColorsDark(&style);
    const ImU32 window = ImGui::ColorConvertFloat4ToU32(style.Colors[ImGuiCol_WindowBg]);
    const Palette p = make_palette(light);
    for (const ImU32 text : {p.text, p.dim, p.error, p.ok, p.warn}) {
      CHECK(contrast_ratio(text, window) >= 4.5f);
      CHECK(contrast_ratio(blend(text, window, kFadedCardAlpha), window) >= 4.5f);
    }
  }
}

TEST_CASE("every actor's colour reads as text in both themes, its chip's label on it too, and no two are alike") {
  for (const bool light : {false, true}) {
    CAPTURE(light);
    ImGuiStyle style;
    light ? ImGui::StyleColorsLight(&style) : ImGui::StyleColorsDark(&style);
    const ImU32 window = ImGui::ColorConvertFloat4ToU32(style.Colors[ImGuiCol_WindowBg]);
    const Palette p = make_palette(light);
    for (std::size_t i = 0; i < p.actors.size(); ++i) {
      CAPTURE(i);
      CHECK(contrast_ratio(p.actors[i], window) >= 4.5f);
      CHECK(contrast_ratio(Palette::on_colour(p.actors[i]), p.actors[i]) >= 4.5f);
      for (std::size_t j = 0; j < i; ++j) CHECK(p.actors[i] != p.actors[j]);
    }
    // The backlog lesson's eleven lanes: neighbours never share a colour.
    std::vector<std::string> lanes{"server"};
    for (int n = 1; n <= 10; ++n) lanes.push_back("client-" + std::to_string(n));
    for (std::size_t i = 1; i < lanes.size(); ++i) {
      CAPTURE(lanes[i]);
      CHECK(p.actor(lanes[i]) != p.actor(lanes[i - 1]));
      CHECK(p.actor(lanes[i]) != p.actor("server"));
    }
    CHECK(p.actor("client") == p.actor("client-1"));
    CHECK(p.actor("echo_server.py[4242]") == p.actor("server"));
  }
}

TEST_CASE("the exported SVG and HTML draw each actor in the light theme's colour") {
  const Palette p = make_palette(true);
  for (std::size_t i = 0; i < kActorColours; ++i) {
    const ImU32 c = p.actors[i];
    char hex[8];
    std::snprintf(hex, sizeof hex, "#%02x%02x%02x", static_cast<unsigned>(c & 0xFF),
                  static_cast<unsigned>((c >> 8) & 0xFF), static_cast<unsigned>((c >> 16) & 0xFF));
    CAPTURE(i);
    CHECK(std::string(hex) == kPrintHues[i]);
  }
  // One choice for both: the window's lane and the printed one are the same hue.
  for (const std::string name : {"server", "client", "client-3", "client-7", "echo_server.py[42]", "nc"})
    CHECK(p.actor(name) == p.actors[actor_hue(name)]);
}
