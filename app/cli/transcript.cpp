#include "cli/transcript.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/event_format.hpp"

namespace sockstep::cli {
namespace {

std::string queue_text(int value) { return value < 0 ? "-" : std::to_string(value); }

}  // namespace

namespace {

// The name the lesson's Python listing calls: Python spells epoll's calls its own way
// (select.epoll(), ep.register/modify/unregister, ep.poll()).
std::string python_name(const Step& step) {
  if (step.call == "epoll_create") return "select.epoll";
  if (step.call == "epoll_wait") return "poll";
  if (step.call == "epoll_ctl") {
    const std::string op = arg_string(step, "op", "EPOLL_CTL_ADD");
    return op == "EPOLL_CTL_MOD" ? "modify" : op == "EPOLL_CTL_DEL" ? "unregister" : "register";
  }
  return step.call;
}

}  // namespace

std::string call_text(const Step& step) {
  std::string lhs = step.result.empty() ? "" : step.result + " = ";
  std::string target = step.sock.empty() ? "" : step.sock + ".";
  return lhs + target + python_name(step) + "()";
}

std::string format_socket(const SocketCard& card) {
  const SocketView& v = card.view;
  std::string line = fmt::format("{}.{} fd {} {} {} {:<11} local {} peer {}", card.actor, card.var, v.fd,
                                 family_name(v.family), socktype_name(v.type), v.state, v.local.to_string(),
                                 v.peer.to_string());
  if (v.listening) {
    line += fmt::format(" accept-queue {}/{}", v.accept_queue, v.backlog);
  } else {
    line += fmt::format(" recv-q {}/{} send-q {}/{}", queue_text(v.inq), v.rcvbuf, queue_text(v.outq), v.sndbuf);
    if (v.peer_window >= 0) line += fmt::format(" peer-window {}", v.peer_window);
    if (v.outq_is_syn) line += " (send-q counts the failed connect's SYN: no byte is queued)";
  }
  if (!card.blocked_in.empty()) line += fmt::format(" [blocked in {}()]", card.blocked_in);
  return line;
}

std::string format_step(const Session& session, std::size_t index, const std::vector<Event>& events,
                        const SessionSnapshot& snap, Lang lang) {
  return format_step(session.lesson(), index, events, snap, lang);
}

std::string format_step(const Lesson& lesson, std::size_t index, const std::vector<Event>& events,
                        const SessionSnapshot& snap, Lang lang) {
  const Step& step = lesson.steps[index];
  std::string out = fmt::format("[{}/{}] {} — {}: {}\n", index + 1, snap.step_count, step.actor,
                                step.metaphor.get(lang), call_text(step));
  out += fmt::format("      {}\n", step.explain.get(lang));
  for (const auto& e : events) out += "      > " + format_event(e, lang) + "\n";
  const StepOutcome& outcome = snap.outcomes[index];
  if (outcome.status == StepStatus::Blocked) {
    out += fmt::format("      ... {} waits in {}() until its peer acts\n", step.actor, step.call);
  }
  for (const auto& card : snap.sockets) out += "      # " + format_socket(card) + "\n";
  for (const auto& orphan : snap.orphans)
    out += fmt::format("      # (no fd) {} local {} peer {} timer {} ms{}\n", orphan.state, orphan.local.to_string(),
                       orphan.peer.to_string(), orphan.timer_ms, orphan.earlier ? " (left by an earlier run)" : "");
  return out;
}

std::string step_json_line(const Session& session, std::size_t index, const std::vector<Event>& events,
                           const SessionSnapshot& snap, Lang lang) {
  const Step& step = session.lesson().steps[index];
  nlohmann::json j = {{"step", index + 1},
                      {"actor", step.actor},
                      {"call", step.call},
                      {"metaphor", step.metaphor.get(lang)},
                      {"status", step_status_name(snap.outcomes[index].status)},
                      {"failures", snap.outcomes[index].failures}};
  j["events"] = nlohmann::json::array();
  for (const auto& e : events) j["events"].push_back(event_json(e));
  j["sockets"] = nlohmann::json::array();
  for (const auto& card : snap.sockets) {
    const SocketView& v = card.view;
    j["sockets"].push_back({{"actor", card.actor}, {"var", card.var}, {"fd", v.fd}, {"family", family_name(v.family)},
                            {"type", socktype_name(v.type)}, {"state", v.state}, {"local", v.local.to_string()},
                            {"peer", v.peer.to_string()}, {"recv_q", v.inq}, {"send_q", v.outq},
                            {"send_q_is_syn", v.outq_is_syn}, {"peer_window", v.peer_window},
                            {"rcvbuf", v.rcvbuf}, {"sndbuf", v.sndbuf}, {"accept_queue", v.accept_queue},
                            {"backlog", v.backlog}, {"blocked_in", card.blocked_in}});
  }
  j["orphans"] = nlohmann::json::array();
  for (const auto& o : snap.orphans)
    j["orphans"].push_back(
        {{"state", o.state}, {"local", o.local.to_string()}, {"peer", o.peer.to_string()}, {"earlier", o.earlier}});
  return j.dump();
}

}  // namespace sockstep::cli
