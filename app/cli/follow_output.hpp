#pragma once
#include <cstdio>
#include <vector>

#include "engine/log/event_log.hpp"

namespace sockstep::cli {

// --follow: after the session, each TCP connection's byte streams (engine/log/follow.hpp),
// as text with every call's piece on its own line, or one JSON object per direction:
// {"kind":"stream","src","dst","bytes_hex","byte_count","complete","calls","starts"}.
void print_streams(const EventLog& log, bool json, std::FILE* out);

}  // namespace sockstep::cli
