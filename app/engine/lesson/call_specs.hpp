#pragma once
#include <string>
#include <vector>

namespace sockstep {

// Names: a list of the actor's socket variables, ["phone", "conn"].
enum class ArgType { Int, Number, Bool, String, Names };

struct ArgSpec {
  const char* name;
  ArgType type;
  const char* meaning;
};

// What a lesson step may say for one call: which socket variable it needs,
// how many result variables it fills, and which arguments it takes.
struct CallSpec {
  const char* name;
  bool needs_sock;
  int results;  // 0: none; 1: "data"; 2: "conn, client_addr"
  std::vector<ArgSpec> args;
};

[[nodiscard]] const std::vector<CallSpec>& call_specs();
[[nodiscard]] const CallSpec* find_call_spec(const std::string& name);

}  // namespace sockstep
