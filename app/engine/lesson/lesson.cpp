#include "engine/lesson/lesson.hpp"

namespace sockstep {

int Listing::line_count() const {
  if (code.empty()) return 0;
  int lines = 1;
  for (char c : code)
    if (c == '\n') ++lines;
  if (code.back() == '\n') --lines;
  return lines;
}

std::string Listing::line(int number) const {
  if (number < 1) return "";
  std::size_t start = 0;
  for (int i = 1; i < number; ++i) {
    start = code.find('\n', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  const std::size_t end = code.find('\n', start);
  return code.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool Expect::empty() const {
  return !ok && !err && !value && !bytes && !state && states.empty() && !blocks && !unblocks &&
         !accept_queue && !orphan && !console && !address && !text && !truncated && !value_min &&
         !value_max && queued.empty() && send_queue_min.empty() && window.empty() && !readable && !writable && !held_ms_min && !held_ms_max && !took_ms_min && !took_ms_max && descriptors.empty() && waits_in.empty() &&
         processes.empty();
}

const Listing* Lesson::listing(const std::string& name) const {
  for (const auto& l : listings)
    if (l.name == name) return &l;
  return nullptr;
}

namespace {
const ArgValue* find_arg(const Step& step, const std::string& key) {
  const auto it = step.args.find(key);
  return it == step.args.end() ? nullptr : &it->second;
}
}  // namespace

bool has_arg(const Step& step, const std::string& key) { return find_arg(step, key) != nullptr; }

long long arg_int(const Step& step, const std::string& key, long long fallback) {
  const ArgValue* v = find_arg(step, key);
  if (v == nullptr) return fallback;
  if (const auto* i = std::get_if<long long>(v)) return *i;
  if (const auto* d = std::get_if<double>(v)) return static_cast<long long>(*d);
  if (const auto* b = std::get_if<bool>(v)) return *b ? 1 : 0;
  return fallback;
}

double arg_double(const Step& step, const std::string& key, double fallback) {
  const ArgValue* v = find_arg(step, key);
  if (v == nullptr) return fallback;
  if (const auto* d = std::get_if<double>(v)) return *d;
  if (const auto* i = std::get_if<long long>(v)) return static_cast<double>(*i);
  return fallback;
}

std::string arg_string(const Step& step, const std::string& key, const std::string& fallback) {
  const ArgValue* v = find_arg(step, key);
  if (v == nullptr) return fallback;
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  return fallback;
}

bool arg_bool(const Step& step, const std::string& key, bool fallback) {
  const ArgValue* v = find_arg(step, key);
  if (v == nullptr) return fallback;
  if (const auto* b = std::get_if<bool>(v)) return *b;
  return fallback;
}

std::vector<std::string> arg_names(const Step& step, const std::string& key) {
  const ArgValue* v = find_arg(step, key);
  if (v == nullptr) return {};
  if (const auto* names = std::get_if<std::vector<std::string>>(v)) return *names;
  return {};
}

std::pair<std::string, std::string> result_names(const std::string& result) {
  const auto comma = result.find(',');
  auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(' ');
    const auto e = s.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  if (comma == std::string::npos) return {trim(result), ""};
  return {trim(result.substr(0, comma)), trim(result.substr(comma + 1))};
}

std::string socket_made_by(const Step& step) {
  if (step.call != "socket" && step.call != "accept" && step.call != "epoll_create") return "";
  return result_names(step.result).first;
}

}  // namespace sockstep
