#include "cli/follow_output.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/event_format.hpp"
#include "engine/log/follow.hpp"
#include "engine/text/py_text.hpp"

namespace sockstep::cli {

namespace {
// A call's piece is shown up to this many bytes on its line; JSON has them all.
constexpr std::size_t kShownPerCall = 256;
}  // namespace

void print_streams(const EventLog& log, bool json, std::FILE* out) {
  const std::vector<FollowedStream> streams = follow_streams(log.all());
  for (const FollowedStream& s : streams) {
    if (json) {
      nlohmann::json j;
      j["kind"] = "stream";
      j["src"] = s.src.to_string();
      j["dst"] = s.dst.to_string();
      j["bytes_hex"] = hex_of(s.bytes);
      j["byte_count"] = s.byte_count;
      j["complete"] = s.complete && s.bytes.size() == s.byte_count;
      j["calls"] = s.calls;
      j["starts"] = s.starts;
      j["seen_by"] = s.seen_by;
      std::fputs((j.dump() + "\n").c_str(), out);
      continue;
    }
    const bool whole = s.complete && s.bytes.size() == s.byte_count;
    std::fputs(fmt::format("stream {} -> {}: {} bytes in {} call{} ({}){}\n", s.src.to_string(), s.dst.to_string(),
                           s.byte_count, s.calls, s.calls == 1 ? "" : "s", s.seen_by,
                           whole ? "" : ", not all of them kept")
                   .c_str(),
               out);
    for (std::size_t i = 0; i < s.starts.size(); ++i) {
      const std::size_t begin = s.starts[i];
      const std::size_t end = i + 1 < s.starts.size() ? s.starts[i + 1] : s.bytes.size();
      const std::string_view piece = std::string_view(s.bytes).substr(begin, end - begin);
      std::string line = python_bytes_repr(piece.substr(0, kShownPerCall));
      if (piece.size() > kShownPerCall) line += fmt::format(" ... ({} bytes)", piece.size());
      std::fputs(fmt::format("  {:>8}  {}\n", begin, line).c_str(), out);
    }
  }
  if (streams.empty() && !json) std::fputs("stream: no TCP connection moved bytes\n", out);
}

}  // namespace sockstep::cli
