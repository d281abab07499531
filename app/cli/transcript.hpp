#pragma once
#include <string>
#include <vector>

#include "engine/log/event_log.hpp"
#include "engine/lesson/session.hpp"

namespace sockstep::cli {

// The readable account of one step: metaphor, call, what the kernel did, sockets, console.
[[nodiscard]] std::string format_step(const Session& session, std::size_t index,
                                      const std::vector<Event>& events, const SessionSnapshot& snap, Lang lang);
// The same from the lesson alone (a recording's, read back).
[[nodiscard]] std::string format_step(const Lesson& lesson, std::size_t index, const std::vector<Event>& events,
                                      const SessionSnapshot& snap, Lang lang);
// The same as one JSON object on one line.
[[nodiscard]] std::string step_json_line(const Session& session, std::size_t index,
                                         const std::vector<Event>& events, const SessionSnapshot& snap, Lang lang);
[[nodiscard]] std::string format_socket(const SocketCard& card);
// A step's call as its Python line has it: "conn, client_addr = phone.accept()".
[[nodiscard]] std::string call_text(const Step& step);

}  // namespace sockstep::cli
