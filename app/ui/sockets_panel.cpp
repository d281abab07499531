#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "engine/errno_names.hpp"
#include "ui/card_error.hpp"
#include "ui/countdown.hpp"
#include "ui/panels.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {
namespace {

std::string card_key(const std::string& actor, const std::string& var) { return actor + "." + var; }

std::string or_dash(const Address& address) {
  return address.empty() ? std::string("—") : address.to_string();
}

struct CardStyle {
  float width;
  float height;
};

void begin_card(const char* id, const CardStyle& style, float alpha) {
  ImGui::PushStyleVar(ImGuiStyleVar_Alpha, alpha);
  ImGui::BeginChild(id, ImVec2(style.width, style.height), true, ImGuiWindowFlags_NoScrollbar);
}

void end_card() {
  ImGui::EndChild();
  ImGui::PopStyleVar();
}

void card_header(const Model& model, const std::string& actor, const std::string& var, int fd) {
  actor_chip(model.palette->actor(actor), actor);
  ImGui::SameLine();
  ImGui::PushFont(model.fonts->mono);
  ImGui::TextUnformatted(var.c_str());
  ImGui::PopFont();
  if (fd >= 0) {
    ImGui::SameLine();
    char text[32];
    std::snprintf(text, sizeof text, "fd %d", fd);
    ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(),
                                  ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize(text).x));
    ImGui::TextUnformatted(text);
  }
}

void labelled(const char* label, const std::string& value, ImFont* mono) {
  ImGui::TextDisabled("%s", label);
  ImGui::SameLine(ImGui::GetFontSize() * 3.6f);
  ImGui::PushFont(mono);
  ImGui::TextUnformatted(value.c_str());
  ImGui::PopFont();
}

void state_line(const Model& model, const std::string& state) {
  ImGui::TextDisabled("%s", model.t(Tx::State));
  ImGui::SameLine(ImGui::GetFontSize() * 3.6f);
  ImGui::PushFont(model.fonts->mono);
  text_colored(state == "ESTABLISHED" ? model.palette->ok : model.palette->text, state);
  ImGui::PopFont();
}

void draw_live_card(const Model& model, const SocketCard& card, const CardStyle& style, int index) {
  const Palette& palette = *model.palette;
  const SocketView& v = card.view;
  // A live session may hold several sockets of one role (two accepted connections).
  const std::string id = "card_" + card.actor + "_" + card.var + "_" + std::to_string(index);
  begin_card(id.c_str(), style, 1.0f);
  // A coloured edge says whose socket this is at a glance.
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 pos = ImGui::GetWindowPos();
  draw->AddRectFilled(pos, ImVec2(pos.x + 4.0f, pos.y + ImGui::GetWindowHeight()),
                      palette.actor(card.actor));

  card_header(model, card.actor, card.var, v.fd);
  ImGui::TextDisabled("%s · %s", family_name(v.family).c_str(), socktype_name(v.type).c_str());
  state_line(model, v.state.empty() ? "?" : v.state);
  labelled(model.t(Tx::Local), or_dash(v.local), model.fonts->mono);
  labelled(model.t(Tx::Peer), or_dash(v.peer), model.fonts->mono);

  const std::string blocked = !card.blocked_in.empty() ? card.blocked_in : std::string();
  if (!blocked.empty()) {
    char text[96];
    std::snprintf(text, sizeof text, model.t(Tx::BlockedIn), blocked.c_str());
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const ImVec2 size = ImGui::CalcTextSize(text);
    draw->AddRectFilled(ImVec2(p.x - 2, p.y - 1), ImVec2(p.x + size.x + 18, p.y + size.y + 1),
                        palette.blocked_bg, 3.0f);
    text_colored(palette.warn, std::string("… ") + text);
  }
  const std::string error = v.error != 0 ? errno_name(v.error) + " " + errno_message(v.error)
                                         : card_error(*model.lesson, *model.snap, card.actor, card.var,
                                                      card.opened_step, model.lang() == Lang::Zh);
  if (!error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette.error);
    wrapped_text("✗ " + error);
    ImGui::PopStyleColor();
  }

  const float bar_w = ImGui::GetContentRegionAvail().x;
  if (v.listening) {
    queue_bar(model.t(Tx::AcceptQueue), v.accept_queue, v.backlog, false, palette.actor(card.actor),
              palette.bar_bg, bar_w);
  } else {
    queue_bar(model.t(Tx::RecvQueue), v.inq, v.rcvbuf, true, palette.actor(card.actor),
              palette.bar_bg, bar_w);
    queue_bar(model.t(Tx::SendQueue), v.outq, v.sndbuf, true, palette.actor(card.actor),
              palette.bar_bg, bar_w);
  }
  end_card();
}

// step < 0: a live session's socket (no step closed it), with the state it was last seen in.
void draw_closed_card(const Model& model, const std::string& actor, const std::string& var,
                      int step, const SocketCard* last, const CardStyle& style, int index = 0) {
  const std::string id = "closed_" + actor + "_" + var + "_" + std::to_string(index);
  begin_card(id.c_str(), style, 0.45f);
  card_header(model, actor, var, last != nullptr ? last->view.fd : -1);
  char text[64];
  if (step >= 0) {
    std::snprintf(text, sizeof text, model.t(Tx::ClosedAt), step + 1);
  } else {
    std::snprintf(text, sizeof text, "%s (%s)", model.t(Tx::ClosedLive),
                  last != nullptr && !last->view.state.empty() ? last->view.state.c_str() : "?");
  }
  text_colored(model.palette->dim, text);
  if (last != nullptr) {
    labelled(model.t(Tx::Local), or_dash(last->view.local), model.fonts->mono);
    labelled(model.t(Tx::Peer), or_dash(last->view.peer), model.fonts->mono);
  }
  end_card();
}

void draw_orphan_card(const Model& model, const OrphanSocket& orphan, const std::string& actor,
                      int index, const CardStyle& style, bool queued) {
  const std::string id = "orphan_" + std::to_string(index);
  begin_card(id.c_str(), style, 0.85f);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 pos = ImGui::GetWindowPos();
  // Dashed edge: a socket the program no longer holds.
  for (float y = 0; y < ImGui::GetWindowHeight(); y += 10.0f) {
    draw->AddRectFilled(ImVec2(pos.x, pos.y + y), ImVec2(pos.x + 4.0f, pos.y + y + 5.0f),
                        model.palette->actor(actor));
  }
  if (!actor.empty()) {
    actor_chip(model.palette->actor(actor), actor);
    ImGui::SameLine();
  }
  // A connection the kernel finished but nobody accepted yet has no fd either.
  text_colored(queued ? model.palette->warn : model.palette->dim,
               queued ? model.t(Tx::InAcceptQueue) : model.t(Tx::NoFd));
  state_line(model, orphan.state);
  labelled(model.t(Tx::Local), or_dash(orphan.local), model.fonts->mono);
  labelled(model.t(Tx::Peer), or_dash(orphan.peer), model.fonts->mono);
  if (orphan.timer_ms > 0) {
    ImGui::TextDisabled(model.t(Tx::TimeLeft), static_cast<double>(shown_seconds_left(orphan.timer_ms)));
  }
  end_card();
}

// Whose socket an orphan was: the card of the same connection (same local and peer
// address), a live session's closed ones first; else a seen card with its local address.
std::string owner_of(const OrphanSocket& orphan, const SessionSnapshot& snap, const SocketsView& view) {
  const auto same = [&](const SocketCard& card, bool peer_too) {
    return card.view.local.to_string() == orphan.local.to_string() &&
           (!peer_too || card.view.peer.to_string() == orphan.peer.to_string());
  };
  for (const SocketCard& card : snap.closed)
    if (same(card, true)) return card.actor;
  for (const auto& [key, card] : view.seen)
    if (same(card, true)) return card.actor;
  for (const auto& [key, card] : view.seen)
    if (same(card, false)) return card.actor;
  return {};
}

}  // namespace

void draw_sockets(const Model& model, SocketsView& view) {
  const SessionSnapshot& snap = *model.snap;
  if (view.generation != snap.generation) {
    // A replay starts from fresh sockets; what was seen before no longer exists.
    view.generation = snap.generation;
    view.seen.clear();
  }
  for (const SocketCard& card : snap.sockets) view.seen[card_key(card.actor, card.var)] = card;

  struct Closed {
    std::string actor, var;
    int step;
  };
  std::vector<Closed> closed;
  const std::size_t taken = std::min(snap.position, model.lesson->steps.size());
  for (std::size_t i = 0; i < taken; ++i) {
    const Step& step = model.lesson->steps[i];
    if (step.call != "close") continue;  // a lesson step's call, as the lesson names it
    const bool reopened = std::any_of(snap.sockets.begin(), snap.sockets.end(), [&](const SocketCard& c) {
      return c.actor == step.actor && c.var == step.sock && c.opened_step > static_cast<int>(i);
    });
    if (!reopened) closed.push_back({step.actor, step.sock, static_cast<int>(i)});
  }

  const std::size_t count = snap.sockets.size() + closed.size() + snap.orphans.size() + snap.closed.size();
  if (count == 0) {
    ImGui::TextDisabled("%s", model.t(Tx::NoSockets));
    return;
  }
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float z = model.zoom();
  CardStyle style;
  style.width = std::clamp(avail.x / static_cast<float>(count) - spacing, 215.0f * z, 300.0f * z);
  const bool needs_scroll = (style.width + spacing) * static_cast<float>(count) > avail.x;
  style.height = avail.y - (needs_scroll ? ImGui::GetStyle().ScrollbarSize + 2.0f : 0.0f);

  ImGui::BeginChild("cards", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  bool first = true;
  const auto next = [&]() {
    if (!first) ImGui::SameLine();
    first = false;
  };
  int card_index = 0;
  for (const SocketCard& card : snap.sockets) {
    next();
    draw_live_card(model, card, style, card_index++);
  }
  int orphan_index = 0;
  for (const OrphanSocket& orphan : snap.orphans) {
    const std::string owner = owner_of(orphan, snap, view);
    // In the accept queue: established (or half-open) on a port something listens on.
    const bool queued = (orphan.state == "ESTABLISHED" || orphan.state == "SYN_RECV") &&
                        std::any_of(snap.sockets.begin(), snap.sockets.end(), [&](const SocketCard& c) {
                          return c.view.listening && c.view.local.port == orphan.local.port;
                        });
    next();
    draw_orphan_card(model, orphan, owner, orphan_index++, style, queued);
  }
  for (const Closed& c : closed) {
    auto it = view.seen.find(card_key(c.actor, c.var));
    next();
    draw_closed_card(model, c.actor, c.var, c.step, it == view.seen.end() ? nullptr : &it->second,
                     style);
  }
  // Newest first: the connection that just ended sits next to the open ones.
  for (std::size_t i = snap.closed.size(); i-- > 0;) {
    next();
    draw_closed_card(model, snap.closed[i].actor, snap.closed[i].var, -1, &snap.closed[i], style,
                     static_cast<int>(i));
  }
  ImGui::EndChild();
}

}  // namespace sockstep::ui
