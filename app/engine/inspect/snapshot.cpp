#include "engine/inspect/snapshot.hpp"

namespace sockstep {

const char* step_status_name(StepStatus status) {
  switch (status) {
    case StepStatus::NotRun: return "not run";
    case StepStatus::Done: return "done";
    case StepStatus::Blocked: return "blocked";
    case StepStatus::Cancelled: return "cancelled";
  }
  return "?";
}

}  // namespace sockstep
