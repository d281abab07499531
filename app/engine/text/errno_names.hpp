#pragma once
#include <optional>
#include <string>
#include <vector>

namespace sockstep {

// A call's error is an errno, or one of two failures that have none, kept in the same int:
// - a getaddrinfo code, negative as glibc numbers them and as Python's socket.gaierror
//   carries them (EAI_NONAME is -2: gaierror(-2, 'Name or service not known'));
// - kPythonTimeout: a socket with settimeout() ran out of time. Python waits in poll()
//   itself, so no system call failed: it raises TimeoutError('timed out') with errno None.
//   (ETIMEDOUT is something else: TCP giving up on a connection.)
inline constexpr int kPythonTimeout = 1 << 20;  // above every errno

// "ECONNREFUSED" for 111, "EAI_NONAME" for -2, "timeout" for kPythonTimeout; "E<number>"
// for values the table does not know; "" for 0.
[[nodiscard]] std::string errno_name(int err);
// strerror text (gai_strerror for a getaddrinfo code), thread-safe.
[[nodiscard]] std::string errno_message(int err);
// The same in the reader's language: with zh, the Chinese message of every errno the
// table names (English strerror for one it does not).
[[nodiscard]] std::string errno_message(int err, bool zh);
[[nodiscard]] bool errno_has_chinese_message(int err);
// Every value errno_name() knows by name, getaddrinfo codes and kPythonTimeout included.
[[nodiscard]] std::vector<int> known_errnos();
// Inverse of errno_name; nothing for a name the table does not know.
[[nodiscard]] std::optional<int> errno_from_name(const std::string& name);
// An errno that reports a wait rather than a failure: EAGAIN (a non-blocking call would
// have waited), EINPROGRESS and EALREADY (a connect under way), ECANCELED (a wait ended
// by a reset or a stop). Views show these as notes, not as errors.
[[nodiscard]] bool errno_reports_a_wait(int err);

}  // namespace sockstep
