#include "ui/widgets.hpp"

#include <algorithm>
#include <cstdio>

#include "ui/palette.hpp"
#include "ui/text_wrap.hpp"

namespace sockstep::ui {

void text_colored(ImU32 color, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(text.c_str(), text.c_str() + text.size());
  ImGui::PopStyleColor();
}

namespace {

std::vector<LineSpan> wrap_in_font(std::string_view text, float width) {
  const ImFont* font = ImGui::GetFont();
  const float scale = ImGui::GetFontSize() / font->FontSize;
  return wrap_lines(text, std::max(width, ImGui::GetFontSize() * 2.0f), [&](char32_t c) {
    return font->GetCharAdvance(static_cast<ImWchar>(c < 0x10000 ? c : 0xFFFD)) * scale;
  });
}

}  // namespace

std::string elided(std::string_view text, float width) {
  return elide(text, width, [](std::string_view t) { return ImGui::CalcTextSize(t.data(), t.data() + t.size()).x; });
}

bool text_fitted(std::string_view text, float width) {
  const std::string shown = elided(text, width);
  ImGui::TextUnformatted(shown.data(), shown.data() + shown.size());
  const bool cut = shown.size() != text.size();
  if (cut && ImGui::IsItemHovered()) {
    const std::string whole(text);
    ImGui::SetTooltip("%s", whole.c_str());
  }
  return cut;
}

bool text_in_cell(std::string_view text) { return text_fitted(text, ImGui::GetContentRegionAvail().x); }

bool text_in_cell_colored(ImU32 color, std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  const bool cut = text_in_cell(text);
  ImGui::PopStyleColor();
  return cut;
}

float room_after_item() {
  const float edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  return edge - (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x);
}

void flow_next(float width) {
  if (width <= room_after_item() + 0.5f) ImGui::SameLine();
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2.0f;
}

void wrapped_text(std::string_view text) {
  const auto lines = wrap_in_font(text, ImGui::GetContentRegionAvail().x);
  // One multi-line text item: the same line spacing TextWrapped would give.
  std::string joined;
  joined.reserve(text.size() + lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) joined += '\n';
    joined.append(text.substr(lines[i].begin, lines[i].end - lines[i].begin));
  }
  ImGui::TextUnformatted(joined.data(), joined.data() + joined.size());
}

void wrapped_text_colored(ImU32 color, std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  wrapped_text(text);
  ImGui::PopStyleColor();
}

bool choice_button(const char* id, const char* key, std::string_view text, bool selected,
                   ImU32 key_color, ImU32 border) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float avail = ImGui::GetContentRegionAvail().x;
  const ImVec2 key_size = ImGui::CalcTextSize(key);
  const float badge = key_size.y + style.FramePadding.y;  // a square a little taller than a digit
  const float text_x = style.FramePadding.x * 2.0f + badge;
  const auto lines = wrap_in_font(text, avail - text_x - style.FramePadding.x);
  const float line_h = ImGui::GetTextLineHeight();
  const float height = std::max(badge, line_h * static_cast<float>(lines.size())) + style.FramePadding.y * 2.0f;
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::Selectable(id, selected, ImGuiSelectableFlags_None, ImVec2(avail, height));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 max(pos.x + avail, pos.y + height);
  draw->AddRect(pos, max, selected ? key_color : border, style.FrameRounding, 0, selected ? 2.0f : 1.0f);
  const ImVec2 badge_min(pos.x + style.FramePadding.x, pos.y + style.FramePadding.y);
  const ImVec2 badge_max(badge_min.x + badge, badge_min.y + badge);
  if (selected) {
    draw->AddRectFilled(badge_min, badge_max, key_color, 3.0f);
  } else {
    draw->AddRect(badge_min, badge_max, key_color, 3.0f, 0, 1.5f);
  }
  draw->AddText(ImVec2(badge_min.x + (badge - key_size.x) * 0.5f, badge_min.y + (badge - key_size.y) * 0.5f),
                selected ? IM_COL32(0, 0, 0, 255) : key_color, key);
  const ImU32 text_color = ImGui::GetColorU32(ImGuiCol_Text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const char* begin = text.data() + lines[i].begin;
    const char* end = text.data() + lines[i].end;
    draw->AddText(ImVec2(pos.x + text_x, pos.y + style.FramePadding.y + line_h * static_cast<float>(i)),
                  text_color, begin, end);
  }
  return clicked;
}

void actor_chip(ImU32 color, const std::string& name) {
  const ImVec2 size = ImGui::CalcTextSize(name.c_str());
  const ImVec2 pad(4.0f, 1.0f);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, ImVec2(pos.x + size.x + 2 * pad.x, pos.y + size.y + 2 * pad.y), color,
                      3.0f);
  draw->AddText(ImVec2(pos.x + pad.x, pos.y + pad.y), Palette::on_colour(color), name.c_str());
  ImGui::Dummy(ImVec2(size.x + 2 * pad.x, size.y + 2 * pad.y));
}

void queue_bar(const char* label, int used, int limit, bool bytes, ImU32 color, ImU32 background,
               float width) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  char numbers[64];
  if (used < 0) {
    std::snprintf(numbers, sizeof numbers, "—");
  } else if (limit > 0) {
    std::snprintf(numbers, sizeof numbers, "%s / %s", bytes ? human_bytes(used).c_str() : std::to_string(used).c_str(),
                  bytes ? human_bytes(limit).c_str() : std::to_string(limit).c_str());
  } else {
    std::snprintf(numbers, sizeof numbers, "%d", used);
  }
  // label | bar | numbers, on one line, so a card stays short; on a card too narrow for
  // that (a projector's zoom), the bar and numbers go under the label.
  const ImVec2 first = ImGui::GetCursorScreenPos();
  const float numbers_w = ImGui::CalcTextSize(numbers).x;
  // Bars line up at 6.2 font sizes; a longer label (接收队列 at a large zoom) pushes its own.
  const float label_w = std::max(ImGui::GetFontSize() * 6.2f, ImGui::CalcTextSize(label).x + ImGui::GetStyle().ItemSpacing.x);
  const bool one_line = label_w + ImGui::GetFontSize() * 2.0f + numbers_w + 6.0f <= width;
  ImGui::TextUnformatted(label);
  const float line_h = ImGui::GetTextLineHeight();
  ImVec2 start = first;
  float bar_x0 = start.x + label_w;
  if (!one_line) {
    start = ImGui::GetCursorScreenPos();
    bar_x0 = start.x;
    ImGui::Dummy(ImVec2(width, line_h));
  }
  const float bar_h = line_h * 0.5f;
  const float bar_x1 = std::max(bar_x0 + 10.0f, start.x + width - numbers_w - 6.0f);
  const float bar_y = start.y + (line_h - bar_h) * 0.5f;
  draw->AddRectFilled(ImVec2(bar_x0, bar_y), ImVec2(bar_x1, bar_y + bar_h), background, 2.0f);
  if (used > 0 && limit > 0) {
    const float fill = std::max(3.0f, (bar_x1 - bar_x0) * std::min(1.0f, static_cast<float>(used) / limit));
    draw->AddRectFilled(ImVec2(bar_x0, bar_y), ImVec2(bar_x0 + fill, bar_y + bar_h), color, 2.0f);
  }
  draw->AddText(ImVec2(start.x + width - numbers_w, start.y), ImGui::GetColorU32(ImGuiCol_Text), numbers);
}

void row_background(ImVec2 min, ImVec2 max, ImU32 color) {
  ImGui::GetWindowDrawList()->AddRectFilled(min, max, color);
}

std::string human_bytes(long long n) {
  char buf[32];
  if (n >= 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1024.0 * 1024.0));
  } else if (n >= 10 * 1024) {
    std::snprintf(buf, sizeof buf, "%.0f KiB", static_cast<double>(n) / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%lld B", n);
  }
  return buf;
}

}  // namespace sockstep::ui
