#include "check/check_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "engine/lesson/guarded_toml.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/small_file.hpp"

namespace sockstep::check {

const char* role_name(Role role) { return role == Role::Server ? "server" : "client"; }

namespace {

constexpr std::size_t kMaxCheckFileBytes = 1 << 20;
constexpr std::size_t kMaxSendBytes = 16 << 20;
constexpr long long kMaxClients = 10000;
constexpr long long kMaxWithinMs = 60000;

struct ActionName {
  const char* name;
  ActionKind kind;
  Role role;
};
constexpr ActionName kActions[] = {
    {"connect", ActionKind::Connect, Role::Server},
    {"send", ActionKind::Send, Role::Server},
    {"stall", ActionKind::Stall, Role::Server},
    {"expect_echo", ActionKind::ExpectEcho, Role::Server},
    {"close", ActionKind::Close, Role::Server},
    {"reset", ActionKind::Reset, Role::Server},
    {"expect_server_closes", ActionKind::ExpectServerCloses, Role::Server},
    {"clients", ActionKind::Clients, Role::Server},
    {"count_fds", ActionKind::CountFds, Role::Server},
    {"expect_fds_steady", ActionKind::ExpectFdsSteady, Role::Server},
    {"stop_server", ActionKind::StopServer, Role::Server},
    {"start_server", ActionKind::StartServer, Role::Server},
    {"run_client", ActionKind::RunClient, Role::Client},
    {"expect_whole_reply", ActionKind::ExpectWholeReply, Role::Client},
    {"expect_whole_send", ActionKind::ExpectWholeSend, Role::Client},
    {"expect_failed_exit", ActionKind::ExpectFailedExit, Role::Client},
    {"expect_closes_socket", ActionKind::ExpectClosesSocket, Role::Client},
};

bool names_client(ActionKind kind) {
  return kind == ActionKind::Connect || kind == ActionKind::Send || kind == ActionKind::Stall || kind == ActionKind::ExpectEcho ||
         kind == ActionKind::Close || kind == ActionKind::Reset || kind == ActionKind::ExpectServerCloses;
}

class Loader {
 public:
  Loader(std::string file, const std::vector<std::string>& lessons) : file_(std::move(file)), lessons_(lessons) {}

  std::vector<CheckSpec> load(const std::string& text) {
    const toml::table root =
        parse_guarded_toml(text, file_, "a check file is a few levels deep, like [[check]] with its step list");
    keys(root, {"check"}, "the file");
    const toml::node* checks = root.get("check");
    if (checks == nullptr || !checks->is_array_of_tables())
      fail(SourcePos{file_, 1, 1}, "no [[check]] tables", "start each check with [[check]]");
    std::vector<CheckSpec> out;
    for (const auto& node : *checks->as_array()) out.push_back(check_of(*node.as_table()));
    return out;
  }

 private:
  [[noreturn]] void fail(const SourcePos& where, const std::string& what, const std::string& hint) const {
    throw FileError(where, what, hint);
  }
  SourcePos pos(const toml::node& node) const {
    const auto& p = node.source().begin;
    return SourcePos{file_, static_cast<int>(p.line), static_cast<int>(p.column)};
  }

  void keys(const toml::table& table, const std::vector<std::string>& known, const std::string& where) const {
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        const auto& p = key.source().begin;
        fail(SourcePos{file_, static_cast<int>(p.line), static_cast<int>(p.column)},
             "unknown key '" + name + "' in " + where, suggest(name, known));
      }
    }
  }

  const toml::node& required(const toml::table& table, const std::string& key, const std::string& where) const {
    if (const toml::node* node = table.get(key)) return *node;
    fail(pos(table), where + " has no '" + key + "'", "add " + key + " = ...");
  }

  std::string string_of(const toml::node& node, const std::string& key) const {
    if (const auto* s = node.as_string()) return s->get();
    fail(pos(node), "'" + key + "' must be a string", "put the value in double quotes");
  }

  long long int_of(const toml::node& node, const std::string& key, long long low, long long high) const {
    const auto* i = node.as_integer();
    if (i == nullptr) fail(pos(node), "'" + key + "' must be a whole number", "write a number without quotes");
    if (i->get() < low || i->get() > high)
      fail(pos(node), "'" + key + "' must be from " + std::to_string(low) + " to " + std::to_string(high), "");
    return i->get();
  }

  Text text_of(const toml::node& node, const std::string& key) const {
    const auto* table = node.as_table();
    if (table == nullptr) fail(pos(node), "'" + key + "' must be a table of texts", "write " + key + " = { en = \"...\", zh = \"...\" }");
    keys(*table, {"en", "zh"}, "'" + key + "'");
    Text text;
    text.en = string_of(required(*table, "en", "'" + key + "'"), "en");
    text.zh = string_of(required(*table, "zh", "'" + key + "'"), "zh");
    if (text.en.empty() || text.zh.empty()) fail(pos(node), "'" + key + "' needs text in both languages", "");
    return text;
  }

  CheckSpec check_of(const toml::table& table) {
    keys(table, {"id", "role", "lesson", "title", "faults", "step"}, "[[check]]");
    CheckSpec spec;
    spec.pos = pos(table);
    spec.id = string_of(required(table, "id", "[[check]]"), "id");
    const bool id_ok = !spec.id.empty() && std::all_of(spec.id.begin(), spec.id.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!id_ok) fail(pos(*table.get("id")), "a check id is lower-case letters, digits and '-'", "write id = \"short-writes\"");
    if (!seen_ids_.insert({spec.id, true}).second) fail(pos(*table.get("id")), "a second check named '" + spec.id + "'", "");
    const std::string role = string_of(required(table, "role", "[[check]]"), "role");
    if (role != "server" && role != "client") fail(pos(*table.get("role")), "role must be \"server\" or \"client\"", "");
    spec.role = role == "server" ? Role::Server : Role::Client;
    spec.lesson = string_of(required(table, "lesson", "[[check]]"), "lesson");
    if (!lessons_.empty() && std::find(lessons_.begin(), lessons_.end(), spec.lesson) == lessons_.end())
      fail(pos(*table.get("lesson")), "no lesson '" + spec.lesson + "'", suggest(spec.lesson, lessons_));
    spec.title = text_of(required(table, "title", "[[check]]"), "title");
    if (const toml::node* faults = table.get("faults")) {
      const auto* list = faults->as_array();
      if (list == nullptr) fail(pos(*faults), "'faults' must be a list", "write faults = [\"short-writes\"]");
      for (const auto& item : *list) {
        const std::string name = string_of(item, "faults");
        if (name == "short-writes") spec.faults |= kShortWrites;
        else if (name == "short-reads") spec.faults |= kShortReads;
        else if (name == "eintr") spec.faults |= kEintr;
        else fail(pos(item), "unknown fault '" + name + "'", suggest(name, {"short-writes", "short-reads", "eintr"}));
      }
    }
    const toml::node& steps = required(table, "step", "[[check]]");
    if (!steps.is_array_of_tables() || steps.as_array()->empty())
      fail(pos(steps), "'step' must be a list of actions", "write step = [ { do = \"connect\", client = \"a\" } ]");
    for (const auto& step : *steps.as_array()) spec.steps.push_back(action_of(*step.as_table(), spec.role));
    return spec;
  }

  Action action_of(const toml::table& table, Role role) const {
    keys(table, {"do", "client", "text", "size", "count", "within_ms", "slack", "serve", "rcvbuf"}, "a step");
    Action action;
    action.pos = pos(table);
    const toml::node& what = required(table, "do", "a step");
    const std::string name = string_of(what, "do");
    std::vector<std::string> known;
    const ActionName* found = nullptr;
    for (const auto& a : kActions) {
      if (a.role != role) continue;
      known.emplace_back(a.name);
      if (name == a.name) found = &a;
    }
    if (found == nullptr)
      fail(pos(what), "no action '" + name + "' in a " + role_name(role) + " check", suggest(name, known));
    action.kind = found->kind;
    const auto allowed = [&](const std::string& key, bool ok) {
      if (table.contains(key) && !ok) fail(pos(*table.get(key)), "'" + key + "' means nothing to " + name, "leave it out");
    };
    allowed("client", names_client(action.kind));
    allowed("text", action.kind == ActionKind::Send);
    allowed("size", action.kind == ActionKind::Send);
    allowed("count", action.kind == ActionKind::Clients);
    allowed("slack", action.kind == ActionKind::ExpectFdsSteady);
    allowed("serve", action.kind == ActionKind::RunClient);
    allowed("rcvbuf", action.kind == ActionKind::Connect);
    if (const auto* r = table.get("rcvbuf")) action.rcvbuf = static_cast<int>(int_of(*r, "rcvbuf", 1, 1 << 24));
    if (names_client(action.kind)) action.client = string_of(required(table, "client", name), "client");
    if (action.kind == ActionKind::Send) {
      if (table.contains("text") == table.contains("size"))
        fail(action.pos, "send needs either text or size", "write text = \"hello\" or size = 1048576");
      if (const auto* t = table.get("text")) action.text = string_of(*t, "text");
      if (const auto* s = table.get("size")) action.size = static_cast<std::size_t>(int_of(*s, "size", 1, kMaxSendBytes));
      if (action.text.empty() && action.size == 0) fail(action.pos, "send needs at least one byte", "");
    }
    if (action.kind == ActionKind::Clients) action.count = static_cast<int>(int_of(required(table, "count", name), "count", 1, kMaxClients));
    if (const auto* w = table.get("within_ms")) action.within_ms = static_cast<int>(int_of(*w, "within_ms", 1, kMaxWithinMs));
    if (const auto* s = table.get("slack")) action.slack = static_cast<int>(int_of(*s, "slack", 0, 1000));
    if (const auto* s = table.get("serve")) {
      const std::string mode = string_of(*s, "serve");
      if (mode == "echo") action.serve = ServeMode::Echo;
      else if (mode == "pieces") action.serve = ServeMode::Pieces;
      else if (mode == "nothing") action.serve = ServeMode::Nothing;
      else fail(pos(*s), "unknown serve mode '" + mode + "'", suggest(mode, {"echo", "pieces", "nothing"}));
    }
    return action;
  }

  std::string file_;
  const std::vector<std::string>& lessons_;
  std::map<std::string, bool> seen_ids_;
};

}  // namespace

std::vector<CheckSpec> load_check_text(const std::string& text, const std::string& name,
                                       const std::vector<std::string>& known_lessons) {
  return Loader(name, known_lessons).load(text);
}

std::vector<CheckSpec> load_check_file(const std::string& path, const std::vector<std::string>& known_lessons) {
  std::string why;
  const auto text = read_small_file(path, kMaxCheckFileBytes, why);
  if (!text) throw FileError(SourcePos{path, 0, 0}, "the check file " + why, "");
  return load_check_text(*text, path, known_lessons);
}

std::vector<std::string> check_files(const std::string& file_or_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(file_or_dir, ec)) return {file_or_dir};
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(file_or_dir, ec))
    if (entry.path().extension() == ".toml") out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string builtin_checks_dir() {
  for (const auto& dir : lesson_dirs()) {
    std::error_code ec;
    const std::string checks = dir + "/checks";
    if (std::filesystem::is_directory(checks, ec)) return checks;
  }
  return {};
}

}  // namespace sockstep::check
