// libFuzzer target: the trace decoder reads records written by a traced program, which
// is not trusted (it can write anything into its ring or onto the channel). Any bytes,
// cut into records, must decode into events or warnings. A crash, a sanitizer report,
// an exception or a hang is a bug. Replayed over tests/corpus/trace by
// replay_trace_corpus in every build, so what the fuzzer found stays a regression test.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz/trace_record_stream.hpp"
#include "trace/decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sockstep::trace::Decoder decoder;
  std::vector<sockstep::trace::Decoded> out;
  sockstep::trace::for_each_record(std::string_view(reinterpret_cast<const char*>(data), size),
                                   [&](std::string_view record) { decoder.decode(record, out); });
  // Touch what the decoder promises: every event has an actor and printable text.
  for (const auto& d : out)
    if (d.event.actor.empty()) __builtin_trap();
  return 0;
}
