// serve's student view: a classroom's clients as tiles, over the panels, for a projector.
// The tiles are a model (engine/live/student_tiles) fed here from the event cache and the
// frame's kernel snapshot; this file only draws them.
#include <imgui.h>
#include <imgui_internal.h>  // BringWindowToDisplayFront: the view covers the fixed panels

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/text/errno_names.hpp"
#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

// Up to this many places in the accept queue are drawn one cell each; more, as one bar.
constexpr int kMaxQueueCells = 40;

// The longest prefix of text (whole UTF-8 characters) that fits width, with "…" when cut.
std::string fit(const std::string& text, float width) {
  if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
  const float dots = ImGui::CalcTextSize("…").x;
  std::size_t end = text.size();
  while (end > 0) {
    do --end;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80);
    if (ImGui::CalcTextSize(text.data(), text.data() + end).x + dots <= width) break;
  }
  return text.substr(0, end) + "…";
}

std::string ending_text(const Model& model, const StudentTile& tile) {
  switch (tile.ending) {
    case TileEnding::HungUp: return model.t(Tx::TileHungUp);
    case TileEnding::Reset: return model.t(Tx::TileReset);
    case TileEnding::Stopped: return model.t(Tx::TileStopped);
    case TileEnding::Failed: {
      char text[96];
      std::snprintf(text, sizeof text, model.t(Tx::TileFailed), errno_name(tile.err).c_str());
      return text;
    }
    case TileEnding::Connected: break;
  }
  return {};
}

// The tile's second line: the kernel's state while connected; once left, how, and what
// the kernel still keeps of it.
std::string state_line(const Model& model, const StudentTile& tile) {
  if (tile.connected()) {
    // A client that half-closed is still served its echo: the state says CLOSE_WAIT.
    return tile.state;
  }
  std::string line = ending_text(model, tile);
  if (!tile.state.empty()) line += " · " + tile.state + (tile.state_without_fd ? std::string(" ") + model.t(Tx::TileNoFd) : "");
  return line;
}

ImU32 tile_color(const Palette& palette, const StudentTile& tile) {
  if (tile.ending == TileEnding::Reset || tile.ending == TileEnding::Failed) return palette.error;
  if (!tile.connected()) return palette.dim;
  return tile.ending == TileEnding::HungUp ? palette.warn : palette.ok;
}

std::string times_line(const Model& model, const StudentTile& tile) {
  return clock_since_start(tile.connected_us) + " → " +
         (tile.connected() ? std::string(model.t(Tx::TileNow)) : clock_since_start(tile.left_us));
}

// The address line: "#12 10.77.0.21:43120  pc-21". What does not fit goes from the least
// needed end: the port (the name says who it is better), then the arrival number, never
// cut in the middle of a number.
std::string address_line(const StudentTile& tile, const std::string& name, float width) {
  const std::string number = "#" + std::to_string(tile.arrival) + " ";
  const std::string full = tile.peer.to_string();
  const std::string host = tile.peer.family == AF_INET6 ? "[" + tile.peer.host + "]" : tile.peer.host;
  std::vector<std::string> candidates;
  if (!name.empty())
    for (const std::string& c : {number + full + "  " + name, number + host + "  " + name, host + "  " + name})
      candidates.push_back(c);
  for (const std::string& c : {number + full, full, host}) candidates.push_back(c);
  for (const std::string& candidate : candidates)
    if (ImGui::CalcTextSize(candidate.c_str()).x <= width) return candidate;
  return fit(host, width);
}

void draw_queue(const Model& model, const StudentTiles& tiles) {
  const Palette& palette = *model.palette;
  const AcceptQueueTile& q = tiles.queue();
  char text[256];
  std::snprintf(text, sizeof text, model.t(Tx::StudentsQueue), std::max(q.queued, 0), std::max(q.backlog, 0));
  ImGui::TextUnformatted(text);
  ImGui::SameLine();
  // One cell per connection the queue can hold: the kernel takes backlog + 1 before it
  // refuses (sk_acceptq_is_full() tests queued > backlog).
  const int slots = std::max(q.backlog + 1, 1);
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  if (slots <= kMaxQueueCells) {
    const float cell = std::min(h * 1.2f, std::max(4.0f, ImGui::GetContentRegionAvail().x * 0.4f / static_cast<float>(slots)));
    for (int i = 0; i < slots; ++i) {
      const ImVec2 a(at.x + static_cast<float>(i) * cell, at.y + 1.0f);
      const ImVec2 b(a.x + cell - 2.0f, a.y + h - 2.0f);
      const bool full = i < q.queued;
      const bool was = i < q.most;
      draw->AddRectFilled(a, b, full ? (i >= q.backlog ? palette.error : palette.warn) : palette.bar_bg, 2.0f);
      if (was && !full) draw->AddRect(a, b, palette.warn, 2.0f, 0, 1.5f);
    }
    ImGui::Dummy(ImVec2(static_cast<float>(slots) * cell, h));
  } else {
    // A class-sized backlog (--backlog 128): one bar, the most seen marked on it.
    const float width = ImGui::GetContentRegionAvail().x * 0.3f;
    const auto x_of = [&](int n) { return at.x + width * std::min(1.0f, static_cast<float>(n) / static_cast<float>(slots)); };
    draw->AddRectFilled(ImVec2(at.x, at.y + 1.0f), ImVec2(at.x + width, at.y + h - 1.0f), palette.bar_bg, 2.0f);
    if (q.queued > 0)
      draw->AddRectFilled(ImVec2(at.x, at.y + 1.0f), ImVec2(std::max(at.x + 3.0f, x_of(q.queued)), at.y + h - 1.0f), palette.warn, 2.0f);
    if (q.most > 0) draw->AddLine(ImVec2(x_of(q.most), at.y), ImVec2(x_of(q.most), at.y + h), palette.warn, 2.0f);
    ImGui::Dummy(ImVec2(width, h));
  }
  ImGui::SameLine();
  std::snprintf(text, sizeof text, model.t(Tx::StudentsQueueMost), q.most);
  ImGui::TextDisabled("%s", text);
  if (q.overflows > 0) {
    std::snprintf(text, sizeof text, model.t(Tx::StudentsOverflows), static_cast<unsigned long long>(q.overflows));
    text_colored(palette.warn, std::string("⚠ ") + text);
  }
  if (q.cookies_failed > 0) {
    std::snprintf(text, sizeof text, model.t(Tx::StudentsCookiesFailed), static_cast<unsigned long long>(q.cookies_failed));
    text_colored(palette.error, std::string("✗ ") + text);
  }
}

void draw_tile(const Model& model, const StudentTile& tile, ImVec2 size, bool tooltips) {
  const Palette& palette = *model.palette;
  const StudentsInfo& students = model.live->students;
  ReverseNames::Answer name;
  if (students.name_of) name = students.name_of(tile.peer.host);
  const std::string name_text = name.status == ReverseNames::Status::Named ? name.name : "";

  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const ImVec2 b(a.x + size.x, a.y + size.y);
  const ImU32 accent = tile_color(palette, tile);
  draw->AddRectFilled(a, b, ImGui::GetColorU32(ImGuiCol_FrameBg), 4.0f);
  draw->AddRect(a, b, accent, 4.0f, 0, tile.connected() ? 2.0f : 1.0f);
  const float pad = ImGui::GetFontSize() * 0.4f;
  const float inner = size.x - pad * 2.0f;
  const float line = ImGui::GetTextLineHeight() + 1.0f;
  float y = a.y + pad * 0.6f;
  const auto put = [&](ImU32 color, const std::string& text, ImFont* font = nullptr) {
    if (y + line > b.y + 1.0f) return;  // no line drawn past the tile
    if (font != nullptr) ImGui::PushFont(font);
    const std::string shown = fit(text, inner);
    draw->AddText(ImVec2(a.x + pad, y), color, shown.c_str());
    if (font != nullptr) ImGui::PopFont();
    y += line;
  };
  put(palette.text, address_line(tile, name_text, inner));
  // The state, and at the right of the same line when it came and left. The state comes
  // first: the times shorten (only the arrival, or only the leaving, time) or go to the
  // tooltip before the state is cut.
  const std::string state = state_line(model, tile);
  const float state_w = ImGui::CalcTextSize(state.c_str()).x;
  const float gap = ImGui::GetFontSize() * 0.6f;
  std::string times = times_line(model, tile);
  if (state_w + gap + ImGui::CalcTextSize(times.c_str()).x > inner)
    times = tile.connected() ? clock_since_start(tile.connected_us) : "→ " + clock_since_start(tile.left_us);
  const float times_w = ImGui::CalcTextSize(times.c_str()).x;
  if (state_w + gap + times_w <= inner) {
    draw->AddText(ImVec2(a.x + pad + inner - times_w, y), palette.dim, times.c_str());
    draw->AddText(ImVec2(a.x + pad, y), accent, state.c_str());
    y += line;
  } else {
    put(accent, state);
  }
  char bytes[128];
  std::snprintf(bytes, sizeof bytes, model.t(tile.counts_partial ? Tx::TileSentGotAtLeast : Tx::TileSentGot), human_bytes(static_cast<long long>(tile.bytes_in)).c_str(),
                human_bytes(static_cast<long long>(tile.bytes_out)).c_str());
  put(palette.text, bytes);
  if (tile.recvs == 0) {
    put(palette.dim, model.t(Tx::TileNothingSent));
  } else {
    ImGui::PushFont(model.fonts->mono);
    const float mono_char = std::max(1.0f, ImGui::CalcTextSize("0").x);
    ImGui::PopFont();
    const auto chars = static_cast<std::size_t>(std::max(4.0f, inner / mono_char));
    put(palette.text, elided_bytes(tile.last_sent, tile.last_sent_count, chars), model.fonts->mono);
  }

  // The whole tile is one item: hovering it tells everything, unelided.
  ImGui::InvisibleButton(("##tile" + std::to_string(tile.arrival)).c_str(), size);
  if (tooltips && ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
    ImGui::Text("#%llu %s", static_cast<unsigned long long>(tile.arrival), tile.peer.to_string().c_str());
    char text[160];
    if (name.status == ReverseNames::Status::Named) {
      std::snprintf(text, sizeof text, model.t(Tx::TileName), name.name.c_str());
      ImGui::TextUnformatted(text);
    } else if (students.name_of) {
      ImGui::TextDisabled("%s", model.t(name.status == ReverseNames::Status::Pending ? Tx::TileNameLooking : Tx::TileNoName));
    }
    if (tile.connected()) {
      std::snprintf(text, sizeof text, model.t(Tx::TileFd), tile.fd);
      ImGui::TextUnformatted(text);
    }
    text_colored(accent, state_line(model, tile));
    if (!tile.connected() && tile.state.empty()) ImGui::TextDisabled("%s", model.t(Tx::TileGone));
    ImGui::TextUnformatted(times_line(model, tile).c_str());
    ImGui::TextUnformatted(bytes);
    if (tile.recvs > 0) {
      std::snprintf(text, sizeof text, model.t(Tx::TileLastSent), tile.last_sent_count);
      ImGui::TextDisabled("%s", text);
      ImGui::PushFont(model.fonts->mono);
      ImGui::TextWrapped("%s", elided_bytes(tile.last_sent, tile.last_sent_count, 4 * StudentTiles::kLastSentKept + 8).c_str());
      ImGui::PopFont();
    }
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

// The session's own tiles when it keeps them (serve: fed with every event as it happens),
// else new events since the model last looked, found by seq: the cache may have let its
// oldest go meanwhile (its revision changed), the model keeps what it learnt.
void feed(const Model& model, LiveView& view) {
  if (const auto& with_tiles = model.live->students.with_tiles) {
    with_tiles([&](StudentTiles& tiles) {
      tiles.update_kernel(*model.snap);
      view.tiles = tiles;
    });
    return;
  }
  const std::vector<Event>& events = model.events->events();
  const std::uint64_t after = view.tiles.last_seq();
  auto it = std::upper_bound(events.begin(), events.end(), after,
                             [](std::uint64_t seq, const Event& e) { return seq < e.seq; });
  for (; it != events.end(); ++it) view.tiles.observe(*it);
  view.tiles.update_kernel(*model.snap);
}

}  // namespace

void draw_students(const Model& model, LiveView& view) {
  if (model.live == nullptr || !model.live->students.enabled) return;
  if (!view.students_started) {
    view.students_started = true;
    view.students_open = model.live->students.open_first;
  }
  if (view.students_key) view.students_open = !view.students_open;
  view.students_key = false;
  feed(model, view);
  if (!view.students_open) return;

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos, ImGuiCond_Always);
  ImGui::SetNextWindowSize(viewport->WorkSize, ImGuiCond_Always);
  const std::string title = std::string(model.t(Tx::StudentsTitle)) + " — " +
                            (model.lang() == Lang::Zh && !model.live->title_zh.empty() ? model.live->title_zh : model.live->title) +
                            "###students";
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                 ImGuiWindowFlags_NoSavedSettings;
  ImGui::SetNextWindowBgAlpha(1.0f);  // the panels under it must not show through
  if (ImGui::Begin(title.c_str(), nullptr, flags)) {
    // A tooltip follows the learner's pointer, not one that has sat still since the
    // window opened (a screenshot's, in the middle of the screen).
    if (ImGui::GetIO().MouseDelta.x != 0.0f || ImGui::GetIO().MouseDelta.y != 0.0f) view.pointer_moved = true;
    // Over the fixed panels, whichever was drawn or clicked last.
    ImGui::BringWindowToDisplayFront(ImGui::GetCurrentWindow());
    const StudentTiles& tiles = view.tiles;
    char counts[160];
    const int total = static_cast<int>(tiles.tiles().size());
    const int connected = static_cast<int>(tiles.connected());
    std::snprintf(counts, sizeof counts, model.t(Tx::StudentsCounts), total, connected, total - connected);
    ImGui::TextUnformatted(counts);
    ImGui::SameLine();
    const char* back = model.t(Tx::StudentsBack);
    const float back_w = ImGui::CalcTextSize(back).x + ImGui::GetStyle().FramePadding.x * 2.0f;
    ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - back_w));
    if (ImGui::Button((std::string(back) + "###students_back").c_str())) view.students_open = false;
    draw_queue(model, tiles);
    ImGui::Separator();

    const ImGuiStyle& style = ImGui::GetStyle();
    const float gap = std::max(4.0f, ImGui::GetFontSize() * 0.4f);
    if (tiles.tiles().empty()) {
      wrapped_text_colored(model.palette->dim, model.t(Tx::StudentsNone));
    } else {
      // The smallest readable tile: four lines as wide as a LAN address with its port and
      // arrival number (#12 192.168.1.20:43120), so 40 fit 1280x720 at the normal zoom.
      const float min_w = ImGui::CalcTextSize("#00 000.000.0.00:00000").x + ImGui::GetFontSize() * 0.8f;
      const float min_h = (ImGui::GetTextLineHeight() + 1.0f) * 4.0f + ImGui::GetFontSize() * 0.5f;
      const ImVec2 avail = ImGui::GetContentRegionAvail();
      const float explain_h = ImGui::GetTextLineHeightWithSpacing() + style.ItemSpacing.y;
      const TileGrid grid = tile_grid(tiles.tiles().size(), avail.x - style.ScrollbarSize, avail.y - explain_h, min_w, min_h, gap);
      ImGui::BeginChild("##tiles", ImVec2(0, avail.y - explain_h), false);
      ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(gap, gap));
      ImGuiListClipper clipper;  // rows of tiles: a serve left running all term has many
      clipper.Begin(grid.rows, grid.height + gap);
      while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
          for (int column = 0; column < grid.columns; ++column) {
            const std::size_t index = static_cast<std::size_t>(row) * static_cast<std::size_t>(grid.columns) +
                                      static_cast<std::size_t>(column);
            if (index >= tiles.tiles().size()) break;
            if (column > 0) ImGui::SameLine();
            draw_tile(model, tiles.tiles()[index], ImVec2(grid.width, grid.height), view.pointer_moved);
          }
        }
      }
      ImGui::PopStyleVar();
      ImGui::EndChild();
    }
    // One line under the tiles; hovering it gives the rest.
    ImGui::TextDisabled("%s", fit(model.t(Tx::StudentsExplain), ImGui::GetContentRegionAvail().x).c_str());
    if (view.pointer_moved && ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 36.0f);
      wrapped_text(model.t(Tx::StudentsExplain));
      ImGui::PopTextWrapPos();
      ImGui::EndTooltip();
    }
  }
  ImGui::End();
}

}  // namespace sockstep::ui
