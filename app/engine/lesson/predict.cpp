#include "engine/lesson/predict.hpp"

namespace sockstep {

std::vector<std::size_t> judge_predict(const Step& step, const CallResult& result, const KernelFacts& facts) {
  std::vector<std::size_t> right;
  if (!step.predict) return right;
  const auto& choices = step.predict->choices;
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (check_expect(choices[i].when, step, result, facts, false).empty()) right.push_back(i);
  return right;
}

}  // namespace sockstep
