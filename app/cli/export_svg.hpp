#pragma once
// session.svg: the sequence diagram as the window draws it (the same layout: lanes,
// calls, bytes, packets, waiting spans, FIN and RST), black text on white, for print
// and for slides.
#include <string>
#include <vector>

#include "engine/log/event.hpp"
#include "engine/lesson/lesson.hpp"
#include "ui/conversation.hpp"

namespace sockstep::cli {

struct SvgOptions {
  Lang lang = Lang::En;
  std::string title;
  // A file of its own (XML declaration and namespace), or an <svg> element inside HTML.
  bool standalone = true;
};

// The diagram draws at most this many rows, the first ones (a longer session is listed
// whole in session.md and session.json); it says so under the last row.
inline constexpr std::size_t kMaxDiagramRows = 3000;

[[nodiscard]] std::string sequence_svg(const std::vector<Event>& events, const ui::Conversation& conv,
                                       const SvgOptions& options);

}  // namespace sockstep::cli
