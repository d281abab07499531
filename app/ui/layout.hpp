#pragma once
#include <array>
#include <optional>
#include <vector>

#include <imgui.h>

#include "ui/model.hpp"

namespace sockstep::ui {

struct PanelRect {
  ImVec2 pos;
  ImVec2 size;
};

// A splitter between two neighbours of one row or column: dragging it moves weight
// from one to the other. Its rect straddles their common edge.
struct Splitter {
  int a = 0;  // index into LayoutWeights of the child before the edge
  int b = 0;  // and after it
  bool vertical = false;   // a vertical bar, dragged left and right
  ImVec2 pos;
  ImVec2 size;
  float pixels_per_weight = 1.0f;  // how far the edge moves for one unit of weight
};

struct Layout {
  std::array<PanelRect, kPanelCount> panels{};
  std::vector<Splitter> splitters;
};

// The sizes the window is tiled by, as the measure of the font: a panel never gets
// narrower than its min_em font sizes nor lower than its min_lines lines unless the
// window itself is too small for all of them (then all shrink alike).
struct LayoutMetrics {
  float em = 16.0f;      // the body font's size in pixels
  float line = 21.0f;    // a line of text (ImGui's frame height) in pixels
};

// The tiling of the window (ImGui 1.86 has no docking): lesson and steps in a left
// column; code and sequence on top of the right one, socket cards across its middle,
// bytes, console and log along its bottom. Hidden panels give their room to their
// neighbours; weights (dragged with the splitters) share each row or column out;
// a maximised panel takes the whole window.
[[nodiscard]] Layout compute_layout(ImVec2 origin, ImVec2 size, const std::array<bool, kPanelCount>& visible,
                                    const LayoutWeights& weights, LayoutMetrics metrics,
                                    std::optional<Panel> maximised = std::nullopt);
// The former fixed tiling: default weights, metrics of a 16 px font.
[[nodiscard]] std::array<PanelRect, kPanelCount> compute_layout(ImVec2 origin, ImVec2 size,
                                                                const std::array<bool, kPanelCount>& visible);

// The weights after the splitter was dragged by delta pixels (right or down is
// positive); neither neighbour goes under a twentieth of their sum.
[[nodiscard]] LayoutWeights drag_splitter(const LayoutWeights& weights, const Splitter& splitter, float delta);

// Sizes along one axis: each part at least its minimum, the rest shared by weight
// (parts held at their minimum drop out of the sharing). If the minimums do not fit,
// every part gets its minimum scaled down alike.
[[nodiscard]] std::vector<float> share_out(float total, const std::vector<float>& weights,
                                           const std::vector<float>& minimums);

}  // namespace sockstep::ui
