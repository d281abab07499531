#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/log/event.hpp"

namespace sockstep {

// The kernel's counters of connection attempts a listener could not take, for the whole
// network namespace (`nstat -az TcpExtListenOverflows TcpExtListenDrops`):
// ListenOverflows counts the SYNs and handshake-ending ACKs that found an accept queue
// full; ListenDrops counts every attempt a listener dropped, the overflows included.
// When the SYN queue (the half-open connections, sized by the backlog too) is full, the
// kernel answers a SYN with a SYN cookie instead of keeping it (SyncookiesSent); an ACK
// whose cookie it cannot take back (SyncookiesFailed) is answered with a reset, which the
// client sees as ECONNRESET.
struct ListenCounters {
  std::uint64_t overflows = 0;
  std::uint64_t drops = 0;
  std::uint64_t cookies_sent = 0;
  std::uint64_t cookies_failed = 0;

  [[nodiscard]] bool any() const { return overflows + drops + cookies_sent + cookies_failed > 0; }
};

// Parses /proc/net/netstat's text (a "TcpExt:" line of names, then one of values);
// nullopt when ListenOverflows and ListenDrops are not there (the cookie counters are 0
// when a kernel without syncookies does not list them).
[[nodiscard]] std::optional<ListenCounters> parse_listen_counters(std::string_view netstat);
// Reads them for the caller's network namespace; nullopt when /proc says nothing.
[[nodiscard]] std::optional<ListenCounters> read_listen_counters();

// ListenOverflow (engine/log/event.hpp) is what a ListenFull note carries.
// "3 connection attempts found the accept queue full (backlog 5): ..." and its Chinese,
// then what the SYN cookies did, when they did anything.
[[nodiscard]] std::string listen_overflow_text(const ListenOverflow& o);
[[nodiscard]] std::string listen_overflow_text_zh(const ListenOverflow& o);

// Follows the counters from a starting point; each sample says by how much they grew.
class ListenOverflowWatch {
 public:
  // Reads the counters now: what happened before is not this listener's.
  ListenOverflowWatch();
  // The growth since the last sample (both 0 when nothing grew or /proc cannot be read).
  [[nodiscard]] ListenCounters sample();
  [[nodiscard]] bool available() const { return last_.has_value(); }

 private:
  std::optional<ListenCounters> last_;
};

}  // namespace sockstep
