#pragma once
// Reading the TOML files sockstep takes from its users (lessons, checks): a parse that
// input cannot crash, and errors that say where the mistake is.
#include <string>
#include <vector>
#include <toml++/toml.h>

#include "engine/lesson/file_error.hpp"

namespace sockstep {

// toml::parse, guarded against input that makes toml++ misbehave (code points it trips
// on, nesting deep enough to overflow the stack). Throws FileError; depth_hint is the
// hint for too-deep input ("a lesson's keys are a few levels deep").
[[nodiscard]] toml::table parse_guarded_toml(const std::string& text, const std::string& file,
                                             const std::string& depth_hint);

// "did you mean 'metaphor'?" when a known word is close, else the list of known words.
[[nodiscard]] std::string suggest(const std::string& wrong, const std::vector<std::string>& known);

}  // namespace sockstep
