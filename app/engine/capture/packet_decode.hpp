#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockstep {

enum class PacketKind : std::uint8_t;  // engine/event.hpp

// TCP flag bits as they sit in the header's 13th byte.
constexpr std::uint8_t kTcpFin = 0x01;
constexpr std::uint8_t kTcpSyn = 0x02;
constexpr std::uint8_t kTcpRst = 0x04;
constexpr std::uint8_t kTcpPsh = 0x08;
constexpr std::uint8_t kTcpAck = 0x10;

// One TCP segment or UDP datagram, read from the bytes a capture handed over.
struct DecodedPacket {
  bool ipv6 = false;
  bool udp = false;
  std::string from_host;  // "127.0.0.1", "::1"
  std::string to_host;
  std::uint16_t from_port = 0;
  std::uint16_t to_port = 0;
  std::uint8_t tcp_flags = 0;
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint16_t tcp_window = 0;
  std::size_t payload_length = 0;  // what the IP header says, even past the snapshot
  std::string_view payload;        // the part of it that was captured (points into the input)
};

struct PacketDecodeResult {
  DecodedPacket packet;
  std::string error;  // empty when decoded; else why not ("truncated IPv4 header")
  [[nodiscard]] bool ok() const { return error.empty(); }
};

// Link-layer types the decoder knows (the values of pcap's DLT_* constants).
constexpr int kLinkNull = 0;        // DLT_NULL: 4-byte address family in host order
constexpr int kLinkEthernet = 1;    // DLT_EN10MB: what Linux gives for lo
constexpr int kLinkRaw = 101;       // LINKTYPE_RAW: the IP header first
constexpr int kLinkLinuxSll = 113;  // DLT_LINUX_SLL ("any" device)
constexpr int kLinkLinuxSll2 = 276; // DLT_LINUX_SLL2

// Reads link, IP (v4, or v6 without extension headers) and TCP/UDP headers from bytes
// that may be cut short (captured) or hostile. Every read is bounds-checked; anything
// else (ARP, ICMP, fragments, a length that does not add up) is an error value.
// wire_length: the packet's length on the wire (caplen <= wire_length).
[[nodiscard]] PacketDecodeResult decode_packet(int link_type, const std::uint8_t* data, std::size_t captured,
                                               std::size_t wire_length);

// SYN, SYN-ACK, ACK, PSH, FIN, RST, UDP: what the diagram and the log call it.
[[nodiscard]] PacketKind packet_kind(std::uint8_t tcp_flags, std::size_t payload_length, bool udp);
[[nodiscard]] std::string packet_label(std::uint8_t tcp_flags, std::size_t payload_length, bool udp);
// "[S.]"-style flags as tcpdump prints them: S SYN, F FIN, R RST, P PSH, . ACK.
[[nodiscard]] std::string tcp_flags_text(std::uint8_t tcp_flags);

}  // namespace sockstep
