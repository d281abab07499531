#include <imgui.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

std::vector<std::string> split_lines(const std::string& code) {
  std::vector<std::string> lines;
  std::istringstream in(code);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

int line_of(const Step* step, const std::string& listing) {
  if (step == nullptr) return -1;
  auto it = step->lines.find(listing);
  return it == step->lines.end() ? -1 : it->second;
}

std::string language_label(const Model& model, const std::string& language) {
  if (language == "python") return model.t(Tx::Python);
  if (language == "c") return model.t(Tx::CCode);
  return language;
}

void draw_listing(const Model& model, CodeView& view, const Listing& listing, bool follow) {
  const Palette& palette = *model.palette;
  const SessionSnapshot& snap = *model.snap;
  const Step* current = model.current_step();
  const Step* next = model.next_step();
  const int now_line = line_of(current, listing.name);
  const int next_line = line_of(next, listing.name);
  int blocked_line = -1;
  std::string blocked_in;
  for (const ActorView& actor : snap.actors) {
    if (actor.state == ActorState::Blocked && actor.blocked_step >= 0 &&
        static_cast<std::size_t>(actor.blocked_step) < model.lesson->steps.size()) {
      const int line = line_of(&model.lesson->steps[static_cast<std::size_t>(actor.blocked_step)],
                               listing.name);
      if (line > 0) {
        blocked_line = line;
        blocked_in = actor.blocked_in;
      }
    }
  }

  const ImU32 own = palette.actor(listing.actor);
  text_colored(own, listing.name);
  if (blocked_line > 0) {
    char text[128];
    std::snprintf(text, sizeof text, model.t(Tx::BlockedIn), blocked_in.c_str());
    const std::string waits = std::string("… ") + text;
    // Beside the name when there is room, else under it, wrapped.
    const float room = ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(listing.name.c_str()).x -
                       ImGui::GetStyle().ItemSpacing.x;
    if (ImGui::CalcTextSize(waits.c_str()).x <= room) ImGui::SameLine();
    wrapped_text_colored(palette.warn, waits);
  }

  ImGui::BeginChild("lines", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  ImGui::PushFont(model.fonts->mono);
  const std::vector<std::string>& lines = view.lines[listing.name];
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->ChannelsSplit(2);  // backgrounds under the text, drawn after we know its height
  const float gutter = ImGui::CalcTextSize("▶ 00 ").x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    draw->ChannelsSetCurrent(1);
    const ImVec2 start = ImGui::GetCursorScreenPos();
    const bool is_now = number == now_line;
    const bool is_next = number == next_line;
    const bool is_blocked = number == blocked_line;
    const char* mark = is_blocked ? "…" : is_now ? "▶" : is_next ? "›" : " ";
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%s%3d ", mark, number);
    text_colored(is_now || is_blocked ? own : palette.dim, prefix);
    ImGui::SameLine(0, 0);
    ImGui::SetCursorScreenPos(ImVec2(start.x + gutter, start.y));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(lines[i].c_str(), lines[i].c_str() + lines[i].size());
    ImGui::PopTextWrapPos();
    const float bottom = ImGui::GetItemRectMax().y;
    draw->ChannelsSetCurrent(0);
    const ImVec2 min(start.x - 2.0f, start.y - 1.0f);
    const ImVec2 max(std::max(right, ImGui::GetItemRectMax().x), bottom + 1.0f);
    if (is_blocked) {
      draw->AddRectFilled(min, max, palette.blocked_bg);
      draw->AddRectFilled(min, ImVec2(min.x + 3.0f, max.y), palette.warn);
    }
    if (is_now) {
      draw->AddRectFilled(min, max, palette.now_bg);
      draw->AddRectFilled(min, ImVec2(min.x + 4.0f, max.y), own);
    } else if (is_next) {
      draw->AddRect(min, max, palette.dim, 2.0f);
    }
    if (follow && (is_now || (now_line < 0 && is_next))) ImGui::SetScrollHereY(0.35f);
  }
  draw->ChannelsMerge();
  ImGui::PopFont();
  ImGui::EndChild();
}

}  // namespace

void draw_code(const Model& model, CodeView& view) {
  const Lesson& lesson = *model.lesson;
  if (view.lesson_id != lesson.id + lesson.source_path) {
    view.lesson_id = lesson.id + lesson.source_path;
    view.lines.clear();
    for (const Listing& listing : lesson.listings) view.lines[listing.name] = split_lines(listing.code);
    view.scrolled_to_position = -1;
  }
  const bool follow = view.scrolled_to_position != static_cast<int>(model.snap->position) ||
                      view.scrolled_generation != model.snap->generation;

  std::vector<std::string> languages;
  for (const Listing& listing : lesson.listings) {
    if (std::find(languages.begin(), languages.end(), listing.language) == languages.end()) {
      languages.push_back(listing.language);
    }
  }
  if (ImGui::BeginTabBar("languages")) {
    for (const std::string& language : languages) {
      const std::string label = language_label(model, language) + "###" + language;
      if (!ImGui::BeginTabItem(label.c_str())) continue;
      std::vector<const Listing*> listings;
      for (const Listing& listing : lesson.listings) {
        if (listing.language == language) listings.push_back(&listing);
      }
      const int columns = static_cast<int>(listings.size());
      // Side by side while each listing gets some 30 characters; narrower (a projector's
      // zoom, a small window) one at a time in tabs, the one of the step's program shown.
      ImGui::PushFont(model.fonts->mono);
      const float char_w = ImGui::CalcTextSize("0").x;
      ImGui::PopFont();
      if (columns > 1 && ImGui::GetContentRegionAvail().x / static_cast<float>(columns) < char_w * 30.0f) {
        const Step* step = model.current_step() != nullptr ? model.current_step() : model.next_step();
        if (ImGui::BeginTabBar("listings", ImGuiTabBarFlags_FittingPolicyScroll)) {
          for (const Listing* listing : listings) {
            // The listing the step's line is in (client-7 runs client.py).
            const bool own = step != nullptr && line_of(step, listing->name) > 0;
            ImGui::PushStyleColor(ImGuiCol_Text, model.palette->actor(listing->actor));
            const bool open = ImGui::BeginTabItem(listing->name.c_str(), nullptr,
                                                  follow && own ? ImGuiTabItemFlags_SetSelected : 0);
            ImGui::PopStyleColor();
            if (!open) continue;
            // A tab just brought forward scrolls to its line too (it is drawn from the
            // frame after the step).
            const bool fresh = view.tab_shown != listing->name;
            view.tab_shown = listing->name;
            draw_listing(model, view, *listing, follow || fresh);
            ImGui::EndTabItem();
          }
          ImGui::EndTabBar();
        }
      } else if (columns > 0 &&
          ImGui::BeginTable("side_by_side", columns,
                            ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame,
                            ImGui::GetContentRegionAvail())) {
        ImGui::TableNextRow();
        for (int c = 0; c < columns; ++c) {
          ImGui::TableSetColumnIndex(c);
          ImGui::PushID(c);
          draw_listing(model, view, *listings[static_cast<std::size_t>(c)], follow);
          ImGui::PopID();
        }
        ImGui::EndTable();
      }
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  view.scrolled_to_position = static_cast<int>(model.snap->position);
  view.scrolled_generation = model.snap->generation;
}

}  // namespace sockstep::ui
