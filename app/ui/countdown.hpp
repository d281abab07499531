#pragma once
#include <vector>

#include "engine/inspect/inspect.hpp"

namespace sockstep::ui {

// A TIME_WAIT card shows the kernel's timer in 10-second steps ("about 50 s left").
// The window redraws when the shown number changes, not every second: a finished
// lesson then costs one frame per 10 s, and the idle CPU stays well under 1 %.
inline constexpr int kCountdownStepMs = 10000;

// The seconds a card shows for a timer: rounded up to the step (59.2 s -> 60).
[[nodiscard]] int shown_seconds_left(int timer_ms);
// Milliseconds until any card's shown number changes (or its socket may be gone);
// -1 when there is no such card.
[[nodiscard]] int ms_until_countdown_changes(const std::vector<OrphanSocket>& orphans);

}  // namespace sockstep::ui
