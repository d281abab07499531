// Traces a command as `sockstep trace` does and saves every raw record it read, in the
// format of the trace-decoder fuzz inputs (trace_record_stream.hpp): how the seed
// corpus in tests/corpus/trace was made from real traces.
//   capture_trace_records OUTPUT -- COMMAND [ARGS...] [::: COMMAND ...]
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "engine/log/event_log.hpp"
#include "fuzz/trace_record_stream.hpp"
#include "trace/tracer.hpp"

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    std::fprintf(stderr, "usage: capture_trace_records OUTPUT -- COMMAND [ARGS...] [::: COMMAND ...]\n");
    return 2;
  }
  sockstep::trace::TraceOptions options;
  options.commands.emplace_back();
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], ":::") == 0) options.commands.emplace_back();
    else options.commands.back().emplace_back(argv[i]);
  }
  options.preload = sockstep::trace::find_preload_library();
  std::string stream;
  std::size_t records = 0;
  options.on_record = [&](std::string_view record) {
    sockstep::trace::append_record(stream, record);
    ++records;
  };
  sockstep::EventLog log;
  const auto result = sockstep::trace::run_trace(options, log);
  if (!result.error.empty()) {
    std::fprintf(stderr, "capture_trace_records: %s\n", result.error.c_str());
    return 2;
  }
  std::ofstream(argv[1], std::ios::binary) << stream;
  std::printf("%zu records, %zu bytes\n", records, stream.size());
  return 0;
}
