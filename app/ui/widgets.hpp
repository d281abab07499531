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
// text cut to width with "…" (see elide()), in the current font.
[[nodiscard]] std::string elided(std::string_view text, float width);
// One line of text no wider than width: elided if it has to be, the whole text in a
// tooltip then. Returns true if it was cut.
bool text_fitted(std::string_view text, float width);
// The same in a table cell or the rest of a line: as wide as the room left.
bool text_in_cell(std::string_view text);
bool text_in_cell_colored(ImU32 color, std::string_view text);
// Puts the next item, width wide, beside the last one if it fits before the window's
// edge, else at the start of the next line: rows of buttons wrap instead of running off.
void flow_next(float width);
// The room left on the last item's line, up to the window's edge.
[[nodiscard]] float room_after_item();
// The width ImGui::Button(label) takes with its frame padding (0 height: any).
[[nodiscard]] float button_width(const char* label);
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
