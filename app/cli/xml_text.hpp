#pragma once
// Text made safe for XML and HTML (session.svg, session.html): markup characters
// escaped, and what XML cannot hold at all (control characters, malformed UTF-8 from a
// traced program's bytes or name) replaced with U+FFFD, so the file always parses.
#include <string>
#include <string_view>

namespace sockstep::cli {

[[nodiscard]] std::string xml_text(std::string_view text);
// Width of text in a monospace font at size (the character cells of DejaVu Sans Mono and
// Noto Sans Mono CJK: one for most characters, two for East Asian wide ones).
[[nodiscard]] float mono_width(std::string_view text, float size);

}  // namespace sockstep::cli
