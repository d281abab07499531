#include <imgui.h>
#include <imgui_internal.h>  // SetNextWindowScroll: the lane headers follow the rows sideways

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/errno_names.hpp"
#include "engine/py_text.hpp"
#include "ui/lane_label.hpp"
#include "ui/panels.hpp"
#include "ui/text_wrap.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

void arrow_head(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 color, float size) {
  const float dx = to.x - from.x;
  const float dy = to.y - from.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1.0f) return;
  const ImVec2 u(dx / len, dy / len);
  const ImVec2 n(-u.y, u.x);
  draw->AddTriangleFilled(to, ImVec2(to.x - u.x * size + n.x * size * 0.5f, to.y - u.y * size + n.y * size * 0.5f),
                          ImVec2(to.x - u.x * size - n.x * size * 0.5f, to.y - u.y * size - n.y * size * 0.5f),
                          color);
}

void dashed_line(ImDrawList* draw, ImVec2 a, ImVec2 b, ImU32 color, float thickness, float dash) {
  const float dx = b.x - a.x;
  const float dy = b.y - a.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1.0f) return;
  for (float t = 0; t < len; t += dash * 2.0f) {
    const float e = std::min(len, t + dash);
    draw->AddLine(ImVec2(a.x + dx * t / len, a.y + dy * t / len),
                  ImVec2(a.x + dx * e / len, a.y + dy * e / len), color, thickness);
  }
}

}  // namespace

std::string sequence_row_label(const Event& event, RowName name_shown) {
  // Full arguments are in the tooltip and the log; the diagram keeps rows short.
  std::string args = event.args.size() <= 10 ? event.args : std::string("…");
  std::string text = std::string(event.name()) + "(" + args + ")";
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

void draw_sequence(const Model& model, SequenceView& view) {
  const Conversation& conv = *model.conversation;
  const std::vector<Event>& events = model.events->events();
  const Palette& palette = *model.palette;
  const std::vector<std::string>& lanes = conv.lanes();
  const std::size_t lane_count = std::max<std::size_t>(lanes.size(), 1);

  const float avail = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ScrollbarSize;
  // Outer lanes keep their labels outside, so arrows and bytes run between them. Lanes
  // closer than a short call's label ("accept() → fd 4") would crowd every label onto the
  // next lifeline: then the diagram is wider than the panel and scrolls sideways.
  const float min_gap = ImGui::GetFontSize() * 7.5f;
  float width = avail;
  float margin = lane_count <= 2 ? width * 0.36f : width * 0.14f;
  if (lane_count > 2 && (width - 2 * margin) / static_cast<float>(lane_count - 1) < min_gap) {
    // The outer lanes' labels sit outside them: room for "accept() → fd 30".
    margin = min_gap * 1.2f;
    width = std::max(avail, 2 * margin + min_gap * static_cast<float>(lane_count - 1));
  }
  const bool scrolls_x = width > avail + 0.5f;
  const float gap = lane_count > 1 ? (width - 2 * margin) / static_cast<float>(lane_count - 1) : width;
  std::vector<float> lane_x(lane_count);
  for (std::size_t i = 0; i < lane_count; ++i) {
    lane_x[i] = lane_count == 1 ? width * 0.5f
                                : margin + (width - 2 * margin) * static_cast<float>(i) /
                                               static_cast<float>(lane_count - 1);
  }

  // Lane headers stay put while the rows scroll down, and move with them sideways.
  {
    const float header_h = ImGui::GetFrameHeight() + 2.0f;
    // As wide as the rows plus their vertical scrollbar, so both scroll as far.
    ImGui::SetNextWindowContentSize(ImVec2(width + ImGui::GetStyle().ScrollbarSize, header_h));
    if (scrolls_x) ImGui::SetNextWindowScroll(ImVec2(view.scroll_x, 0.0f));
    // Scrolled sideways with the rows, its own bar hidden.
    ImGui::BeginChild("lanes", ImVec2(0, header_h), false,
                      ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoScrollbar |
                          ImGuiWindowFlags_NoScrollWithMouse);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    // Each header gets the room between its neighbours (the outer ones up to the edge);
    // a name that does not fit is shortened, and said whole in its tooltip.
    const auto measure = [](std::string_view text) {
      return ImGui::CalcTextSize(text.data(), text.data() + text.size()).x + 8.0f;
    };
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      const float left = i == 0 ? lane_x[i] * 2.0f : lane_x[i] - lane_x[i - 1];
      const float right = i + 1 == lanes.size() ? (width - lane_x[i]) * 2.0f : lane_x[i + 1] - lane_x[i];
      const std::string label = lane_label(lanes[i], std::min(left, right) - 6.0f, measure);
      const ImVec2 size = ImGui::CalcTextSize(label.c_str());
      ImGui::SetCursorScreenPos(ImVec2(origin.x + lane_x[i] - size.x * 0.5f - 4.0f, origin.y));
      actor_chip(palette.actor(lanes[i]), label);
      if (label != lanes[i] && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", lanes[i].c_str());
    }
    ImGui::EndChild();
  }

  const std::vector<SeqRow>& rows = conv.rows();
  const std::vector<int>& order = conv.display_order();
  const float row_h = std::floor(ImGui::GetTextLineHeight() * 1.55f);
  ImGui::SetNextWindowContentSize(ImVec2(width, 0.0f));
  ImGui::BeginChild("rows", ImVec2(0, 0), false, scrolls_x ? ImGuiWindowFlags_HorizontalScrollbar : 0);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 top = ImGui::GetCursorScreenPos();
  const float total_h = row_h * static_cast<float>(rows.size() + 1);
  const auto row_y = [&](int row) { return top.y + row_h * (static_cast<float>(conv.position_of(row)) + 0.5f); };
  const float visible_top = ImGui::GetWindowPos().y;
  const float visible_bottom = visible_top + ImGui::GetWindowHeight();

  // Lanes: time flows down them.
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    draw->AddLine(ImVec2(top.x + lane_x[i], std::max(top.y, visible_top)),
                  ImVec2(top.x + lane_x[i], std::min(top.y + total_h, visible_bottom)), palette.lane,
                  1.0f);
  }
  // Waiting spans: a thick bar on the lane while the call sits in the kernel.
  for (int row : conv.blocked_rows()) {
    const SeqRow& r = rows[static_cast<std::size_t>(row)];
    const float y0 = row_y(row);
    const float y1 = r.block_end_row >= 0 ? row_y(r.block_end_row) : top.y + total_h;
    if (y1 < visible_top || y0 > visible_bottom) continue;
    const float x = top.x + lane_x[static_cast<std::size_t>(r.lane)];
    draw->AddRectFilled(ImVec2(x - 4.0f, y0), ImVec2(x + 4.0f, y1), palette.blocked_bg);
    dashed_line(draw, ImVec2(x, y0), ImVec2(x, y1), palette.warn, 3.0f, 4.0f);
  }

  const int current = model.current_index();
  int selected_row = -1;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(order.size()), row_h);
  while (clipper.Step()) {
    for (int position = clipper.DisplayStart; position < clipper.DisplayEnd; ++position) {
      const int row = order[static_cast<std::size_t>(position)];
      const SeqRow& r = rows[static_cast<std::size_t>(row)];
      const Event& event = events[r.event_index];
      const float y = row_y(row);
      const ImVec2 row_min(top.x, y - row_h * 0.5f);
      const ImVec2 row_max(top.x + width, y + row_h * 0.5f);
      if (event.seq == model.state->selected_seq) {
        draw->AddRectFilled(row_min, row_max, palette.select_bg);
      } else if (current >= 0 && event.step == current) {
        draw->AddRectFilled(row_min, row_max, palette.now_bg);
      }
      ImGui::SetCursorScreenPos(row_min);
      ImGui::PushID(row);
      if (ImGui::InvisibleButton("row", ImVec2(width, row_h))) {
        model.send({Command::Kind::Select, static_cast<long long>(event.seq)});
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", event_summary(event, model.lang() == Lang::Zh).c_str());
      ImGui::PopID();

      const std::size_t lane = static_cast<std::size_t>(r.lane);
      const float x = top.x + lane_x[lane];
      const bool packet_row = event.kind == EventKind::Packet;  // only its arrow: no dot, no call text
      const ImU32 color = palette.actor(event.actor);
      if (!packet_row) draw->AddCircleFilled(ImVec2(x, y), 4.0f, color);
      bool left_side = lane == 0 && lane_count > 1;
      std::string label = sequence_row_label(event);
      ImVec2 size = ImGui::CalcTextSize(label.c_str());
      const auto room = [&](bool left) {
        if (left) return x - 8.0f - (lane > 0 ? top.x + lane_x[lane - 1] + 8.0f : top.x + 2.0f);
        return (lane + 1 < lane_count ? top.x + lane_x[lane + 1] - 8.0f : top.x + width) - (x + 8.0f);
      };
      if (size.x > room(left_side)) {
        // A row without arrows has the space between the lanes free; else the address the
        // call returned shrinks to its port, or is left to the tooltip.
        if (r.arrows.empty() && lane_count > 1 && size.x <= room(!left_side)) {
          left_side = !left_side;
        } else {
          for (const RowName shorter : {RowName::Port, RowName::None}) {
            label = sequence_row_label(event, shorter);
            size = ImGui::CalcTextSize(label.c_str());
            if (size.x <= room(left_side)) break;
          }
        }
      }
      if (size.x > room(left_side)) {
        // Then the call alone, "socket(…)" without what it returned.
        const std::string args = event.args.size() <= 10 ? event.args : std::string("…");
        const std::string call_only = std::string(event.name()) + "(" + args + ")";
        if (call_only.size() < label.size()) {
          label = call_only;
          size = ImGui::CalcTextSize(label.c_str());
        }
      }
      if (size.x > room(left_side)) {
        // Still too wide: cut, never over the next lifeline (the row's tooltip says it all).
        label = elided(label, std::max(0.0f, room(left_side)));
        size = ImGui::CalcTextSize(label.c_str());
      }
      const float tx = left_side ? std::max(top.x + 2.0f, x - 8.0f - size.x) : x + 8.0f;
      const ImU32 label_color = event.ok() ? palette.text
                                : errno_reports_a_wait(event.err) || (is_connect(event.call) && event.err == EINPROGRESS)
                                    ? palette.warn
                                    : palette.error;
      if (!packet_row) draw->AddText(ImVec2(tx, y - size.y * 0.5f), label_color, label.c_str());

      for (int a : r.arrows) {
        const SeqArrow& arrow = conv.arrows()[static_cast<std::size_t>(a)];
        if (arrow.hidden) continue;  // its captured packet is drawn instead
        ImU32 arrow_color = palette.actor(lanes[static_cast<std::size_t>(arrow.from_lane)]);
        if (arrow.kind == ArrowKind::Packet) arrow_color = event.packet.label == PacketKind::Rst ? palette.error : palette.dim;
        if (arrow.kind == ArrowKind::Rst) arrow_color = palette.error;
        const ImVec2 from(top.x + lane_x[static_cast<std::size_t>(arrow.from_lane)], row_y(arrow.from_row));
        const float to_x = top.x + lane_x[static_cast<std::size_t>(arrow.to_lane)];
        std::string text;
        std::string short_text;  // said instead when text does not fit between the lanes
        if (arrow.kind == ArrowKind::Data) {
          const long index = model.events->find_seq(arrow.seq);
          std::string preview;
          if (index >= 0) preview = events[static_cast<std::size_t>(index)].bytes.substr(0, 24);
          // A count where the bytes are no longer kept (EventCache), never an empty b''.
          text = index >= 0 && model.events->bytes_released(static_cast<std::size_t>(index))
                     ? std::to_string(arrow.bytes) + " B"
                     : python_bytes_repr(preview) + (arrow.bytes > 24 ? "…" : "");
          if (arrow.dropped && arrow.to_lane == arrow.from_lane) {
            // Nobody was there to take it: the kernel dropped it.
            text += " ✗";
            const ImVec2 to(from.x + row_h * 1.6f, from.y);
            dashed_line(draw, from, to, palette.error, 2.0f, 4.0f);
          } else if (arrow.to_row >= 0) {
            const ImVec2 to(to_x, row_y(arrow.to_row));
            draw->AddLine(from, to, arrow_color, 2.0f);
            arrow_head(draw, from, to, arrow_color, 9.0f);
          } else {
            // Not read yet: the bytes wait in the receiver's queue.
            const ImVec2 to(to_x + (to_x > from.x ? -14.0f : 14.0f), from.y + row_h * 0.6f);
            dashed_line(draw, from, to, arrow_color, 2.0f, 5.0f);
            arrow_head(draw, from, to, arrow_color, 9.0f);
          }
        } else if (arrow.kind == ArrowKind::Packet) {
          // Thin and grey: what the kernel put on the wire, not a call.
          const ImVec2 to(to_x, from.y);
          draw->AddLine(from, to, arrow_color, 1.0f);
          arrow_head(draw, from, to, arrow_color, 6.0f);
          text = std::string(event.name()) + (arrow.bytes > 0 ? " " + std::to_string(arrow.bytes) + " B" : "");
        } else {
          const ImVec2 to(to_x, from.y);
          if (arrow.kind == ArrowKind::Fin) {
            dashed_line(draw, from, to, arrow_color, 1.5f, 4.0f);
            text = model.t(Tx::Fin);
          } else if (arrow.kind == ArrowKind::Rst) {
            draw->AddLine(from, to, arrow_color, 2.0f);
            text = model.t(Tx::Rst);
          } else {
            draw->AddLine(from, to, arrow_color, 1.5f);
            text = model.t(Tx::Handshake);
            short_text = model.t(Tx::HandshakeShort);
          }
          arrow_head(draw, from, to, arrow_color, 8.0f);
        }
        if (arrow.from_row == row) {
          // The label sits between the lanes: a smaller size if it would reach them,
          // and a plate under it so no lane line runs through the letters.
          // An arrow across several lanes has its label in the first gap it crosses, so
          // the label sits on no lifeline of the lanes it passes.
          const ImFont* font = model.fonts->mono;
          // Bytes nobody took stop short on their own lane: their label goes beside it.
          const bool dropped_here = arrow.dropped && arrow.to_lane == arrow.from_lane;
          const float label_to = dropped_here ? from.x + gap : to_x;
          const float lanes_crossed = std::max(1.0f, std::round(std::fabs(label_to - from.x) / std::max(1.0f, gap)));
          const float span = std::fabs(label_to - from.x) / lanes_crossed;
          const float label_room = span - 12.0f;
          float size = ImGui::GetFontSize() * (arrow.kind == ArrowKind::Packet ? 0.8f : 1.0f);
          float text_w = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text.c_str()).x;
          if (text_w > label_room && !short_text.empty()) {
            text = short_text;
            text_w = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text.c_str()).x;
          }
          if (text_w > label_room && label_room > 0.0f) {
            size = std::max(size * 0.7f, size * label_room / text_w);
            text_w = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text.c_str()).x;
          }
          if (text_w > label_room && label_room > 0.0f) {
            // Even smaller it would reach the lanes: cut it (the row's tooltip has it all).
            const float at_size = size;
            text = elide(text, label_room, [&](std::string_view t) {
              return font->CalcTextSizeA(at_size, FLT_MAX, 0.0f, t.data(), t.data() + t.size()).x;
            });
            text_w = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text.c_str()).x;
          }
          const float mid = from.x + (label_to > from.x ? span : -span) * 0.5f;
          const ImVec2 at(mid - text_w * 0.5f, from.y - size - 2.0f);
          draw->AddRectFilled(ImVec2(at.x - 2.0f, at.y), ImVec2(at.x + text_w + 2.0f, at.y + size),
                              ImGui::GetColorU32(ImGuiCol_WindowBg, 0.85f), 2.0f);
          draw->AddText(font, size, at, arrow_color, text.c_str());
        }
      }
    }
  }
  clipper.End();
  ImGui::SetCursorScreenPos(ImVec2(top.x, top.y + total_h));
  ImGui::Dummy(ImVec2(1, 1));

  // Follow the lesson: show the newest rows when rows were added, or the selection;
  // sideways, the lane of the newest row.
  if (view.followed_rows != rows.size()) {
    view.followed_rows = rows.size();
    ImGui::SetScrollY(std::max(0.0f, total_h - ImGui::GetWindowHeight()));
    if (scrolls_x && !order.empty()) {
      const SeqRow& last = rows[static_cast<std::size_t>(order.back())];
      const float x = lane_x[static_cast<std::size_t>(last.lane)];
      const float scroll = ImGui::GetScrollX();
      if (x < scroll + gap * 0.5f || x > scroll + avail - gap * 0.5f) {
        ImGui::SetScrollX(std::clamp(x - avail * 0.5f, 0.0f, width - avail));
      }
    }
  }
  view.scroll_x = ImGui::GetScrollX();
  if (view.followed_selection != model.state->selected_seq) {
    view.followed_selection = model.state->selected_seq;
    const long index = model.events->find_seq(model.state->selected_seq);
    if (index >= 0) {
      selected_row = conv.row_of_event(static_cast<std::size_t>(index));
      const float y = selected_row >= 0 ? row_h * static_cast<float>(conv.position_of(selected_row)) : 0.0f;
      if (selected_row >= 0 &&
          (y < ImGui::GetScrollY() || y > ImGui::GetScrollY() + ImGui::GetWindowHeight() - row_h)) {
        ImGui::SetScrollY(std::max(0.0f, y - ImGui::GetWindowHeight() * 0.4f));
      }
    }
  }
  ImGui::EndChild();
}

}  // namespace sockstep::ui
