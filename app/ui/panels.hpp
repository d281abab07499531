#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/live/student_tiles.hpp"
#include "ui/model.hpp"
#include "ui/sequence_layout.hpp"  // sequence_row_label

namespace sockstep::ui {

// Each view keeps only its own UI state; everything else comes from the Model.

struct LessonView {
  std::string message;              // the edit box's text
  std::uint64_t synced_generation = 0;
  bool question_in_view = true;     // last frame: the question about the next step was in view
  bool scroll_to_question = false;  // the line that says where it is was clicked
};
void draw_lesson(const Model& model, LessonView& view);

struct StepsView {
  int until_call = 0;   // index into the lesson's calls
  int until_state = 0;  // index into the TCP states
  int followed_position = -1;
};
void draw_steps(const Model& model, StepsView& view);

struct CodeView {
  std::string lesson_id;
  std::map<std::string, std::vector<std::string>> lines;  // listing -> its lines
  int scrolled_to_position = -1;
  std::uint64_t scrolled_generation = 0;
  std::string tab_shown;  // the listing shown in a tab (too narrow for side by side)
};
void draw_code(const Model& model, CodeView& view);

struct SocketsView {
  // The step whose touched card was last scrolled into view (generation, steps taken).
  std::pair<std::uint64_t, std::size_t> scrolled_to{0, 0};
  bool touched_in_view = false;  // last frame: the card the step just taken touched was in full view
};
void draw_sockets(const Model& model, SocketsView& view);

struct SequenceView {
  float scroll_x = 0.0f;  // the rows' horizontal scroll when the lanes are wider than the panel
  std::size_t followed_rows = 0;
  std::uint64_t followed_selection = 0;
};
void draw_sequence(const Model& model, SequenceView& view);

struct BytesView {
  std::uint64_t shown_seq = 0;
  bool follow = false;  // each connection's two directions in order, as text
};
void draw_bytes(const Model& model, BytesView& view);

struct ConsoleView {
  std::map<std::string, std::size_t> seen_lines;  // actor -> lines shown last frame
};
void draw_console(const Model& model, ConsoleView& view);

// Incremental filter over the event cache (Tracy's messages panel): each frame looks
// only at the events added since the last one.
struct EventLogView {
  std::string filter;
  std::string applied_filter;
  std::vector<std::uint32_t> matches;  // indexes into the cache
  std::size_t scanned = 0;
  std::uint64_t revision = 0;
  bool follow = true;
  std::uint64_t scrolled_to_seq = 0;
};
void draw_event_log(const Model& model, EventLogView& view);
// Whether an event matches a filter (case-insensitive, every word must occur).
[[nodiscard]] bool event_matches(const Event& event, const std::string& filter);
// "accept() = 4", "recv(1024) = 5 b'hello'", "connect(...) ECONNREFUSED"
[[nodiscard]] std::string event_summary(const Event& event, bool zh);
// A live socket card's role ("listener", "accepted", "connected", "peer", "socket") in
// Chinese; nullptr for any other name (a lesson's variable, shown as code).
[[nodiscard]] const char* live_role_zh(const std::string& role);
inline constexpr const char* kLiveRoles[] = {"listener", "accepted", "connected", "peer", "socket"};

// The lesson panel's place in a live session: what runs, the ports watched, the last
// error, and for dial the message box with Send and Reconnect.
struct LiveView {
  std::string message;
  bool refocus = false;
  // Enter was pressed this frame: ImGui 1.86 misses a key pressed and released between
  // two frames, so the app's own key queue says so too.
  bool enter_pressed = false;
  // serve's student view: shown over the panels while open; F6 (or its button) switches.
  bool students_open = false;
  bool students_started = false;  // open_first was applied
  bool students_key = false;      // F6 was pressed this frame
  bool pointer_moved = false;     // tooltips only once the pointer moved over the view
  StudentTiles tiles;             // fed from the event cache, like the event log's filter
  std::uint64_t tiles_generation = 0;
};
void draw_live(const Model& model, LiveView& view);
// The student view: the accept queue against the backlog, then one tile per client.
void draw_students(const Model& model, LiveView& view);

void draw_help(const Model& model, bool* open);
// The reference card of model.state->card_call; *open goes false when closed.
void draw_reference_card(const Model& model, bool* open);
// Lesson panel parts: the question before the step about to run, and the verdicts
// that arrived with the step just taken.
void draw_question(const Model& model);
void draw_verdicts(const Model& model);

// File > Export...: the folder to write the session's files to, asked in a dialog.
struct ExportView {
  bool open_requested = false;  // the menu or Ctrl+E asked for the dialog
  char folder[1024] = {};
  // Enter was pressed this frame (the app's key queue: ImGui 1.86 misses a quick tap).
  bool enter_pressed = false;
  unsigned shown = 0;  // the export whose message was last shown
};
void draw_export_dialog(const Model& model, ExportView& view);

// The menu bar; with a recording, its timeline too.
void draw_menu_bar(const Model& model, ExportView& exporting);

}  // namespace sockstep::ui
