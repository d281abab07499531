#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "engine/text/errno_names.hpp"
#include "engine/text/hex_rows.hpp"
#include "ui/panels.hpp"
#include "ui/stream_follow.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

// Bytes per row that fit the width, in fours so columns stay easy to count (below
// eight, as many as fit: a narrow panel still shows b'HELLO' on one row).
std::size_t bytes_per_row(float avail, float char_w, std::size_t offset_chars, float cell_chars) {
  const float usable = avail - char_w * static_cast<float>(offset_chars + 1);
  const auto fit = static_cast<std::size_t>(std::max(0.0f, usable / (char_w * cell_chars)));
  if (fit < 8) return std::max<std::size_t>(4, fit);
  return fit / 4 * 4;
}

// [begin, end) of the selected call's piece of this stream, if it is one of its calls.
std::pair<std::size_t, std::size_t> selected_range(const ByteStream& stream, std::uint64_t seq) {
  const auto find = [&](const std::vector<StreamMark>& marks) -> std::pair<std::size_t, std::size_t> {
    for (std::size_t i = 0; i < marks.size(); ++i) {
      if (marks[i].seq == seq) return {i == 0 ? 0 : marks[i - 1].offset, marks[i].offset};
    }
    return {0, 0};
  };
  auto range = find(stream.send_ends);
  if (range.second == 0) range = find(stream.recv_ends);
  return range;
}

void draw_selected(const Model& model) {
  const long index = model.events->find_seq(model.state->selected_seq);
  const Event* event = index >= 0 ? &model.events->events()[static_cast<std::size_t>(index)] : nullptr;
  const bool released = index >= 0 && model.events->bytes_released(static_cast<std::size_t>(index));
  if (event == nullptr || (event->bytes.empty() && !released)) {
    wrapped_text_colored(ImGui::GetColorU32(ImGuiCol_TextDisabled), model.t(Tx::SelectBytes));
    return;
  }
  // One line while it fits; each part that does not goes to the next.
  actor_chip(model.palette->actor(event->actor), event->actor);
  char what[128];
  std::snprintf(what, sizeof what, "%s()  %zu %s", event->name(), event->byte_count, model.t(Tx::Bytes));
  flow_next(ImGui::CalcTextSize(what).x);
  ImGui::TextUnformatted(what);
  if (event->step >= 0) {
    char step[64];
    std::snprintf(step, sizeof step, "(%s %d)", model.t(Tx::Step), event->step + 1);
    flow_next(ImGui::CalcTextSize(step).x);
    ImGui::TextDisabled("%s", step);
  }
  if (!event->ok()) {
    // A failed send shows what it was asked to send: none of it went.
    const std::string not_sent = std::string(model.t(Tx::NotSent)) + " " + errno_name(event->err);
    flow_next(ImGui::CalcTextSize(not_sent.c_str()).x);
    text_colored(model.palette->error, not_sent);
  }
  if (released) {
    // The window let go of them (EventCache): the call is still there, its bytes are not.
    char text[256];
    std::snprintf(text, sizeof text, model.t(Tx::BytesReleased), model.events->max_bytes() / (1024 * 1024));
    wrapped_text_colored(ImGui::GetColorU32(ImGuiCol_TextDisabled), text);
    return;
  }
  if (event->capped()) {
    char text[256];
    std::snprintf(text, sizeof text, model.t(Tx::Capped), event->bytes.size(), event->byte_count);
    wrapped_text_colored(ImGui::GetColorU32(ImGuiCol_TextDisabled), text);
  }
  ImGui::PushFont(model.fonts->mono);
  const float char_w = ImGui::CalcTextSize("0").x;
  // The child's scrollbar takes its width from the rows; a panel narrower than four
  // bytes scrolls sideways.
  const std::size_t per_row =
      bytes_per_row(ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ScrollbarSize, char_w, 8, 4.0f);
  const std::vector<HexRow> rows = hex_rows(event->bytes, per_row);
  ImGui::BeginChild("hex", ImVec2(0, std::min(ImGui::GetTextLineHeightWithSpacing() *
                                                  static_cast<float>(rows.size() + 1),
                                              ImGui::GetContentRegionAvail().y * 0.45f)),
                    false, ImGuiWindowFlags_HorizontalScrollbar);
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const std::string line = format_hex_row(rows[static_cast<std::size_t>(i)]);
      ImGui::TextUnformatted(line.c_str());
    }
  }
  ImGui::EndChild();
  ImGui::PopFont();
}

// Each end of a stream named by its program and its socket: two clients are two streams.
std::string end_name(const std::string& lane, const Address& address) {
  return address.empty() || address.family == AF_UNIX ? lane : lane + " " + address.to_string();
}

void draw_stream(const Model& model, const ByteStream& stream) {
  const Palette& palette = *model.palette;
  const std::string from = end_name(stream.from, stream.from_address);
  const std::string to = end_name(stream.to, stream.to_address);
  char title[256];
  std::snprintf(title, sizeof title, model.t(stream.datagrams() ? Tx::DatagramTitle : Tx::StreamTitle), from.c_str(),
                to.c_str());
  wrapped_text_colored(palette.actor(stream.from), title);
  std::size_t dropped = 0;
  for (const auto& [begin, end] : stream.dropped) dropped += end - begin;
  if (dropped > 0) {
    char line[200];
    std::snprintf(line, sizeof line, model.t(Tx::DroppedTail), dropped);
    wrapped_text_colored(palette.error, line);
  }
  if (stream.data.size() < stream.total) {
    char line[200];
    std::snprintf(line, sizeof line, model.t(Tx::StreamCut), stream.data.size(), stream.total);
    wrapped_text_colored(ImGui::GetColorU32(ImGuiCol_TextDisabled), line);
  }
  const std::size_t first = stream.first;  // data[i] is byte first + i of the stream

  ImGui::PushFont(model.fonts->mono);
  const float char_w = ImGui::CalcTextSize("0").x;
  const float line_h = ImGui::GetTextLineHeight();
  const std::size_t size = stream.data.size();
  // The offset column is as wide as the last offset it shows, four hex digits at least.
  std::size_t digits = 4;
  while (digits < 16 && ((first + size) >> (4 * digits)) != 0) ++digits;
  const std::size_t per_row = bytes_per_row(ImGui::GetContentRegionAvail().x, char_w, digits + 1, 3.0f);
  const std::size_t row_count = (size + per_row - 1) / per_row;
  const float row_h = line_h * 2.0f + 6.0f;
  const auto range = selected_range(stream, model.state->selected_seq);
  const ImU32 send_color = palette.actor(stream.from);
  const ImU32 recv_color = palette.actor(stream.to);
  ImDrawList* draw = ImGui::GetWindowDrawList();

  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(row_count), row_h);
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      const std::size_t begin = static_cast<std::size_t>(r) * per_row;
      const std::size_t end = std::min(size, begin + per_row);
      const ImVec2 pos = ImGui::GetCursorScreenPos();
      char offset[24];
      std::snprintf(offset, sizeof offset, "%0*zx", static_cast<int>(digits), first + begin);
      draw->AddText(pos, palette.dim, offset);
      const float cells_x = pos.x + char_w * static_cast<float>(digits + 1);
      const auto cell_x = [&](std::size_t i) { return cells_x + char_w * 3.0f * static_cast<float>(i - begin); };
      for (std::size_t i = begin; i < end; ++i) {
        const auto byte = static_cast<unsigned char>(stream.data[i]);
        const float x = cell_x(i);
        if (first + i >= range.first && first + i < range.second) {
          draw->AddRectFilled(ImVec2(x - 1, pos.y), ImVec2(x + char_w * 2.0f + 1, pos.y + line_h * 2.0f),
                              palette.select_bg);
        }
        for (const auto& [lost_begin, lost_end] : stream.dropped)
          if (first + i >= lost_begin && first + i < lost_end)
            draw->AddRectFilled(ImVec2(x - 1, pos.y), ImVec2(x + char_w * 2.0f + 1, pos.y + line_h * 2.0f),
                                (palette.error & 0x00FFFFFFu) | 0x50000000u);
        char hex[4];
        std::snprintf(hex, sizeof hex, "%02x", byte);
        draw->AddText(ImVec2(x, pos.y), palette.text, hex);
        const char printable[2] = {byte >= 0x20 && byte < 0x7F ? static_cast<char>(byte) : '.', 0};
        draw->AddText(ImVec2(x + char_w * 0.5f, pos.y + line_h), palette.dim, printable);
      }
      // Where sends ended (top half) and where recvs took their piece (bottom half).
      const auto mark = [&](const std::vector<StreamMark>& marks, bool top, ImU32 color) {
        for (const StreamMark& m : marks) {
          if (m.offset <= first + begin || m.offset > first + end) continue;
          const float x = cell_x(m.offset - first) - char_w * 0.5f;
          const float y0 = top ? pos.y - 2.0f : pos.y + line_h;
          const float y1 = top ? pos.y + line_h : pos.y + line_h * 2.0f + 2.0f;
          draw->AddLine(ImVec2(x, y0), ImVec2(x, y1), color, 2.5f);
          const float t = 4.0f;
          if (top) {
            draw->AddTriangleFilled(ImVec2(x - t, y0 - t), ImVec2(x + t, y0 - t), ImVec2(x, y0 + 1), color);
          } else {
            draw->AddTriangleFilled(ImVec2(x - t, y1 + t), ImVec2(x + t, y1 + t), ImVec2(x, y1 - 1), color);
          }
        }
      };
      mark(stream.send_ends, true, send_color);
      mark(stream.recv_ends, false, recv_color);
      ImGui::Dummy(ImVec2(cell_x(begin + per_row) - pos.x, row_h));
    }
  }
  clipper.End();
  ImGui::PopFont();
}

// A piece's bytes as text, as tshark's follow shows them: printable ASCII as it is, a line
// break where the bytes have one, anything else as \xNN so no byte is hidden.
std::vector<std::string> follow_lines(std::string_view bytes) {
  std::vector<std::string> lines(1);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b == '\n') {
      if (i + 1 < bytes.size()) lines.emplace_back();
      continue;
    }
    if (b == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') continue;
    if (b >= 0x20 && b < 0x7F) {
      lines.back() += static_cast<char>(b);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", b);
      lines.back() += escaped;
    }
  }
  return lines;
}

void draw_follow(const Model& model) {
  const Palette& palette = *model.palette;
  const auto& streams = model.conversation->streams();
  const std::vector<FollowedConnection> connections = follow_connections(streams);
  if (connections.empty()) {
    ImGui::TextDisabled("%s", model.t(Tx::FollowNone));
    return;
  }
  for (std::size_t c = 0; c < connections.size(); ++c) {
    const FollowedConnection& conn = connections[c];
    const ByteStream& first = streams[conn.forward];
    char title[320];
    std::snprintf(title, sizeof title, model.t(Tx::FollowTitle), end_name(first.from, first.from_address).c_str(),
                  end_name(first.to, first.to_address).c_str());
    wrapped_text_colored(palette.text, title);
    for (const FollowPiece& piece : conn.pieces) {
      const ByteStream& s = streams[piece.stream];
      const bool selected = piece.seq == model.state->selected_seq;
      const std::string head = (piece.forward ? "→ " : "← ") + s.from + "  " + std::to_string(piece.end - piece.begin) + " B";
      text_colored(selected ? palette.text : palette.dim, head);
      ImGui::Indent();
      ImGui::PushFont(model.fonts->mono);
      for (const std::string& line : follow_lines(std::string_view(s.data).substr(piece.begin, piece.end - piece.begin)))
        wrapped_text_colored(palette.actor(s.from), line);
      ImGui::PopFont();
      ImGui::Unindent();
    }
    ImGui::Spacing();
  }
}

}  // namespace

void draw_bytes(const Model& model, BytesView& view) {
  view.shown_seq = model.state->selected_seq;
  draw_selected(model);
  ImGui::Separator();
  const auto& streams = model.conversation->streams();
  if (streams.empty()) {
    ImGui::TextDisabled("%s", model.t(Tx::NoBytesYet));
    return;
  }
  // Hex: every stream and datagram flow byte by byte; Follow: each TCP connection as text.
  if (ImGui::RadioButton(model.t(Tx::BytesHexView), !view.follow)) view.follow = false;
  ImGui::SameLine();
  if (ImGui::RadioButton(model.t(Tx::BytesFollowView), view.follow)) view.follow = true;
  ImGui::BeginChild("streams");
  if (view.follow) {
    draw_follow(model);
    ImGui::EndChild();
    return;
  }
  wrapped_text_colored(model.palette->dim, model.t(Tx::StreamLegend));
  for (std::size_t i = 0; i < streams.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    draw_stream(model, streams[i]);
    ImGui::PopID();
    ImGui::Spacing();
  }
  ImGui::EndChild();
}

}  // namespace sockstep::ui
