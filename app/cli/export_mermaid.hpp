#pragma once
// session.mmd: the sequence diagram as a Mermaid sequenceDiagram, for a README, a wiki
// or slides that render Mermaid. The same rows as session.svg: each call a note on its
// lane, bytes and packets as messages, a waiting call as the lane's activation.
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/event.hpp"
#include "engine/lesson/lesson.hpp"
#include "ui/conversation.hpp"

namespace sockstep::cli {

// Text for a message, a note or a participant's name, as Mermaid reads it back: the
// characters its grammar gives a meaning (';' ends a statement, '#' starts an entity
// code, '<br>' breaks the line, '&lt;' is drawn as '<') written as entity codes, and
// quotes too; line breaks become spaces.
[[nodiscard]] std::string mermaid_text(std::string_view text);

// Mermaid draws no diagram longer than 50,000 characters (its maxTextSize): the rows stop
// before this many, with a note that says how many were left out.
inline constexpr std::size_t kMaxMermaidChars = 48000;

[[nodiscard]] std::string sequence_mermaid(const std::vector<Event>& events, const ui::Conversation& conv, Lang lang,
                                           const std::string& title);

}  // namespace sockstep::cli
