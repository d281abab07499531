#include "ui/sequence_layout.hpp"

#include <algorithm>
#include <cmath>

#include "engine/text/errno_names.hpp"
#include "engine/text/py_text.hpp"
#include "ui/text_wrap.hpp"
#include "ui/ui_text.hpp"

namespace sockstep::ui {
namespace {

// The call alone, "socket(…)": full arguments are in the tooltip and the log; the diagram
// keeps rows short.
std::string call_text(const Event& event) {
  const std::string args = event.args.size() <= 10 ? event.args : std::string("…");
  return std::string(event.name()) + "(" + args + ")";
}

}  // namespace

std::string sequence_row_label(const Event& event, RowName name_shown) {
  std::string text = call_text(event);
  if (event.kind == EventKind::Blocked) return text + " …";
  // A non-blocking connect under way is no failure: the handshake goes on.
  if (is_connect(event.call) && event.err == EINPROGRESS) return text + " → EINPROGRESS";
  if (!event.ok()) return text + " ✗ " + errno_name(event.err);
  if (event.call == Call::Socket || event.call == Call::Accept) {
    return text + " → fd " + std::to_string(event.value);
  }
  if (sends_bytes(event.call) || receives_bytes(event.call)) {
    return text + " → " + std::to_string(event.value) + " B";
  }
  // The address getsockname() / getpeername() returned, the point of calling them (short,
  // as the cards write it; the log has Python's tuple).
  if (const Address* name = event.name_returned(); name != nullptr && !name->empty()) {
    const bool ip = name->family == AF_INET || name->family == AF_INET6;
    if (name_shown == RowName::Port && ip) return text + " → :" + std::to_string(name->port);
    return name_shown == RowName::Full ? text + " → " + name->to_string() : text;
  }
  if (event.call == Call::ConnectEx) {
    return text + " → " + std::to_string(event.value) +
           (event.value != 0 ? " " + errno_name(static_cast<int>(event.value)) : "");
  }
  return text;
}

SequenceLayout::SequenceLayout(const Conversation& conversation, float width, float row_height, float min_gap)
    : conv_(&conversation), width_(width), row_h_(row_height) {
  const std::size_t count = std::max<std::size_t>(conversation.lanes().size(), 1);
  // Outer lanes keep their labels outside, so arrows and bytes run between them.
  lane_x_.resize(count);
  float margin = count <= 2 ? width * 0.36f : width * 0.14f;
  if (count > 2 && (width - 2 * margin) / static_cast<float>(count - 1) < min_gap) {
    // The outer lanes' labels sit outside them: room for "accept() → fd 30".
    margin = min_gap * 1.2f;
    width_ = std::max(width, 2 * margin + min_gap * static_cast<float>(count - 1));
  }
  gap_ = count > 1 ? (width_ - 2 * margin) / static_cast<float>(count - 1) : width_ * 0.5f;
  for (std::size_t i = 0; i < count; ++i)
    lane_x_[i] = count == 1 ? width_ * 0.5f : margin + gap_ * static_cast<float>(i);
}

float SequenceLayout::row_height_for(float line_height) { return std::floor(line_height * 1.55f); }

float SequenceLayout::row_y(int row) const { return row_h_ * (static_cast<float>(conv_->position_of(row)) + 0.5f); }

float SequenceLayout::total_height() const { return row_h_ * static_cast<float>(conv_->rows().size() + 1); }

float SequenceLayout::header_room(std::size_t i) const {
  const std::size_t n = conv_->lanes().size();
  const float left = i == 0 ? lane_x_[i] * 2.0f : lane_x_[i] - lane_x_[i - 1];
  const float right = i + 1 == n ? (width_ - lane_x_[i]) * 2.0f : lane_x_[i + 1] - lane_x_[i];
  return std::min(left, right) - 6.0f;
}

float SequenceLayout::scroll_to_show(std::size_t lane, float scroll, float view_width) const {
  const float x = lane_x_[lane];
  if (x >= scroll + gap_ * 0.5f && x <= scroll + view_width - gap_ * 0.5f) return scroll;
  return std::clamp(x - view_width * 0.5f, 0.0f, std::max(0.0f, width_ - view_width));
}

std::pair<float, float> SequenceLayout::blocked_span(int row) const {
  const SeqRow& r = conv_->rows()[static_cast<std::size_t>(row)];
  return {row_y(row), r.block_end_row >= 0 ? row_y(r.block_end_row) : total_height()};
}

PlacedLabel SequenceLayout::row_label(const Event& event, const SeqRow& r, const Measure& measure) const {
  const std::size_t lane = static_cast<std::size_t>(r.lane);
  const std::size_t lane_count = lane_x_.size();
  const float x = lane_x_[lane];
  PlacedLabel placed;
  placed.left_side = lane == 0 && lane_count > 1;
  placed.text = sequence_row_label(event);
  float size = measure(placed.text);
  const auto room = [&](bool left) {
    if (left) return x - 8.0f - (lane > 0 ? lane_x_[lane - 1] + 8.0f : 2.0f);
    return (lane + 1 < lane_count ? lane_x_[lane + 1] - 8.0f : width_) - (x + 8.0f);
  };
  if (size > room(placed.left_side)) {
    // A row without arrows has the space between the lanes free; else the address the
    // call returned shrinks to its port, or is left to the tooltip.
    if (r.arrows.empty() && lane_count > 1 && size <= room(!placed.left_side)) {
      placed.left_side = !placed.left_side;
    } else {
      for (const RowName shorter : {RowName::Port, RowName::None}) {
        placed.text = sequence_row_label(event, shorter);
        size = measure(placed.text);
        if (size <= room(placed.left_side)) break;
      }
    }
  }
  if (size > room(placed.left_side)) {
    // Then the call alone, without what it returned.
    std::string call_only = call_text(event);
    if (call_only.size() < placed.text.size()) {
      placed.text = std::move(call_only);
      size = measure(placed.text);
    }
  }
  if (size > room(placed.left_side)) {
    // Still too wide: cut, never over the next lifeline (the row's tooltip says it all).
    placed.text = elide(placed.text, std::max(0.0f, room(placed.left_side)), measure);
    size = measure(placed.text);
  }
  placed.width = size;
  placed.x = placed.left_side ? std::max(2.0f, x - 8.0f - size) : x + 8.0f;
  return placed;
}

Ink SequenceLayout::row_label_ink(const Event& event) {
  if (event.ok()) return Ink::Text;
  return errno_reports_a_wait(event.err) || (is_connect(event.call) && event.err == EINPROGRESS) ? Ink::Warn
                                                                                                  : Ink::Error;
}

ArrowShape SequenceLayout::arrow_shape(const SeqArrow& arrow, const Event& packet_event) const {
  ArrowShape shape;
  shape.from = {lane_x_[static_cast<std::size_t>(arrow.from_lane)], row_y(arrow.from_row)};
  const float to_x = lane_x_[static_cast<std::size_t>(arrow.to_lane)];
  shape.to = {to_x, shape.from.y};
  switch (arrow.kind) {
    case ArrowKind::Data:
      if (arrow.dropped && arrow.to_lane == arrow.from_lane) {
        // Nobody was there to take it: the kernel dropped it.
        shape.to = {shape.from.x + row_h_ * 1.6f, shape.from.y};
        shape.stroke = {2.0f, 4.0f, 0.0f};
        shape.ink = Ink::Error;
      } else if (arrow.to_row >= 0) {
        shape.to = {to_x, row_y(arrow.to_row)};
        shape.stroke = {2.0f, 0.0f, 9.0f};
      } else {
        // Not read yet: the bytes wait in the receiver's queue.
        shape.to = {to_x + (to_x > shape.from.x ? -14.0f : 14.0f), shape.from.y + row_h_ * 0.6f};
        shape.stroke = {2.0f, 5.0f, 9.0f};
      }
      break;
    case ArrowKind::Packet:
      // Thin and grey: what the kernel put on the wire, not a call.
      shape.stroke = {1.0f, 0.0f, 6.0f};
      shape.ink = packet_event.packet.label == PacketKind::Rst ? Ink::Error : Ink::Dim;
      break;
    case ArrowKind::Fin:
      shape.stroke = {1.5f, 4.0f, 8.0f};
      break;
    case ArrowKind::Rst:
      shape.stroke = {2.0f, 0.0f, 8.0f};
      shape.ink = Ink::Error;
      break;
    case ArrowKind::Handshake:
    case ArrowKind::Fork:  // a new process, a copy of this one: from the fork() to the child's lane
      shape.stroke = {1.5f, 0.0f, 8.0f};
      break;
  }
  return shape;
}

ArrowText arrow_text(const SeqArrow& arrow, const Event* data_event, bool bytes_released, const Event& packet_event,
                     Lang lang) {
  ArrowText t;
  switch (arrow.kind) {
    case ArrowKind::Data: {
      // A count where the bytes are no longer kept, never an empty b''.
      if (data_event == nullptr || bytes_released) {
        t.text = std::to_string(arrow.bytes) + " B";
      } else {
        t.text = python_bytes_repr(data_event->bytes.substr(0, 24)) + (arrow.bytes > 24 ? "…" : "");
      }
      if (arrow.dropped && arrow.to_lane == arrow.from_lane) t.text += " ✗";
      break;
    }
    case ArrowKind::Packet:
      t.text = std::string(packet_event.name()) + (arrow.bytes > 0 ? " " + std::to_string(arrow.bytes) + " B" : "");
      break;
    case ArrowKind::Fin:
      t.text = tx(Tx::Fin, lang);
      break;
    case ArrowKind::Rst:
      t.text = tx(Tx::Rst, lang);
      break;
    case ArrowKind::Handshake:
      t.text = tx(Tx::Handshake, lang);
      t.short_text = tx(Tx::HandshakeShort, lang);
      break;
    case ArrowKind::Fork:
      t.text = "fork()";
      break;
  }
  return t;
}

float arrow_label_scale(const SeqArrow& arrow) { return arrow.kind == ArrowKind::Packet ? 0.8f : 1.0f; }

PlacedLabel SequenceLayout::arrow_label(const SeqArrow& arrow, const ArrowText& text, float base_size,
                                        const MeasureAt& measure) const {
  // The label sits between the lanes: a smaller size if it would reach them.
  const float from_x = lane_x_[static_cast<std::size_t>(arrow.from_lane)];
  const bool dropped_here = arrow.dropped && arrow.to_lane == arrow.from_lane;
  const float to_x = dropped_here ? from_x + gap_ : lane_x_[static_cast<std::size_t>(arrow.to_lane)];
  // The first gap the arrow crosses.
  const float lanes_crossed = std::max(1.0f, std::round(std::fabs(to_x - from_x) / std::max(1.0f, gap_)));
  const float span = std::fabs(to_x - from_x) / lanes_crossed;
  const float room = span - 12.0f;
  PlacedLabel placed;
  placed.text = text.text;
  placed.size = base_size;
  placed.width = measure(placed.size, placed.text);
  if (placed.width > room && !text.short_text.empty()) {
    placed.text = text.short_text;
    placed.width = measure(placed.size, placed.text);
  }
  if (placed.width > room && room > 0.0f) {
    placed.size = std::max(placed.size * 0.7f, placed.size * room / placed.width);
    placed.width = measure(placed.size, placed.text);
  }
  if (placed.width > room && room > 0.0f) {
    // Even smaller it would reach the lanes: cut it (the row's tooltip has it all).
    const float size = placed.size;
    placed.text = elide(placed.text, room, [&](std::string_view t) { return measure(size, t); });
    placed.width = measure(placed.size, placed.text);
  }
  const float mid = from_x + (to_x > from_x ? span : -span) * 0.5f;
  placed.x = mid - placed.width * 0.5f;
  return placed;
}

}  // namespace sockstep::ui
