#pragma once
// Where the sequence diagram's parts go: lanes across, rows down, waiting spans, arrows
// and their labels. The window's sequence panel draws with it and session.svg is written
// with it, so the printed diagram is the window's. No ImGui: text is measured by a
// function the caller gives (the panel: its font; the SVG: the character widths of a
// monospace font), and colours are roles the caller maps to its own palette.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/event.hpp"
#include "engine/lesson/lesson.hpp"
#include "ui/conversation.hpp"

namespace sockstep::ui {

// A call's row in the diagram: "socket(…) → fd 3", "getsockname() → 127.0.0.1:8084".
// How much of the address a getsockname()/getpeername() returned the row has room for.
enum class RowName { Full, Port, None };
[[nodiscard]] std::string sequence_row_label(const Event& event, RowName name_shown = RowName::Full);

struct Point {
  float x = 0;
  float y = 0;
};

// What a line or label is drawn in, as a role: each drawing maps it to its own colours.
enum class Ink { Actor, Text, Warn, Error, Dim };

// How an arrow is stroked: dash 0 is a solid line; head 0 draws no head.
struct Stroke {
  float thickness = 1.0f;
  float dash = 0.0f;
  float head = 0.0f;
};

struct ArrowShape {
  Point from;
  Point to;
  Stroke stroke;
  Ink ink = Ink::Actor;  // Actor: the sending lane's colour
};

// An arrow's words, and the shorter ones said where they do not fit between the lanes.
struct ArrowText {
  std::string text;
  std::string short_text;
};

// A label placed: its text, its left edge, and (arrow labels) its font size.
struct PlacedLabel {
  std::string text;
  float x = 0;
  float size = 0;
  float width = 0;
  bool left_side = false;
};

// measure(text) is the width of text in the row font; measure_at(size, text) at a size.
using Measure = std::function<float(std::string_view)>;
using MeasureAt = std::function<float(float, std::string_view)>;

class SequenceLayout {
 public:
  // width: the room the diagram has, the lanes spread over it; row_height: one row's.
  // min_gap: the least room between two lanes (0: none). Lanes closer than a short call's
  // label would crowd every label onto the next lifeline: then the diagram is wider than
  // width (the window scrolls it sideways, the SVG is drawn wider).
  SequenceLayout(const Conversation& conversation, float width, float row_height, float min_gap = 0.0f);

  // The window's min_gap: room for "accept() → fd 4" between two lanes.
  [[nodiscard]] static float min_gap_for(float font_size) { return font_size * 7.5f; }
  [[nodiscard]] static float row_height_for(float line_height);
  [[nodiscard]] std::size_t lane_count() const { return lane_x_.size(); }
  // The diagram's width: the room given, or more where min_gap asked for it.
  [[nodiscard]] float width() const { return width_; }
  // The distance between two neighbouring lanes (beside a single lane: to the edge).
  [[nodiscard]] float gap() const { return gap_; }
  [[nodiscard]] float row_height() const { return row_h_; }
  [[nodiscard]] float lane_x(std::size_t lane) const { return lane_x_[lane]; }
  // The middle of a row, from the top of the first row (rows in display order).
  [[nodiscard]] float row_y(int row) const;
  [[nodiscard]] float total_height() const;
  // Room a lane's header has: up to halfway to its neighbours (the outer ones to the edge).
  [[nodiscard]] float header_room(std::size_t lane) const;
  // Top and bottom of a Blocked row's waiting span (to the end while it still waits).
  [[nodiscard]] std::pair<float, float> blocked_span(int row) const;
  // Where a view view_width wide, scrolled sideways to scroll, should scroll to show lane:
  // scroll itself while the lane is well inside, else the lane in the middle.
  [[nodiscard]] float scroll_to_show(std::size_t lane, float scroll, float view_width) const;
  // A call's label beside its dot: on the side with room (the first lane's on the left),
  // the returned address shortened or left out when it does not fit, then the call alone
  // ("socket(…)"), then cut: never over the next lifeline (the row's tooltip says it all).
  [[nodiscard]] PlacedLabel row_label(const Event& event, const SeqRow& row, const Measure& measure) const;
  [[nodiscard]] static Ink row_label_ink(const Event& event);
  // The line of an arrow: packet_event is the row's event of a Packet arrow.
  [[nodiscard]] ArrowShape arrow_shape(const SeqArrow& arrow, const Event& packet_event) const;
  // The label between the arrow's lanes at base size: the short text, then a smaller size
  // (down to 70%) where the text would reach the lanes, then cut. An arrow across several
  // lanes has its label in the first gap it crosses, so it sits on no lifeline it passes;
  // bytes nobody took (the arrow stops short on its own lane) have theirs beside it.
  [[nodiscard]] PlacedLabel arrow_label(const SeqArrow& arrow, const ArrowText& text, float base_size,
                                        const MeasureAt& measure) const;

 private:
  const Conversation* conv_;
  std::vector<float> lane_x_;
  float width_;
  float row_h_;
  float gap_ = 0;
};

// The words of an arrow. data_event: the send of a Data arrow (null when gone);
// bytes_released: its bytes are no longer kept (a count is said instead of b'').
// packet_event: the row's event of a Packet arrow.
[[nodiscard]] ArrowText arrow_text(const SeqArrow& arrow, const Event* data_event, bool bytes_released,
                                   const Event& packet_event, Lang lang);
// The base font size of an arrow's label, as a share of the row font's.
[[nodiscard]] float arrow_label_scale(const SeqArrow& arrow);

}  // namespace sockstep::ui
