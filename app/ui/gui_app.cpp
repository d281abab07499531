#include "ui/gui_app.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <set>

#include "engine/text/errno_names.hpp"
#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/record/record_session.hpp"
#include "engine/record/recording.hpp"
#include "engine/lesson/reference_cards.hpp"
#include "ui/countdown.hpp"
#include "ui/export_folder.hpp"
#include "ui/font_text.hpp"
#include "ui/panels.hpp"
#include "ui/screenshot.hpp"

namespace sockstep::ui {
namespace {

constexpr float kMinZoom = 0.6f;
// How long --screenshot waits for a live session to finish before it pictures it anyway.
constexpr std::chrono::seconds kShotPatience{15};
constexpr float kMaxZoom = 3.0f;
// Presentation mode's body text as a share of the window's height: 3.6 % is 26 px at
// 1280x720, read from the back of a classroom (the normal 16 px is 2.2 %).
constexpr float kPresentTextShare = 0.036f;
constexpr float kBodyPixels = 16.0f;  // the body font at zoom 1 (fonts.cpp)
// A live window keeps at most this many snapshots for File > Export (the kernel's view
// changes a few times a second at most while sockets are open: hours of a session).
constexpr std::size_t kMaxLiveHistory = 20000;

}  // namespace

GuiApp::GuiApp(AppConfig config) : config_(std::move(config)) {
  state_.lang = config_.lang;
  state_.zoom = std::clamp(config_.settings.zoom, kMinZoom, kMaxZoom);
  state_.light = config_.settings.light;
  state_.visible = config_.settings.visible;
  state_.weights = config_.settings.weights;
  state_.present = config_.settings.present || config_.present;
  state_.present_zoom = config_.settings.present_zoom > 0.0f
                            ? std::clamp(config_.settings.present_zoom, kMinZoom, kMaxZoom)
                            : 0.0f;
  state_.present_visible = config_.settings.present_visible;
  state_.present_weights = config_.settings.present_weights;
}

float GuiApp::font_zoom() const {
  if (!state_.present) return state_.zoom;
  if (state_.present_zoom > 0.0f) return state_.present_zoom;
  int width = 0;
  int height = 720;
  if (window_ != nullptr) glfwGetWindowSize(window_, &width, &height);
  // In twentieths, so resizing the window rebuilds the fonts only now and then.
  const float zoom = std::round(static_cast<float>(height) * kPresentTextShare / kBodyPixels * 20.0f) / 20.0f;
  return std::clamp(zoom, 1.0f, kMaxZoom);
}

GuiApp::~GuiApp() {
  // The session's threads call glfwPostEmptyEvent: stop them before GLFW goes away.
  stop_live();
  session_.reset();
  if (imgui_ready_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (window_ != nullptr) glfwDestroyWindow(window_);
  glfwTerminate();
}

bool GuiApp::load_lesson(const std::string& path, std::string& error) {
  Lesson lesson;
  try {
    lesson = load_lesson_file(path);
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
  note_lesson_text(*fonts_, lesson);
  SessionOptions options;
  options.on_change = [] { glfwPostEmptyEvent(); };  // thread-safe in GLFW
  session_.reset();
  root_->forget_session();
  try {
    session_ = std::make_unique<Session>(std::move(lesson), std::move(options));
  } catch (const std::exception& e) {
    error = std::string("cannot start the lesson: ") + e.what();
    return false;
  }
  lesson_path_ = path;
  state_.selected_seq = 0;
  state_.playing = false;
  state_.message.clear();
  state_.message_set = false;
  state_.picks.clear();
  state_.card_call.clear();
  return true;
}

bool GuiApp::open(std::string& error, int& exit_code) {
  exit_code = 1;
  if (!glfwInit()) {
    const char* display = std::getenv("DISPLAY");
    const char* description = nullptr;
    glfwGetError(&description);
    if (display == nullptr || display[0] == '\0') {
      error = "cannot open a window: DISPLAY is not set (start it from a desktop, or run "
              "`xvfb-run -a sockstep gui ...` for a virtual display)";
    } else {
      error = std::string("cannot open a window on DISPLAY=") + display + ": " +
              (description != nullptr ? description : "GLFW failed") +
              " (or run `xvfb-run -a sockstep gui ...`)";
    }
    return false;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  const bool shot = !config_.screenshot.empty();
  const int width = config_.settings.width > 0 ? config_.settings.width : 1280;
  const int height = config_.settings.height > 0 ? config_.settings.height : 720;
  window_ = glfwCreateWindow(width, height, "sockstep", nullptr, nullptr);
  if (window_ == nullptr) {
    const char* description = nullptr;
    glfwGetError(&description);
    error = std::string("cannot create an OpenGL 3 window: ") +
            (description != nullptr ? description : "unknown GLFW error");
    return false;
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(1);

  // Set before the backend installs its callbacks: it keeps ours and calls it too.
  glfwSetWindowUserPointer(window_, this);
  glfwSetKeyCallback(window_, &GuiApp::on_key);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is computed, and tests need it fixed
  // A window not drawn for this long gives back its vertex buffers. A class's clients come
  // and go as socket cards and tiles, each its own child window: ImGui's default (60 s)
  // let a lab's worth of departed cards hold tens of MB.
  io.ConfigMemoryCompactTimer = 5.0f;
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 130");
  imgui_ready_ = true;

  fonts_ = std::make_unique<FontManager>(find_font_files());
  note_interface_text(*fonts_);
  root_ = std::make_unique<UiRoot>(*fonts_);
  if (const std::string cards = reference_cards_path(); !cards.empty()) {
    try {
      root_->set_cards(load_reference_cards(cards));
    } catch (const std::exception& e) {
      // The lessons still run; the steps simply offer no card.
      std::fprintf(stderr, "sockstep: %s\n", e.what());
    }
  }

  export_info_.available = static_cast<bool>(config_.exporter);
  root_->set_export(&export_info_);
  if (config_.replay != nullptr) {
    open_replay();
    rebuild_fonts();
    export_info_.folder = export_proposal();
    if (shot) frames_until_shot_ = 4;
    exit_code = 0;
    return true;
  }

  if (config_.live != nullptr) {
    open_live();
    export_info_.folder = export_proposal();
    rebuild_fonts();
    // Screenshot mode: the picture is taken once the session has done its work.
    if (shot) {
      if (config_.live->finished) {
        shot_waits_for_finish_ = true;
        shot_deadline_ = std::chrono::steady_clock::now() + kShotPatience;
      } else {
        frames_until_shot_ = 4;
      }
    }
    exit_code = 0;
    return true;
  }

  for (const std::string& path : lesson_files()) {
    try {
      Lesson lesson = load_lesson_file(path);
      note_lesson_text(*fonts_, lesson);
      lessons_.push_back(LessonEntry{path, lesson.id, lesson.title});
    } catch (const std::exception&) {
      // `sockstep lessons` reports broken files; the menu simply leaves them out.
    }
  }
  if (!load_lesson(config_.lesson_path, error)) {
    exit_code = 2;
    return false;
  }
  int steps = config_.steps;
  if (steps < 0 && config_.restore_step) steps = config_.settings.step;
  steps = std::clamp(steps, 0, static_cast<int>(session_->lesson().steps.size()));
  if (steps > 0) session_->go_to(static_cast<std::size_t>(steps));

  rebuild_fonts();
  export_info_.folder = export_proposal();
  // Screenshot mode: a few frames let windows size themselves and scroll to the step.
  if (shot) frames_until_shot_ = 4;
  exit_code = 0;
  return true;
}

void GuiApp::open_live() {
  const LiveGuiOptions& live = *config_.live;
  live_lesson_.id = "live";
  live_lesson_.actors = live.actors;
  if (!live.outside.empty() && !live.lane_per_connection &&
      std::find(live.actors.begin(), live.actors.end(), live.outside) == live.actors.end()) {
    live_lesson_.actors.push_back(live.outside);
  }
  live_info_.title = live.title;
  live_info_.title_zh = live.title_zh;
  live_info_.can_send = static_cast<bool>(live.send);
  live_info_.choices = live.choices;
  live_info_.students = live.students;
  if (!live.choices.empty() && live.choose) {
    live_info_.chosen = std::min(live.initial_choice, live.choices.size() - 1);
    state_.selected_seq = live.choose(live_info_.chosen);
  }
  // Sockets of programs nobody observes: the other end in serve/dial, or an untraced one.
  live_source_ = std::make_unique<LiveSource>(live.actors, live.outside.empty() ? "untraced" : live.outside);
  live_source_->name_outside_by_address(live.lane_per_connection);
  root_->set_live(live_lesson_, live_info_, live.outside, live.lane_per_connection);
  root_->show_follow(live.follow);
  auto wake = [this] {
    if (!wake_posted_.exchange(true)) glfwPostEmptyEvent();  // thread-safe in GLFW
  };
  if (live.log != nullptr)
    live.log->set_listener([wake, observe = live.observe](const Event& e) {
      if (observe) observe(e);
      wake();
    });
  if (live.start) live.start(wake);
  live_started_ = true;
}

void GuiApp::open_replay() {
  const RecordingGuiOptions& options = *config_.replay;
  Recording& r = *options.recording;
  recording_ = &r;
  snapshot_at_.clear();
  for (const RecordedSnapshot& snap : r.snapshots) snapshot_at_.push_back(events_before(r, snap));
  replay_info_.file = options.file;
  replay_info_.total = r.events.size();
  if (r.kind == RecordingKind::Lesson) {
    note_lesson_text(*fonts_, r.lesson);
    root_->set_recorded_lesson(r.lesson);
    // Before any snapshot: the lesson not started.
    no_snapshot_.step_count = r.lesson.steps.size();
    no_snapshot_.outcomes.resize(r.lesson.steps.size());
    for (const std::string& name : r.lesson.actors) {
      ActorView actor;
      actor.name = name;
      no_snapshot_.actors.push_back(std::move(actor));
    }
  } else {
    replay_lanes_.id = "recording";
    replay_lanes_.actors = r.actors;
    if (!r.outside.empty() && !r.lane_per_connection &&
        std::find(r.actors.begin(), r.actors.end(), r.outside) == r.actors.end())
      replay_lanes_.actors.push_back(r.outside);
    replay_live_.title = r.title;
    replay_live_.title_zh = r.title_zh;
    replay_live_.finished = true;
    // The ports the calls named, as the live window learnt them (LiveSource::observe).
    std::set<int> ports;
    for (const Event& e : r.events) {
      if (e.kind != EventKind::Call) continue;
      for (const Address* a : {&e.sock.local, (is_connect(e.call) || e.call == Call::SendTo) ? &e.sock.peer : nullptr})
        if (a != nullptr && a->family != AF_UNIX && a->port != 0) ports.insert(a->port);
    }
    for (const int port : ports) replay_live_.ports += (replay_live_.ports.empty() ? "" : ", ") + std::to_string(port);
    root_->set_live(replay_lanes_, replay_live_, r.outside, r.lane_per_connection);
  }
  root_->set_replay(&replay_info_);
  // Where it starts: after --steps steps, at --at events, else at its end.
  if (options.steps >= 0) {
    replay_seek(0);
    for (std::size_t k = 0; k < r.snapshots.size(); ++k)
      if (r.snapshots[k].snap.position == static_cast<std::size_t>(options.steps)) {
        replay_snapshot(k);
        break;
      }
  } else {
    replay_seek(options.at >= 0 ? static_cast<std::size_t>(options.at) : r.events.size());
  }
}

void GuiApp::replay_seek(std::size_t events) {
  replay_info_.shown = std::min(events, recording_->events.size());
  // The last snapshot that holds for the events shown (the first, before any does).
  const auto after = std::upper_bound(snapshot_at_.begin(), snapshot_at_.end(), replay_info_.shown);
  replay_snap_ = after == snapshot_at_.begin() ? 0 : static_cast<std::size_t>(after - snapshot_at_.begin()) - 1;
}

void GuiApp::replay_snapshot(std::size_t k) {
  if (k >= snapshot_at_.size()) return;
  replay_snap_ = k;
  replay_info_.shown = snapshot_at_[k];
}

Recording GuiApp::replay_whole() const {
  Recording whole;
  whole.kind = recording_->kind;
  whole.lang = recording_->lang;
  whole.title = recording_->title;
  whole.title_zh = recording_->title_zh;
  whole.preface = recording_->preface;
  whole.lesson_name = recording_->lesson_name;
  whole.lesson_source = recording_->lesson_source;
  whole.actors = recording_->actors;
  whole.outside = recording_->outside;
  whole.lane_per_connection = recording_->lane_per_connection;
  whole.snapshots = recording_->snapshots;
  whole.lesson = recording_->lesson;
  const auto& shown = root_->events().events();
  whole.events.reserve(recording_->events.size());
  whole.events.insert(whole.events.end(), shown.begin(), shown.end());
  whole.events.insert(whole.events.end(), recording_->events.begin() + static_cast<long>(shown.size()),
                      recording_->events.end());
  return whole;
}

const SessionSnapshot& GuiApp::replay_shown() const {
  return recording_->snapshots.empty() ? no_snapshot_ : recording_->snapshots[replay_snap_].snap;
}

void GuiApp::apply_replay(const Command& command) {
  using K = Command::Kind;
  const auto& snaps = recording_->snapshots;
  const bool lesson = recording_->kind == RecordingKind::Lesson && !snaps.empty();
  const std::size_t shown = replay_info_.shown;
  switch (command.kind) {
    case K::Seek:
      state_.playing = false;
      replay_seek(static_cast<std::size_t>(std::max(0LL, command.number)));
      break;
    case K::Step:
      if (lesson) {
        replay_snapshot(replay_snap_ + 1);
      } else {
        replay_seek(shown + 1);
      }
      break;
    case K::Back:
      state_.playing = false;
      if (!lesson) {
        replay_seek(shown > 0 ? shown - 1 : 0);
      } else if (shown > snapshot_at_[replay_snap_]) {
        replay_snapshot(replay_snap_);  // scrubbed past a step: back to it
      } else if (replay_snap_ > 0) {
        replay_snapshot(replay_snap_ - 1);
      }
      break;
    case K::Reset:
      state_.playing = false;
      state_.picks.clear();
      if (lesson) {
        replay_snapshot(0);
      } else {
        replay_seek(0);
      }
      break;
    case K::GoTo:
      state_.playing = false;
      for (std::size_t k = 0; k < snaps.size(); ++k)
        if (snaps[k].snap.position == static_cast<std::size_t>(std::max(0LL, command.number))) {
          replay_snapshot(k);
          break;
        }
      break;
    case K::TogglePlay: {
      const bool at_end = lesson ? replay_snap_ + 1 >= snaps.size() : shown >= recording_->events.size();
      state_.playing = !state_.playing && !at_end;
      next_play_ = std::chrono::steady_clock::now();
      break;
    }
    case K::SetSpeed:
      state_.play_seconds = std::clamp(command.real, 0.3, 5.0);
      break;
    case K::RunUntilCall:
    case K::RunUntilState:
      // Forward along the snapshots until the step just taken made that call, or a
      // socket is in that state.
      for (std::size_t k = replay_snap_ + 1; lesson && k < snaps.size(); ++k) {
        replay_snapshot(k);
        const SessionSnapshot& snap = snaps[k].snap;
        if (command.kind == K::RunUntilCall) {
          if (snap.position > 0 && recording_->lesson.steps[snap.position - 1].call == command.text) break;
          continue;
        }
        const bool holds =
            std::any_of(snap.sockets.begin(), snap.sockets.end(),
                        [&](const SocketCard& card) { return card.view.state == command.text; }) ||
            std::any_of(snap.orphans.begin(), snap.orphans.end(),
                        [&](const OrphanSocket& orphan) { return orphan.state == command.text; });
        if (holds) break;
      }
      break;
    case K::Pick:
      if (command.number >= 0) state_.picks[static_cast<std::size_t>(command.number)] = command.choice;
      break;
    default:
      break;  // a recording's message and lesson are what they were
  }
}

std::string GuiApp::export_proposal() const {
  namespace fs = std::filesystem;
  std::string name = "session";
  if (recording_ != nullptr) {
    name = fs::path(replay_info_.file).stem().string();
    if (name.empty() || name == "session") name = recording_->title.empty() ? "recording" : recording_->title;
  } else if (session_) {
    name = session_->lesson().id;
  } else if (!live_info_.title.empty()) {
    name = live_info_.title.substr(0, live_info_.title.find(' '));
  }
  name = export_folder_name(name);
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  const char* home = std::getenv("HOME");
  std::error_code ec;
  const fs::path base = home != nullptr && home[0] != '\0' ? fs::path(home) : fs::current_path(ec);
  return (base / "sockstep-exports" / (name + "-" + stamp)).string();
}

void GuiApp::export_to(const std::string& dir) {
  if (!config_.exporter) return;
  Recording made;
  const Recording* recording = nullptr;
  if (recording_ != nullptr) {
    made = replay_whole();
    recording = &made;
  } else if (session_) {
    // The steps taken, replayed on fresh sockets as Back does, with the kernel's view kept
    // after each: what the recording holds (kept all along, it would slow every Back).
    const std::size_t at = session_->position();
    session_->keep_history(true);
    session_->go_to(at);
    made = lesson_recording(*session_, state_.lang);
    session_->keep_history(false);
    recording = &made;
  } else if (recording == nullptr && config_.live != nullptr && config_.live->log != nullptr) {
    made.kind = RecordingKind::Live;
    made.lang = state_.lang;
    made.title = live_info_.title;
    made.title_zh = live_info_.title_zh;
    made.actors = live_lesson_.actors;
    made.outside = config_.live->outside;
    made.lane_per_connection = config_.live->lane_per_connection;
    made.events = config_.live->log->all();
    made.snapshots = live_history_;
    recording = &made;
  }
  if (recording == nullptr) return;
  std::error_code ec;
  const std::string folder = std::filesystem::absolute(dir, ec).string();
  const std::string why = config_.exporter(ec ? dir : folder, *recording);
  export_info_.failed = !why.empty();
  char line[2048];
  std::snprintf(line, sizeof line, tx(export_info_.failed ? Tx::ExportFailed : Tx::ExportedTo, state_.lang),
                export_info_.failed ? why.c_str() : (ec ? dir : folder).c_str());
  export_info_.message = line;
  ++export_info_.count;
  fonts_->note_text(export_info_.message);
  // The terminal hears it too: where the files are, to copy the path from.
  std::fprintf(stderr, "sockstep: %s\n", line);
  export_info_.folder = export_proposal();
}

void GuiApp::stop_live() {
  if (!live_started_) return;
  live_started_ = false;
  if (config_.live->stop) config_.live->stop();
  if (config_.live->log != nullptr) config_.live->log->set_listener(nullptr);
}

void GuiApp::rebuild_fonts() {
  if (imgui_ready_) ImGui_ImplOpenGL3_DestroyFontsTexture();
  const float zoom = font_zoom();
  fonts_->build(zoom);
  if (imgui_ready_) {
    // The backend would otherwise make its shaders (and the font texture, from the
    // atlas's CPU pixels) at the first NewFrame: after ClearTexData below there are
    // none, so the shaders are made here, once.
    if (!gl_objects_ready_) {
      ImGui_ImplOpenGL3_CreateDeviceObjects();
      gl_objects_ready_ = true;
    } else {
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    // The texture holds the pixels now; ImGui's CPU copies (alpha and RGBA) can go.
    ImGui::GetIO().Fonts->ClearTexData();
  }
  // Building the atlas churns through many temporary blocks: hand them back.
  malloc_trim(0);
  apply_style(state_.light_theme(), zoom);
  root_->set_palette(make_palette(state_.light_theme()));
  built_zoom_ = zoom;
  built_light_ = state_.light_theme();
  state_.font_zoom = zoom;
}

void GuiApp::update_title() {
  if (recording_ != nullptr) {
    char where[128];
    std::snprintf(where, sizeof where, "event %zu/%zu", replay_info_.shown, replay_info_.total);
    std::string title = "sockstep — " + replay_info_.file + " — " + where;
    if (recording_->kind == RecordingKind::Lesson)
      title += " — step " + std::to_string(replay_shown().position) + "/" + std::to_string(replay_shown().step_count);
    if (title_ != title) {
      title_ = title;
      glfwSetWindowTitle(window_, title.c_str());
    }
    return;
  }
  if (live_source_) {
    const std::string title = "sockstep — " + live_info_.title + (live_info_.finished ? " (ended)" : "");
    if (title_ != title) {
      title_ = title;
      glfwSetWindowTitle(window_, title.c_str());
    }
    return;
  }
  char title[256];
  const SessionSnapshot& snap = root_->snapshot();
  std::snprintf(title, sizeof title, "sockstep - %s - step %zu/%zu%s",
                session_->lesson().id.c_str(), snap.position, snap.step_count,
                state_.playing ? " (playing)" : "");
  if (title_ != title) {
    title_ = title;
    glfwSetWindowTitle(window_, title);
  }
}

bool GuiApp::apply_view(const Command& command) {
  using K = Command::Kind;
  switch (command.kind) {
    case K::Select:
      state_.selected_seq = static_cast<std::uint64_t>(command.number);
      return true;
    case K::SetLang:
      if (auto lang = lang_from_code(command.text)) state_.lang = *lang;
      remember();
      return true;
    case K::Zoom:
      if (state_.present) {
        // From the zoom shown now, so the first Ctrl + leaves the automatic size smoothly.
        state_.present_zoom = command.real == 0.0 ? 0.0f
                                                  : std::clamp(font_zoom() * static_cast<float>(command.real),
                                                               kMinZoom, kMaxZoom);
      } else {
        state_.zoom = command.real == 0.0
                          ? 1.0f
                          : std::clamp(state_.zoom * static_cast<float>(command.real), kMinZoom, kMaxZoom);
      }
      remember();
      return true;
    case K::TogglePresent:
      state_.present = !state_.present;
      state_.maximised = -1;
      remember();
      return true;
    case K::Maximise:
      state_.maximised = command.number >= 0 && command.number < static_cast<long long>(kPanelCount)
                             ? static_cast<int>(command.number)
                             : -1;
      return true;
    case K::SetWeight: {
      auto& weights = state_.present ? state_.present_weights : state_.weights;
      const auto index = static_cast<std::size_t>(command.number);
      if (index < weights.size() && command.real > 0.0) weights[index] = static_cast<float>(command.real);
      return true;
    }
    case K::SetLight:
      state_.light = command.number != 0;
      remember();
      return true;
    case K::ToggleHelp:
      state_.help_open = !state_.help_open;
      return true;
    case K::TogglePanel: {
      const auto index = static_cast<std::size_t>(command.number);
      auto& visible = state_.present ? state_.present_visible : state_.visible;
      if (index < kPanelCount) visible[index] = !visible[index];
      // Asking for a panel while another fills the window brings the tiling back.
      if (state_.maximised >= 0 && visible[index]) state_.maximised = -1;
      remember();
      return true;
    }
    case K::ToggleCard:
      state_.card_call = command.text == state_.card_call ? std::string() : command.text;
      return true;
    case K::Quit:
      quit_ = true;
      return true;
    case K::Export:
      export_to(command.text);
      return true;
    case K::LiveSend:
      if (config_.live != nullptr && config_.live->send) config_.live->send(command.text);
      return true;
    case K::LiveChoose: {
      const auto index = static_cast<std::size_t>(command.number);
      if (config_.live == nullptr || !config_.live->choose || index >= live_info_.choices.size()) return true;
      live_info_.chosen = index;
      state_.selected_seq = config_.live->choose(index);
      // The log holds another session now: what was learnt from the last one is dropped.
      live_source_ = std::make_unique<LiveSource>(config_.live->actors,
                                                  config_.live->outside.empty() ? "untraced" : config_.live->outside);
      live_source_->name_outside_by_address(config_.live->lane_per_connection);
      live_history_.clear();
      return true;
    }
    case K::LiveReconnect:
      if (config_.live != nullptr && config_.live->reconnect) config_.live->reconnect();
      return true;
    default:
      return false;
  }
}

void GuiApp::apply(const Command& command) {
  using K = Command::Kind;
  if (apply_view(command)) return;
  if (recording_ != nullptr) {
    apply_replay(command);
    return;
  }
  // A live session has no steps: what is left are lesson commands.
  if (!session_) return;
  Session& session = *session_;
  switch (command.kind) {
    case K::Step:
      session.step();
      break;
    case K::Back:
      state_.playing = false;
      session.back();
      break;
    case K::Reset:
      state_.playing = false;
      state_.picks.clear();  // starting over asks every question again
      session.reset();
      break;
    case K::GoTo:
      state_.playing = false;
      session.go_to(static_cast<std::size_t>(std::max(0LL, command.number)));
      break;
    case K::TogglePlay:
      state_.playing = !state_.playing && !session.finished();
      next_play_ = std::chrono::steady_clock::now();
      break;
    case K::SetSpeed:
      state_.play_seconds = std::clamp(command.real, 0.3, 5.0);
      break;
    case K::RunUntilCall: {
      const auto& steps = session.lesson().steps;
      while (auto index = session.step()) {
        if (steps[*index].call == command.text) break;
      }
      break;
    }
    case K::RunUntilState: {
      const auto holds = [&] {
        const SessionSnapshot snap = session.snapshot();
        for (const SocketCard& card : snap.sockets) {
          if (card.view.state == command.text) return true;
        }
        for (const OrphanSocket& orphan : snap.orphans) {
          if (orphan.state == command.text) return true;
        }
        return false;
      };
      // "until it next becomes": always take at least one step.
      while (session.step()) {
        if (holds()) break;
      }
      break;
    }
    case K::SetMessage: {
      state_.message = command.text;
      state_.message_set = true;
      session.set_message(command.text);
      // A message already sent is replayed with the new text on fresh sockets.
      const auto send_step = editable_send_step(session.lesson());
      if (send_step && session.position() > *send_step) session.go_to(session.position());
      break;
    }
    case K::OpenLesson: {
      std::string error;
      const std::string previous = lesson_path_;
      if (!load_lesson(command.text, error)) {
        std::fprintf(stderr, "sockstep: %s\n", error.c_str());
        std::string ignored;
        if (!session_) load_lesson(previous, ignored);
      }
      remember();
      break;
    }
    case K::Pick:
      if (command.number >= 0) state_.picks[static_cast<std::size_t>(command.number)] = command.choice;
      break;
    default:
      break;  // handled by apply_view
  }
}

void GuiApp::remember() {
  if (!config_.save_settings || !session_) return;
  Settings& s = config_.settings;
  s.lang = lang_code(state_.lang);
  s.zoom = state_.zoom;
  s.light = state_.light;
  s.lesson = session_->lesson().id;
  s.step = static_cast<int>(session_->position());
  s.visible = state_.visible;
  s.weights = state_.weights;
  s.present = state_.present;
  s.present_zoom = state_.present_zoom;
  s.present_visible = state_.present_visible;
  s.present_weights = state_.present_weights;
  if (window_ != nullptr) glfwGetWindowSize(window_, &s.width, &s.height);
  std::string error;
  if (!save_settings(config_.settings_path, s, &error) && !error.empty()) {
    std::fprintf(stderr, "sockstep: %s\n", error.c_str());
  }
}

void GuiApp::on_key(GLFWwindow* window, int key, int /*scancode*/, int action, int mods) {
  auto* app = static_cast<GuiApp*>(glfwGetWindowUserPointer(window));
  if (app != nullptr && (action == GLFW_PRESS || action == GLFW_REPEAT)) {
    app->keys_.push_back(KeyPress{key, mods});
  }
}

bool GuiApp::refresh(bool read_kernel) {
  if (recording_ != nullptr) {
    root_->refresh_recorded(*recording_, replay_info_.shown, replay_shown(), state_);
    return true;
  }
  if (!live_source_) {
    root_->refresh(*session_, state_);
    return true;
  }
  wake_posted_ = false;  // events from now on post a new wake-up
  const bool changed = root_->refresh_live(*live_source_, *config_.live->log, read_kernel);
  // What the window showed, each time it changed: File > Export's recording replays it.
  if (changed && config_.exporter && live_history_.size() < kMaxLiveHistory) {
    const auto& events = root_->events().events();
    live_history_.push_back(SnapshotAt{events.empty() ? 0 : events.back().seq, root_->snapshot()});
    // A view of events the window no longer holds replays nothing: only the last one
    // before the oldest event kept stays, as the state that event started from. So the
    // history is as long as the log (serve's keeps its newest 5,000 calls), not as the
    // session: a lab's hundred sockets in each view would otherwise grow without end.
    if (!events.empty()) {
      const std::uint64_t oldest = events.front().seq;
      const auto first_kept = std::find_if(live_history_.begin(), live_history_.end(),
                                           [&](const SnapshotAt& at) { return at.after_seq >= oldest; });
      if (first_kept - live_history_.begin() > 1) live_history_.erase(live_history_.begin(), first_kept - 1);
    }
  }
  if (changed) {
    std::string ports;
    for (int port : live_source_->ports()) ports += (ports.empty() ? "" : ", ") + std::to_string(port);
    live_info_.ports = ports;
  }
  const bool finished = config_.live->ended && config_.live->ended();
  if (finished != live_info_.finished) {
    live_info_.finished = finished;
    return true;
  }
  return changed;
}

bool GuiApp::frame() {
  if (built_zoom_ != font_zoom() || built_light_ != state_.light_theme() || fonts_->stale()) rebuild_fonts();
  refresh(true);
  return draw_frame();
}

bool GuiApp::draw_frame() {
  if (fonts_->stale()) rebuild_fonts();  // this snapshot brought a character never drawn

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  const auto start = std::chrono::steady_clock::now();
  ImGui::NewFrame();
  commands_.clear();
  root_->draw(state_, lessons_, lesson_path_, keys_, commands_);
  keys_.clear();
  ImGui::Render();
  last_build_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  int width = 0;
  int height = 0;
  glfwGetFramebufferSize(window_, &width, &height);
  glViewport(0, 0, width, height);
  const ImVec4 clear = state_.light_theme() ? ImVec4(0.94f, 0.94f, 0.94f, 1.0f) : ImVec4(0.1f, 0.1f, 0.11f, 1.0f);
  glClearColor(clear.x, clear.y, clear.z, clear.w);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (frames_until_shot_ == 0) {
    std::string error;
    if (!write_screenshot(config_.screenshot, width, height, &error)) {
      std::fprintf(stderr, "sockstep: %s\n", error.c_str());
      exit_code_ = 1;
    }
    quit_ = true;
  } else if (frames_until_shot_ > 0) {
    --frames_until_shot_;
  }
  glfwSwapBuffers(window_);

  const bool changed = !commands_.empty();
  for (const Command& command : commands_) apply(command);
  update_title();
  return changed;
}

double GuiApp::wait_seconds() const {
  double seconds = 30.0;
  if (shot_waits_for_finish_)
    seconds = std::max(0.0, std::chrono::duration<double>(shot_deadline_ - std::chrono::steady_clock::now()).count());
  // Live: while sockets are open, read the kernel twice a second so queue bars move
  // (a frame is drawn only when something changed).
  if (live_source_ && live_source_->has_open_sockets()) return 0.5;
  if (state_.playing) {
    const auto left = std::chrono::duration<double>(next_play_ - std::chrono::steady_clock::now()).count();
    seconds = std::max(0.0, left);
  }
  // A TIME_WAIT card counts down in steps: wake when the number it shows changes.
  const int countdown_ms = ms_until_countdown_changes(root_->snapshot().orphans);
  if (countdown_ms >= 0) seconds = std::min(seconds, countdown_ms / 1000.0);
  return seconds;
}

void GuiApp::run_for(std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  int extra = 2;
  while (!quit_ && !glfwWindowShouldClose(window_) && std::chrono::steady_clock::now() < end) {
    if (shot_waits_for_finish_ && (config_.live->finished() || std::chrono::steady_clock::now() >= shot_deadline_)) {
      if (!config_.live->finished())
        std::fprintf(stderr, "sockstep: the session had not finished after %lld s; the picture shows it as it was then\n",
                     static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(kShotPatience).count()));
      shot_waits_for_finish_ = false;
      frames_until_shot_ = 4;
    }
    if (extra > 0) {
      glfwPollEvents();
      --extra;
    } else {
      const auto now = std::chrono::steady_clock::now();
      const double left = std::chrono::duration<double>(end - now).count();
      const double wait = std::max(0.0, std::min(wait_seconds(), left));
      glfwWaitEventsTimeout(wait);
      const bool timed_out =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - now).count() >= wait;
      // Input completes over the next frames (a click is down, then up); a timer tick
      // has no input, so one frame is enough.
      extra = timed_out ? 0 : 2;
      if (timed_out && live_source_ && frames_until_shot_ < 0) {
        // A live session's timer tick: a frame only if the kernel shows something new.
        if (refresh(true) && draw_frame()) extra = 2;
        continue;
      }
    }
    if (state_.playing && std::chrono::steady_clock::now() >= next_play_) {
      const bool at_end =
          recording_ != nullptr
              ? (recording_->kind == RecordingKind::Lesson && !recording_->snapshots.empty()
                     ? replay_snap_ + 1 >= recording_->snapshots.size()
                     : replay_info_.shown >= recording_->events.size())
              : session_->finished();
      if (at_end) {
        state_.playing = false;
      } else {
        apply(Command{Command::Kind::Step});
        next_play_ = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<int>(state_.play_seconds * 1000));
      }
    }
    if (frame()) extra = 2;
    if (frames_until_shot_ >= 0) extra = 1;  // screenshot mode never waits
  }
}

int GuiApp::run() {
  while (!quit_ && !glfwWindowShouldClose(window_)) run_for(std::chrono::hours(24));
  remember();
  return exit_code_;
}

}  // namespace sockstep::ui
