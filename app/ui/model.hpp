#pragma once
#include <array>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/lesson/lesson.hpp"
#include "engine/lesson/reference_cards.hpp"
#include "engine/live/reverse_names.hpp"
#include "engine/live/student_tiles.hpp"
#include "engine/lesson/session.hpp"
#include "ui/conversation.hpp"
#include "ui/event_cache.hpp"
#include "ui/event_loops.hpp"
#include "ui/fonts.hpp"
#include "ui/layout_weights.hpp"
#include "ui/palette.hpp"
#include "ui/panel_specs.hpp"
#include "ui/prediction.hpp"
#include "ui/ui_text.hpp"

namespace sockstep::ui {

// What a view may ask for. Views never touch the session: they queue a command and
// the app carries it out between frames, on the UI thread.
struct Command {
  enum class Kind {
    Step,
    Back,
    Reset,
    GoTo,        // number = steps taken afterwards
    TogglePlay,
    SetSpeed,    // real = seconds per step
    RunUntilCall,   // text = call name
    RunUntilState,  // text = TCP state
    SetMessage,  // text
    Select,      // number = event seq (0 clears)
    SetLang,     // text = "en" / "zh"
    Zoom,        // real = factor to multiply by; 0 resets
    SetLight,    // number = 0/1
    OpenLesson,  // text = path
    ToggleHelp,
    TogglePanel, // number = Panel
    Pick,        // number = step, choice = the answer (kSkipped to skip the question)
    ToggleCard,  // text = call whose reference card to show; "" closes it
    Quit,
    LiveSend,       // text = the message (live dial)
    LiveReconnect,  // live dial
    LiveChoose,     // number = which of LiveInfo::choices to show
    TogglePresent,  // presentation mode on or off (F5)
    Maximise,       // number = Panel to fill the window with; -1 restores the tiling
    SetWeight,      // number = index into the layout weights, real = its new value
    Seek,           // a recording: number = events shown
    Export,         // text = the folder to write the session's files to
  };
  Command(Kind k, long long n = 0, double r = 0.0, std::string t = {})
      : kind(k), number(n), real(r), text(std::move(t)) {}
  static Command pick(std::size_t step, int answer) {
    Command c(Kind::Pick, static_cast<long long>(step));
    c.choice = answer;
    return c;
  }
  Kind kind;
  long long number = 0;
  double real = 0.0;
  std::string text;
  int choice = 0;
};

using Commands = std::vector<Command>;


struct LessonEntry {
  std::string path;
  std::string id;
  Text title;
};

// Learner-facing state that outlives a frame (and partly a run: see settings).
struct UiState {
  Lang lang = Lang::En;
  float zoom = 1.0f;
  bool light = false;
  bool help_open = false;
  bool playing = false;
  double play_seconds = 1.5;
  std::uint64_t selected_seq = 0;
  std::string message;            // the editable message, as the learner typed it
  bool message_set = false;       // the learner changed it from the lesson's text
  Picks picks;                    // answers to the lesson's predictions
  std::string card_call;          // the call whose reference card is open; "" if none
  PanelFlags visible = default_panels(false);
  LayoutWeights weights = default_weights(false);
  // Presentation mode: large text, the light theme, its own panels and weights.
  bool present = false;
  float present_zoom = 0.0f;  // 0: from the window's height (body text 3.6 % of it)
  PanelFlags present_visible = default_panels(true);
  LayoutWeights present_weights = default_weights(true);
  int maximised = -1;         // the Panel filling the window, -1 for none
  float font_zoom = 1.0f;     // the zoom the fonts are built at now (either mode)

  [[nodiscard]] const PanelFlags& shown_panels() const { return present ? present_visible : visible; }
  [[nodiscard]] const LayoutWeights& shown_weights() const { return present ? present_weights : weights; }
  [[nodiscard]] bool light_theme() const { return present || light; }
};

// What a live session (serve, dial, trace) adds to the model; absent for lessons.
// One of the sessions a live window can show (check --gui: one per check), as listed.
struct LiveChoice {
  Text label;          // "✗ short-writes"
  Text detail;         // why it failed, or what it checks
  bool passed = false;
};

// serve: the student view, one tile per client (F6 switches between it and the panels).
struct StudentsInfo {
  bool enabled = false;     // this session has clients to show as students
  bool open_first = false;  // the window opens on the student view (serve --allow-remote)
  // The name the LAN gives a client's host; never waits (empty: no names looked up).
  std::function<ReverseNames::Answer(const std::string&)> name_of;
  // The tiles as the session keeps them (fed with every event as it happens): the view
  // brings them up to date with the kernel and copies them for its frame. Empty: the view
  // learns them from the window's copy of the log.
  std::function<void(const std::function<void(StudentTiles&)>&)> with_tiles;
};

struct LiveInfo {
  std::string title;     // "dial 127.0.0.1:8084"
  std::string title_zh;  // the same in Chinese; empty: the title says it
  std::string ports;     // "8084, 40312"
  bool can_send = false; // a message box and Reconnect (dial)
  bool finished = false; // the session's programs have all ended
  std::vector<LiveChoice> choices;  // sessions to pick from (check --gui); empty: one
  std::size_t chosen = 0;           // the one shown
  StudentsInfo students;
};

// A recording reopened (sockstep open): where its timeline stands.
struct ReplayInfo {
  std::string file;        // the recording's path, as given
  std::size_t shown = 0;   // events shown: the timeline's position
  std::size_t total = 0;   // events it holds
};

// What File > Export offers and what it last did.
struct ExportInfo {
  bool available = false;  // this window can export its session
  std::string folder;      // the folder it proposes (and the learner may edit)
  std::string message;     // "Exported to ...", or why not; empty before any export
  bool failed = false;
  unsigned count = 0;      // exports so far: a new one shows its message
};

// Everything one frame draws from: one session snapshot, taken at the top of the frame.
struct Model {
  const Lesson* lesson = nullptr;
  const SessionSnapshot* snap = nullptr;
  const EventCache* events = nullptr;
  const Conversation* conversation = nullptr;
  const EventLoops* event_loops = nullptr;
  const std::vector<LessonEntry>* lessons = nullptr;
  const UiState* state = nullptr;
  const Fonts* fonts = nullptr;
  const Palette* palette = nullptr;
  const VerdictTimeline* verdicts = nullptr;
  const std::vector<ReferenceCard>* cards = nullptr;
  const LiveInfo* live = nullptr;  // a live session instead of a lesson
  const ReplayInfo* replay = nullptr;  // a recording reopened: the timeline
  const ExportInfo* exporting = nullptr;
  Commands* commands = nullptr;  // the one thing views write to
  std::string lesson_path;

  [[nodiscard]] Lang lang() const { return state->lang; }
  [[nodiscard]] const char* t(Tx id) const { return tx(id, state->lang); }
  [[nodiscard]] const std::string& t(const Text& text) const { return text.get(state->lang); }
  void send(Command command) const { commands->push_back(std::move(command)); }

  // The step just taken (what the learner is looking at), if any.
  [[nodiscard]] const Step* current_step() const;
  [[nodiscard]] int current_index() const { return static_cast<int>(snap->position) - 1; }
  [[nodiscard]] const Step* next_step() const;
  [[nodiscard]] float zoom() const { return state->font_zoom; }
  // The step about to run asks a question and Next waits for the answer (never while
  // playing: auto-play runs on without asking).
  [[nodiscard]] bool question_pending() const {
    return !state->playing && awaits_pick(*lesson, snap->position, state->picks);
  }
  // The question of the step about to run is on screen (answered or not).
  [[nodiscard]] const Predict* shown_question() const;
  [[nodiscard]] const ReferenceCard* card(const std::string& call) const {
    return cards != nullptr ? find_card(*cards, call) : nullptr;
  }
};

// The first step whose data the learner may edit: a client send of a literal message.
[[nodiscard]] std::optional<std::size_t> editable_send_step(const Lesson& lesson);
// The text that step sends as the lesson wrote it.
[[nodiscard]] std::string lesson_message(const Lesson& lesson);
// "socket(AF_INET, SOCK_STREAM)": a step's call as a learner reads it in code.
[[nodiscard]] std::string call_text(const Step& step);

}  // namespace sockstep::ui
