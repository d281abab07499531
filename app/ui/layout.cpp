#include "ui/layout.hpp"

#include <vector>

namespace sockstep::ui {
namespace {

struct Cell {
  Panel panel;
  float weight;
};

struct Band {
  float weight;
  std::vector<Cell> cells;
};

// Splits rect into bands stacked top to bottom, each split left to right.
void place(ImVec2 pos, ImVec2 size, const std::vector<Band>& bands,
           const std::array<bool, kPanelCount>& visible, std::array<PanelRect, kPanelCount>& out) {
  const auto shown = [&](Panel p) { return visible[static_cast<std::size_t>(p)]; };
  float total = 0.0f;
  for (const Band& band : bands) {
    for (const Cell& cell : band.cells) {
      if (shown(cell.panel)) {
        total += band.weight;
        break;
      }
    }
  }
  float y = pos.y;
  for (const Band& band : bands) {
    float band_total = 0.0f;
    for (const Cell& cell : band.cells) {
      if (shown(cell.panel)) band_total += cell.weight;
    }
    if (band_total <= 0.0f) continue;
    const float h = size.y * band.weight / total;
    float x = pos.x;
    for (const Cell& cell : band.cells) {
      if (!shown(cell.panel)) continue;
      const float w = size.x * cell.weight / band_total;
      out[static_cast<std::size_t>(cell.panel)] = PanelRect{ImVec2(x, y), ImVec2(w, h)};
      x += w;
    }
    y += h;
  }
}

}  // namespace

std::array<PanelRect, kPanelCount> compute_layout(ImVec2 origin, ImVec2 size,
                                                  const std::array<bool, kPanelCount>& visible) {
  std::array<PanelRect, kPanelCount> out{};
  const auto shown = [&](Panel p) { return visible[static_cast<std::size_t>(p)]; };
  const bool left = shown(Panel::Lesson) || shown(Panel::Steps);
  bool right = false;
  for (Panel p : {Panel::Code, Panel::Sequence, Panel::Sockets, Panel::Bytes, Panel::Console,
                  Panel::EventLog}) {
    right = right || shown(p);
  }
  const float left_w = !left ? 0.0f : !right ? size.x : std::max(300.0f, size.x * 0.25f);
  if (left) {
    place(origin, ImVec2(left_w, size.y),
          {Band{0.68f, {{Panel::Lesson, 1.0f}}}, Band{0.32f, {{Panel::Steps, 1.0f}}}}, visible, out);
  }
  if (right) {
    place(ImVec2(origin.x + left_w, origin.y), ImVec2(size.x - left_w, size.y),
          {Band{0.46f, {{Panel::Code, 0.56f}, {Panel::Sequence, 0.44f}}},
           Band{0.29f, {{Panel::Sockets, 1.0f}}},
           // The console needs room for what the programs print (客户端的数据 b'hello').
           Band{0.25f, {{Panel::Bytes, 0.34f}, {Panel::Console, 0.30f}, {Panel::EventLog, 0.36f}}}},
          visible, out);
  }
  return out;
}

}  // namespace sockstep::ui
