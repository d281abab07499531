#include "engine/capture/packet_decode.hpp"

#include <arpa/inet.h>

#include "engine/log/event.hpp"

namespace sockstep {
namespace {

// A cursor over untrusted bytes: every read says whether it fitted.
class Cursor {
 public:
  Cursor(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool has(std::size_t offset, std::size_t count) const {
    return offset <= size_ && count <= size_ - offset;
  }
  [[nodiscard]] std::uint8_t u8(std::size_t at) const { return data_[at]; }
  [[nodiscard]] std::uint16_t be16(std::size_t at) const {
    return static_cast<std::uint16_t>(data_[at] << 8 | data_[at + 1]);
  }
  [[nodiscard]] std::uint32_t be32(std::size_t at) const {
    return static_cast<std::uint32_t>(data_[at]) << 24 | static_cast<std::uint32_t>(data_[at + 1]) << 16 |
           static_cast<std::uint32_t>(data_[at + 2]) << 8 | data_[at + 3];
  }
  [[nodiscard]] const std::uint8_t* at(std::size_t offset) const { return data_ + offset; }
  [[nodiscard]] Cursor from(std::size_t offset) const { return {data_ + offset, size_ - offset}; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;

PacketDecodeResult fail(std::string why) {
  PacketDecodeResult result;
  result.error = std::move(why);
  return result;
}

std::string host_text(int family, const std::uint8_t* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, address, text, sizeof text) == nullptr) return "?";
  return text;
}

// The transport header at ip.from(offset); ip_payload: the bytes the IP header says follow.
PacketDecodeResult decode_transport(Cursor ip, std::size_t offset, std::uint8_t protocol, std::size_t ip_payload,
                                    DecodedPacket packet) {
  const Cursor seg = ip.from(offset);
  std::size_t header = 0;
  if (protocol == kProtoTcp) {
    if (!seg.has(0, 20)) return fail("truncated TCP header");
    header = static_cast<std::size_t>(seg.u8(12) >> 4) * 4;
    if (header < 20) return fail("TCP header length below 20");
    if (header > ip_payload) return fail("TCP header longer than the IP payload");
    if (!seg.has(0, header)) return fail("truncated TCP options");
    packet.from_port = seg.be16(0);
    packet.to_port = seg.be16(2);
    packet.tcp_seq = seg.be32(4);
    packet.tcp_ack = seg.be32(8);
    packet.tcp_flags = seg.u8(13);
    packet.tcp_window = seg.be16(14);
  } else if (protocol == kProtoUdp) {
    if (!seg.has(0, 8)) return fail("truncated UDP header");
    header = 8;
    const std::size_t udp_length = seg.be16(4);
    if (udp_length < 8 || udp_length > ip_payload) return fail("UDP length does not fit the IP payload");
    ip_payload = udp_length;
    packet.udp = true;
    packet.from_port = seg.be16(0);
    packet.to_port = seg.be16(2);
  } else {
    return fail("not TCP or UDP (protocol " + std::to_string(protocol) + ")");
  }
  packet.payload_length = ip_payload - header;
  const std::size_t kept = seg.size() - header < packet.payload_length ? seg.size() - header : packet.payload_length;
  packet.payload = std::string_view(reinterpret_cast<const char*>(seg.at(header)), kept);
  PacketDecodeResult result;
  result.packet = std::move(packet);
  return result;
}

PacketDecodeResult decode_ipv4(Cursor ip, std::size_t wire_ip_length) {
  if (!ip.has(0, 20)) return fail("truncated IPv4 header");
  if (ip.u8(0) >> 4 != 4) return fail("not IPv4");
  const std::size_t header = static_cast<std::size_t>(ip.u8(0) & 0x0f) * 4;
  if (header < 20) return fail("IPv4 header length below 20");
  if (!ip.has(0, header)) return fail("truncated IPv4 options");
  const std::size_t total = ip.be16(2);
  if (total < header) return fail("IPv4 total length shorter than its header");
  if (total > wire_ip_length) return fail("IPv4 total length longer than the packet");
  if ((ip.be16(6) & 0x3fff) != 0) return fail("IPv4 fragment");
  DecodedPacket packet;
  packet.from_host = host_text(AF_INET, ip.at(12));
  packet.to_host = host_text(AF_INET, ip.at(16));
  return decode_transport(ip, header, ip.u8(9), total - header, std::move(packet));
}

PacketDecodeResult decode_ipv6(Cursor ip, std::size_t wire_ip_length) {
  if (!ip.has(0, 40)) return fail("truncated IPv6 header");
  if (ip.u8(0) >> 4 != 6) return fail("not IPv6");
  const std::size_t payload = ip.be16(4);
  if (payload > wire_ip_length - 40) return fail("IPv6 payload length longer than the packet");
  DecodedPacket packet;
  packet.ipv6 = true;
  packet.from_host = host_text(AF_INET6, ip.at(8));
  packet.to_host = host_text(AF_INET6, ip.at(24));
  // Extension headers are not followed: loopback TCP and UDP do not use them.
  return decode_transport(ip, 40, ip.u8(6), payload, std::move(packet));
}

PacketDecodeResult decode_ip(Cursor ip, std::size_t wire_ip_length, int version_hint) {
  if (!ip.has(0, 1)) return fail("no IP header");
  const int version = version_hint != 0 ? version_hint : ip.u8(0) >> 4;
  if (version == 4) return decode_ipv4(ip, wire_ip_length);
  if (version == 6) return decode_ipv6(ip, wire_ip_length);
  return fail("not IP");
}

int version_of_ethertype(std::uint16_t type) {
  if (type == kEtherIpv4) return 4;
  if (type == kEtherIpv6) return 6;
  return -1;
}

}  // namespace

PacketDecodeResult decode_packet(int link_type, const std::uint8_t* data, std::size_t captured,
                                 std::size_t wire_length) {
  if (data == nullptr) captured = 0;
  if (captured > wire_length) return fail("captured more bytes than the packet has");
  const Cursor bytes(data, captured);
  std::size_t link = 0;
  int version = 0;
  switch (link_type) {
    case kLinkEthernet:
      link = 14;
      if (!bytes.has(0, link)) return fail("truncated Ethernet header");
      version = version_of_ethertype(bytes.be16(12));
      break;
    case kLinkNull: {
      link = 4;
      if (!bytes.has(0, link)) return fail("truncated loopback header");
      // The family is in the capturing host's byte order: accept either order.
      const std::uint32_t family = bytes.be32(0);
      const std::uint32_t swapped = __builtin_bswap32(family);
      const auto is = [&](std::uint32_t f) { return family == f || swapped == f; };
      version = is(AF_INET) ? 4 : (is(10) || is(24) || is(28) || is(30)) ? 6 : -1;  // AF_INET6 on Linux, BSDs, macOS
      break;
    }
    case kLinkRaw: link = 0; break;
    case kLinkLinuxSll:
      link = 16;
      if (!bytes.has(0, link)) return fail("truncated Linux cooked header");
      version = version_of_ethertype(bytes.be16(14));
      break;
    case kLinkLinuxSll2:
      link = 20;
      if (!bytes.has(0, link)) return fail("truncated Linux cooked v2 header");
      version = version_of_ethertype(bytes.be16(0));
      break;
    default: return fail("unknown link type " + std::to_string(link_type));
  }
  if (version < 0) return fail("not an IP packet");
  return decode_ip(bytes.from(link), wire_length - link, version);
}

PacketKind packet_kind(std::uint8_t flags, std::size_t payload_length, bool udp) {
  if (udp) return PacketKind::Udp;
  if ((flags & kTcpRst) != 0) return PacketKind::Rst;
  if ((flags & kTcpSyn) != 0) return (flags & kTcpAck) != 0 ? PacketKind::SynAck : PacketKind::Syn;
  if ((flags & kTcpFin) != 0) return PacketKind::Fin;
  if (payload_length > 0 || (flags & kTcpPsh) != 0) return PacketKind::Psh;
  return PacketKind::Ack;
}

std::string packet_label(std::uint8_t flags, std::size_t payload_length, bool udp) {
  return packet_kind_name(packet_kind(flags, payload_length, udp));
}

std::string tcp_flags_text(std::uint8_t flags) {
  std::string text = "[";
  if ((flags & kTcpSyn) != 0) text += 'S';
  if ((flags & kTcpFin) != 0) text += 'F';
  if ((flags & kTcpRst) != 0) text += 'R';
  if ((flags & kTcpPsh) != 0) text += 'P';
  if ((flags & kTcpAck) != 0) text += '.';
  return text + "]";
}

}  // namespace sockstep
