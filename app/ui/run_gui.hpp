#pragma once
#include <functional>
#include <string>
#include <vector>

#include "engine/log/event_log.hpp"
#include "ui/model.hpp"

namespace sockstep {
struct Recording;
}

namespace sockstep::ui {

// File > Export: writes the session's files (--export's) into dir; "" or why not. The
// command line provides it (the files are its own); empty: the window offers no export.
using Exporter = std::function<std::string(const std::string& dir, const Recording& recording)>;

struct GuiOptions {
  std::string lesson;  // id or path; "" opens the last lesson, else the first
  std::string lang = "en";  // "" keeps the language the settings remember
  int steps = -1;      // steps to take before the first frame; -1 restores the saved step
  std::string screenshot;   // write this PNG after the steps, then exit
  bool present = false;     // presentation mode (--present)
  Exporter exporter;
};

// sockstep open FILE: a recording in the window, with a timeline to scrub.
struct RecordingGuiOptions {
  Recording* recording = nullptr;  // outlives the window, which moves its events (EventCache::show)
  std::string file;                      // its name, for the title
  std::string lang;                      // "" keeps the language the settings remember
  std::string screenshot;                // write this PNG and exit
  long long at = -1;                     // events shown first; -1: all
  int steps = -1;                        // a lesson's: the snapshot after this many steps
  bool present = false;                  // presentation mode (--present)
  Exporter exporter;
};
int run_recording_gui(const RecordingGuiOptions& options);

// A live session in the window (serve, dial, trace): the caller owns the session's
// threads and its event log; the window starts them once it is open and stops them
// before it closes, so nothing runs when no window can open.
struct LiveGuiOptions {
  std::string title;                  // "serve 127.0.0.1:8084", in the window's title too
  std::string title_zh;               // the same in Chinese, where it says more than a command
  EventLog* log = nullptr;            // where the session's events arrive
  std::vector<std::string> actors;    // the first lanes, in order ("server", "client")
  std::string outside;                // the lane of the other end, whose calls are unseen ("" for trace)
  bool lane_per_connection = false;   // serve: each client's connection a lane (and card name) of its own
  std::string lang;                   // "" keeps the language the settings remember
  std::string screenshot;             // write this PNG once finished() holds, then exit
  bool follow = false;                // --follow: the Bytes panel opens on its Follow view
  bool present = false;               // presentation mode (--present)
  // Starts the session's threads; wake may be called from any thread to redraw.
  std::function<void(std::function<void()> wake)> start;
  std::function<void()> stop;         // stops and joins them; called once, on the UI thread
  std::function<bool()> finished;     // the session has done what it was asked to (screenshots)
  std::function<bool()> ended;        // nothing more will happen (the programs exited); empty: never
  // Dial only (empty otherwise): a message box with Send, and Reconnect. They hand the
  // request to the session's thread and return at once.
  std::function<void(const std::string&)> send;
  std::function<void()> reconnect;
  // check --gui: the sessions to pick from. choose(i) fills log with the i-th (after
  // clearing it) and returns the seq of the event to select (0: none).
  std::vector<LiveChoice> choices;
  std::size_t initial_choice = 0;
  std::function<std::uint64_t(std::size_t)> choose;
  StudentsInfo students;  // serve: the student view
  // Called with every event as the log appends it, on the appending thread, before the
  // window is woken: for what must see every event even if the log lets it go before the
  // window copies it (the student view's counts).
  std::function<void(const Event&)> observe;
  Exporter exporter;
};

// 0 ok (or the session's own exit code from code_after); 1 no display or runtime error.
int run_live_gui(const LiveGuiOptions& options);

// 0 ok; 1 no display (one line naming DISPLAY and `xvfb-run -a`) or runtime error;
// 2 bad input (unknown lesson or language, malformed lesson, too many steps).
int run_gui(const GuiOptions& options);

}  // namespace sockstep::ui
