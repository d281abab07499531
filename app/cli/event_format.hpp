#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "engine/log/event_log.hpp"
#include "engine/lesson/lesson.hpp"

namespace sockstep::cli {

// "server  recv(1024) -> 5 b'hello'" / "client  connect(('127.0.0.1', 8084)) -> ECONNREFUSED (...)"
[[nodiscard]] std::string format_event(const Event& event, Lang lang = Lang::En);
[[nodiscard]] nlohmann::json event_json(const Event& event);
// "68656c6c6f": bytes as --json writes them.
[[nodiscard]] std::string hex_of(std::string_view bytes);
// event_json as one line of text, for --json output.
[[nodiscard]] std::string event_json_line(const Event& event);

}  // namespace sockstep::cli
