#pragma once
// session.html: the session as one page that opens anywhere, with nothing to fetch (no
// outside address, no script; styles inline and the reader's own fonts): the sequence
// diagram, the calls, each stream's bytes in hex and text with where each send ended and
// each recv took its piece, and for a lesson every step with the sockets the kernel held
// after it and the predictions with the learner's answers. In the session's language.
#include <string>
#include <vector>

#include "cli/export_setup.hpp"
#include "engine/log/event.hpp"
#include "ui/conversation.hpp"

namespace sockstep::cli {

// A stream shows at most this many of its bytes (the first ones) in the page, and the
// call table at most this many calls: a page a browser opens at once (session.md and
// session.json list every call of a longer session).
inline constexpr std::size_t kHtmlStreamBytes = 16 * 1024;
inline constexpr std::size_t kHtmlCalls = 10000;

[[nodiscard]] std::string session_html(const std::vector<Event>& events, const ui::Conversation& conv,
                                       const ExportSetup& setup);

}  // namespace sockstep::cli
