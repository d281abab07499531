#pragma once
// Every piece of text ImGui draws passes through ImDrawList::AddText; the test binary is
// linked with that symbol wrapped (-Wl,--wrap), so each call can be held against the clip
// rectangle it is drawn in. Text that starts inside its cell and runs out of it sideways
// is cut; so is text cut at the bottom of a window that cannot scroll. Text wholly out of
// view (scrolled away) and text in a window that scrolls that way are not.
#include <string>
#include <vector>

namespace sockstep::test {

struct ClippedText {
  std::string text;
  std::string window;  // the ImGui window it was drawn in ("" for an overlay)
  float overflow = 0;  // pixels past the edge
};

// Watches the text drawn from now on (forgetting what was seen before) until stop.
void clip_probe_start();
void clip_probe_stop();
[[nodiscard]] std::vector<ClippedText> clip_probe_take();

}  // namespace sockstep::test
