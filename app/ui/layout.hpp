#pragma once
#include <array>

#include <imgui.h>

#include "ui/model.hpp"

namespace sockstep::ui {

struct PanelRect {
  ImVec2 pos;
  ImVec2 size;
};

// A fixed tiling of the window (ImGui 1.86 has no docking): lesson and steps on the
// left, code and sequence on top, socket cards across the middle, bytes, console and
// log along the bottom. Hidden panels give their room to their neighbours.
[[nodiscard]] std::array<PanelRect, kPanelCount> compute_layout(
    ImVec2 origin, ImVec2 size, const std::array<bool, kPanelCount>& visible);

}  // namespace sockstep::ui
