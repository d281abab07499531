#pragma once
#include <cstddef>
#include <vector>

#include "engine/lesson/expectations.hpp"
#include "engine/lesson/lesson.hpp"

namespace sockstep {

// The choices of step's prediction whose `when` holds for what the kernel did
// (empty when the step has no prediction, or the kernel did something no choice
// describes). Called after the step's own checks, which already waited for the kernel.
[[nodiscard]] std::vector<std::size_t> judge_predict(const Step& step, const CallResult& result,
                                                     const KernelFacts& facts);

}  // namespace sockstep
