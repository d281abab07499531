#pragma once
#include <string>

namespace sockstep {

// "ECONNREFUSED" for 111; "E<number>" for values the table does not know; "" for 0.
[[nodiscard]] std::string errno_name(int err);
// strerror text, thread-safe.
[[nodiscard]] std::string errno_message(int err);
// Inverse of errno_name; returns -1 for a name the table does not know.
[[nodiscard]] int errno_from_name(const std::string& name);
// An errno that reports a wait rather than a failure: EAGAIN (a non-blocking call would
// have waited), EINPROGRESS and EALREADY (a connect under way), ECANCELED (a wait ended
// by a reset or a stop). Views show these as notes, not as errors.
[[nodiscard]] bool errno_reports_a_wait(int err);

}  // namespace sockstep
