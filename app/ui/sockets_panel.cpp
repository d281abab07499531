#include <imgui.h>

#include <poll.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "engine/text/errno_names.hpp"
#include "engine/sockets/socket_ops.hpp"
#include "ui/card_error.hpp"
#include "ui/countdown.hpp"
#include "ui/panels.hpp"
#include "ui/socket_cards.hpp"
#include "ui/widgets.hpp"

namespace sockstep::ui {

// A live card's name is its role, a word (a lesson's is the program's variable, code):
// said in Chinese in the Chinese window.
const char* live_role_zh(const std::string& role) {
  if (role == "listener") return "监听套接字";
  if (role == "accepted") return "已接受的连接";
  if (role == "connected") return "已连接";
  if (role == "peer") return "对端";
  if (role == "socket") return "套接字";
  return nullptr;
}

namespace {

std::string or_dash(const Address& address) {
  return address.empty() ? std::string("—") : address.to_string();
}

struct CardStyle {
  float width;
  float height;
};

// lit: the socket the step just taken made, used or closed, in the step's colour (the
// steps list, code and log light the same step with it).
void begin_card(const Model& model, const char* id, const CardStyle& style, float alpha, bool lit) {
  ImGui::PushStyleVar(ImGuiStyleVar_Alpha, lit ? 1.0f : alpha);
  ImGui::PushStyleColor(ImGuiCol_ChildBg, lit ? model.palette->now_bg : ImGui::GetColorU32(ImGuiCol_ChildBg));
  ImGui::PushStyleColor(ImGuiCol_Border, lit ? model.palette->warn : ImGui::GetColorU32(ImGuiCol_Border));
  ImGui::PushStyleVar(ImGuiStyleVar_ChildBorderSize, lit ? 2.0f : ImGui::GetStyle().ChildBorderSize);
  // A card whose lines do not all fit (an error, Chinese wrapping, a low panel) gets a
  // scrollbar of its own rather than a cut last line.
  ImGui::BeginChild(id, ImVec2(style.width, style.height), true);
}

void end_card() {
  ImGui::EndChild();
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor(2);
}

void card_header(const Model& model, const std::string& actor, const std::string& var, int fd) {
  actor_chip(model.palette->actor(actor), actor);
  ImGui::SameLine();
  const char* zh = model.live != nullptr && model.lang() == Lang::Zh ? live_role_zh(var) : nullptr;
  if (zh != nullptr) {
    ImGui::TextUnformatted(zh);  // the body font, which has the Chinese glyphs
  } else {
    ImGui::PushFont(model.fonts->mono);
    ImGui::TextUnformatted(var.c_str());
    ImGui::PopFont();
  }
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
  // The values line up, unless a label (in Chinese, at a large zoom) is wider.
  ImGui::SameLine(std::max(ImGui::GetFontSize() * 3.6f,
                           ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + ImGui::GetStyle().ItemSpacing.x));
  ImGui::PushFont(mono);
  // A long address ([::ffff:127.0.0.1]:41495, an abstract unix name) ends in "…" on a
  // narrow card; hovering says it whole.
  text_in_cell(value);
  ImGui::PopFont();
}

void state_line(const Model& model, const std::string& state) {
  ImGui::TextDisabled("%s", model.t(Tx::State));
  ImGui::SameLine(ImGui::GetFontSize() * 3.6f);
  ImGui::PushFont(model.fonts->mono);
  text_colored(state == "ESTABLISHED" ? model.palette->ok : model.palette->text, state);
  ImGui::PopFont();
}

void draw_live_card(const Model& model, const SocketCard& card, const CardStyle& style, int index, bool lit) {
  const Palette& palette = *model.palette;
  const SocketView& v = card.view;
  // A live session may hold several sockets of one role (two accepted connections).
  const std::string id = "card_" + card.actor + "_" + card.var + "_" + std::to_string(index);
  begin_card(model, id.c_str(), style, 1.0f, lit);
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
  const std::string error = v.error != 0 ? errno_name(v.error) + " " + errno_message(v.error, model.lang() == Lang::Zh)
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
    if (shows_send_queue(v)) {
      queue_bar(model.t(Tx::SendQueue), v.outq, v.sndbuf, true, palette.actor(card.actor),
                palette.bar_bg, bar_w);
    } else {
      char text[160];
      std::snprintf(text, sizeof text, model.t(Tx::SendQueueSyn), model.t(Tx::SendQueue), v.outq);
      wrapped_text_colored(palette.dim, text);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip(model.t(Tx::OutqIsSyn), v.outq);
    }
    if (v.peer_window >= 0) {
      char text[96];
      std::snprintf(text, sizeof text, model.t(Tx::PeerWindow), v.peer_window);
      wrapped_text_colored(palette.dim, text);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", model.t(Tx::PeerWindowTip));
    }
  }
  end_card();
}

// A socket closed since it was opened, faded, as it was last seen: a lesson's names the
// step that closed it, a live session's the state it was last seen in.
void draw_closed_card(const Model& model, const SocketCard& card, const CardStyle& style, int index, bool lit) {
  const std::string id = "closed_" + card.actor + "_" + card.var + "_" + std::to_string(index);
  begin_card(model, id.c_str(), style, kFadedCardAlpha, lit);
  card_header(model, card.actor, card.var, card.view.fd);
  char text[64];
  if (card.closed_step >= 0) {
    std::snprintf(text, sizeof text, model.t(Tx::ClosedAt), card.closed_step + 1);
  } else {
    std::snprintf(text, sizeof text, "%s (%s)", model.t(Tx::ClosedLive),
                  !card.view.state.empty() ? card.view.state.c_str() : "?");
  }
  text_colored(model.palette->dim, text);
  labelled(model.t(Tx::Local), or_dash(card.view.local), model.fonts->mono);
  labelled(model.t(Tx::Peer), or_dash(card.view.peer), model.fonts->mono);
  end_card();
}

// A socket without an fd: whose it was and which socket (or which listener's accept
// queue holds it), or that an earlier run left it.
void draw_orphan_card(const Model& model, const OrphanSocket& orphan, const OrphanOrigin& origin, int index,
                      const CardStyle& style, bool lit) {
  const std::string id = "orphan_" + std::to_string(index);
  begin_card(model, id.c_str(), style, kFadedCardAlpha, lit);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 pos = ImGui::GetWindowPos();
  // Dashed edge: a socket the program no longer holds.
  for (float y = 0; y < ImGui::GetWindowHeight(); y += 10.0f) {
    draw->AddRectFilled(ImVec2(pos.x, pos.y + y), ImVec2(pos.x + 4.0f, pos.y + y + 5.0f),
                        model.palette->actor(origin.actor));
  }
  if (!origin.actor.empty()) card_header(model, origin.actor, origin.queued ? std::string() : origin.var, -1);
  if (orphan.earlier) {
    wrapped_text_colored(model.palette->dim, model.t(Tx::EarlierRun));
  } else if (origin.queued) {
    // A connection the kernel finished but nobody accepted yet has no fd either.
    char text[160];
    std::snprintf(text, sizeof text, model.t(Tx::InAcceptQueueOf), origin.var.c_str());
    wrapped_text_colored(model.palette->warn, text);
  } else if (origin.closed_step >= 0) {
    char text[160];
    std::snprintf(text, sizeof text, model.t(Tx::ClosedNoFd), origin.closed_step + 1);
    wrapped_text_colored(model.palette->dim, text);
  } else {
    text_colored(model.palette->dim, model.t(Tx::NoFd));
  }
  state_line(model, orphan.state);
  labelled(model.t(Tx::Local), or_dash(orphan.local), model.fonts->mono);
  labelled(model.t(Tx::Peer), or_dash(orphan.peer), model.fonts->mono);
  if (orphan.timer_ms > 0) {
    ImGui::TextDisabled(model.t(Tx::TimeLeft), static_cast<double>(shown_seconds_left(orphan.timer_ms)));
  }
  end_card();
}

// How a loop names what it asks about and what came back: epoll's bits (EPOLLET
// included), poll()'s (the same numbers without the E), select()'s lists.
std::string loop_mask_text(LoopKind kind, std::uint32_t mask) {
  if (kind == LoopKind::Select) {
    std::string out = (mask & POLLIN) != 0 ? "rlist" : "";
    if ((mask & POLLOUT) != 0) out += out.empty() ? "wlist" : ", wlist";
    return out.empty() ? "—" : out;
  }
  return kind == LoopKind::Poll ? ops::poll_events_text(static_cast<short>(mask)) : ops::epoll_events_text(mask);
}

// "recv→2, recv→EAGAIN": the calls the code made on a watched socket since the wait.
std::string calls_text(const WatchedSocket& w) {
  std::string out;
  if (w.calls_since > w.since.size()) out = "…, ";
  for (std::size_t i = 0; i < w.since.size(); ++i) {
    const LoopCall& c = w.since[i];
    out += (i == 0 ? "" : ", ") + std::string(call_name(c.call)) + "→";
    if (c.err != 0) out += errno_name(c.err);
    else if (c.value == 0 && c.drains()) out += "0 (EOF)";
    else out += std::to_string(c.value);
  }
  return out;
}

// The kernel's view of a watched socket: the loop's actor's socket of that fd.
const SocketCard* watched_card(const Model& model, const EventLoop& loop, int fd) {
  for (const SocketCard& card : model.snap->sockets)
    if (card.actor == loop.actor && card.view.fd == fd) return &card;
  return nullptr;
}

// An event loop: what it watches, what its last wait returned, what the code did since.
void draw_loop_card(const Model& model, const EventLoop& loop, const CardStyle& style, int index) {
  const Palette& palette = *model.palette;
  const std::string id = "loop_" + std::to_string(index);
  begin_card(model, id.c_str(), style, 1.0f, false);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 pos = ImGui::GetWindowPos();
  // A double edge: a loop, not a socket.
  for (float x : {0.0f, 6.0f})
    draw->AddRectFilled(ImVec2(pos.x + x, pos.y), ImVec2(pos.x + x + 3.0f, pos.y + ImGui::GetWindowHeight()),
                        palette.actor(loop.actor));
  const char* wait = loop.kind == LoopKind::Epoll ? "epoll_wait" : loop.kind == LoopKind::Poll ? "poll" : "select";
  card_header(model, loop.actor, loop.kind == LoopKind::Epoll ? std::string("epoll") : std::string(wait) + "()",
              loop.epfd);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", model.t(Tx::LoopTip));

  char text[256];
  if (loop.waiting) {
    std::snprintf(text, sizeof text, model.t(Tx::LoopWaiting), wait);
    wrapped_text_colored(palette.warn, std::string("… ") + text);
  } else if (!loop.waited) {
    wrapped_text_colored(palette.dim, model.t(Tx::LoopNoWait));
  } else if (loop.wait_err != 0) {
    std::snprintf(text, sizeof text, model.t(Tx::LoopWaitFailed), wait, errno_name(loop.wait_err).c_str());
    wrapped_text_colored(palette.error, text);
  } else if (loop.ready_count == 0) {
    std::snprintf(text, sizeof text, model.t(Tx::LoopNothingReady), wait);
    wrapped_text_colored(palette.dim, text);
  } else {
    std::snprintf(text, sizeof text, model.t(Tx::LoopReadyCount), wait, loop.ready_count);
    wrapped_text_colored(palette.ok, text);
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", model.t(Tx::LoopTip));
  ImGui::Separator();
  ImGui::TextDisabled("%s", model.t(loop.kind == LoopKind::Epoll ? Tx::LoopInterestSet : Tx::LoopWatched));
  if (loop.watched.empty()) wrapped_text_colored(palette.dim, model.t(Tx::LoopNothingWatched));

  const float indent = ImGui::GetFontSize();
  for (const WatchedSocket& w : loop.watched) {
    // A lesson's socket by its name in the code; a live one by where it leads.
    const SocketCard* card = watched_card(model, loop, w.fd);
    const SocketFacts* facts = model.event_loops->facts_of(loop, w.fd);
    std::string name = card != nullptr ? card->var : "";
    if (model.live != nullptr || name.empty())
      name = facts == nullptr         ? ""
             : !facts->peer.empty()   ? "→ " + facts->peer.to_string()
             : !facts->local.empty() ? facts->local.to_string()
                                      : "";
    ImGui::PushFont(model.fonts->mono);
    std::snprintf(text, sizeof text, "fd %d", w.fd);
    ImGui::TextUnformatted(text);
    ImGui::SameLine();
    text_in_cell_colored(palette.dim, loop_mask_text(loop.kind, w.asked));
    if (loop.kind == LoopKind::Epoll && ImGui::IsItemHovered())
      ImGui::SetTooltip("%s", model.t(w.edge_triggered() ? Tx::LoopEdge : Tx::LoopLevel));
    if (!name.empty()) {
      ImGui::SameLine();
      text_in_cell(name);
    }
    ImGui::PopFont();

    ImGui::Indent(indent);
    // What the wait said of it, the bytes the kernel holds for it (left unread behind
    // an edge, they wait unreported), and what the code did since, as one line.
    ImU32 color = palette.dim;
    std::string line;
    if (loop.waited && w.ready != 0) {
      std::snprintf(text, sizeof text, model.t(Tx::LoopReady), loop_mask_text(loop.kind, w.ready).c_str());
      line = std::string("✓ ") + text;
      color = palette.ok;
    } else if (loop.waited) {
      line = std::string("· ") + model.t(Tx::LoopNotReady);
    }
    const int queued = card != nullptr && !card->view.listening ? card->view.inq : 0;
    if (queued > 0) {
      const bool stalled = loop.waited && w.ready == 0 && w.edge_triggered() && !loop.waiting;
      std::snprintf(text, sizeof text, model.t(stalled ? Tx::LoopNoEdge : Tx::LoopQueued), human_bytes(queued).c_str());
      line += (line.empty() ? "" : " · ") + std::string(text);
      if (stalled) color = palette.warn;
    }
    if (!w.since.empty()) {
      std::snprintf(text, sizeof text, model.t(Tx::LoopSince), calls_text(w).c_str());
      line += (line.empty() ? "" : " · ") + std::string(text);
      if (w.drained()) {
        line += std::string(" ✓ ") + model.t(Tx::LoopDrained);
        color = palette.ok;
      } else if (color == palette.dim) {
        color = palette.text;
      }
    }
    if (!line.empty()) wrapped_text_colored(color, line);
    ImGui::Unindent(indent);
  }
  end_card();
}

}  // namespace

void draw_sockets(const Model& model, SocketsView& view) {
  const SessionSnapshot& snap = *model.snap;
  const std::vector<CardSlot> slots = card_slots(*model.lesson, snap);
  const std::vector<EventLoop> no_loops;
  const std::vector<EventLoop>& loops = model.event_loops != nullptr ? model.event_loops->loops() : no_loops;
  view.touched_in_view = false;
  if (slots.empty() && loops.empty()) {
    ImGui::TextDisabled("%s", model.t(Tx::NoSockets));
    return;
  }
  // An event loop's card is wider than a socket's: it lists the sockets it watches.
  constexpr float kLoopWidth = 1.4f;
  const float count = static_cast<float>(slots.size()) + kLoopWidth * static_cast<float>(loops.size());
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float z = model.zoom();
  CardStyle style{};
  style.width = std::clamp(avail.x / count - spacing, 215.0f * z, 300.0f * z);
  const bool needs_scroll = (style.width + spacing) * count > avail.x && !slots.empty();
  style.height = avail.y - (needs_scroll ? ImGui::GetStyle().ScrollbarSize + 2.0f : 0.0f);

  // The loops stay in view at the left while the sockets' row scrolls to the step's
  // socket: a step on a watched socket is read against its loop.
  for (std::size_t i = 0; i < loops.size(); ++i) {
    draw_loop_card(model, loops[i], CardStyle{style.width * kLoopWidth, avail.y}, static_cast<int>(i));
    ImGui::SameLine();
  }
  ImGui::BeginChild("cards", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  const float left = ImGui::GetWindowPos().x;
  const float right = left + ImGui::GetWindowWidth();
  bool first = true;
  for (const CardSlot& slot : slots) {
    if (!first) ImGui::SameLine();
    first = false;
    const int index = static_cast<int>(slot.index);
    // A card scrolled out of view is only its room: a class's hundred connections would
    // otherwise each build a child window and its vertices every frame.
    if (!ImGui::IsRectVisible(ImVec2(style.width, style.height))) {
      ImGui::Dummy(ImVec2(style.width, style.height));
    } else {
      switch (slot.kind) {
        case CardSlot::Kind::Open:
          draw_live_card(model, snap.sockets[slot.index], style, index, slot.touched);
          break;
        case CardSlot::Kind::Orphan:
        case CardSlot::Kind::Earlier: {
          const OrphanSocket& orphan = snap.orphans[slot.index];
          draw_orphan_card(model, orphan, orphan_origin(orphan, snap), index, style, slot.touched);
          break;
        }
        case CardSlot::Kind::Closed:
          draw_closed_card(model, snap.closed[slot.index], style, index, slot.touched);
          break;
      }
    }
    if (!slot.touched) continue;
    // Brought into view once per step, so the learner may scroll away from it after.
    const auto shown = std::pair(snap.generation, snap.position);
    if (view.scrolled_to != shown) {
      ImGui::SetScrollHereX(0.5f);
      view.scrolled_to = shown;
    }
    view.touched_in_view = ImGui::GetItemRectMin().x >= left - 0.5f && ImGui::GetItemRectMax().x <= right + 0.5f;
  }
  ImGui::EndChild();
}

}  // namespace sockstep::ui
