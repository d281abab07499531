#include "cli/export_html.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cli/event_format.hpp"
#include "cli/export_svg.hpp"
#include "cli/xml_text.hpp"
#include "engine/log/address.hpp"
#include "engine/text/errno_names.hpp"
#include "engine/text/py_text.hpp"
#include "ui/actor_hue.hpp"
#include "ui/ui_text.hpp"

namespace sockstep::cli {
namespace {

using ui::Tx;

// The report's own words; the window's (ui_text) where it has them.
const char* in(Lang lang, const char* en, const char* zh) { return lang == Lang::Zh ? zh : en; }
auto says(Lang lang, const char* en, const char* zh) { return fmt::runtime(in(lang, en, zh)); }

std::string esc(std::string_view text) { return xml_text(text); }

const char* hue_colour(const std::string& lane) { return ui::kPrintHues[ui::actor_hue(lane)]; }

constexpr const char* kStyle = R"(
body{font-family:"Noto Sans","Noto Sans CJK SC","DejaVu Sans",sans-serif;color:#000;background:#fff;margin:24px auto;max-width:1200px;padding:0 16px;line-height:1.45}
h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;border-bottom:2px solid #000;padding-bottom:2px;margin-top:32px}h3{font-size:16px;margin:18px 0 4px}
code,pre,.mono,td.mono{font-family:"DejaVu Sans Mono","Noto Sans Mono CJK SC",monospace;font-size:13px}
.meta{color:#333;margin:0 0 8px}nav a{margin-right:14px;color:#0050a0}
table{border-collapse:collapse;margin:6px 0 10px}th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top;font-size:13px}
th{background:#eee}td.n{text-align:right}.err{color:#962869;font-weight:bold}.warn{color:#6e4e00}
.step{border:1px solid #bbb;border-radius:6px;padding:8px 12px;margin:10px 0;page-break-inside:avoid}
.step h3{margin:0 0 4px}.explain{margin:4px 0}.who{font-weight:bold}
.pred{background:#f6f6f6;border-left:4px solid #555;padding:6px 10px;margin:6px 0}.pred ol{margin:4px 0 4px 22px;padding:0}
.right{color:#005f41;font-weight:bold}.wrong{color:#962869;font-weight:bold}
.diagram{overflow-x:auto;border:1px solid #ccc}.diagram svg{display:block;margin:0 auto}
.hex{border-collapse:separate;border-spacing:0}.hex td{border:none;padding:0;vertical-align:middle}.hex td.off{color:#555;padding-right:10px}
.hex span.lost{background:#f2c6dd;color:#962869;text-decoration:line-through}.hex td.same{color:#555;padding:2px 0}
.hex span{display:inline-block;position:relative;padding:0 3px;line-height:20px;margin:9px 0}
.hex .txt span{padding:0 1px}.hex td.gap{width:18px}
.hex span.odd{background:#e4e4e4}.hex span.s{border-right:2px solid var(--snd)}
.hex span.s::before{content:"\25BC";position:absolute;right:-7px;top:-13px;font-size:12px;line-height:12px;color:var(--snd)}
.hex span.r::after{content:"\25B2";position:absolute;right:-7px;bottom:-13px;font-size:12px;line-height:12px;color:var(--rcv)}
.legend{color:#333;font-size:13px}
@media print{nav{display:none}.diagram{overflow:visible;border:none}.diagram svg{max-width:100%;height:auto}}
)";

std::string result_text(const Event& e, Lang lang) {
  if (e.kind == EventKind::Blocked) return in(lang, "waits…", "等待中…");
  if (!e.ok()) return errno_name(e.err) + " (" + errno_message(e.err, lang == Lang::Zh) + ")";
  return std::to_string(e.value);
}

std::string queue(int v) { return v < 0 ? "-" : std::to_string(v); }

void sockets_table(std::string& out, const StepRecord& step, Lang lang) {
  if (step.sockets.empty() && step.orphans.empty()) return;
  out += fmt::format("<table><tr><th>{}</th><th>fd</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
                     in(lang, "socket", "套接字"), in(lang, "type", "类型"), ui::tx(Tx::State, lang),
                     ui::tx(Tx::Local, lang), ui::tx(Tx::Peer, lang), in(lang, "queues", "队列"));
  for (const SocketCard& card : step.sockets) {
    const SocketView& v = card.view;
    std::string queues = v.listening ? fmt::format("{} {}/{}", ui::tx(Tx::AcceptQueue, lang), v.accept_queue, v.backlog)
                                     : fmt::format("{} {} · {} {}", ui::tx(Tx::RecvQueue, lang), queue(v.inq),
                                                   ui::tx(Tx::SendQueue, lang), queue(v.outq));
    if (!card.blocked_in.empty())
      queues += fmt::format(says(lang, " · blocked in {}()", " · 阻塞在 {}()"), card.blocked_in);
    out += fmt::format(
        "<tr><td class=\"mono\">{}.{}</td><td class=\"n\">{}</td><td>{} {}</td><td class=\"mono\">{}</td>"
        "<td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td></tr>\n",
        esc(card.actor), esc(card.var), v.fd, esc(family_name(v.family)), esc(socktype_name(v.type)), esc(v.state),
        esc(v.local.to_string()), esc(v.peer.to_string()), esc(queues));
  }
  for (const OrphanSocket& o : step.orphans)
    out += fmt::format(
        "<tr><td>{}</td><td class=\"n\">-</td><td>TCP</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td>"
        "<td class=\"mono\">{}</td><td>{}</td></tr>\n",
        esc(ui::tx(Tx::NoFd, lang)), esc(o.state), esc(o.local.to_string()), esc(o.peer.to_string()),
        esc(fmt::format(says(lang, "timer {} ms", "计时器 {} 毫秒"), o.timer_ms)));
  out += "</table>\n";
}

void prediction(std::string& out, const StepRecord& step, Lang lang) {
  if (!step.predict) return;
  const Predict& p = *step.predict;
  const auto right = [&](std::size_t i) {
    return std::find(step.predict_right.begin(), step.predict_right.end(), i) != step.predict_right.end();
  };
  out += fmt::format("<div class=\"pred\"><b>{}</b> {}\n<ol type=\"a\">\n", esc(in(lang, "Prediction:", "预测:")),
                     esc(p.question.get(lang)));
  for (std::size_t i = 0; i < p.choices.size(); ++i) {
    std::string marks;
    if (right(i)) marks += " <span class=\"right\">← " + esc(in(lang, "what the kernel did", "内核的结果")) + "</span>";
    if (step.answer == i) marks += " <b>← " + esc(in(lang, "your answer", "你的答案")) + "</b>";
    out += "<li>" + esc(p.choices[i].text.get(lang)) + marks + "</li>\n";
  }
  out += "</ol>";
  if (step.predict_right.empty()) {
    out += "<p>" + esc(ui::tx(Tx::VerdictUndescribed, lang)) + "</p>";
  } else if (!step.answer) {
    out += "<p>" +
           esc(step.asked ? ui::tx(Tx::VerdictUnanswered, lang)
                          : in(lang, "Not asked (walk --quiz asks before each step).", "没有提问(walk --quiz 会在每步之前提问)。")) +
           "</p>";
  } else if (right(*step.answer)) {
    out += "<p class=\"right\">" + esc(ui::tx(Tx::VerdictRight, lang)) + "</p>";
  } else {
    out += "<p class=\"wrong\">" + esc(ui::tx(Tx::VerdictWrong, lang)) + "</p>";
  }
  out += "</div>\n";
}

void steps_section(std::string& out, const ExportSetup& setup) {
  const Lang lang = setup.lang;
  out += fmt::format("<section id=\"steps\"><h2>{}</h2>\n", esc(ui::tx(Tx::PanelSteps, lang)));
  const std::size_t asked = static_cast<std::size_t>(
      std::count_if(setup.steps.begin(), setup.steps.end(), [](const StepRecord& s) { return s.answer.has_value(); }));
  if (asked > 0) {
    const std::size_t right = static_cast<std::size_t>(std::count_if(setup.steps.begin(), setup.steps.end(), [](const StepRecord& s) {
      return s.answer && std::find(s.predict_right.begin(), s.predict_right.end(), *s.answer) != s.predict_right.end();
    }));
    out += fmt::format(says(lang, "<p><b>Predictions: {} of {} right.</b></p>\n", "<p><b>预测:{1} 个中答对 {0} 个。</b></p>\n"),
                       right, asked);
  }
  for (const StepRecord& step : setup.steps) {
    out += fmt::format("<div class=\"step\" id=\"step-{}\"><h3>{} {}/{} · <span class=\"who\" style=\"color:{}\">{}</span> — {}</h3>\n",
                       step.index + 1, esc(in(lang, "Step", "步骤")), step.index + 1, std::max(setup.step_count, setup.steps.size()),
                       hue_colour(step.actor), esc(step.actor), esc(step.metaphor.get(lang)));
    out += "<p><code>" + esc(step.call) + "</code></p>\n";
    out += "<p class=\"explain\">" + esc(step.explain.get(lang)) + "</p>\n";
    // What happened while the step ran, as walk prints it: its call, and a waiting call
    // of an earlier step that it released.
    std::string lines;
    for (const Event& e : step.events)
      if (e.kind == EventKind::Call || e.kind == EventKind::Blocked || e.kind == EventKind::Print)
        lines += esc(format_event(e, lang)) + "\n";
    if (!lines.empty()) out += "<pre>" + lines + "</pre>\n";
    for (const std::string& f : step.failures) out += "<p class=\"err\">✗ " + esc(f) + "</p>\n";
    prediction(out, step, lang);
    sockets_table(out, step, lang);
    out += "</div>\n";
  }
  out += "</section>\n";
}

void calls_section(std::string& out, const std::vector<Event>& events, const ExportSetup& setup) {
  const Lang lang = setup.lang;
  out += fmt::format("<section id=\"calls\"><h2>{}</h2>\n<table>\n<tr><th>#</th><th>{}</th>{}<th>{}</th><th>fd</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
                     in(lang, "Calls", "调用"), esc(ui::tx(Tx::Time, lang)),
                     setup.lesson ? "<th>" + esc(ui::tx(Tx::Step, lang)) + "</th>" : "", esc(ui::tx(Tx::Actor, lang)),
                     esc(ui::tx(Tx::Call, lang)), esc(ui::tx(Tx::Result, lang)), esc(ui::tx(Tx::Bytes, lang)));
  std::size_t n = 0;
  std::size_t left_out = 0;
  for (const Event& e : events) {
    if (e.kind != EventKind::Call && e.kind != EventKind::Blocked) continue;
    if (n == kHtmlCalls) {
      ++left_out;
      continue;
    }
    ++n;
    std::string bytes;
    if (e.byte_count > 0 || !e.bytes.empty()) {
      const std::string_view kept = e.bytes.substr(0, 48);
      bytes = fmt::format("{} B {}{}", e.byte_count, python_bytes_repr(kept), e.byte_count > kept.size() ? "…" : "");
    }
    const bool wait = !e.ok() && (errno_reports_a_wait(e.err) || (is_connect(e.call) && e.err == EINPROGRESS));
    out += fmt::format(
        "<tr><td class=\"n\">{}</td><td class=\"n\">{:.3f}</td>{}<td style=\"color:{}\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"mono\">{}({})</td><td class=\"mono{}\">{}</td><td class=\"mono\">{}</td></tr>\n",
        e.seq, static_cast<double>(e.t_us) / 1000.0,
        setup.lesson ? fmt::format("<td class=\"n\">{}</td>", e.step >= 0 ? std::to_string(e.step + 1) : "") : "",
        hue_colour(e.actor), esc(e.actor), e.fd, esc(e.name()), esc(e.args),
        e.ok() || e.kind == EventKind::Blocked ? "" : wait ? " warn" : " err", esc(result_text(e, lang)), esc(bytes));
  }
  out += "</table>\n";
  if (n == 0) out += "<p>" + esc(in(lang, "No calls were made.", "没有调用。")) + "</p>\n";
  if (left_out > 0)
    out += fmt::format(says(lang, "<p class=\"legend\">The first {} calls; {} more are in session.md and session.json.</p>\n",
                            "<p class=\"legend\">只列出前 {} 次调用;另外 {} 次见 session.md 和 session.json。</p>\n"),
                       n, left_out);
  out += "</section>\n";
}

// One stream's bytes, 16 a row, in hex and as text: each recv's piece shaded in turn, a
// bar and ▼ after the byte that ended a send, ▲ after the byte a recv took last.
void stream_bytes(std::string& out, const ui::ByteStream& s, Lang lang) {
  const std::size_t shown = std::min(s.data.size(), kHtmlStreamBytes);
  std::vector<std::size_t> sends;
  std::vector<std::size_t> recvs;
  for (const ui::StreamMark& m : s.send_ends) sends.push_back(m.offset);
  for (const ui::StreamMark& m : s.recv_ends) recvs.push_back(m.offset);
  const auto ends_at = [](const std::vector<std::size_t>& marks, std::size_t end) {
    return std::binary_search(marks.begin(), marks.end(), end);
  };
  std::sort(sends.begin(), sends.end());
  std::sort(recvs.begin(), recvs.end());
  out += fmt::format("<table class=\"hex\" style=\"--snd:{};--rcv:{}\">\n", hue_colour(s.from), hue_colour(s.to));
  const auto lost = [&s](std::size_t offset) {
    for (const auto& [begin, end] : s.dropped)
      if (offset >= begin && offset < end) return true;
    return false;
  };
  std::size_t piece = 0;  // which recv's piece the byte is in
  std::size_t next_recv = 0;
  bool same_said = false;
  for (std::size_t row = 0; row < shown; row += 16) {
    const std::size_t row_end = std::min(row + 16, shown);
    // A row the same as the one before, with no boundary in either, is said once as "*"
    // (as hexdump does): 3000 bytes of b'x' are one line, not 188.
    const auto plain = [&](std::size_t from, std::size_t to) {
      for (std::size_t i = from; i < to; ++i)
        if (ends_at(sends, s.first + i + 1) || ends_at(recvs, s.first + i + 1) ||
            (i >= 16 && lost(s.first + i) != lost(s.first + i - 16)))
          return false;
      return true;
    };
    if (row >= 16 && row_end - row == 16 && s.data.compare(row, 16, s.data, row - 16, 16) == 0 && plain(row - 16, row_end)) {
      while (next_recv < recvs.size() && recvs[next_recv] <= s.first + row_end - 1) ++next_recv, ++piece;
      if (!same_said) out += "<tr><td class=\"off mono\">*</td><td class=\"mono same\" colspan=\"3\"></td></tr>\n";
      same_said = true;
      continue;
    }
    same_said = false;
    std::string hex;
    std::string text;
    for (std::size_t i = row; i < row_end; ++i) {
      const std::size_t offset = s.first + i;
      while (next_recv < recvs.size() && recvs[next_recv] <= offset) ++next_recv, ++piece;
      std::string cls;
      const auto add = [&cls](const char* name) { cls += (cls.empty() ? "" : " ") + std::string(name); };
      if (piece % 2 == 1) add("odd");
      if (lost(offset)) add("lost");
      if (ends_at(sends, offset + 1)) add("s");
      if (ends_at(recvs, offset + 1)) add("r");
      const auto c = static_cast<unsigned char>(s.data[i]);
      const std::string attr = cls.empty() ? "" : " class=\"" + cls + "\"";
      hex += fmt::format("<span{}>{:02x}</span>", attr, c);
      const std::string shown_char = c >= 0x20 && c < 0x7f ? std::string(1, static_cast<char>(c)) : std::string("·");
      text += "<span" + attr + ">" + esc(shown_char) + "</span>";
    }
    out += fmt::format("<tr><td class=\"off mono\">{:08x}</td><td class=\"mono\">{}</td><td class=\"gap\"></td><td class=\"mono txt\">{}</td></tr>\n",
                       s.first + row, hex, text);
  }
  out += "</table>\n";
  if (shown < s.data.size() || s.first + s.data.size() < s.total)
    out += fmt::format(says(lang, "<p class=\"legend\">{} of the {} bytes sent are shown.</p>\n",
                          "<p class=\"legend\">显示了发送的 {1} 字节中的 {0} 字节。</p>\n"),
                       shown, s.total);
}

void bytes_section(std::string& out, const ui::Conversation& conv, Lang lang) {
  out += fmt::format("<section id=\"bytes\"><h2>{}</h2>\n", esc(ui::tx(Tx::PanelBytes, lang)));
  if (conv.streams().empty()) out += "<p>" + esc(in(lang, "No bytes moved.", "没有字节传输。")) + "</p>\n";
  else out += "<p class=\"legend\">" + esc(ui::tx(Tx::StreamLegend, lang)) + "</p>\n";
  for (const ui::ByteStream& s : conv.streams()) {
    const std::string from = s.from + " " + s.from_address.to_string();
    const std::string to = s.to + " " + s.to_address.to_string();
    // The window's title, its "%s" filled in.
    std::string title = ui::tx(s.datagrams() ? Tx::DatagramTitle : Tx::StreamTitle, lang);
    for (const std::string& part : {from, to})
      if (const auto at = title.find("%s"); at != std::string::npos) title.replace(at, 2, part);
    out += "<h3>" + esc(title) + "</h3>\n";
    const auto calls = [lang](std::size_t n, const char* one, const char* many) {
      return lang == Lang::Zh ? std::to_string(n) + " 次" : std::to_string(n) + (n == 1 ? one : many);
    };
    out += fmt::format(says(lang, "<p class=\"legend\">{} bytes sent in {}, {} received in {}.</p>\n",
                            "<p class=\"legend\">发送 {} 字节({} send),接收 {} 字节({} recv)。</p>\n"),
                       s.total, calls(s.send_ends.size(), " send", " sends"), s.received,
                       calls(s.recv_ends.size(), " receive", " receives"));
    std::size_t dropped = 0;
    for (const auto& [begin, end] : s.dropped) dropped += end - begin;
    if (dropped > 0) {
      // The window's words, its "%zu" filled in.
      std::string line = ui::tx(Tx::DroppedTail, lang);
      if (const auto at = line.find("%zu"); at != std::string::npos) line.replace(at, 3, std::to_string(dropped));
      out += "<p class=\"legend err\">" + esc(line) + "</p>\n";
    }
    stream_bytes(out, s, lang);
  }
  out += "</section>\n";
}

}  // namespace

std::string session_html(const std::vector<Event>& events, const ui::Conversation& conv, const ExportSetup& setup) {
  const Lang lang = setup.lang;
  const std::string title = setup.title.empty() ? "sockstep" : setup.title;
  std::string out = "<!DOCTYPE html>\n";
  out += fmt::format("<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n", lang == Lang::Zh ? "zh-Hans" : "en");
  // The page may load nothing: no script, no outside address, not even an image.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + esc("sockstep — " + title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>" + esc(title) + "</h1>\n";
  const std::size_t calls = static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(), [](const Event& e) { return e.kind == EventKind::Call; }));
  const std::size_t packets = static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(), [](const Event& e) { return e.kind == EventKind::Packet; }));
  out += fmt::format(says(lang, "<p class=\"meta\">{} calls, {} packets, {} streams; written by sockstep.</p>\n",
                        "<p class=\"meta\">{} 次调用,{} 个数据包,{} 条流;由 sockstep 写出。</p>\n"),
                     calls, packets, conv.streams().size());
  out += "<nav>";
  out += "<a href=\"#diagram\">" + esc(ui::tx(Tx::PanelSequence, lang)) + "</a>";
  if (setup.lesson) out += "<a href=\"#steps\">" + esc(ui::tx(Tx::PanelSteps, lang)) + "</a>";
  out += "<a href=\"#calls\">" + esc(in(lang, "Calls", "调用")) + "</a>";
  out += "<a href=\"#bytes\">" + esc(ui::tx(Tx::PanelBytes, lang)) + "</a></nav>\n";

  out += fmt::format("<section id=\"diagram\"><h2>{}</h2>\n<div class=\"diagram\">\n", esc(ui::tx(Tx::PanelSequence, lang)));
  out += sequence_svg(events, conv, SvgOptions{lang, title, false});
  out += "</div></section>\n";
  if (setup.lesson) steps_section(out, setup);
  calls_section(out, events, setup);
  bytes_section(out, conv, lang);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace sockstep::cli
