#include "engine/inspect/listen_overflows.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace sockstep {

namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::optional<std::uint64_t> number(std::string_view word) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc{} || end != word.data() + word.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<ListenCounters> parse_listen_counters(std::string_view netstat) {
  // Lines come in pairs per group: names, then values, both starting "TcpExt:".
  std::vector<std::string_view> tcp_ext;
  std::size_t at = 0;
  while (at < netstat.size()) {
    std::size_t end = netstat.find('\n', at);
    if (end == std::string_view::npos) end = netstat.size();
    const std::string_view line = netstat.substr(at, end - at);
    if (line.starts_with("TcpExt:")) tcp_ext.push_back(line.substr(7));
    at = end + 1;
  }
  if (tcp_ext.size() < 2) return std::nullopt;
  const std::vector<std::string_view> names = words(tcp_ext[0]);
  const std::vector<std::string_view> values = words(tcp_ext[1]);
  if (names.size() != values.size()) return std::nullopt;
  std::optional<std::uint64_t> overflows;
  std::optional<std::uint64_t> drops;
  ListenCounters counters;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "ListenOverflows") overflows = number(values[i]);
    if (names[i] == "ListenDrops") drops = number(values[i]);
    if (names[i] == "SyncookiesSent") counters.cookies_sent = number(values[i]).value_or(0);
    if (names[i] == "SyncookiesFailed") counters.cookies_failed = number(values[i]).value_or(0);
  }
  if (!overflows || !drops) return std::nullopt;
  counters.overflows = *overflows;
  counters.drops = *drops;
  return counters;
}

std::optional<ListenCounters> read_listen_counters() {
  // A proc file says its size is 0, so it is read as a stream (a few kilobytes).
  std::ifstream file("/proc/net/netstat");
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return parse_listen_counters(text.str());
}

std::string listen_overflow_text(const ListenOverflow& o) {
  std::string text;
  if (o.overflows > 0) {
    const std::string n = std::to_string(o.overflows);
    const bool one = o.overflows == 1;
    text = n + " connection attempt" + (one ? "" : "s") + " found the accept queue full (backlog " +
           std::to_string(o.backlog) + ", " + std::to_string(o.queued) + " waiting for accept()): the kernel dropped " +
           (one ? "it" : "them") + " and the client" + (one ? "" : "s") + " will try again after 1 s (TcpExt ListenOverflows +" +
           n + ", ListenDrops +" + std::to_string(o.drops) + ")";
  }
  if (o.cookies_sent > 0) {
    if (!text.empty()) text += "; ";
    text += "the SYN queue was full, so the kernel answered " + std::to_string(o.cookies_sent) + " SYN" +
            (o.cookies_sent == 1 ? "" : "s") + " with a SYN cookie instead of keeping it (SyncookiesSent +" +
            std::to_string(o.cookies_sent) + ")";
  }
  if (o.cookies_failed > 0) {
    if (!text.empty()) text += "; ";
    const bool one = o.cookies_failed == 1;
    text += std::to_string(o.cookies_failed) + " returning ACK" + (one ? "" : "s") +
            " failed the cookie check and the kernel reset " + (one ? "that client" : "those clients") +
            " (ECONNRESET; SyncookiesFailed +" + std::to_string(o.cookies_failed) + "): a larger --backlog avoids it";
  }
  return text;
}

std::string listen_overflow_text_zh(const ListenOverflow& o) {
  std::string text;
  if (o.overflows > 0)
    text = std::to_string(o.overflows) + " 次连接尝试遇到 accept 队列(全连接队列)已满(backlog " + std::to_string(o.backlog) +
           "," + std::to_string(o.queued) + " 个在等 accept()):内核丢弃了它们,客户端 1 秒后重试(TcpExt ListenOverflows +" +
           std::to_string(o.overflows) + ",ListenDrops +" + std::to_string(o.drops) + ")";
  if (o.cookies_sent > 0) {
    if (!text.empty()) text += ";";
    text += "SYN 队列(半连接队列)已满,内核对 " + std::to_string(o.cookies_sent) +
            " 个 SYN 回以 SYN cookie,而不保存它们(SyncookiesSent +" + std::to_string(o.cookies_sent) + ")";
  }
  if (o.cookies_failed > 0) {
    if (!text.empty()) text += ";";
    text += std::to_string(o.cookies_failed) + " 个返回的 ACK 未通过 cookie 校验,内核重置了这些客户端(ECONNRESET;SyncookiesFailed +" +
            std::to_string(o.cookies_failed) + "):加大 --backlog 可以避免";
  }
  return text;
}

ListenOverflowWatch::ListenOverflowWatch() : last_(read_listen_counters()) {}

ListenCounters ListenOverflowWatch::sample() {
  if (!last_) return {};
  const std::optional<ListenCounters> now = read_listen_counters();
  if (!now) return {};
  // A counter never goes down; if it seems to (another namespace's file?), start again.
  const auto growth = [](std::uint64_t now_value, std::uint64_t last_value) {
    return now_value >= last_value ? now_value - last_value : 0;
  };
  ListenCounters grew;
  grew.overflows = growth(now->overflows, last_->overflows);
  grew.drops = growth(now->drops, last_->drops);
  grew.cookies_sent = growth(now->cookies_sent, last_->cookies_sent);
  grew.cookies_failed = growth(now->cookies_failed, last_->cookies_failed);
  last_ = now;
  return grew;
}

}  // namespace sockstep
