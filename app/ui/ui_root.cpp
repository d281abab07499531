#include "ui/ui_root.hpp"

#include <GLFW/glfw3.h>  // key codes only: the 1.86 backend indexes KeysDown by them
#include <imgui.h>

#include <algorithm>

#include "ui/layout.hpp"

namespace sockstep::ui {

UiRoot::UiRoot(FontManager& fonts) : fonts_(fonts), palette_(make_palette(false)) {}

void UiRoot::set_cards(std::vector<ReferenceCard> cards) {
  cards_ = std::move(cards);
  for (const ReferenceCard& card : cards_) {
    for (const Text* text : {&card.summary, &card.blocks}) {
      fonts_.note_text(text->en);
      fonts_.note_text(text->zh);
    }
    fonts_.note_text(card.c_signature);
    fonts_.note_text(card.python);
    for (const CardError& error : card.errors) {
      fonts_.note_text(error.python.zh);
      fonts_.note_text(error.meaning.en);
      fonts_.note_text(error.meaning.zh);
    }
  }
}

void UiRoot::forget_session() {
  snap_ = SessionSnapshot{};
  verdicts_ = VerdictTimeline{};
  events_ = EventCache{};
  conversation_ = Conversation{};
  conversation_revision_ = 0;
  event_loops_.reset();
  event_loops_fed_ = 0;
  last_position_ = 0;
  last_generation_ = 0;
  lesson_ = nullptr;
  live_ = nullptr;
}

void UiRoot::refresh(Session& session, UiState& state) {
  lesson_ = &session.lesson();
  snap_ = session.snapshot();
  const std::size_t before = events_.events().size();
  const std::uint64_t revision_before = events_.revision();
  events_.sync(session.events());
  after_lesson_refresh(state, before, revision_before);
}

void UiRoot::refresh_recorded(Recording& recording, std::size_t shown, const SessionSnapshot& snap,
                              UiState& state) {
  snap_ = snap;
  const std::size_t before = events_.events().size();
  const std::uint64_t revision_before = events_.revision();
  events_.show(recording.events, shown);
  if (live_ == nullptr) {
    after_lesson_refresh(state, before, revision_before);
    return;
  }
  follow_events([&] { conversation_.set_outside(outside_lane_, lane_per_connection_); });
  const std::size_t first_new = events_.revision() != revision_before ? 0 : before;
  note_event_text(first_new);
}

void UiRoot::follow_events(const std::function<void()>& set_up_conversation) {
  const auto& events = events_.events();
  if (conversation_revision_ != events_.revision()) {
    conversation_revision_ = events_.revision();
    conversation_.reset(lesson_->actors);
    set_up_conversation();
    event_loops_.reset();
    event_loops_fed_ = 0;
  }
  for (std::size_t i = conversation_.consumed(); i < events.size(); ++i) conversation_.add(events[i], i);
  conversation_.set_consumed(events.size());
  for (; event_loops_fed_ < events.size(); ++event_loops_fed_) event_loops_.add(events[event_loops_fed_]);
}

void UiRoot::note_event_text(std::size_t first_new) {
  const auto& events = events_.events();
  for (std::size_t i = first_new; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.kind == EventKind::Print || e.kind == EventKind::Note) fonts_.note_text(e.detail);
    if (e.kind == EventKind::Note) fonts_.note_text(e.args);  // its Chinese
    if (e.kind == EventKind::Call && !e.bytes.empty()) fonts_.note_text(e.bytes.substr(0, 256));
  }
}

void UiRoot::after_lesson_refresh(UiState& state, std::size_t before, std::uint64_t revision_before) {
  verdicts_.update(*lesson_, snap_);
  const auto& events = events_.events();

  std::size_t first_new = before;
  if (events_.revision() != revision_before) first_new = 0;
  follow_events([&] { conversation_.set_lesson(true); });

  // Text the program prints or sockstep notes may hold characters no lesson had.
  for (std::size_t i = first_new; i < events.size(); ++i) {
    if (events[i].kind == EventKind::Print || events[i].kind == EventKind::Note) {
      fonts_.note_text(events[i].detail);
      fonts_.note_text(events[i].args);  // a note's Chinese
    }
  }
  fonts_.note_text(snap_.notice.en);
  fonts_.note_text(snap_.notice.zh);
  fonts_.note_text(state.message);

  // After a step, show its bytes without a click: select the step's last data call.
  if (snap_.position != last_position_ || snap_.generation != last_generation_) {
    last_position_ = snap_.position;
    last_generation_ = snap_.generation;
    const int step = static_cast<int>(snap_.position) - 1;
    state.selected_seq = 0;
    // A step's events sit among the last few (a woken call of an earlier step may come
    // after them), so a short look back is enough.
    const std::size_t stop = events.size() > 256 ? events.size() - 256 : 0;
    for (std::size_t i = events.size(); i-- > stop && step >= 0;) {
      if (events[i].step == step && events[i].kind == EventKind::Call && !events[i].bytes.empty()) {
        state.selected_seq = events[i].seq;
        break;
      }
    }
  }
}

void UiRoot::set_live(const Lesson& lesson, const LiveInfo& info, const std::string& outside_lane,
                      bool lane_per_connection) {
  forget_session();
  lane_per_connection_ = lane_per_connection;
  lesson_ = &lesson;
  live_ = &info;
  outside_lane_ = outside_lane;
  fonts_.note_text(info.title);
  fonts_.note_text(info.title_zh);
}

bool UiRoot::refresh_live(LiveSource& live, const EventLog& log, bool read_kernel) {
  // A live session's log says how much of it is kept (serve's keeps less: a class can
  // flood it); the window's copy keeps no more than that.
  const EventLogLimits& limits = log.limits();
  if (events_.max_events() != limits.max_events || events_.max_bytes() != limits.max_total_bytes)
    events_ = EventCache(limits.max_events, limits.max_total_bytes);
  const std::size_t before = events_.events().size();
  const std::uint64_t revision_before = events_.revision();
  const std::size_t added = events_.sync(log);
  const auto& events = events_.events();
  // The live source keeps its own state: it only needs each event once, in order.
  for (std::size_t i = events.size() - added; i < events.size(); ++i) live.observe(events[i]);
  follow_events([&] {
    conversation_.set_outside(outside_lane_, lane_per_connection_);
    conversation_.set_max_kept_all(std::min(Conversation::kMaxKeptAll, events_.max_bytes()));
  });
  note_event_text(events_.revision() != revision_before ? 0 : before);
  // New events may mean new sockets: a full dump. Otherwise the cheap look-up of the
  // sockets already shown (queues moving), which dumps again only on a change.
  const bool kernel_changed = added > 0 ? live.refresh_kernel(true) : read_kernel && live.refresh_kernel(false);
  if (added > 0 || kernel_changed) snap_ = live.snapshot();
  return added > 0 || kernel_changed;
}

void UiRoot::shortcuts(const Model& model, const UiState& state, const std::vector<KeyPress>& keys) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;  // typing a message must not step the lesson
  // Keys of one batch act in order on where the lesson will be: "Right 2 Right" typed
  // fast reaches the question, answers it and runs the step.
  const std::vector<Step>& steps = model.lesson->steps;
  std::size_t next = model.snap->position;  // the step Right would run now
  std::optional<std::size_t> answered;       // a question answered earlier in this batch
  for (const KeyPress& press : keys) {
    const int key = press.key;
    if ((press.mods & GLFW_MOD_CONTROL) != 0) {
      // Ctrl 1 … Ctrl 8: a panel in or out, in the View menu's order.
      if (key >= GLFW_KEY_1 && key < GLFW_KEY_1 + static_cast<int>(kPanelCount)) {
        model.send({Command::Kind::TogglePanel, key - GLFW_KEY_1});
      }
      if (key == GLFW_KEY_EQUAL || key == GLFW_KEY_KP_ADD) model.send({Command::Kind::Zoom, 0, 1.15});
      if (key == GLFW_KEY_MINUS || key == GLFW_KEY_KP_SUBTRACT) model.send({Command::Kind::Zoom, 0, 1.0 / 1.15});
      if (key == GLFW_KEY_0 || key == GLFW_KEY_KP_0) model.send({Command::Kind::Zoom, 0, 0.0});
      if (key == GLFW_KEY_Q) model.send({Command::Kind::Quit});
      if (key == GLFW_KEY_E && model.exporting != nullptr && model.exporting->available) export_view_.open_requested = true;
      continue;
    }
    // A recording's timeline: to either end, or one event at a time.
    if (model.replay != nullptr) {
      const auto shown = static_cast<long long>(model.replay->shown);
      if (key == GLFW_KEY_HOME) model.send({Command::Kind::Seek, 0});
      if (key == GLFW_KEY_END) model.send({Command::Kind::Seek, static_cast<long long>(model.replay->total)});
      if (key == GLFW_KEY_COMMA) model.send({Command::Kind::Seek, std::max(0LL, shown - 1)});
      if (key == GLFW_KEY_PERIOD) model.send({Command::Kind::Seek, shown + 1});
    }
    // A question before the step holds Next until it is answered or skipped.
    const bool held = !state.playing && awaits_pick(*model.lesson, next, state.picks) && answered != next;
    if ((key == GLFW_KEY_RIGHT || key == GLFW_KEY_SPACE) && !held) {
      model.send({Command::Kind::Step});
      next = std::min(next + 1, steps.size());
    }
    if (key == GLFW_KEY_LEFT) {
      model.send({Command::Kind::Back});
      next = next > 0 ? next - 1 : 0;
    }
    if (key == GLFW_KEY_R) {
      model.send({Command::Kind::Reset});
      next = 0;
    }
    if (next < steps.size() && steps[next].predict && !state.playing) {
      const std::size_t choices = steps[next].predict->choices.size();
      int digit = -1;
      if (key >= GLFW_KEY_1 && key <= GLFW_KEY_9) digit = key - GLFW_KEY_1;
      if (key >= GLFW_KEY_KP_1 && key <= GLFW_KEY_KP_9) digit = key - GLFW_KEY_KP_1;
      if (digit >= 0 && static_cast<std::size_t>(digit) < choices) {
        model.send(Command::pick(next, digit));
        answered = next;
      }
      if (key == GLFW_KEY_S) {
        model.send(Command::pick(next, kSkipped));
        answered = next;
      }
    }
    if (key == GLFW_KEY_F2) {
      // The card of the call just made; before the first step, of the one about to run.
      const Step* step = model.current_step() != nullptr ? model.current_step() : model.next_step();
      if (step != nullptr) model.send({Command::Kind::ToggleCard, 0, 0.0, step->call});
    }
    if (key == GLFW_KEY_ESCAPE && !state.card_call.empty()) model.send({Command::Kind::ToggleCard});
    if (key == GLFW_KEY_F5) model.send({Command::Kind::TogglePresent});
    // M fills the window with the panel under the pointer (the last one pointed at),
    // and M or Esc gives the others back.
    if (key == GLFW_KEY_M) {
      model.send({Command::Kind::Maximise, state.maximised >= 0 ? -1 : static_cast<long long>(pointed_panel_)});
    }
    if (key == GLFW_KEY_ESCAPE && state.maximised >= 0 && state.card_call.empty() && !state.help_open) {
      model.send({Command::Kind::Maximise, -1});
    }
    if (key == GLFW_KEY_P) model.send({Command::Kind::TogglePlay});
    if (key == GLFW_KEY_F1 || (state.help_open && key == GLFW_KEY_ESCAPE)) {
      model.send({Command::Kind::ToggleHelp});
    }
  }
}

void UiRoot::draw_splitters(const Model& model, const std::vector<Splitter>& splitters,
                            const LayoutWeights& weights) {
  // Each splitter is a small window of its own over the edge it moves, in front of the
  // panels: those never come to the front, and ImGui puts such windows behind the others
  // when they are made, so the splitters must not be of that kind.
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowMinSize, ImVec2(1, 1));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav;
  for (std::size_t i = 0; i < splitters.size(); ++i) {
    const Splitter& s = splitters[i];
    const std::string id = "##splitter" + std::to_string(s.a) + "_" + std::to_string(s.b);
    ImGui::SetNextWindowPos(s.pos, ImGuiCond_Always);
    ImGui::SetNextWindowSize(s.size, ImGuiCond_Always);
    if (ImGui::Begin(id.c_str(), nullptr, flags)) {
      ImGui::InvisibleButton("grip", s.size);
      const bool active = ImGui::IsItemActive();
      if (active || ImGui::IsItemHovered()) {
        ImGui::SetMouseCursor(s.vertical ? ImGuiMouseCursor_ResizeEW : ImGuiMouseCursor_ResizeNS);
        const ImVec2 min = ImGui::GetItemRectMin();
        const ImVec2 max = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddRectFilled(min, max, ImGui::GetColorU32(active ? ImGuiCol_SeparatorActive
                                                                                      : ImGuiCol_SeparatorHovered));
      }
      if (active) {
        const ImVec2 delta = ImGui::GetIO().MouseDelta;
        const float moved = s.vertical ? delta.x : delta.y;
        if (moved != 0.0f) {
          const LayoutWeights after = drag_splitter(weights, s, moved);
          model.send({Command::Kind::SetWeight, s.a, after[static_cast<std::size_t>(s.a)]});
          model.send({Command::Kind::SetWeight, s.b, after[static_cast<std::size_t>(s.b)]});
        }
      }
    }
    ImGui::End();
  }
  ImGui::PopStyleVar(3);
}

void UiRoot::draw_panel(Panel panel, const Model& model) {
  switch (panel) {
    case Panel::Lesson:
      // A live session's lesson panel says what runs instead.
      if (live_ != nullptr) draw_live(model, live_view_);
      else draw_lesson(model, lesson_view_);
      break;
    case Panel::Steps: draw_steps(model, steps_view_); break;
    case Panel::Code: draw_code(model, code_view_); break;
    case Panel::Sockets: draw_sockets(model, sockets_view_); break;
    case Panel::Sequence: draw_sequence(model, sequence_view_); break;
    case Panel::Bytes: draw_bytes(model, bytes_view_); break;
    case Panel::Console: draw_console(model, console_view_); break;
    case Panel::EventLog: draw_event_log(model, log_view_); break;
    case Panel::Count: break;
  }
}

void UiRoot::draw(const UiState& state, const std::vector<LessonEntry>& lessons,
                  const std::string& lesson_path, const std::vector<KeyPress>& keys,
                  Commands& out) {
  if (lesson_ == nullptr) return;
  Model model;
  model.lesson = lesson_;
  model.snap = &snap_;
  model.events = &events_;
  model.conversation = &conversation_;
  model.event_loops = &event_loops_;
  model.lessons = &lessons;
  model.state = &state;
  model.fonts = &fonts_.fonts();
  model.palette = &palette_;
  model.verdicts = &verdicts_;
  model.cards = &cards_;
  model.commands = &out;
  model.lesson_path = lesson_path;
  model.live = live_;
  model.replay = replay_;
  model.exporting = exporting_;

  shortcuts(model, state, keys);
  draw_menu_bar(model, export_view_);

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  // A live session has no steps or code listings: their room goes to the others.
  auto visible = state.shown_panels();
  if (live_ != nullptr)
    for (const PanelSpec& spec : kPanels) visible[static_cast<std::size_t>(spec.panel)] &= spec.in_live;
  std::optional<Panel> maximised;
  if (state.maximised >= 0 && state.maximised < static_cast<int>(kPanelCount) &&
      (live_ == nullptr || panel_spec(static_cast<Panel>(state.maximised)).in_live)) {
    maximised = static_cast<Panel>(state.maximised);
    visible.fill(false);
    visible[static_cast<std::size_t>(*maximised)] = true;
  }
  // Minimum sizes follow the font, so a larger zoom gives the panels more room, not less.
  const LayoutMetrics metrics{ImGui::GetFontSize(), ImGui::GetFrameHeightWithSpacing()};
  const Layout layout =
      compute_layout(viewport->WorkPos, viewport->WorkSize, visible, state.shown_weights(), metrics, maximised);
  const auto& rects = layout.panels;
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus;
  if (live_ != nullptr) {
    live_view_.enter_pressed = std::any_of(keys.begin(), keys.end(), [](const KeyPress& k) {
      return k.key == GLFW_KEY_ENTER || k.key == GLFW_KEY_KP_ENTER;
    });
    live_view_.students_key = std::any_of(keys.begin(), keys.end(), [](const KeyPress& k) { return k.key == GLFW_KEY_F6; });
  }
  // Drawn in the table's order, which is also the order they take focus in.
  for (const PanelSpec& spec : kPanels) {
    const auto index = static_cast<std::size_t>(spec.panel);
    if (!visible[index]) continue;
    ImGui::SetNextWindowPos(rects[index].pos, ImGuiCond_Always);
    ImGui::SetNextWindowSize(rects[index].size, ImGuiCond_Always);
    const Tx name = live_ != nullptr && spec.panel == Panel::Lesson ? Tx::LiveSession : spec.title;
    const std::string title = std::string(model.t(name)) + "###" + spec.id;
    if (ImGui::Begin(title.c_str(), nullptr, flags | (spec.scrolls_itself ? ImGuiWindowFlags_NoScrollbar : 0))) {
      if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows)) pointed_panel_ = spec.panel;
      draw_panel(spec.panel, model);
    }
    ImGui::End();
  }
  if (live_ != nullptr) draw_students(model, live_view_);  // serve: over the panels while open

  draw_splitters(model, layout.splitters, state.shown_weights());

  export_view_.enter_pressed = std::any_of(keys.begin(), keys.end(), [](const KeyPress& k) {
    return k.key == GLFW_KEY_ENTER || k.key == GLFW_KEY_KP_ENTER;
  });
  draw_export_dialog(model, export_view_);

  help_open_ = state.help_open;
  const bool was_open = help_open_;
  draw_help(model, &help_open_);
  if (was_open && !help_open_) model.send({Command::Kind::ToggleHelp});

  card_open_ = !state.card_call.empty();
  if (card_open_) {
    draw_reference_card(model, &card_open_);
    if (!card_open_) model.send({Command::Kind::ToggleCard});
  }
}

}  // namespace sockstep::ui
