#include "engine/capture/pcapng_export.hpp"

#include <pcap/pcap.h>

#include <cstring>
#include <map>
#include <tuple>

#include "engine/text/errno_names.hpp"
#include "engine/capture/packet_decode.hpp"
#include "engine/capture/pcapng_writer.hpp"
#include "engine/text/py_text.hpp"

namespace sockstep {

std::string packet_comment(const Event& call) {
  std::string args = call.args;
  if (sends_bytes(call.call) && !call.bytes.empty()) args = python_bytes_repr(call.bytes.substr(0, 32));
  if (call.call == Call::Connect && !call.sock.peer.empty()) args = call.sock.peer.python_repr();
  std::string out = call.actor;
  if (call.fd >= 0) out += " fd " + std::to_string(call.fd);
  out += " " + std::string(call.name()) + "(" + args + ") -> ";
  out += call.ok() || call.err == EINPROGRESS ? (call.ok() ? std::to_string(call.value) : "EINPROGRESS") : errno_name(call.err);
  return out;
}

namespace {
// A packet as both the pcap file and the log know it: when the kernel stamped it and
// its TCP numbers and ports.
using PacketKey = std::tuple<std::int64_t, std::uint32_t, std::uint32_t, int, int, int>;
}  // namespace

bool write_commented_pcapng(const std::string& pcap_in, const std::string& out, const std::vector<Event>& events,
                            std::string& why) {
  std::map<std::uint64_t, const Event*> calls;
  std::map<PacketKey, std::string> comments;
  for (const Event& e : events)
    if (e.kind == EventKind::Call) calls[e.seq] = &e;
  for (const Event& e : events) {
    if (e.kind != EventKind::Packet || e.packet.caused_by == 0) continue;
    const auto call = calls.find(e.packet.caused_by);
    if (call == calls.end()) continue;
    const PacketFields& p = e.packet;
    comments[{p.kernel_us, p.tcp_seq, p.tcp_ack, p.tcp_flags, p.from.port, p.to.port}] = packet_comment(*call->second);
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* in = pcap_open_offline(pcap_in.c_str(), errbuf);
  if (in == nullptr) {
    why = errbuf;
    return false;
  }
  PcapngWriter writer(out);
  const int link_type = pcap_datalink(in);
  const std::uint32_t interface = writer.add_interface(link_type, static_cast<std::uint32_t>(pcap_snapshot(in)), "lo");
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(in, &header, &data) == 1) {
    const std::int64_t time_us = static_cast<std::int64_t>(header->ts.tv_sec) * 1000000 + header->ts.tv_usec;
    const PacketDecodeResult decoded = decode_packet(link_type, data, header->caplen, header->len);
    const DecodedPacket& d = decoded.packet;
    const auto found = comments.find({time_us, d.tcp_seq, d.tcp_ack, d.tcp_flags, d.from_port, d.to_port});
    writer.add_packet(interface, time_us, std::string_view(reinterpret_cast<const char*>(data), header->caplen),
                      header->len, found != comments.end() ? found->second : std::string());
  }
  pcap_close(in);
  if (!writer.close()) {
    why = "cannot write " + out + ": " + std::strerror(writer.error());
    return false;
  }
  return true;
}

}  // namespace sockstep
