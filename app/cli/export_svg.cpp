#include "cli/export_svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cli/event_format.hpp"
#include "cli/xml_text.hpp"
#include "ui/actor_hue.hpp"
#include "ui/lane_label.hpp"
#include "ui/sequence_layout.hpp"

namespace sockstep::cli {
namespace {

using ui::Ink;

// The window's light theme (Okabe-Ito hues), with black text: legible on paper.
constexpr const char* kText = "#000000";
constexpr const char* kWarn = "#6e4e00";
constexpr const char* kError = "#962869";
constexpr const char* kDim = "#505050";
constexpr const char* kLane = "#969696";
constexpr const char* kBlocked = "#f1dae7";  // the window's blocked_bg over white

const char* hue_colour(const std::string& lane) { return ui::kPrintHues[ui::actor_hue(lane)]; }

const char* ink_colour(Ink ink, const char* actor) {
  switch (ink) {
    case Ink::Actor: return actor;
    case Ink::Text: return kText;
    case Ink::Warn: return kWarn;
    case Ink::Error: return kError;
    case Ink::Dim: return kDim;
  }
  return kText;
}

constexpr float kFont = 13.0f;
constexpr float kHeader = 34.0f;  // the lane headers' band above the rows
constexpr float kPad = 8.0f;

std::string num(float v) { return fmt::format("{:.1f}", v); }

void line(std::string& out, ui::Point a, ui::Point b, const char* colour, const ui::Stroke& s) {
  out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}")", num(a.x), num(a.y),
                     num(b.x), num(b.y), colour, num(s.thickness));
  if (s.dash > 0) out += fmt::format(R"( stroke-dasharray="{0},{0}")", num(s.dash));
  out += "/>\n";
}

// The window's arrow head: a triangle at `to`, pointing along the line.
void head(std::string& out, ui::Point from, ui::Point to, const char* colour, float size) {
  const float dx = to.x - from.x;
  const float dy = to.y - from.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1.0f || size <= 0) return;
  const float ux = dx / len;
  const float uy = dy / len;
  const float nx = -uy;
  const float ny = ux;
  out += fmt::format(R"(<polygon points="{},{} {},{} {},{}" fill="{}"/>)"
                     "\n",
                     num(to.x), num(to.y), num(to.x - ux * size + nx * size * 0.5f),
                     num(to.y - uy * size + ny * size * 0.5f), num(to.x - ux * size - nx * size * 0.5f),
                     num(to.y - uy * size - ny * size * 0.5f), colour);
}

void text(std::string& out, float x, float y, float size, const char* colour, const std::string& words) {
  out += fmt::format(R"(<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>)"
                     "\n",
                     num(x), num(y), num(size), colour, xml_text(words));
}

}  // namespace

std::string sequence_svg(const std::vector<Event>& events, const ui::Conversation& conv, const SvgOptions& options) {
  const std::vector<std::string>& lanes = conv.lanes();
  // Wide enough that the outer lanes' calls are written beside them, not over their dots,
  // and the others' between their lane and the next (a returned address may still shrink
  // to its port, a label to its call alone, as in the window, which is narrower and
  // shortens more of them): the layout keeps 36% of the width outside two lanes, 14%
  // outside more, half of it beside a single lane.
  float edge = 0;
  float inner = 0;
  const std::size_t last_lane = lanes.empty() ? 0 : lanes.size() - 1;
  for (std::size_t p = 0; p < std::min(conv.display_order().size(), kMaxDiagramRows); ++p) {
    const ui::SeqRow& r = conv.rows()[static_cast<std::size_t>(conv.display_order()[p])];
    const Event& e = events[r.event_index];
    if (e.kind == EventKind::Packet) continue;
    const float w = mono_width(ui::sequence_row_label(e, ui::RowName::Port), kFont);
    if (r.lane == 0 || static_cast<std::size_t>(r.lane) == last_lane)
      edge = std::max(edge, w + 12.0f);
    else
      inner = std::max(inner, w + 17.0f);  // 8 from its dot, 8 short of the next lane, 1 for rounding
  }
  const float share = lanes.size() <= 1 ? 0.5f : lanes.size() == 2 ? 0.36f : 0.14f;
  const float between = lanes.size() > 2 ? inner * static_cast<float>(lanes.size() - 1) / (1.0f - 2.0f * share) : 0.0f;
  const float room = std::clamp(std::max(edge / share, between),
                                std::max(720.0f, 180.0f * static_cast<float>(lanes.size())), 2400.0f);
  const float row_h = ui::SequenceLayout::row_height_for(kFont * 1.25f);
  // The window's least gap between lanes: so many lanes that 2400 is too narrow for it
  // make the picture wider still.
  const ui::SequenceLayout layout(conv, room, row_h, ui::SequenceLayout::min_gap_for(kFont));
  const float width = layout.width();
  const std::vector<int>& order = conv.display_order();
  const std::size_t shown = std::min(order.size(), kMaxDiagramRows);
  const bool cut = shown < order.size();
  const float rows_h = row_h * static_cast<float>(shown + 1);
  const float height = kHeader + rows_h + (cut ? row_h : 0.0f) + kPad;
  const auto at = [&](ui::Point p) { return ui::Point{p.x, p.y + kHeader}; };
  const auto measure = [](std::string_view t) { return mono_width(t, kFont); };
  const auto measure_at = [](float size, std::string_view t) { return mono_width(t, size); };
  const auto visible = [&](int row) {
    return row >= 0 && static_cast<std::size_t>(conv.position_of(row)) < shown;
  };
  // Below the last row drawn: where arrows and spans that run past the cut end.
  const auto clamp = [&](ui::Point p) { return ui::Point{p.x, std::min(p.y, kHeader + rows_h)}; };

  std::string out;
  if (options.standalone) out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(R"(<svg {}width="{}" height="{}" viewBox="0 0 {} {}" font-family="DejaVu Sans Mono, Noto Sans Mono CJK SC, monospace" font-size="{}" role="img">)"
                     "\n",
                     options.standalone ? "xmlns=\"http://www.w3.org/2000/svg\" " : "", num(width), num(height),
                     num(width), num(height), num(kFont));
  out += "<title>" + xml_text(options.title.empty() ? "sockstep" : "sockstep: " + options.title) + "</title>\n";
  out += fmt::format(R"(<rect width="{}" height="{}" fill="#ffffff"/>)"
                     "\n",
                     num(width), num(height));

  // Lane headers: each name in a frame of its lane's colour, shortened where the lanes are
  // close (the full name in its tooltip).
  out += "<g class=\"lanes\">\n";
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const std::string label = ui::lane_label(lanes[i], layout.header_room(i), [](std::string_view t) {
      return mono_width(t, kFont) + 8.0f;
    });
    const float w = mono_width(label, kFont) + 12.0f;
    const float x = layout.lane_x(i);
    out += fmt::format(R"(<g><title>{}</title><rect x="{}" y="4" width="{}" height="22" rx="4" fill="#ffffff" stroke="{}" stroke-width="2"/>)",
                       xml_text(lanes[i]), num(x - w * 0.5f), num(w), hue_colour(lanes[i]));
    out += fmt::format(R"(<text x="{}" y="20" text-anchor="middle" font-weight="bold" fill="{}">{}</text></g>)"
                       "\n",
                       num(x), kText, xml_text(label));
    line(out, {x, kHeader}, {x, kHeader + rows_h}, kLane, {1.0f, 0, 0});
  }
  out += "</g>\n";

  // Waiting spans: a bar on the lane while the call sits in the kernel.
  for (int row : conv.blocked_rows()) {
    if (!visible(row)) continue;
    const ui::SeqRow& r = conv.rows()[static_cast<std::size_t>(row)];
    auto [y0, y1] = layout.blocked_span(row);
    y0 += kHeader;
    y1 = std::min(y1 + kHeader, kHeader + rows_h);
    const float x = layout.lane_x(static_cast<std::size_t>(r.lane));
    out += fmt::format(R"(<rect x="{}" y="{}" width="8" height="{}" fill="{}"/>)"
                       "\n",
                       num(x - 4.0f), num(y0), num(std::max(0.0f, y1 - y0)), kBlocked);
    line(out, {x, y0}, {x, y1}, kWarn, {3.0f, 4.0f, 0});
  }

  for (std::size_t position = 0; position < shown; ++position) {
    const int row = order[position];
    const ui::SeqRow& r = conv.rows()[static_cast<std::size_t>(row)];
    const Event& event = events[r.event_index];
    const float y = kHeader + layout.row_y(row);
    out += "<g><title>" + xml_text(format_event(event, options.lang)) + "</title>\n";
    if (event.kind != EventKind::Packet) {
      const float x = layout.lane_x(static_cast<std::size_t>(r.lane));
      out += fmt::format(R"(<circle cx="{}" cy="{}" r="4" fill="{}"/>)"
                         "\n",
                         num(x), num(y), hue_colour(event.actor));
      const ui::PlacedLabel label = layout.row_label(event, r, measure);
      text(out, label.x, y + kFont * 0.35f, kFont, ink_colour(ui::SequenceLayout::row_label_ink(event), kText),
           label.text);
    }
    for (int a : r.arrows) {
      const ui::SeqArrow& arrow = conv.arrows()[static_cast<std::size_t>(a)];
      // Drawn once, from its first row; its captured packet is drawn instead of a hidden one.
      if (arrow.hidden || arrow.from_row != row) continue;
      const char* actor = hue_colour(lanes[static_cast<std::size_t>(arrow.from_lane)]);
      const ui::ArrowShape shape = layout.arrow_shape(arrow, event);
      const char* colour = ink_colour(shape.ink, actor);
      const ui::Point from = at(shape.from);
      const ui::Point to = clamp(at(shape.to));
      line(out, from, to, colour, shape.stroke);
      if (arrow.to_row < 0 || visible(arrow.to_row) || arrow.kind != ui::ArrowKind::Data)
        head(out, from, to, colour, shape.stroke.head);
      const Event* data = nullptr;
      if (arrow.kind == ui::ArrowKind::Data) {
        // The log numbers its events in order: the send is found by halving.
        const auto found = std::lower_bound(events.begin(), events.end(), arrow.seq,
                                            [](const Event& e, std::uint64_t seq) { return e.seq < seq; });
        if (found != events.end() && found->seq == arrow.seq) data = &*found;
      }
      const ui::ArrowText words = ui::arrow_text(arrow, data, false, event, options.lang);
      const ui::PlacedLabel label = layout.arrow_label(arrow, words, kFont * ui::arrow_label_scale(arrow), measure_at);
      const float top = from.y - label.size - 2.0f;
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="#ffffff" fill-opacity="0.85"/>)"
                         "\n",
                         num(label.x - 2.0f), num(top), num(label.width + 4.0f), num(label.size));
      text(out, label.x, top + label.size * 0.8f, label.size,
           arrow.kind == ui::ArrowKind::Data ? actor : colour, label.text);
    }
    out += "</g>\n";
  }
  if (cut) {
    text(out, kPad, kHeader + rows_h + row_h * 0.6f, kFont, kDim,
         fmt::format(fmt::runtime(options.lang == Lang::Zh ? "只画了前 {} 行(共 {} 行);完整记录见 session.md 和 session.json"
                                              : "the first {} of {} rows; session.md and session.json have them all"),
                     shown, order.size()));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace sockstep::cli
