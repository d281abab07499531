#include "ui/countdown.hpp"

#include <algorithm>

namespace sockstep::ui {

int shown_seconds_left(int timer_ms) {
  if (timer_ms <= 0) return 0;
  return (timer_ms + kCountdownStepMs - 1) / kCountdownStepMs * (kCountdownStepMs / 1000);
}

int ms_until_countdown_changes(const std::vector<OrphanSocket>& orphans) {
  // A little after the boundary, so the next snapshot reads the new step.
  constexpr int kPastBoundaryMs = 50;
  int soonest = -1;
  for (const OrphanSocket& orphan : orphans) {
    // No timer shown (the kernel reports none): look again a step later, to see it go.
    int into_step = orphan.timer_ms > 0 ? orphan.timer_ms % kCountdownStepMs : 0;
    if (into_step == 0) into_step = kCountdownStepMs;
    const int wait = into_step + kPastBoundaryMs;
    soonest = soonest < 0 ? wait : std::min(soonest, wait);
  }
  return soonest;
}

}  // namespace sockstep::ui
