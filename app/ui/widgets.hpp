#pragma once
#include <string>

#include <imgui.h>

namespace sockstep::ui {

// Small drawing helpers shared by the panels.

void text_colored(ImU32 color, const std::string& text);
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
