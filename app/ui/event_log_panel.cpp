#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cfloat>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "engine/text/errno_names.hpp"
#include "engine/text/py_text.hpp"
#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

bool contains_folded(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

std::string result_text(const Event& event, bool zh) {
  if (event.kind == EventKind::Blocked) return "…";
  if (event.kind == EventKind::Packet) {
    std::string text = "len " + std::to_string(event.byte_count);
    if (!event.bytes.empty()) text += " " + python_bytes_repr(event.bytes.substr(0, 48));
    if (!event.detail.empty()) text += "  " + event.detail;
    return text;
  }
  // A note carries its Chinese in args (as the walk prints it); one without says English.
  if (event.kind == EventKind::Note && zh && !event.args.empty()) return event.args;
  if (event.kind != EventKind::Call) return event.detail;
  if (!event.ok()) return errno_name(event.err) + " " + errno_message(event.err, zh);
  // Python's getsockname() returns the address, not a number (the value is only its port).
  if (const Address* name = event.name_returned(); name != nullptr && !name->empty())
    return "= " + name->python_repr();
  std::string text = "= " + std::to_string(event.value);
  if (!event.bytes.empty()) text += " " + python_bytes_repr(event.bytes.substr(0, 48));
  if (!event.detail.empty()) text += " " + event.detail;
  return text;
}

}  // namespace

// The kind of a row that is not a call, in the reader's language.
const char* event_kind_label(EventKind kind, bool zh) {
  if (!zh) return event_kind_name(kind);
  switch (kind) {
    case EventKind::Call: return "调用";
    case EventKind::Blocked: return "阻塞";
    case EventKind::Print: return "输出";
    case EventKind::Note: return "提示";
    case EventKind::Packet: return "数据包";
  }
  return "?";
}

std::string event_summary(const Event& event, bool zh) {
  if (event.kind == EventKind::Note) return event.actor + " " + event_kind_label(event.kind, zh) + ": " + result_text(event, zh);
  std::string text = event.actor + " " + event.name() + "(" + event.args + ") " + result_text(event, zh);
  if (event.kind == EventKind::Call && event.call == Call::ConnectEx && event.value != 0) {
    text += " " + errno_name(static_cast<int>(event.value));
  }
  return text;
}

bool event_matches(const Event& event, const std::string& filter) {
  std::istringstream words(filter);
  std::string word;
  while (words >> word) {
    const bool hit = contains_folded(event.actor, word) || contains_folded(event.name(), word) ||
                     contains_folded(event.args, word) || contains_folded(event.detail, word) ||
                     contains_folded(event_kind_name(event.kind), word) ||
                     (event.err != 0 && contains_folded(errno_name(event.err), word)) ||
                     contains_folded(event.bytes.substr(0, 256), word);
    if (!hit) return false;
  }
  return true;
}

void draw_event_log(const Model& model, EventLogView& view) {
  const std::vector<Event>& events = model.events->events();
  const Palette& palette = *model.palette;

  // The filter takes what the checkbox and the count leave of the line (both measured,
  // so neither runs past the edge at any zoom or in either language).
  char count[64];
  std::snprintf(count, sizeof count, model.t(Tx::Events), view.matches.size());
  const ImGuiStyle& style = ImGui::GetStyle();
  const float follow_w = ImGui::GetFrameHeight() + style.ItemInnerSpacing.x + ImGui::CalcTextSize(model.t(Tx::Follow)).x;
  const float rest = follow_w + ImGui::CalcTextSize(count).x + style.ItemSpacing.x * 2.0f;
  const float filter_w = ImGui::GetContentRegionAvail().x - rest;
  const bool one_line = filter_w >= ImGui::GetFontSize() * 5.0f;
  ImGui::SetNextItemWidth(one_line ? filter_w : -FLT_MIN);
  ImGui::InputTextWithHint("###filter", model.t(Tx::FilterHint), &view.filter);
  if (one_line) ImGui::SameLine();
  ImGui::Checkbox(model.t(Tx::Follow), &view.follow);
  ImGui::SameLine();
  ImGui::TextDisabled("%s", count);

  if (view.filter != view.applied_filter || view.revision != model.events->revision()) {
    view.applied_filter = view.filter;
    view.revision = model.events->revision();
    view.matches.clear();
    view.scanned = 0;
  }
  for (; view.scanned < events.size(); ++view.scanned) {
    if (view.applied_filter.empty() || event_matches(events[view.scanned], view.applied_filter)) {
      view.matches.push_back(static_cast<std::uint32_t>(view.scanned));
    }
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable;
  if (!ImGui::BeginTable("log", 5, flags, ImGui::GetContentRegionAvail())) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  const float em = ImGui::GetFontSize();
  ImGui::TableSetupColumn(model.t(Tx::Time), ImGuiTableColumnFlags_WidthFixed, em * 3.8f);
  ImGui::TableSetupColumn(model.t(Tx::Step), ImGuiTableColumnFlags_WidthFixed, em * 1.6f);
  // Wide enough for "client-10" and "nc[4242]": the actor names the row.
  ImGui::TableSetupColumn(model.t(Tx::Actor), ImGuiTableColumnFlags_WidthFixed, em * 5.0f);
  ImGui::TableSetupColumn(model.t(Tx::Call), ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn(model.t(Tx::Result), ImGuiTableColumnFlags_WidthStretch, 1.2f);
  ImGui::TableHeadersRow();

  const bool at_bottom = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1.0f;
  const int current = model.current_index();
  const bool zh = model.lang() == Lang::Zh;
  ImGui::PushFont(model.fonts->mono);
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(view.matches.size()));
  while (clipper.Step()) {
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const Event& event = events[view.matches[static_cast<std::size_t>(row)]];
      ImGui::TableNextRow();
      if (event.seq == model.state->selected_seq) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, palette.select_bg);
      } else if (current >= 0 && event.step == current) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, palette.now_bg);
      }
      ImGui::TableSetColumnIndex(0);
      char time[32];
      std::snprintf(time, sizeof time, "%.1f", static_cast<double>(event.t_us) / 1000.0);
      ImGui::PushID(static_cast<int>(event.seq));
      if (ImGui::Selectable(time, false, ImGuiSelectableFlags_SpanAllColumns)) {
        model.send({Command::Kind::Select, static_cast<long long>(event.seq)});
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", event_summary(event, zh).c_str());
      ImGui::PopID();
      ImGui::TableSetColumnIndex(1);
      if (event.step >= 0) ImGui::Text("%d", event.step + 1);
      ImGui::TableSetColumnIndex(2);
      // A cell too narrow says as much as fits and ends in "…"; the row's tooltip and the
      // cell's own say it whole.
      text_in_cell_colored(palette.actor(event.actor), event.actor);
      ImGui::TableSetColumnIndex(3);
      const ImU32 disabled = ImGui::GetColorU32(ImGuiCol_TextDisabled);
      if (event.kind == EventKind::Call || event.kind == EventKind::Blocked) {
        text_in_cell(std::string(event.name()) + "(" + event.args + ")");
      } else if (event.kind == EventKind::Packet) {
        text_in_cell_colored(disabled, std::string(event.name()) + " " + event.args);  // SYN 127.0.0.1:41234 → …
      } else {
        text_in_cell_colored(disabled, event_kind_label(event.kind, zh));
      }
      ImGui::TableSetColumnIndex(4);
      const std::string result = result_text(event, zh);
      if (event.ok()) {
        text_in_cell_colored(palette.text, result);
      } else if (errno_reports_a_wait(event.err)) {
        text_in_cell_colored(palette.warn, result);  // would have waited: not a failure
      } else {
        text_in_cell_colored(palette.error, "✗ " + result);
      }
    }
  }
  clipper.End();
  ImGui::PopFont();

  // Scroll to a selection made elsewhere; otherwise follow the tail only if already there.
  if (view.scrolled_to_seq != model.state->selected_seq) {
    view.scrolled_to_seq = model.state->selected_seq;
    const long index = model.events->find_seq(model.state->selected_seq);
    auto it = std::lower_bound(view.matches.begin(), view.matches.end(), static_cast<std::uint32_t>(std::max(index, 0L)));
    if (index >= 0 && it != view.matches.end() && *it == static_cast<std::uint32_t>(index)) {
      const float y = ImGui::GetTextLineHeightWithSpacing() * static_cast<float>(it - view.matches.begin());
      ImGui::SetScrollY(std::max(0.0f, y - ImGui::GetWindowHeight() * 0.4f));
    }
  } else if (view.follow && at_bottom) {
    ImGui::SetScrollHereY(1.0f);
  }
  ImGui::EndTable();
}

}  // namespace sockstep::ui
