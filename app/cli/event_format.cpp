#include "cli/event_format.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "engine/text/errno_names.hpp"
#include "engine/capture/packet_decode.hpp"
#include "engine/text/py_text.hpp"
#include "engine/sockets/socket_ops.hpp"

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

namespace {
// A stream's recv of 0 bytes: the peer shut its sending side (close, or shutdown); a
// datagram of 0 bytes is just that.
bool is_eof(const Event& e) {
  return receives_bytes(e.call) && e.ok() && e.value == 0 && e.byte_count == 0 && !e.sock.datagram();
}


nlohmann::json address_json(const Address& a) {
  if (a.empty()) return nullptr;
  if (a.family == AF_UNIX) return a.path.empty() ? "(unnamed)" : a.path;
  return a.to_string();
}
}  // namespace

std::string format_event(const Event& e, Lang lang) {
  const std::string who = actor_column(e.actor);
  switch (e.kind) {
    case EventKind::Print: return fmt::format("{}| {}", who, e.detail);
    case EventKind::Note: {
      const std::string& text = lang == Lang::Zh && !e.args.empty() ? e.args : e.detail;
      const char* warning = lang == Lang::Zh ? "警告:" : "warning: ";
      return fmt::format("{}{}{}", who, e.note == NoteKind::Warning ? warning : "", text);
    }
    case EventKind::Blocked: {
      if (e.polled.size() < 2) return fmt::format("{}{}() waits (fd {}) ...", who, e.name(), e.fd);
      std::string fds;  // a select() waits on every socket it watches
      for (const PollEntry& p : e.polled) fds += (fds.empty() ? "" : ", ") + std::to_string(p.fd);
      return fmt::format("{}{}() waits (fds {}) ...", who, e.name(), fds);
    }
    case EventKind::Packet: {
      // "packet  PSH     127.0.0.1:41234 → 127.0.0.1:8084 [P.] seq=1 ack=1 len=5 b'hello'  sent by client send()"
      const PacketFields& p = e.packet;
      std::string line = fmt::format("{}{:<8}{}", who, e.name(), e.args);
      if (!p.udp) line += fmt::format(" {} seq={} ack={}", tcp_flags_text(p.tcp_flags), p.tcp_seq, p.tcp_ack);
      line += fmt::format(" len={}", e.byte_count);
      if (e.byte_count > 0) line += " " + shown_bytes(e);
      if (!e.detail.empty()) line += "  " + e.detail;
      return line;
    }
    case EventKind::Call: break;
  }
  const bool sends = sends_bytes(e.call);
  const std::string_view call = e.name();
  // Appended piece by piece: serve prints two of these lines per echo round trip.
  std::string line;
  line.reserve(who.size() + call.size() + e.args.size() + 2 * std::min<std::size_t>(e.bytes.size(), kShownBytes) +
               e.detail.size() + 48);
  line.append(who).append(call).push_back('(');
  if (sends) {
    line += python_bytes_repr(std::string_view(e.bytes).substr(0, 64));
    if (e.byte_count > 64) line += "...";
    if (!e.args.empty()) line.append(", ").append(e.args);
  } else {
    line += e.args;
  }
  line += ')';
  if (!e.ok()) {
    if (e.call == Call::ConnectEx) {
      line += fmt::format(" -> {} {}", e.value, errno_name(e.err));
    } else if (e.call == Call::Connect && e.err == EINPROGRESS) {
      line += " -> EINPROGRESS (the handshake goes on; poll for writable, then SO_ERROR)";
    } else {
      line += fmt::format(" -> {} ({})", errno_name(e.err), errno_message(e.err));
    }
    if (!e.detail.empty()) line += " " + e.detail;
    return line;
  }
  line += " -> ";
  // getsockname() and getpeername() return the address (Python's tuple; C fills it in).
  if (const Address* name = e.name_returned(); name != nullptr && !name->empty()) {
    line += name->python_repr();
    if (e.wire == WireEffect::Rst) line += " (sends RST)";
    return line;
  }
  line += std::to_string(e.value);
  if (receives_bytes(e.call)) {
    line += " " + shown_bytes(e);
    if (is_eof(e)) line += " (EOF: the peer will send no more)";
    if (e.truncated) line += " (the datagram was longer: its tail was dropped)";
  }
  if (e.wire == WireEffect::Rst) line += " (sends RST)";
  if (!e.detail.empty()) line.append("  ").append(e.detail);
  return line;
}

nlohmann::json event_json(const Event& e) {
  nlohmann::json j = {
      {"seq", e.seq}, {"t_us", e.t_us}, {"kind", event_kind_name(e.kind)}, {"actor", e.actor},
      {"args", e.args}, {"fd", e.fd}, {"value", e.value},
  };
  if (e.kind == EventKind::Call || e.kind == EventKind::Blocked || e.kind == EventKind::Packet) j["call"] = e.name();
  if (e.pid != 0) j["pid"] = e.pid;
  if (e.tid != 0) j["tid"] = e.tid;
  if (e.kind == EventKind::Note) j["note"] = note_kind_name(e.note);
  if (e.kind == EventKind::Note && e.note == NoteKind::ListenFull) {
    j["overflows"] = e.overflow.overflows;
    j["drops"] = e.overflow.drops;
    j["backlog"] = e.overflow.backlog;
    j["queued"] = e.overflow.queued;
    j["cookies_sent"] = e.overflow.cookies_sent;
    j["cookies_failed"] = e.overflow.cookies_failed;
  }
  if (e.kind == EventKind::Call || e.kind == EventKind::Blocked) {
    const SocketFacts& s = e.sock;
    if (s.family != AF_UNSPEC) j["family"] = family_name(s.family);
    if (s.type != 0) j["type"] = socktype_name(s.type);
    if (s.inode != 0) j["inode"] = s.inode;
    if (s.peer_inode != 0) j["peer_inode"] = s.peer_inode;
    if (!s.local.empty()) j["local"] = address_json(s.local);
    if (!s.peer.empty()) j["peer"] = address_json(s.peer);
    if (e.dir != Direction::None) j["dir"] = direction_name(e.dir);
    if (e.wire != WireEffect::None) j["wire"] = wire_effect_name(e.wire);
    if (e.truncated) j["truncated"] = true;
    if (e.peeked) j["peeked"] = true;
    // select and poll: each socket watched, what it asked and what the kernel answered.
    if (!e.polled.empty()) {
      j["polled"] = nlohmann::json::array();
      for (const PollEntry& p : e.polled)
        j["polled"].push_back({{"fd", p.fd}, {"events", p.events}, {"revents", p.revents},
                               {"readable", p.readable()}, {"writable", p.writable()}});
    }
    // epoll: the interest set a wait watched, or the entry a ctl changed.
    if (!e.interest.empty()) {
      j["interest"] = nlohmann::json::array();
      for (const InterestEntry& entry : e.interest)
        j["interest"].push_back({{"fd", entry.fd}, {"mask", entry.mask}, {"events", ops::epoll_events_text(entry.mask)}});
    }
    if (e.epoll_op != 0) j["epoll_op"] = ops::epoll_op_name(e.epoll_op);
  }
  if (e.err != 0) {
    j["errno"] = errno_name(e.err);
    j["message"] = errno_message(e.err);
  }
  if (!e.detail.empty()) j["detail"] = e.detail;
  if (e.byte_count > 0 || receives_bytes(e.call)) {
    // Bytes are not always text: JSON gets Python's repr, which is always valid UTF-8,
    // and the exact bytes in hex.
    j["bytes"] = python_bytes_repr(e.bytes);
    j["bytes_hex"] = hex_of(e.bytes);
    j["byte_count"] = e.byte_count;
  }
  if (e.asked > 0) j["asked"] = e.asked;
  if (e.step >= 0) j["step"] = e.step + 1;
  if (e.kind == EventKind::Packet) {
    const PacketFields& p = e.packet;
    j["packet"] = {{"proto", p.udp ? "udp" : "tcp"}, {"src", address_json(p.from)}, {"dst", address_json(p.to)},
                   {"from_port", p.from.port}, {"to_port", p.to.port},
                   {"flags", tcp_flags_text(p.tcp_flags)}, {"seq", p.tcp_seq}, {"ack", p.tcp_ack},
                   {"window", p.window}, {"len", e.byte_count}, {"kernel_us", p.kernel_us}, {"at_us", p.at_us}};
    if (p.caused_by != 0) j["packet"]["caused_by"] = p.caused_by;
  }
  return j;
}

std::string event_json_line(const Event& e) { return event_json(e).dump(); }

std::string hex_of(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

}  // namespace sockstep::cli
