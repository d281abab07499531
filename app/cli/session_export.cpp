#include "cli/session_export.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "cli/event_format.hpp"
#include "cli/export_html.hpp"
#include "cli/export_mermaid.hpp"
#include "cli/export_svg.hpp"
#include "cli/session_recording.hpp"
#include "engine/text/errno_names.hpp"
#include "engine/capture/pcapng_export.hpp"

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
  // Written as text, one trace event at a time: a JSON tree of a long session's slices
  // cost more than every other exported file together (bench_export).
  std::string out = "{\"traceEvents\":[";
  bool first = true;
  const auto begin_item = [&] {
    if (!first) out += ',';
    first = false;
  };
  const auto quoted = [](std::string_view text) {
    return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  auto to = std::back_inserter(out);
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
    begin_item();
    fmt::format_to(to, R"({{"name":{},"ph":"X","ts":{},"dur":{},"pid":{},"tid":{},"args":{{"fd":{},"result":{})",
                   quoted(e.name()), begin, std::max<std::int64_t>(1, e.t_us - begin), pid, tid, e.fd,
                   quoted(e.ok() ? std::to_string(e.value) : errno_name(e.err)));
    if (e.byte_count > 0) fmt::format_to(to, R"(,"bytes":{})", e.byte_count);
    out += "}}";
    // Flow arrows: a send starts one; the recv that takes its first byte ends it.
    if (!e.ok() || e.value <= 0 || !e.sock.stream() || e.sock.local.empty() || e.sock.peer.empty()) continue;
    const bool outgoing = e.dir == Direction::Out;
    if (e.dir == Direction::None || e.peeked) continue;
    const auto key = outgoing ? std::pair{e.sock.local.to_string(), e.sock.peer.to_string()}
                              : std::pair{e.sock.peer.to_string(), e.sock.local.to_string()};
    const auto moved = static_cast<std::uint64_t>(e.value);
    if (outgoing) {
      const std::uint64_t id = next_flow++;
      sent[key].push_back(Run{sent_total[key], id});
      sent_total[key] += moved;
      begin_item();
      fmt::format_to(to, R"({{"name":"bytes","cat":"bytes","ph":"s","id":{},"ts":{},"pid":{},"tid":{}}})", id, e.t_us,
                     pid, tid);
    } else {
      const std::uint64_t from = received_total[key];
      received_total[key] += moved;
      // This recv took bytes [from, from + moved): it ends the flow of every send whose
      // first byte is among them. Runs are in stream order: the first is found by halving.
      const std::vector<Run>& runs = sent[key];
      for (auto run = std::lower_bound(runs.begin(), runs.end(), from,
                                       [](const Run& r, std::uint64_t at) { return r.begin < at; });
           run != runs.end() && run->begin < from + moved; ++run) {
        begin_item();
        fmt::format_to(to, R"({{"name":"bytes","cat":"bytes","ph":"f","bp":"e","id":{},"ts":{},"pid":{},"tid":{}}})",
                       run->id, e.t_us, pid, tid);
      }
    }
  }
  for (const auto& [ids, actor] : threads) {
    begin_item();
    fmt::format_to(to, R"({{"name":"process_name","ph":"M","pid":{},"args":{{"name":{}}}}})", ids.first, quoted(actor));
    begin_item();
    fmt::format_to(to, R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":{}}}}})", ids.first,
                   ids.second, quoted(actor));
  }
  out += R"(],"displayTimeUnit":"ms"})";
  return out;
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

int finish_export(const std::string& dir, const EventLog& log, int code, const ExportSetup& setup) {
  const std::vector<Event> events = log.all();
  return finish_export(dir, events, transcript(events), code, true, setup);
}

int finish_export(const std::string& dir, const std::vector<Event>& events, const std::string& markdown, int code,
                  bool captured, const ExportSetup& setup, const Recording* recording) {
  const fs::path folder(dir);
  bool ok = write_file(folder / "session.md", markdown) &&
            write_file(folder / "session.json", perfetto_json(events));
  // The diagrams and the report: one conversation, laid out as the window lays it out.
  const ui::Conversation conv = conversation_of(events, setup);
  ok = ok && write_file(folder / "session.svg", sequence_svg(events, conv, SvgOptions{setup.lang, setup.title, true})) &&
       write_file(folder / "session.mmd", sequence_mermaid(events, conv, setup.lang, setup.title)) &&
       write_file(folder / "session.html", session_html(events, conv, setup));
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
