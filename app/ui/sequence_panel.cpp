#include <imgui.h>
#include <imgui_internal.h>  // SetNextWindowScroll: the lane headers follow the rows sideways

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "ui/lane_label.hpp"
#include "ui/panels.hpp"
#include "ui/sequence_layout.hpp"
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

void draw_sequence(const Model& model, SequenceView& view) {
  const Conversation& conv = *model.conversation;
  const std::vector<Event>& events = model.events->events();
  const Palette& palette = *model.palette;
  const std::vector<std::string>& lanes = conv.lanes();

  const float avail = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ScrollbarSize;
  const float row_h = SequenceLayout::row_height_for(ImGui::GetTextLineHeight());
  // Lanes never closer than a short call's label: else the diagram scrolls sideways.
  const SequenceLayout layout(conv, avail, row_h, SequenceLayout::min_gap_for(ImGui::GetFontSize()));
  const float width = layout.width();
  const bool scrolls_x = width > avail + 0.5f;

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
      const std::string label = lane_label(lanes[i], layout.header_room(i), measure);
      const ImVec2 size = ImGui::CalcTextSize(label.c_str());
      ImGui::SetCursorScreenPos(ImVec2(origin.x + layout.lane_x(i) - size.x * 0.5f - 4.0f, origin.y));
      actor_chip(palette.actor(lanes[i]), label);
      if (label != lanes[i] && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", lanes[i].c_str());
    }
    ImGui::EndChild();
  }

  const std::vector<SeqRow>& rows = conv.rows();
  const std::vector<int>& order = conv.display_order();
  ImGui::SetNextWindowContentSize(ImVec2(width, 0.0f));
  ImGui::BeginChild("rows", ImVec2(0, 0), false, scrolls_x ? ImGuiWindowFlags_HorizontalScrollbar : 0);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 top = ImGui::GetCursorScreenPos();
  const float total_h = layout.total_height();
  const auto at = [&](Point p) { return ImVec2(top.x + p.x, top.y + p.y); };
  const float visible_top = ImGui::GetWindowPos().y;
  const float visible_bottom = visible_top + ImGui::GetWindowHeight();

  // Lanes: time flows down them.
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    draw->AddLine(ImVec2(top.x + layout.lane_x(i), std::max(top.y, visible_top)),
                  ImVec2(top.x + layout.lane_x(i), std::min(top.y + total_h, visible_bottom)), palette.lane, 1.0f);
  }
  // Waiting spans: a thick bar on the lane while the call sits in the kernel.
  for (int row : conv.blocked_rows()) {
    const SeqRow& r = rows[static_cast<std::size_t>(row)];
    const auto [span_top, span_bottom] = layout.blocked_span(row);
    const float y0 = top.y + span_top;
    const float y1 = top.y + span_bottom;
    if (y1 < visible_top || y0 > visible_bottom) continue;
    const float x = top.x + layout.lane_x(static_cast<std::size_t>(r.lane));
    draw->AddRectFilled(ImVec2(x - 4.0f, y0), ImVec2(x + 4.0f, y1), palette.blocked_bg);
    dashed_line(draw, ImVec2(x, y0), ImVec2(x, y1), palette.warn, 3.0f, 4.0f);
  }

  const int current = model.current_index();
  int selected_row = -1;
  const auto row_measure = [](std::string_view text) {
    return ImGui::CalcTextSize(text.data(), text.data() + text.size()).x;
  };
  const ImFont* mono = model.fonts->mono;
  const auto mono_measure = [mono](float size, std::string_view text) {
    return mono->CalcTextSizeA(size, FLT_MAX, 0.0f, text.data(), text.data() + text.size()).x;
  };
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(order.size()), row_h);
  while (clipper.Step()) {
    for (int position = clipper.DisplayStart; position < clipper.DisplayEnd; ++position) {
      const int row = order[static_cast<std::size_t>(position)];
      const SeqRow& r = rows[static_cast<std::size_t>(row)];
      const Event& event = events[r.event_index];
      const float y = top.y + layout.row_y(row);
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

      const float x = top.x + layout.lane_x(static_cast<std::size_t>(r.lane));
      const bool packet_row = event.kind == EventKind::Packet;  // only its arrow: no dot, no call text
      if (!packet_row) {
        draw->AddCircleFilled(ImVec2(x, y), 4.0f, palette.actor(event.actor));
        const PlacedLabel label = layout.row_label(event, r, row_measure);
        const Ink ink = SequenceLayout::row_label_ink(event);
        const ImU32 label_color = ink == Ink::Text ? palette.text : ink == Ink::Warn ? palette.warn : palette.error;
        draw->AddText(ImVec2(top.x + label.x, y - ImGui::GetTextLineHeight() * 0.5f), label_color,
                      label.text.c_str());
      }

      for (int a : r.arrows) {
        const SeqArrow& arrow = conv.arrows()[static_cast<std::size_t>(a)];
        if (arrow.hidden) continue;  // its captured packet is drawn instead
        const ImU32 actor_color = palette.actor(lanes[static_cast<std::size_t>(arrow.from_lane)]);
        const ArrowShape shape = layout.arrow_shape(arrow, event);
        const ImU32 line_color = shape.ink == Ink::Error ? palette.error : shape.ink == Ink::Dim ? palette.dim : actor_color;
        const ImVec2 from = at(shape.from);
        const ImVec2 to = at(shape.to);
        if (shape.stroke.dash > 0.0f)
          dashed_line(draw, from, to, line_color, shape.stroke.thickness, shape.stroke.dash);
        else
          draw->AddLine(from, to, line_color, shape.stroke.thickness);
        if (shape.stroke.head > 0.0f) arrow_head(draw, from, to, line_color, shape.stroke.head);
        if (arrow.from_row != row) continue;
        // The words in the sending lane's colour (a dropped datagram's too), on a plate so
        // no lane line runs through the letters.
        const ImU32 text_color = arrow.kind == ArrowKind::Data ? actor_color : line_color;
        const Event* data_event = nullptr;
        bool released = false;
        if (arrow.kind == ArrowKind::Data) {
          const long index = model.events->find_seq(arrow.seq);
          if (index >= 0) {
            data_event = &events[static_cast<std::size_t>(index)];
            released = model.events->bytes_released(static_cast<std::size_t>(index));
          }
        }
        const ArrowText text = arrow_text(arrow, data_event, released, event, model.lang());
        const PlacedLabel label =
            layout.arrow_label(arrow, text, ImGui::GetFontSize() * arrow_label_scale(arrow), mono_measure);
        const ImVec2 label_at(top.x + label.x, from.y - label.size - 2.0f);
        draw->AddRectFilled(ImVec2(label_at.x - 2.0f, label_at.y),
                            ImVec2(label_at.x + label.width + 2.0f, label_at.y + label.size),
                            ImGui::GetColorU32(ImGuiCol_WindowBg, 0.85f), 2.0f);
        draw->AddText(mono, label.size, label_at, text_color, label.text.c_str());
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
      const float scroll = ImGui::GetScrollX();
      const float wanted = layout.scroll_to_show(static_cast<std::size_t>(last.lane), scroll, avail);
      if (wanted != scroll) ImGui::SetScrollX(wanted);
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
