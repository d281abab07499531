#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/live/live_source.hpp"
#include "engine/record/recording.hpp"
#include "engine/lesson/session.hpp"
#include "ui/conversation.hpp"
#include "ui/event_cache.hpp"
#include "ui/event_loops.hpp"
#include "ui/fonts.hpp"
#include "ui/layout.hpp"
#include "ui/model.hpp"
#include "ui/palette.hpp"
#include "ui/panels.hpp"

namespace sockstep::ui {

// Everything drawn in a frame, with no window-system or GL code: the GLFW app and the
// display-less tests both drive it. refresh() takes the frame's one snapshot; draw()
// turns it into ImGui calls and the commands the learner gave.
// A key press as GLFW reported it. ImGui 1.86 only sees whether a key is down at
// NewFrame, so a tap whose press and release arrive in one poll would be lost; the app
// queues presses itself and hands them over here.
struct KeyPress {
  int key = 0;
  int mods = 0;
};

class UiRoot {
 public:
  explicit UiRoot(FontManager& fonts);

  // Takes the snapshot and copies the new events; feeds new text to the font manager.
  void refresh(Session& session, UiState& state);
  // A recording, reopened: its first `shown` events and the snapshot that holds for them.
  // A lesson's is drawn as a lesson (set_recorded_lesson first), a live session's as one
  // (set_live first).
  // Its events move into the cache as they are shown (EventCache::show).
  void refresh_recorded(Recording& recording, std::size_t shown, const SessionSnapshot& snap, UiState& state);
  void set_recorded_lesson(const Lesson& lesson) {
    forget_session();
    lesson_ = &lesson;
  }
  void draw(const UiState& state, const std::vector<LessonEntry>& lessons,
            const std::string& lesson_path, const std::vector<KeyPress>& keys, Commands& out);
  // Drops what belonged to the previous lesson's session.
  void forget_session();
  // A live session instead of a lesson: lesson is an empty one naming the first lanes,
  // info says what runs. Both outlive the UiRoot's use of them.
  void set_live(const Lesson& lesson, const LiveInfo& info, const std::string& outside_lane,
                bool lane_per_connection);
  // Copies the new events into the cache and the live source; with read_kernel, reads
  // the kernel's sockets too. Returns true when anything on screen changed.
  bool refresh_live(LiveSource& live, const EventLog& log, bool read_kernel);

  // A recording's timeline, and what File > Export offers: owned by the app, outliving
  // their use here; nullptr when absent.
  void set_replay(const ReplayInfo* replay) { replay_ = replay; }
  void set_export(const ExportInfo* exporting) { exporting_ = exporting; }

  [[nodiscard]] const SessionSnapshot& snapshot() const { return snap_; }
  [[nodiscard]] const EventCache& events() const { return events_; }
  [[nodiscard]] const Conversation& conversation() const { return conversation_; }
  void set_palette(const Palette& palette) { palette_ = palette; }
  // The Bytes panel on its Follow view (each connection as text) or on its hex streams.
  void show_follow(bool follow) { bytes_view_.follow = follow; }
  // The reference cards the steps link to; their text joins the font's glyphs.
  void set_cards(std::vector<ReferenceCard> cards);
  [[nodiscard]] const VerdictTimeline& verdicts() const { return verdicts_; }
  [[nodiscard]] const SocketsView& sockets_view() const { return sockets_view_; }

 private:
  void shortcuts(const Model& model, const UiState& state, const std::vector<KeyPress>& keys);
  // What draws each panel of kPanels (panel_specs.hpp).
  void draw_panel(Panel panel, const Model& model);
  void draw_splitters(const Model& model, const std::vector<Splitter>& splitters, const LayoutWeights& weights);
  // What refresh() does once the snapshot and the events are in: conversation, fonts,
  // the selection that follows a step.
  void after_lesson_refresh(UiState& state, std::size_t before, std::uint64_t revision_before);
  void note_event_text(std::size_t first_new);
  // The views that follow the events one at a time (the conversation, the event loops)
  // start over when earlier events are gone, then take each new one once.
  void follow_events(const std::function<void()>& set_up_conversation);

  FontManager& fonts_;
  Palette palette_;
  const Lesson* lesson_ = nullptr;
  SessionSnapshot snap_;
  EventCache events_;
  Conversation conversation_;
  EventLoops event_loops_;
  std::size_t event_loops_fed_ = 0;
  VerdictTimeline verdicts_;
  std::vector<ReferenceCard> cards_;
  std::uint64_t conversation_revision_ = 0;
  std::size_t last_position_ = 0;
  std::uint64_t last_generation_ = 0;

  const LiveInfo* live_ = nullptr;
  const ReplayInfo* replay_ = nullptr;
  const ExportInfo* exporting_ = nullptr;
  ExportView export_view_;
  std::string outside_lane_;
  bool lane_per_connection_ = false;
  LessonView lesson_view_;
  LiveView live_view_;
  StepsView steps_view_;
  CodeView code_view_;
  SocketsView sockets_view_;
  SequenceView sequence_view_;
  BytesView bytes_view_;
  ConsoleView console_view_;
  EventLogView log_view_;
  // The panel under the pointer last frame: M maximises it.
  Panel pointed_panel_ = Panel::Sequence;
  bool help_open_ = false;
  bool card_open_ = false;
};

}  // namespace sockstep::ui
