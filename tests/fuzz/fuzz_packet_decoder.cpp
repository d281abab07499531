// libFuzzer target: the packet decoder reads bytes a capture handed over, which any
// program on the machine can shape. Any input must decode or return an error value;
// a crash, a sanitizer report or a payload outside the input is a bug.
// Input: [link type selector][extra wire length][the captured bytes ...]
#include <cstddef>
#include <cstdint>

#include "engine/capture/packet_decode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  constexpr int kLinks[] = {sockstep::kLinkEthernet, sockstep::kLinkNull, sockstep::kLinkRaw, sockstep::kLinkLinuxSll,
                            sockstep::kLinkLinuxSll2};
  const int link = kLinks[data[0] % (sizeof kLinks / sizeof kLinks[0])];
  const std::uint8_t* frame = data + 2;
  const std::size_t captured = size - 2;
  // Sometimes the packet was longer on the wire than what was captured (snaplen).
  const std::size_t wire = captured + (data[1] & 0x7f);
  const sockstep::PacketDecodeResult r = sockstep::decode_packet(link, frame, captured, wire);
  if (r.ok()) {
    const auto* begin = reinterpret_cast<const char*>(frame);
    const char* payload = r.packet.payload.data();
    if (!r.packet.payload.empty() &&
        (payload < begin || payload + r.packet.payload.size() > begin + captured))
      __builtin_trap();
    if (r.packet.payload.size() > r.packet.payload_length) __builtin_trap();
    (void)sockstep::packet_label(r.packet.tcp_flags, r.packet.payload_length, r.packet.udp);
    (void)sockstep::tcp_flags_text(r.packet.tcp_flags);
  } else if (r.error.empty()) {
    __builtin_trap();
  }
  return 0;
}
