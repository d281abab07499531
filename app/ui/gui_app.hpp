#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/live/live_source.hpp"
#include "engine/lesson/session.hpp"
#include "ui/fonts.hpp"
#include "ui/run_gui.hpp"
#include "ui/model.hpp"
#include "ui/settings.hpp"
#include "ui/ui_root.hpp"

struct GLFWwindow;

namespace sockstep::ui {

struct AppConfig {
  std::string lesson_path;
  Lang lang = Lang::En;
  int steps = -1;            // replay this many steps before the first frame
  bool restore_step = false; // else go to the step the settings remember
  std::string screenshot;    // write a PNG after the first settled frames, then quit
  bool save_settings = true;
  Settings settings;
  std::string settings_path;
  const LiveGuiOptions* live = nullptr;  // a live session instead of a lesson
  bool present = false;      // start in presentation mode (--present)
  const RecordingGuiOptions* replay = nullptr;  // a recording instead of either
  Exporter exporter;                     // File > Export; empty: not offered
};

// The window: GLFW + OpenGL 3 + ImGui around a UiRoot, an event-driven loop, and the
// commands the views queue carried out between frames on this (the only UI) thread.
class GuiApp {
 public:
  explicit GuiApp(AppConfig config);
  ~GuiApp();
  GuiApp(const GuiApp&) = delete;
  GuiApp& operator=(const GuiApp&) = delete;

  // Opens the window and loads the lesson; on failure returns false with a one-line
  // error and the exit code to use (1 runtime, 2 bad input).
  bool open(std::string& error, int& exit_code);
  // Runs until the window closes, Quit, or (screenshot mode) the PNG is written.
  int run();
  // One frame; returns true if something changed that deserves another frame.
  bool frame();

  // For the benchmark and tests.
  [[nodiscard]] Session& session() { return *session_; }
  [[nodiscard]] double last_build_ms() const { return last_build_ms_; }
  // Runs the real event loop for this long (idle unless something wakes it).
  void run_for(std::chrono::milliseconds duration);

 private:
  bool load_lesson(const std::string& path, std::string& error);
  void open_live();
  void stop_live();
  // A recording: its lesson or lanes, and the timeline at where it was asked to start.
  void open_replay();
  // Shows the first `events` events and the snapshot that holds for them.
  void replay_seek(std::size_t events);
  // Shows the snapshot at index k and the events it follows.
  void replay_snapshot(std::size_t k);
  // The lesson commands (step, back, go to, play) as moves along the recording.
  void apply_replay(const Command& command);
  [[nodiscard]] const SessionSnapshot& replay_shown() const;
  // The recording as it was read: the events shown and those not, together.
  [[nodiscard]] Recording replay_whole() const;
  // File > Export: what this window shows, as a recording, written into dir.
  void export_to(const std::string& dir);
  [[nodiscard]] std::string export_proposal() const;
  // Takes the frame's snapshot; returns true when something new arrived (live sessions).
  bool refresh(bool read_kernel);
  // Draws one frame from the snapshot taken; returns true if the views gave commands.
  bool draw_frame();
  void apply(const Command& command);
  // Commands about the window itself, the same for lessons and live sessions.
  bool apply_view(const Command& command);
  void rebuild_fonts();
  // The zoom the fonts should have now: the learner's, or presentation mode's (its
  // own, else from the window's height).
  [[nodiscard]] float font_zoom() const;
  void update_title();
  [[nodiscard]] double wait_seconds() const;
  void remember();
  static void on_key(GLFWwindow* window, int key, int scancode, int action, int mods);

  AppConfig config_;
  GLFWwindow* window_ = nullptr;
  bool imgui_ready_ = false;
  bool gl_objects_ready_ = false;
  std::unique_ptr<FontManager> fonts_;
  std::unique_ptr<UiRoot> root_;
  std::unique_ptr<Session> session_;
  std::string lesson_path_;
  std::vector<LessonEntry> lessons_;
  UiState state_;
  Commands commands_;
  std::vector<KeyPress> keys_;  // presses since the last frame
  float built_zoom_ = 0.0f;
  bool built_light_ = false;
  bool quit_ = false;
  int frames_until_shot_ = -1;
  int exit_code_ = 0;
  std::string title_;
  double last_build_ms_ = 0.0;
  std::chrono::steady_clock::time_point next_play_{};

  // Live sessions.
  std::unique_ptr<LiveSource> live_source_;
  Lesson live_lesson_;   // no steps: only the lanes
  LiveInfo live_info_;
  bool live_started_ = false;
  bool shot_waits_for_finish_ = false;
  // A session that never finishes (a server that serves forever) is pictured as it is
  // by then, said on stderr: a screenshot never waits without end.
  std::chrono::steady_clock::time_point shot_deadline_{};
  // A recording reopened.
  // Its events move into the UI's cache as the timeline passes them: recording_->events
  // holds the ones not shown (replay_whole() puts the two together again).
  Recording* recording_ = nullptr;
  std::vector<std::size_t> snapshot_at_;  // per snapshot: the events it holds for
  std::size_t replay_snap_ = 0;           // the snapshot shown
  SessionSnapshot no_snapshot_;           // shown when the recording has none
  ReplayInfo replay_info_;
  Lesson replay_lanes_;                   // a live session's recording: only the lanes
  LiveInfo replay_live_;
  // File > Export.
  ExportInfo export_info_;
  // A live window: the kernel's view each time it changed, for the export's recording.
  std::vector<SnapshotAt> live_history_;

  // Set by the first event after a frame, cleared by the next refresh: a burst of
  // events posts one wake-up, not one per event.
  std::atomic<bool> wake_posted_{false};
};

}  // namespace sockstep::ui
