#include "cli/session_export.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "cli/event_format.hpp"
#include "cli/session_recording.hpp"
#include "engine/errno_names.hpp"
#include "engine/pcapng_export.hpp"

namespace sockstep::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCapturePcap = ".capture.pcap";

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

std::string transcript(const std::vector<Event>& events) {
  std::string out = "# sockstep session\n\n```\n";
  for (const Event& e : events) out += format_event(e) + "\n";
  out += "```\n";
  return out;
}

std::string perfetto_json(const std::vector<Event>& events) {
  nlohmann::json trace = nlohmann::json::array();
  std::map<std::pair<int, int>, std::string> threads;   // (pid, tid) -> actor
  std::map<std::pair<int, int>, std::int64_t> waiting;  // (pid, tid) -> when its call began waiting
  // Bytes sent so far on each direction of each connection, with the send that holds each run.
  struct Run {
    std::uint64_t begin = 0;  // stream offset of this send's first byte
    std::uint64_t id = 0;     // the flow's id
  };
  std::map<std::pair<std::string, std::string>, std::vector<Run>> sent;
  std::map<std::pair<std::string, std::string>, std::uint64_t> sent_total, received_total;
  std::uint64_t next_flow = 1;
  for (const Event& e : events) {
    const int pid = e.pid != 0 ? e.pid : 1;
    const int tid = e.tid != 0 ? e.tid : pid;
    if (e.kind == EventKind::Blocked) {
      waiting[{pid, tid}] = e.t_us;
      continue;
    }
    if (e.kind != EventKind::Call) continue;
    threads.emplace(std::pair{pid, tid}, e.actor);
    std::int64_t begin = e.t_us;
    if (const auto w = waiting.find({pid, tid}); w != waiting.end()) {
      begin = w->second;
      waiting.erase(w);
    }
    nlohmann::json slice{{"name", e.name()}, {"ph", "X"}, {"ts", begin}, {"dur", std::max<std::int64_t>(1, e.t_us - begin)},
                         {"pid", pid}, {"tid", tid},
                         {"args", {{"fd", e.fd}, {"result", e.ok() ? std::to_string(e.value) : errno_name(e.err)}}}};
    if (e.byte_count > 0) slice["args"]["bytes"] = e.byte_count;
    trace.push_back(slice);
    // Flow arrows: a send starts one; the recv that takes its first byte ends it.
    if (!e.ok() || e.value <= 0 || !e.sock.stream() || e.sock.local.empty() || e.sock.peer.empty()) continue;
    const bool out = e.dir == Direction::Out;
    if (e.dir == Direction::None || e.peeked) continue;
    const auto key = out ? std::pair{e.sock.local.to_string(), e.sock.peer.to_string()}
                         : std::pair{e.sock.peer.to_string(), e.sock.local.to_string()};
    const auto moved = static_cast<std::uint64_t>(e.value);
    if (out) {
      const std::uint64_t id = next_flow++;
      sent[key].push_back(Run{sent_total[key], id});
      sent_total[key] += moved;
      trace.push_back({{"name", "bytes"}, {"cat", "bytes"}, {"ph", "s"}, {"id", id}, {"ts", e.t_us}, {"pid", pid}, {"tid", tid}});
    } else {
      const std::uint64_t first = received_total[key];
      received_total[key] += moved;
      // This recv took bytes [first, first + moved): it ends the flow of every send whose
      // first byte is among them.
      for (const Run& run : sent[key])
        if (run.begin >= first && run.begin < first + moved)
          trace.push_back({{"name", "bytes"}, {"cat", "bytes"}, {"ph", "f"}, {"bp", "e"}, {"id", run.id},
                           {"ts", e.t_us}, {"pid", pid}, {"tid", tid}});
    }
  }
  for (const auto& [ids, actor] : threads) {
    trace.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", ids.first}, {"args", {{"name", actor}}}});
    trace.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", ids.first}, {"tid", ids.second}, {"args", {{"name", actor}}}});
  }
  return nlohmann::json{{"traceEvents", trace}, {"displayTimeUnit", "ms"}}.dump(-1, ' ', false,
                                                                                 nlohmann::json::error_handler_t::replace);
}

std::string prepare_export(const std::string& dir, CaptureFlags& capture) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) return "cannot make the export folder " + dir + (ec ? ": " + ec.message() : "");
  if (capture.pcap.empty()) capture.pcap = (fs::path(dir) / kCapturePcap).string();
  // The packets go into the log too, each linked to its call: the comments need them.
  capture.show = true;
  return {};
}

int finish_export(const std::string& dir, const EventLog& log, int code) {
  const std::vector<Event> events = log.all();
  return finish_export(dir, events, transcript(events), code);
}

int finish_export(const std::string& dir, const std::vector<Event>& events, const std::string& markdown, int code,
                  bool captured, const Recording* recording) {
  const fs::path folder(dir);
  bool ok = write_file(folder / "session.md", markdown) &&
            write_file(folder / "session.json", perfetto_json(events));
  ok = write_session_recording(dir, events, recording) && ok;
  const fs::path pcap = folder / kCapturePcap;
  std::error_code ec;
  if (fs::exists(pcap, ec)) {
    std::string why;
    if (!write_commented_pcapng(pcap.string(), (folder / "session.pcapng").string(), events, why)) {
      fmt::print(stderr, "sockstep: session.pcapng: {}\n", why);
      ok = false;
    }
    fs::remove(pcap, ec);
  } else if (captured) {
    fmt::print(stderr, "sockstep: no session.pcapng: packet capture was not permitted (root or CAP_NET_RAW); "
                       "the other files are written\n");
  }
  if (!ok) return code != kExitOk ? code : kExitFailed;
  return code;
}

}  // namespace sockstep::cli
