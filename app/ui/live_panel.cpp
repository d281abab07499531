#include <imgui.h>
#include <imgui_internal.h>  // ClearActiveID: 1.86 has no public way to drop an edit
#include <imgui_stdlib.h>

#include <string>

#include "engine/text/errno_names.hpp"
#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

// The newest failure (or end of stream) that nothing has put right since: a refused
// connect stays on screen until a connect succeeds. Shown as text, never a dialog.
// An EOF is a problem only for the client (the server went away); a server sees one at
// the end of every conversation.
std::string last_problem(const std::vector<Event>& events, bool eof_is_problem, bool zh) {
  const std::size_t stop = events.size() > 512 ? events.size() - 512 : 0;
  for (std::size_t i = events.size(); i-- > stop;) {
    const Event& e = events[i];
    if (e.kind != EventKind::Call) continue;
    if (is_connect(e.call) && e.ok() && e.value == 0) return {};
    if (!e.ok() && !errno_reports_a_wait(e.err) && !e.connect_started())
      return e.actor + " " + e.name() + "(): " + errno_name(e.err) + " " + errno_message(e.err, zh);
    if (eof_is_problem && receives_bytes(e.call) && e.ok() && e.value == 0 && e.byte_count == 0 && e.sock.stream())
      return e.actor + " " + e.name() + (zh ? "() = 0:EOF,对方不会再发送" : "() = 0: EOF, the peer will send no more");
  }
  return {};
}

}  // namespace

void draw_live(const Model& model, LiveView& view) {
  const LiveInfo& live = *model.live;
  const Palette& palette = *model.palette;
  if (model.lang() == Lang::Zh && !live.title_zh.empty()) {
    wrapped_text(live.title_zh);  // the body font: it has the Chinese glyphs
  } else {
    ImGui::PushFont(model.fonts->mono);
    wrapped_text(live.title);
    ImGui::PopFont();
  }
  ImGui::Spacing();

  if (live.students.enabled &&
      ImGui::Button((std::string(model.t(Tx::StudentsButton)) + "###students_open").c_str()))
    view.students_open = true;
  ImGui::TextDisabled("%s", model.t(Tx::LiveWatching));
  ImGui::SameLine();
  ImGui::PushFont(model.fonts->mono);
  if (live.ports.empty()) {
    ImGui::PopFont();
    wrapped_text_colored(palette.dim, model.t(Tx::LiveNoPorts));
  } else {
    wrapped_text(live.ports);
    ImGui::PopFont();
  }
  const SessionSnapshot& snap = *model.snap;
  char counts[128];
  std::snprintf(counts, sizeof counts, model.t(Tx::LiveCounts), static_cast<int>(snap.sockets.size()),
                static_cast<int>(snap.closed.size()), static_cast<int>(snap.orphans.size()));
  ImGui::TextDisabled("%s", counts);
  // Each program: waiting in a call, ended (and how), or running.
  for (const ActorView& actor : snap.actors) {
    actor_chip(palette.actor(actor.name), actor.name);
    ImGui::SameLine();
    if (!actor.ended.empty()) {
      const bool clean = actor.ended == "exited with status 0";
      const bool zh = model.lang() == Lang::Zh && !actor.ended_zh.empty();
      text_colored(clean ? palette.dim : palette.error, zh ? actor.ended_zh : actor.ended);
    } else if (!actor.blocked_in.empty()) {
      char text[96];
      std::snprintf(text, sizeof text, model.t(Tx::BlockedIn), actor.blocked_in.c_str());
      text_colored(palette.warn, std::string("… ") + text);
    } else {
      text_colored(palette.ok, "●");
    }
  }
  if (!live.choices.empty()) {
    ImGui::Separator();
    ImGui::TextDisabled("%s", model.t(Tx::LiveChecks));
    for (std::size_t i = 0; i < live.choices.size(); ++i) {
      const LiveChoice& choice = live.choices[i];
      ImGui::PushStyleColor(ImGuiCol_Text, choice.passed ? palette.ok : palette.error);
      const std::string label = choice.label.get(model.lang()) + "###live_choice" + std::to_string(i);
      if (ImGui::Selectable(label.c_str(), i == live.chosen)) model.send({Command::Kind::LiveChoose, static_cast<long long>(i)});
      ImGui::PopStyleColor();
      if (i == live.chosen && !choice.detail.get(model.lang()).empty()) {
        ImGui::Indent();
        wrapped_text_colored(choice.passed ? palette.dim : palette.warn, choice.detail.get(model.lang()));
        ImGui::Unindent();
      }
    }
  }
  if (!snap.notice.en.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette.warn);
    wrapped_text("⚠ " + model.t(snap.notice));
    ImGui::PopStyleColor();
  }

  if (live.can_send) {
    ImGui::Separator();
    ImGui::TextUnformatted(model.t(Tx::Message));
    const float send_w = ImGui::CalcTextSize(model.t(Tx::LiveSend)).x + ImGui::GetStyle().FramePadding.x * 2;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - send_w - ImGui::GetStyle().ItemSpacing.x);
    if (view.refocus) {
      ImGui::SetKeyboardFocusHere();
      view.refocus = false;
    }
    bool entered = ImGui::InputTextWithHint("###live_message", model.t(Tx::LiveMessageHint), &view.message,
                                            ImGuiInputTextFlags_EnterReturnsTrue);
    // ImGui saw no Enter, but the box was being typed in when one came. The box still
    // holds its own copy of the text while active: let go of it so it empties.
    if (!entered && view.enter_pressed && ImGui::IsItemActive()) {
      entered = true;
      ImGui::ClearActiveID();
    }
    ImGui::SameLine();
    const bool clicked = ImGui::Button((std::string(model.t(Tx::LiveSend)) + "###live_send").c_str());
    if ((entered || clicked) && !view.message.empty()) {
      model.send({Command::Kind::LiveSend, 0, 0.0, view.message});
      view.message.clear();
      view.refocus = true;  // keep typing after Enter
    }
    if (ImGui::Button((std::string(model.t(Tx::LiveReconnect)) + "###live_reconnect").c_str())) {
      model.send({Command::Kind::LiveReconnect});
    }
  }

  if (const std::string problem = last_problem(model.events->events(), live.can_send, model.lang() == Lang::Zh); !problem.empty()) {
    ImGui::Separator();
    ImGui::TextDisabled("%s", model.t(Tx::LiveLastProblem));
    ImGui::PushStyleColor(ImGuiCol_Text, palette.error);
    wrapped_text("✗ " + problem);
    ImGui::PopStyleColor();
  }
  ImGui::Separator();
  wrapped_text_colored(palette.dim, model.t(Tx::LiveExplain));
}

}  // namespace sockstep::ui
