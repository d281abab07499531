#include "cli/event_format.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "engine/errno_names.hpp"
#include "engine/packet_decode.hpp"
#include "engine/py_text.hpp"

namespace sockstep::cli {
namespace {
constexpr std::size_t kShownBytes = 120;

std::string shown_bytes(const Event& e) {
  std::string text = python_bytes_repr(std::string_view(e.bytes).substr(0, kShownBytes));
  if (e.byte_count > kShownBytes) text += fmt::format(" ... ({} bytes)", e.byte_count);
  return text;
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Traced programs have long names ("echo_server.py[4242]"): keep a space after them.
std::string actor_column(const std::string& actor) {
  if (actor.size() >= 8) return actor + " ";
  if (!is_ascii(actor)) return fmt::format("{:<8}", actor);  // fmt pads by display width
  std::string column = actor;
  column.resize(8, ' ');
  return column;
}
}  // namespace

std::string format_event(const Event& e, Lang lang) {
  const std::string who = actor_column(e.actor);
  switch (e.kind) {
    case EventKind::Print: return fmt::format("{}| {}", who, e.detail);
    case EventKind::Note: return fmt::format("{}{}", who, lang == Lang::Zh && !e.args.empty() ? e.args : e.detail);
    case EventKind::Blocked:
      return fmt::format("{}{}() waits (fd {}) ...", who, e.call, e.fd);
    case EventKind::Packet: {
      // "packet  PSH     127.0.0.1:41234 → 127.0.0.1:8084 [P.] seq=1 ack=1 len=5 b'hello'  sent by client send()"
      const PacketFields& p = e.packet;
      std::string line = fmt::format("{}{:<8}{}", who, e.call, e.args);
      if (!p.udp) line += fmt::format(" {} seq={} ack={}", tcp_flags_text(p.tcp_flags), p.tcp_seq, p.tcp_ack);
      line += fmt::format(" len={}", e.byte_count);
      if (e.byte_count > 0) line += " " + shown_bytes(e);
      if (!e.detail.empty()) line += "  " + e.detail;
      return line;
    }
    case EventKind::Call: break;
  }
  // write/sendmsg and read/recvmsg come from traced programs (sockstep trace).
  const bool sends = e.call == "send" || e.call == "sendall" || e.call == "sendto" || e.call == "sendmsg" ||
                     e.call == "write";
  // Appended piece by piece: serve prints two of these lines per echo round trip.
  std::string line;
  line.reserve(who.size() + e.call.size() + e.args.size() + 2 * std::min<std::size_t>(e.bytes.size(), kShownBytes) +
               e.detail.size() + 48);
  line.append(who).append(e.call).push_back('(');
  if (sends) {
    line += python_bytes_repr(std::string_view(e.bytes).substr(0, 64));
    if (e.byte_count > 64) line += "...";
    if (!e.args.empty()) line.append(", ").append(e.args);
  } else {
    line += e.args;
  }
  line += ')';
  if (!e.ok()) {
    if (e.call == "connect_ex") {
      line += fmt::format(" -> {} {}", e.value, errno_name(e.err));
    } else {
      line += fmt::format(" -> {} ({})", errno_name(e.err), errno_message(e.err));
    }
    if (!e.detail.empty()) line += " " + e.detail;
    return line;
  }
  line += " -> ";
  line += std::to_string(e.value);
  if (e.call == "recv" || e.call == "recvfrom" || e.call == "recvmsg" || e.call == "read") {
    line += " " + shown_bytes(e);
    if ((e.call == "recv" || e.call == "read") && e.value == 0) line += " (EOF: the peer closed)";
  }
  if (!e.detail.empty()) line.append("  ").append(e.detail);
  return line;
}

nlohmann::json event_json(const Event& e) {
  nlohmann::json j = {
      {"seq", e.seq}, {"t_us", e.t_us}, {"kind", event_kind_name(e.kind)}, {"actor", e.actor},
      {"call", e.call}, {"args", e.args}, {"fd", e.fd}, {"value", e.value},
  };
  if (e.err != 0) {
    j["errno"] = errno_name(e.err);
    j["message"] = errno_message(e.err);
  }
  if (!e.detail.empty()) j["detail"] = e.detail;
  if (e.byte_count > 0 || e.call == "recv" || e.call == "read") {
    // Bytes are not always text: JSON gets Python's repr, which is always valid UTF-8.
    j["bytes"] = python_bytes_repr(e.bytes);
    j["byte_count"] = e.byte_count;
  }
  if (e.step >= 0) j["step"] = e.step + 1;
  if (e.kind == EventKind::Packet) {
    const PacketFields& p = e.packet;
    j["packet"] = {{"proto", p.udp ? "udp" : "tcp"}, {"from_port", p.from_port}, {"to_port", p.to_port},
                   {"flags", tcp_flags_text(p.tcp_flags)}, {"seq", p.tcp_seq}, {"ack", p.tcp_ack},
                   {"len", e.byte_count}, {"kernel_us", p.kernel_us}, {"at_us", p.at_us}};
    if (p.caused_by != 0) j["packet"]["caused_by"] = p.caused_by;
  }
  return j;
}

std::string event_json_line(const Event& e) { return event_json(e).dump(); }

}  // namespace sockstep::cli
