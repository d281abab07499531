#pragma once
// A run's verdicts as the learner reads them (text), as one JSON object per line, and
// as JUnit XML for a course's CI (GitHub Classroom, Gradescope, GitLab).
#include <string>
#include <vector>

#include "check/check_runner.hpp"

namespace sockstep::check {

// "  ✗ short-writes  Echoes 1 MiB ... 1.2 s" and, for a failure, why, the evidence and
// the lesson to walk.
[[nodiscard]] std::string verdict_text(const Verdict& v, Lang lang);
// "7 of 9 checks passed." in the learner's language.
[[nodiscard]] std::string summary_text(const std::vector<Verdict>& verdicts, Lang lang);
// {"check":ID,"role":..,"passed":..,"lesson":..,"why":..,"title":..,"evidence":[..],"seconds":..}
[[nodiscard]] std::string verdict_json(const Verdict& v, Lang lang);
[[nodiscard]] std::string junit_xml(const std::vector<Verdict>& verdicts, const std::string& command, Lang lang);

}  // namespace sockstep::check
