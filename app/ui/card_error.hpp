#pragma once
#include <string>

#include "engine/lesson/lesson.hpp"
#include "engine/lesson/session.hpp"

namespace sockstep::ui {

// The failure a socket card shows, so the lesson goes on without a dialog: the newest
// step on this very socket that failed ("step 5: bind ✗ EADDRINUSE ..."), counted from
// the step that made it (a new socket under an old name has none of the old one's
// errors), and gone once a later call of the same kind on it succeeded (a connect that
// was refused, then went through). Empty: nothing to show.
[[nodiscard]] std::string card_error(const Lesson& lesson, const SessionSnapshot& snap, const std::string& actor,
                                     const std::string& var, int opened_step, bool zh);

}  // namespace sockstep::ui
