#include "cli/export_mermaid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "cli/export_svg.hpp"
#include "cli/xml_text.hpp"
#include "ui/sequence_layout.hpp"

namespace sockstep::cli {
namespace {

std::string lane_id(int lane) { return "L" + std::to_string(lane); }

// The arrow Mermaid draws for each kind: solid with a head for bytes and a handshake,
// dotted for the kernel's own packets and a FIN, a cross for what was lost or reset.
std::string_view arrow_of(const ui::SeqArrow& arrow, const Event& row_event) {
  switch (arrow.kind) {
    case ui::ArrowKind::Data:
      if (arrow.dropped) return "-x";
      return arrow.to_row < 0 ? "-)" : "->>";
    case ui::ArrowKind::Packet: return row_event.packet.label == PacketKind::Rst ? "--x" : "-->>";
    case ui::ArrowKind::Fin: return "--)";
    case ui::ArrowKind::Rst: return "-x";
    case ui::ArrowKind::Handshake: return "->>";
  }
  return "->>";
}

}  // namespace

std::string mermaid_text(std::string_view text) {
  // Malformed UTF-8 and control characters first (U+FFFD), then Mermaid's own: its
  // entity codes are decimal (#59;) or named (#quot;), decoded when it draws the text.
  const std::string clean = xml_text(text);
  std::string out;
  out.reserve(clean.size());
  for (std::size_t i = 0; i < clean.size(); ++i) {
    const char c = clean[i];
    if (c == '&') {
      // xml_text's entities back to their characters, each then written Mermaid's way.
      static constexpr std::pair<std::string_view, std::string_view> kBack[] = {
          {"&amp;", "#amp;"}, {"&lt;", "#lt;"}, {"&gt;", "#gt;"}, {"&quot;", "#quot;"}, {"&#39;", "'"}};
      bool replaced = false;
      for (const auto& [entity, code] : kBack) {
        if (clean.compare(i, entity.size(), entity) == 0) {
          out += code;
          i += entity.size() - 1;
          replaced = true;
          break;
        }
      }
      if (!replaced) out += "#amp;";
      continue;
    }
    // Mermaid 11's parser: ';' ends the statement (a parse error), '#' starts an entity
    // (the rest is lost), '<br>' breaks the line and '&lt;' is drawn as '<' (so '&'
    // too). Colons after the first, quotes, brackets, '%%', '-->' and "end" pass as
    // they are (tests/export/mermaid_oracle.mjs reads them back).
    switch (c) {
      case '#': out += "#35;"; break;
      case ';': out += "#59;"; break;
      case '\n':
      case '\r':
      case '\t': out += ' '; break;
      default: out += c;
    }
  }
  // A name or message that is only spaces would be read as none.
  if (out.find_first_not_of(' ') == std::string::npos) out = "#160;";
  return out;
}

std::string sequence_mermaid(const std::vector<Event>& events, const ui::Conversation& conv, Lang lang,
                             const std::string& title) {
  const std::vector<std::string>& lanes = conv.lanes();
  std::string out = "sequenceDiagram\n";
  // A comment, not Mermaid's title: older renderers have no title in sequence diagrams.
  if (!title.empty()) out += "    %% sockstep: " + mermaid_text(title) + "\n";
  for (std::size_t i = 0; i < lanes.size(); ++i)
    out += fmt::format("    participant {} as {}\n", lane_id(static_cast<int>(i)), mermaid_text(lanes[i]));
  // Where each waiting span ends: the row its call returned on.
  std::map<int, std::vector<int>> span_ends;  // return row -> lanes
  for (int row : conv.blocked_rows()) {
    const ui::SeqRow& r = conv.rows()[static_cast<std::size_t>(row)];
    if (r.block_end_row >= 0) span_ends[r.block_end_row].push_back(r.lane);
  }
  std::vector<int> active(lanes.size(), 0);  // Mermaid refuses to end an activation never begun
  const std::vector<int>& order = conv.display_order();
  std::size_t shown = std::min(order.size(), kMaxDiagramRows);
  for (std::size_t position = 0; position < shown; ++position) {
    if (out.size() > kMaxMermaidChars) {
      shown = position;
      break;
    }
    const int row = order[position];
    const ui::SeqRow& r = conv.rows()[static_cast<std::size_t>(row)];
    const Event& event = events[r.event_index];
    const std::string lane = lane_id(r.lane);
    if (event.kind != EventKind::Packet) {
      if (event.kind == EventKind::Blocked) {
        out += "    activate " + lane + "\n";
        ++active[static_cast<std::size_t>(r.lane)];
      }
      out += fmt::format("    Note over {}: {}\n", lane, mermaid_text(ui::sequence_row_label(event)));
    }
    if (const auto ends = span_ends.find(row); ends != span_ends.end()) {
      for (int l : ends->second) {
        if (active[static_cast<std::size_t>(l)] == 0) continue;
        --active[static_cast<std::size_t>(l)];
        out += "    deactivate " + lane_id(l) + "\n";
      }
    }
    for (int a : r.arrows) {
      const ui::SeqArrow& arrow = conv.arrows()[static_cast<std::size_t>(a)];
      if (arrow.hidden || arrow.from_row != row) continue;
      const Event* data = nullptr;
      if (arrow.kind == ui::ArrowKind::Data) {
        const auto found = std::lower_bound(events.begin(), events.end(), arrow.seq,
                                            [](const Event& e, std::uint64_t seq) { return e.seq < seq; });
        if (found != events.end() && found->seq == arrow.seq) data = &*found;
      }
      std::string words = ui::arrow_text(arrow, data, false, event, lang).text;
      if (arrow.kind == ui::ArrowKind::Data && arrow.to_row < 0 && !arrow.dropped)
        words += lang == Lang::Zh ? "(还在接收队列中)" : " (still in the receive queue)";
      out += fmt::format("    {}{}{}: {}\n", lane_id(arrow.from_lane), arrow_of(arrow, event), lane_id(arrow.to_lane),
                         mermaid_text(words));
    }
  }
  if (shown < order.size())
    out += fmt::format("    Note over {}: {}\n", lane_id(0),
                       mermaid_text(fmt::format(fmt::runtime(lang == Lang::Zh ? "只画了前 {} 行(共 {} 行)" : "the first {} of {} rows"),
                                                shown, order.size())));
  return out;
}

}  // namespace sockstep::cli
