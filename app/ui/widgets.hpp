#pragma once
#include <string>
#include <string_view>

#include <imgui.h>

namespace sockstep::ui {

// Small drawing helpers shared by the panels.

void text_colored(ImU32 color, const std::string& text);
// Text wrapped to the content region, breaking Chinese between characters (see
// text_wrap.hpp) where ImGui::TextWrapped would only break at spaces.
void wrapped_text(std::string_view text);
void wrapped_text_colored(ImU32 color, std::string_view text);
// A full-width selectable answer: its key ("1") in a badge, then its wrapped text.
// Returns true when clicked.
bool choice_button(const char* id, const char* key, std::string_view text, bool selected,
                   ImU32 key_color, ImU32 border);
// A coloured chip with the actor's name: colour plus word, never colour alone.
void actor_chip(ImU32 color, const std::string& name);
// A queue against its limit; a non-empty queue always shows at least a sliver.
// bytes: show sizes (128 KiB) rather than a count of connections.
void queue_bar(const char* label, int used, int limit, bool bytes, ImU32 color, ImU32 background,
               float width);
// Highlights the last item's full row across the content region.
void row_background(ImVec2 min, ImVec2 max, ImU32 color);
[[nodiscard]] std::string human_bytes(long long n);

}  // namespace sockstep::ui
