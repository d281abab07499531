#include "engine/expectations.hpp"

#include "engine/errno_names.hpp"
#include "engine/py_text.hpp"

namespace sockstep {
namespace {

std::string state_of(const std::optional<SocketView>& view) { return view ? view->state : "CLOSED"; }

// expected may list alternatives: "FIN_WAIT1|FIN_WAIT2".
bool state_matches(const std::string& expected, const std::string& actual) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = expected.find('|', start);
    if (expected.compare(start, bar == std::string::npos ? std::string::npos : bar - start, actual) == 0) return true;
    if (bar == std::string::npos) return false;
    start = bar + 1;
  }
}

// The variable whose state a step's `state` expectation speaks of.
std::string subject_of(const Step& step) {
  if (step.call == "socket" || step.call == "accept") {
    const auto comma = step.result.find(',');
    std::string name = step.result.substr(0, comma);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    return name;
  }
  return step.sock;
}

std::string describe(const CallResult& result) {
  if (result.ok()) return "it returned " + std::to_string(result.value);
  return "it failed with " + errno_name(result.err) + " (" + errno_message(result.err) + ")";
}

}  // namespace

std::vector<std::string> check_expectations(const Step& step, const CallResult& result,
                                            const KernelFacts& facts) {
  std::vector<std::string> failures;
  const Expect& e = step.expect;
  if (e.ok && *e.ok != result.ok())
    failures.push_back(std::string("expected ") + step.call + "() to " + (*e.ok ? "succeed" : "fail") +
                       ", but " + describe(result));
  if (e.err && errno_from_name(*e.err) != result.err)
    failures.push_back("expected errno " + *e.err + ", got " +
                       (result.err == 0 ? std::string("success") : errno_name(result.err)));
  if (e.value && *e.value != result.value)
    failures.push_back("expected the value " + std::to_string(*e.value) + ", got " + std::to_string(result.value));
  if (e.bytes && *e.bytes != result.bytes)
    failures.push_back("expected the bytes " + python_bytes_repr(*e.bytes) + ", got " +
                       python_bytes_repr(result.bytes.substr(0, 200)));
  if (e.state) {
    const std::string subject = subject_of(step);
    const std::string actual = state_of(facts.socket(step.actor, subject));
    if (!state_matches(*e.state, actual))
      failures.push_back("expected " + step.actor + "." + subject + " in " + *e.state + ", the kernel says " + actual);
  }
  for (const auto& [name, expected] : e.states) {
    const auto dot = name.find('.');
    const std::string actual = state_of(facts.socket(name.substr(0, dot), name.substr(dot + 1)));
    if (!state_matches(expected, actual))
      failures.push_back("expected " + name + " in " + expected + ", the kernel says " + actual);
  }
  if (e.accept_queue) {
    const auto view = facts.socket(step.actor, step.sock);
    const long long actual = view ? view->accept_queue : -1;
    if (actual != *e.accept_queue)
      failures.push_back("expected " + std::to_string(*e.accept_queue) + " connection(s) in the accept queue, the kernel says " +
                         std::to_string(actual));
  }
  if (e.orphan) {
    bool found = false;
    for (const auto& o : facts.orphans()) found = found || state_matches(*e.orphan, o.state);
    if (!found) failures.push_back("expected a socket without fd in " + *e.orphan + ", the kernel has none");
  }
  if (e.console) {
    const std::string line = facts.last_console_line(step.actor);
    if (line != *e.console) failures.push_back("expected the console to show '" + *e.console + "', it shows '" + line + "'");
  }
  return failures;
}

}  // namespace sockstep
