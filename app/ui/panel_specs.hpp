#pragma once
// The window's panels, one row each: what the View menu lists, what the tiling gives
// room to, what a live session leaves out, what presentation mode starts with and what the
// settings file calls each panel all come from this table. (What draws a panel is
// UiRoot::draw_panel, a switch the compiler holds to this enum.)
#include <array>
#include <cstddef>

#include "ui/ui_text.hpp"

namespace sockstep::ui {

// In the order of the View menu and of Ctrl 1 … Ctrl 8.
enum class Panel { Lesson, Steps, Code, Sockets, Sequence, Bytes, Console, EventLog, Count };
inline constexpr std::size_t kPanelCount = static_cast<std::size_t>(Panel::Count);
using PanelFlags = std::array<bool, kPanelCount>;

struct PanelSpec {
  Panel panel;
  const char* id;        // its window's id, and its name in the settings file
  Tx title;
  bool shown;            // shown at first
  bool presented;        // shown at first in presentation mode: the four a class follows
  bool in_live;          // a live session has it (serve, dial and trace have no steps or listings)
  bool scrolls_itself;   // it scrolls its own child regions: its window has no scrollbar
  // Its smallest useful size, in font sizes wide and lines high: room for its title, a
  // few lines of its text and its buttons at any zoom.
  float min_em;
  float min_lines;
};

inline constexpr std::array<PanelSpec, kPanelCount> kPanels{{
    {Panel::Lesson, "lesson", Tx::PanelLesson, true, true, true, false, 14.0f, 8.0f},
    {Panel::Steps, "steps", Tx::PanelSteps, true, false, false, false, 14.0f, 4.0f},
    {Panel::Code, "code", Tx::PanelCode, true, true, false, true, 16.0f, 6.0f},
    // A socket card's seven lines and the scrollbar under them.
    {Panel::Sockets, "sockets", Tx::PanelSockets, true, true, true, true, 16.0f, 8.0f},
    {Panel::Sequence, "sequence", Tx::PanelSequence, true, true, true, true, 14.0f, 6.0f},
    {Panel::Bytes, "bytes", Tx::PanelBytes, true, false, true, true, 12.0f, 4.0f},
    {Panel::Console, "console", Tx::PanelConsole, true, false, true, true, 9.0f, 4.0f},
    {Panel::EventLog, "log", Tx::PanelEventLog, true, false, true, true, 13.0f, 4.0f},
}};

constexpr bool panels_in_order() {
  for (std::size_t i = 0; i < kPanelCount; ++i)
    if (kPanels[i].panel != static_cast<Panel>(i)) return false;
  return true;
}
static_assert(panels_in_order(), "kPanels has one row per Panel, in the enum's order");

[[nodiscard]] constexpr const PanelSpec& panel_spec(Panel panel) { return kPanels[static_cast<std::size_t>(panel)]; }

// The panels a mode starts with.
[[nodiscard]] constexpr PanelFlags default_panels(bool present) {
  PanelFlags flags{};
  for (std::size_t i = 0; i < kPanelCount; ++i) flags[i] = present ? kPanels[i].presented : kPanels[i].shown;
  return flags;
}

}  // namespace sockstep::ui
