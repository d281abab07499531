#pragma once
// Which of the seven actor colours a lane is drawn in, told by its name: the window's
// palette and the exported diagrams colour the same lane the same way.
#include <array>
#include <cstddef>
#include <string>

namespace sockstep::ui {

// Okabe-Ito's seven hues: told apart with any common colour-vision deficiency.
inline constexpr std::size_t kActorColours = 7;

// 0 for the server, 1 for the client; client-1 … client-10 (the backlog lesson) each its
// own, cycling through the six that are not the server's; traced programs by their name.
[[nodiscard]] std::size_t actor_hue(const std::string& name);

// The hues as the light theme draws them (4.5:1 on white): the exported SVG and HTML.
inline constexpr std::array<const char*, kActorColours> kPrintHues = {
    "#006dab", "#ad4c00", "#007857", "#915677", "#8c6100", "#346e8e", "#716b1f"};

}  // namespace sockstep::ui
