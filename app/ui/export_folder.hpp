#pragma once
// File > Export's proposed folder: ~/sockstep-exports/NAME-DATE-TIME, NAME from the session.
#include <string>
#include <string_view>

namespace sockstep::ui {

// NAME for a session called name (a lesson's id, a recording's file or title, a live
// session's command): a folder name anyone can type in a shell. A traced program's command
// line (quotes, newlines, parentheses) keeps its ASCII letters, digits, '.', '_' and '-',
// every run of others (a '-' among them) one '-'; at most 40 characters; "session" if none is left.
[[nodiscard]] std::string export_folder_name(std::string_view name);

}  // namespace sockstep::ui
