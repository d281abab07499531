#include "engine/lesson/lesson_loader.hpp"

#include <algorithm>
#include <optional>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <toml++/toml.h>

#include "engine/log/address.hpp"
#include "engine/lesson/call_specs.hpp"
#include "engine/text/errno_names.hpp"
#include "engine/lesson/guarded_toml.hpp"
#include "engine/lesson/small_file.hpp"
#include "engine/lesson/py_print.hpp"
#include "engine/sockets/socket_ops.hpp"

namespace sockstep {

const std::vector<std::string>& known_calls() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& spec : call_specs()) out.emplace_back(spec.name);
    return out;
  }();
  return names;
}

namespace {


class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  Lesson load(const std::string& text) {
    toml::table root;
    try {
      root = parse_guarded_toml(text, file_, "a lesson's keys are a few levels deep, like [step.predict]");
    } catch (const FileError& e) {
      throw LessonError(e.pos(), e.message(), e.hint());
    }
    Lesson lesson;
    lesson.source_path = file_;
    check_keys(root, {"id", "title", "summary", "port", "reuseaddr", "actors", "listing", "step"});
    lesson.id = required_string(root, "id", root_pos());
    lesson.title = text_of(root, "title", root_pos());
    if (root.contains("summary")) lesson.summary = text_of(root, "summary", root_pos());
    if (const auto* port = root.get("port")) lesson.port = port_of(*port);
    if (const auto* reuse = root.get("reuseaddr")) lesson.reuseaddr = bool_of(*reuse, "reuseaddr");
    load_actors(root, lesson);
    load_listings(root, lesson);
    load_steps(root, lesson);
    return lesson;
  }

 private:
  SourcePos pos(const toml::source_position& p) const {
    return SourcePos{file_, static_cast<int>(p.line), static_cast<int>(p.column)};
  }
  SourcePos pos(const toml::node& node) const { return pos(node.source().begin); }
  SourcePos root_pos() const { return SourcePos{file_, 1, 1}; }

  [[noreturn]] void fail(const SourcePos& where, const std::string& what, const std::string& hint) const {
    throw LessonError(where, what, hint);
  }

  void check_keys(const toml::table& table, const std::vector<std::string>& known,
                  const std::string& where = "") const {
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      if (std::find(known.begin(), known.end(), name) == known.end())
        fail(pos(key.source().begin), "unknown key '" + name + "'" + (where.empty() ? "" : " in " + where),
             suggest(name, known));
    }
  }

  std::string string_of(const toml::node& node, const std::string& key) const {
    if (const auto* s = node.as_string()) return s->get();
    fail(pos(node), "'" + key + "' must be a string", "put the value in double quotes");
  }

  bool bool_of(const toml::node& node, const std::string& key) const {
    if (const auto* b = node.as_boolean()) return b->get();
    fail(pos(node), "'" + key + "' must be true or false", "write true or false without quotes");
  }

  long long int_of(const toml::node& node, const std::string& key) const {
    if (const auto* i = node.as_integer()) return i->get();
    fail(pos(node), "'" + key + "' must be a whole number", "write a number without quotes");
  }

  // ["phone", "conn"]: socket variables, each a plain name.
  std::vector<std::string> names_of(const toml::node& node, const std::string& key) const {
    const auto* array = node.as_array();
    if (array == nullptr) fail(pos(node), "'" + key + "' must be a list of socket variables", "write " + key + " = [\"phone\"]");
    if (array->size() > 64)
      fail(pos(node), "'" + key + "' lists " + std::to_string(array->size()) + " sockets", "a lesson's actor holds a few");
    std::vector<std::string> names;
    for (const auto& item : *array) {
      std::string name = string_of(item, key);
      if (name.empty()) fail(pos(item), "an empty name in '" + key + "'", "write the socket's variable, like \"conn\"");
      names.push_back(std::move(name));
    }
    return names;
  }

  int port_of(const toml::node& node) const {
    const long long port = int_of(node, "port");
    if (port < 0 || port > 65535)
      fail(pos(node), "port " + std::to_string(port) + " is out of range",
           "a port is a number from 0 to 65535 (0: the kernel picks one)");
    return static_cast<int>(port);
  }

  std::string required_string(const toml::table& table, const std::string& key,
                              const SourcePos& where) const {
    const auto* node = table.get(key);
    if (node == nullptr) fail(where, "missing '" + key + "'", "add " + key + " = \"...\"");
    return string_of(*node, key);
  }

  Text text_of(const toml::table& table, const std::string& key, const SourcePos& where) const {
    const auto* node = table.get(key);
    if (node == nullptr)
      fail(where, "missing '" + key + "'", "add " + key + " = { en = \"...\", zh = \"...\" }");
    const auto* t = node->as_table();
    if (t == nullptr)
      fail(pos(*node), "'" + key + "' must give both languages",
           "write " + key + " = { en = \"...\", zh = \"...\" }");
    check_keys(*t, {"en", "zh"}, "'" + key + "'");
    Text text;
    for (const char* lang : {"en", "zh"}) {
      const auto* value = t->get(lang);
      if (value == nullptr)
        fail(pos(*node), "'" + key + "' has no " + lang + " text",
             std::string("every text exists in English (en) and Chinese (zh)"));
      std::string s = string_of(*value, key + "." + lang);
      if (s.empty())
        fail(pos(*value), "'" + key + "." + lang + "' is empty", "write the text in that language");
      (std::string(lang) == "en" ? text.en : text.zh) = std::move(s);
    }
    return text;
  }

  void load_actors(const toml::table& root, Lesson& lesson) const {
    const auto* node = root.get("actors");
    if (node == nullptr) fail(root_pos(), "missing 'actors'", "add actors = [\"server\", \"client\"]");
    const auto* array = node->as_array();
    if (array == nullptr || array->empty())
      fail(pos(*node), "'actors' must be a list of names", "add actors = [\"server\", \"client\"]");
    if (array->size() > kMaxActors)
      fail(pos(*node), "a lesson has at most " + std::to_string(kMaxActors) + " actors, not " +
                           std::to_string(array->size()),
           "each actor is a thread; a lesson needs a few");
    for (const auto& item : *array) {
      std::string name = string_of(item, "actors");
      if (name.empty() || name.find_first_of(" .\t") != std::string::npos)
        fail(pos(item), "actor name '" + name + "' is not a plain word", "use names like server, client-2");
      lesson.actors.push_back(std::move(name));
    }
  }

  void load_listings(const toml::table& root, Lesson& lesson) const {
    const auto* node = root.get("listing");
    if (node == nullptr) return;
    const auto* array = node->as_array();
    if (array == nullptr) fail(pos(*node), "'listing' must be [[listing]] tables", "write [[listing]]");
    for (const auto& item : *array) {
      const auto* table = item.as_table();
      if (table == nullptr) fail(pos(item), "'listing' must be [[listing]] tables", "write [[listing]]");
      check_keys(*table, {"name", "language", "actor", "code"}, "[[listing]]");
      Listing listing;
      listing.name = required_string(*table, "name", pos(item));
      if (lesson.listing(listing.name) != nullptr)
        fail(pos(item), "listing '" + listing.name + "' is defined twice", "give each listing its own name");
      if (const auto* l = table->get("language")) listing.language = string_of(*l, "language");
      if (const auto* a = table->get("actor")) {
        listing.actor = string_of(*a, "actor");
        check_actor(lesson, listing.actor, pos(*a));
      }
      listing.code = required_string(*table, "code", pos(item));
      lesson.listings.push_back(std::move(listing));
    }
  }

  void check_actor(const Lesson& lesson, const std::string& name, const SourcePos& where) const {
    if (std::find(lesson.actors.begin(), lesson.actors.end(), name) == lesson.actors.end())
      fail(where, "unknown actor '" + name + "'", suggest(name, lesson.actors) + " (declared in actors)");
  }

  void load_steps(const toml::table& root, Lesson& lesson) const {
    const auto* node = root.get("step");
    if (node == nullptr) fail(root_pos(), "the lesson has no steps", "add [[step]] tables");
    const auto* array = node->as_array();
    if (array == nullptr) fail(pos(*node), "'step' must be [[step]] tables", "write [[step]]");
    // The sockets each actor holds so far, in step order, as the runner keeps them: a
    // step's sock must name one, or the step would only fail with EBADF when it runs.
    std::map<std::string, std::set<std::string>> held;
    // Raw sockets, per actor: made only by a step that teaches them (needs CAP_NET_RAW),
    // and then only closed or handed on: a lesson never reads or forges packets with one.
    std::map<std::string, std::set<std::string>> raw;
    // Sockets tied to the loopback device (SO_BINDTODEVICE "lo"), per actor: only these
    // may bind the wildcard address, since no other interface's packets reach them.
    std::map<std::string, std::set<std::string>> on_lo;
    std::map<std::string, std::string> forked;  // a forked child -> the actor that forked it
    for (const auto& item : *array) {
      const auto* table = item.as_table();
      if (table == nullptr) fail(pos(item), "'step' must be [[step]] tables", "write [[step]]");
      Step step = load_step(*table, pos(item), lesson);
      const bool makes_raw = step.call == "socket" && arg_string(step, "type", "SOCK_STREAM") == "SOCK_RAW";
      if (makes_raw && step.needs != Privilege::RawSocket)
        fail(pos(*table->get("args")), "a raw socket needs a step that teaches it",
             "add needs = \"CAP_NET_RAW\" with expect_privileged, as socket-types does");
      if (raw[step.actor].contains(step.sock) && step.call != "close" && step.call != "handoff")
        fail(pos(*table->get("call")), step.call + "() on the raw socket '" + step.sock + "'",
             "a lesson only opens and closes a raw socket: it reads and sends nothing with it");
      check_device(step, *table, on_lo[step.actor]);
      std::set<std::string>& mine = held[step.actor];
      if (!step.sock.empty() && !mine.contains(step.sock)) {
        const std::vector<std::string> known(mine.begin(), mine.end());
        fail(pos(*table->get("sock")), step.actor + " holds no socket '" + step.sock + "' at this step",
             known.empty() ? "make one first: call = \"socket\", result = \"phone\"" : suggest(step.sock, known));
      }
      check_watched(step, *table, mine);
      if (const std::string made = socket_made_by(step); !made.empty()) {
        on_lo[step.actor].erase(made);
        mine.insert(made);
        if (makes_raw) raw[step.actor].insert(made);
        else raw[step.actor].erase(made);
      }
      if (step.call == "fork") {
        // The child holds a copy of every socket its parent held; it makes only the
        // calls a forked server's child makes in a lesson.
        const std::string child = arg_string(step, "child");
        if (child == step.actor || !held[child].empty() || forked.contains(child))
          fail(pos(*table->get("args")), "'" + child + "' cannot be the forked child",
               "name an actor of its own, declared in actors, that holds nothing yet");
        held[child] = mine;
        on_lo[child] = on_lo[step.actor];
        forked[child] = step.actor;
      }
      if (forked.contains(step.actor)) {
        static const std::set<std::string> child_calls = {"recv", "send", "sendall", "close", "shutdown", "exit"};
        if (!child_calls.contains(step.call))
          fail(pos(*table->get("call")), "a forked child in a lesson does not make " + step.call + "()",
               "a child makes recv, send, sendall, close, shutdown and exit");
        if (step.call == "recv" && arg_int(step, "bufsize", 1024) > (1 << 16))
          fail(pos(*table->get("args")), "a forked child's recv reads at most 65536 bytes", "use bufsize = 1024");
        if (step.call == "exit") mine.clear();
      } else if (step.call == "exit") {
        fail(pos(*table->get("call")), "exit() ends a forked child", "make it a step of the actor a fork step named");
      }
      if (step.call == "waitpid" && forked[arg_string(step, "child")] != step.actor)
        fail(pos(*table->get("args")), step.actor + " did not fork '" + arg_string(step, "child") + "'",
             "waitpid() is made by the parent, after its fork step");
      if (step.call == "handoff") {
        if (on_lo[step.actor].erase(step.sock) > 0) on_lo[arg_string(step, "to")].insert(step.sock);
        mine.erase(step.sock);
        held[arg_string(step, "to")].insert(step.sock);
        if (raw[step.actor].erase(step.sock) > 0) raw[arg_string(step, "to")].insert(step.sock);
      }
      lesson.steps.push_back(std::move(step));
    }
  }

  // A select()'s lists name sockets the actor holds at this step, as its sock would.
  void check_watched(const Step& step, const toml::table& table, const std::set<std::string>& held) const {
    if (step.call == "epoll_ctl") {
      const auto* args = table.get("args") != nullptr ? table.get("args")->as_table() : nullptr;
      const auto* fd = args != nullptr ? args->get("fd") : nullptr;
      if (fd == nullptr) fail(pos(table), "epoll_ctl() names the socket it watches", "add args.fd = \"conn\"");
      const std::string name = string_of(*fd, "fd");
      if (!held.contains(name)) {
        const std::vector<std::string> known(held.begin(), held.end());
        fail(pos(*fd), step.actor + " holds no socket '" + name + "' at this step",
             known.empty() ? "make one first: call = \"socket\", result = \"phone\"" : suggest(name, known));
      }
      const std::string op = has_arg(step, "op") ? arg_string(step, "op") : "EPOLL_CTL_ADD";
      if (op != "EPOLL_CTL_ADD" && op != "EPOLL_CTL_MOD" && op != "EPOLL_CTL_DEL")
        fail(pos(*args->get("op")), "unknown epoll_ctl op '" + op + "'", "use EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL");
      for (const auto& event : arg_names(step, "events"))
        if (event != "EPOLLIN" && event != "EPOLLOUT" && event != "EPOLLET" && event != "EPOLLRDHUP")
          fail(pos(*args->get("events")), "unknown epoll event '" + event + "'", "use EPOLLIN, EPOLLOUT, EPOLLRDHUP or EPOLLET");
      return;
    }
    if (step.call != "select") return;
    const auto* args = table.get("args")->as_table();
    for (const char* key : {"read", "write"}) {
      const auto* list = args->get(key);
      if (list == nullptr) continue;
      for (const auto& item : *list->as_array()) {
        const std::string name = string_of(item, key);
        if (held.contains(name)) continue;
        const std::vector<std::string> known(held.begin(), held.end());
        fail(pos(item), step.actor + " holds no socket '" + name + "' at this step",
             known.empty() ? "make one first: call = \"socket\", result = \"phone\"" : suggest(name, known));
      }
    }
  }

  // SO_BINDTODEVICE takes a device and nothing else takes one; a bind to the wildcard
  // address needs the socket tied to loopback by an earlier step. on_lo: the actor's
  // sockets tied to "lo" so far, updated for this step.
  void check_device(const Step& step, const toml::table& table, std::set<std::string>& on_lo) const {
    const bool device = has_arg(step, "device");
    if (step.call == "setsockopt" && (arg_string(step, "name") == "SO_BINDTODEVICE") != device)
      fail(pos(table.get("args") != nullptr ? *table.get("args") : *table.get("call")),
           device ? "device is SO_BINDTODEVICE's value only" : "SO_BINDTODEVICE takes a device",
           "write args = { level = \"SOL_SOCKET\", name = \"SO_BINDTODEVICE\", device = \"lo\" }");
    if (device) on_lo.insert(step.sock);
    if (step.call == "bind" && has_arg(step, "host") && Address{AF_INET, arg_string(step, "host"), 0, {}}.is_wildcard() &&
        !on_lo.contains(step.sock))
      fail(pos(*table.get("args")),
           "'" + arg_string(step, "host") + "' is not a loopback address: a lesson stays on this machine's loopback",
           "use 127.0.0.1 or ::1, or tie the socket to loopback first: setsockopt SO_BINDTODEVICE with device = \"lo\"");
  }

  Step load_step(const toml::table& table, const SourcePos& where, const Lesson& lesson) const {
    check_keys(table, {"actor", "call", "sock", "result", "args", "prints", "metaphor", "explain", "lines", "expect",
                       "needs", "expect_privileged", "predict"},
               "[[step]]");
    Step step;
    step.pos = where;
    step.actor = required_string(table, "actor", where);
    check_actor(lesson, step.actor, pos(*table.get("actor")));
    step.call = required_string(table, "call", where);
    const CallSpec* spec = find_call_spec(step.call);
    if (spec == nullptr) fail(pos(*table.get("call")), "unknown call '" + step.call + "'", suggest(step.call, known_calls()));
    step.kind = call_from_name(step.call).value_or(Call::None);
    if (const auto* s = table.get("sock")) step.sock = string_of(*s, "sock");
    if (spec->needs_sock && step.sock.empty())
      fail(where, step.call + "() needs the socket it is called on", "add sock = \"phone\"");
    if (const auto* r = table.get("result")) {
      step.result = string_of(*r, "result");
      const int names = step.result.empty() ? 0 : 1 + static_cast<int>(std::count(step.result.begin(), step.result.end(), ','));
      if (names > spec->results)
        fail(pos(*r), step.call + "() gives " + std::to_string(spec->results) + " result(s), not " + std::to_string(names),
             spec->results == 2 ? "write result = \"conn, client_addr\"" : "write result = \"name\"");
    }
    if (spec->results > 0 && step.call == "socket" && step.result.empty())
      fail(where, "socket() needs a variable to hold the new socket", "add result = \"phone\"");
    if (const auto* a = table.get("args")) load_args(*a, *spec, step);
    if (step.call == "handoff") {
      if (!has_arg(step, "to")) fail(where, "handoff() needs the actor that takes the socket", "add args = { to = \"worker\" }");
      check_actor(lesson, arg_string(step, "to"), pos(*table.get("args")));
    }
    if (step.call == "fork" || step.call == "waitpid") {
      if (!has_arg(step, "child")) fail(where, step.call + "() needs the child's actor", "add args = { child = \"child-1\" }");
      check_actor(lesson, arg_string(step, "child"), pos(*table.get("args")));
    }
    if (step.call == "waitpid" && has_arg(step, "options") && arg_string(step, "options") != "WNOHANG" &&
        arg_string(step, "options") != "0")
      fail(pos(*table.get("args")), "unknown waitpid options '" + arg_string(step, "options") + "'",
           "use \"WNOHANG\" or \"0\" (wait)");
    if (step.call == "select" && arg_names(step, "read").empty() && arg_names(step, "write").empty())
      fail(table.get("args") != nullptr ? pos(*table.get("args")) : where, "select() needs sockets to watch",
           "write args = { read = [\"conn\"], write = [\"phone\"], timeout = 0 }");
    if (step.call == "send" && has_arg(step, "parts")) {
      const auto& where_args = pos(*table.get("args"));
      const std::vector<std::string> parts = arg_names(step, "parts");
      if (has_arg(step, "data") || has_arg(step, "from") || has_arg(step, "repeat") || has_arg(step, "skip_from"))
        fail(where_args, "parts are the data of a send of parts", "give either parts or data");
      const bool empty_part = std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); });
      if (parts.size() < 2 || parts.size() > 16 || empty_part)
        fail(where_args, "parts must be 2 to 16 pieces of data, none empty", "write parts = [\"hello\", \"world\"]");
    }
    if (const auto* p = table.get("prints")) step.prints = prints_of(*p, step.call);
    step.metaphor = text_of(table, "metaphor", where);
    step.explain = text_of(table, "explain", where);
    if (const auto* l = table.get("lines")) load_lines(*l, lesson, step);
    if (const auto* e = table.get("expect")) load_expect(*e, lesson, step, step.expect, "expect", true);
    if (const auto* n = table.get("needs")) {
      const std::string need = string_of(*n, "needs");
      if (need == "CAP_NET_BIND_SERVICE") step.needs = Privilege::BindLowPort;
      else if (need == "CAP_NET_RAW") step.needs = Privilege::RawSocket;
      else fail(pos(*n), "unknown privilege '" + need + "'", "use CAP_NET_BIND_SERVICE or CAP_NET_RAW");
    }
    if (const auto* e = table.get("expect_privileged")) {
      if (step.needs == Privilege::None)
        fail(pos(*e), "'expect_privileged' without 'needs'", "say which capability changes the outcome: needs = \"CAP_NET_RAW\"");
      load_expect(*e, lesson, step, step.expect_privileged, "expect_privileged", false);
    } else if (step.needs != Privilege::None) {
      fail(where, "'needs' without 'expect_privileged'", "add expect_privileged = { ok = true } for a privileged process");
    }
    if (const auto* p = table.get("predict")) load_predict(*p, lesson, step);
    return step;
  }

  Prints prints_of(const toml::node& node, const std::string& call) const {
    const std::string what = string_of(node, "prints");
    if (what == "error") return Prints::Error;
    if (what == "errno") return Prints::Errno;
    if (what != "result")
      fail(pos(node), "unknown prints '" + what + "'",
           "use \"result\" (print(call())), \"error\" (print(e)) or \"errno\" (print(e.errno, e.strerror))");
    if (!python_value_printable(call))
      fail(pos(node), call + "() returns nothing sockstep prints as Python would",
           "prints = \"result\" is for getaddrinfo, gethostbyname, getfqdn, getsockname, getpeername, connect_ex, "
           "send, sendto, recv, getsockopt");
    return Prints::Result;
  }

  void load_predict(const toml::node& node, const Lesson& lesson, Step& step) const {
    const auto* table = node.as_table();
    if (table == nullptr) fail(pos(node), "'predict' must be a table", "write [step.predict]");
    check_keys(*table, {"question", "choice"}, "[step.predict]");
    Predict predict;
    predict.pos = pos(node);
    predict.question = text_of(*table, "question", pos(node));
    const auto* choices = table->get("choice");
    const auto* array = choices == nullptr ? nullptr : choices->as_array();
    if (array == nullptr || array->size() < 2 || array->size() > 5)
      fail(pos(node), "a prediction needs 2 to 5 choices", "add [[step.predict.choice]] tables");
    for (const auto& item : *array) {
      const auto* c = item.as_table();
      if (c == nullptr) fail(pos(item), "a choice must be a table", "write [[step.predict.choice]]");
      check_keys(*c, {"text", "when"}, "[[step.predict.choice]]");
      PredictChoice choice;
      choice.text = text_of(*c, "text", pos(item));
      const auto* when = c->get("when");
      if (when == nullptr)
        fail(pos(item), "a choice needs 'when': what the kernel does if it is right",
             "write when = { errno = \"EADDRINUSE\" }");
      Step probe;
      load_expect(*when, lesson, step, probe.expect, "when", false);
      if (probe.expect.empty()) fail(pos(*when), "'when' is empty", "say what the kernel returns, e.g. { ok = true }");
      choice.when = std::move(probe.expect);
      predict.choices.push_back(std::move(choice));
    }
    step.predict = std::move(predict);
  }

  void load_args(const toml::node& node, const CallSpec& spec, Step& step) const {
    const auto* table = node.as_table();
    if (table == nullptr) fail(pos(node), "'args' must be a table", "write args = { key = value }");
    std::vector<std::string> names;
    for (const auto& a : spec.args) names.emplace_back(a.name);
    for (auto&& [key, value] : *table) {
      const std::string name(key.str());
      const auto it = std::find_if(spec.args.begin(), spec.args.end(),
                                   [&](const ArgSpec& a) { return name == a.name; });
      if (it == spec.args.end())
        fail(pos(key.source().begin), "unknown argument '" + name + "' for " + spec.name + "()",
             names.empty() ? std::string(spec.name) + "() takes no arguments" : suggest(name, names));
      switch (it->type) {
        case ArgType::Int: step.args[name] = int_of(value, name); break;
        case ArgType::Bool: step.args[name] = bool_of(value, name); break;
        case ArgType::String: step.args[name] = string_of(value, name); break;
        case ArgType::Names: step.args[name] = names_of(value, name); break;
        case ArgType::Number:
          if (const auto* f = value.as_floating_point()) step.args[name] = f->get();
          else step.args[name] = int_of(value, name);
          break;
      }
      check_arg_value(name, value, step);
    }
    // What a send makes is data repeated: bounded as a product, not factor by factor.
    const long long repeat = arg_int(step, "repeat", 1);
    const auto data = arg_string(step, "data");
    if (repeat > 1 && static_cast<long double>(data.size()) * repeat > kMaxPayloadBytes)
      fail(pos(*table->get("repeat")),
           "data repeated " + std::to_string(repeat) + " times is " +
               std::to_string(static_cast<unsigned long long>(data.size()) * static_cast<unsigned long long>(repeat)) +
               " bytes; a send is at most " + std::to_string(kMaxPayloadBytes),
           "repeat a short piece of data fewer times");
  }

  void check_arg_value(const std::string& name, const toml::node& node, const Step& step) const {
    if (name == "port") (void)port_of(node);
    if (name == "family" && family_from_name(arg_string(step, name)) < 0 && arg_string(step, name) != "AF_UNSPEC")
      fail(pos(node), "unknown address family '" + arg_string(step, name) + "'", "use AF_INET, AF_INET6 or AF_UNIX");
    if (name == "type" && socktype_from_name(arg_string(step, name)) < 0)
      fail(pos(node), "unknown socket type '" + arg_string(step, name) + "'",
           "use SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW or SOCK_RDM");
    if (name == "bufsize" && (arg_int(step, name, 0) < 1 || arg_int(step, name, 0) > (1 << 24)))
      fail(pos(node), "bufsize must be from 1 to 16777216", "Python's recv(1024) reads at most 1024 bytes");
    if (name == "repeat" && (arg_int(step, name, 0) < 1 || arg_int(step, name, 0) > (1 << 26)))
      fail(pos(node), "repeat must be from 1 to 67108864", "repeat multiplies the data");
    if (name == "backlog" && (arg_int(step, name, 0) < 0 || arg_int(step, name, 0) > 65535))
      fail(pos(node), "backlog must be from 0 to 65535", "the seed uses listen(5)");
    if (name == "host") {
      const std::string host = arg_string(step, name);
      const bool v4 = to_sockaddr(Address{AF_INET, host, 0, {}}).has_value();
      const bool v6 = to_sockaddr(Address{AF_INET6, host, 0, {}}).has_value();
      if (!v4 && !v6 && host != "localhost")
        fail(pos(node), "'" + host + "' is not a numeric address", "use 127.0.0.1 or ::1");
      // A bind to the wildcard is judged in load_steps, which knows whether the socket
      // was tied to loopback first.
      const bool wildcard = Address{AF_INET, host, 0, {}}.is_wildcard();
      if (!is_loopback_address(host) && !(wildcard && step.call == "bind"))
        fail(pos(node), "'" + host + "' is not a loopback address: a lesson stays on this machine's loopback",
             "use 127.0.0.1 or ::1");
    }
    if (name == "device" && arg_string(step, name) != "lo")
      fail(pos(node), "'" + arg_string(step, name) + "' is not the loopback device: a lesson stays on loopback",
           "write device = \"lo\"");
    if (name == "path") {
      // AF_UNIX names: "@name" (abstract, no file) or a plain file name, which lives in
      // the session's own private folder. Nothing else of the file system is reachable.
      const std::string path = arg_string(step, name);
      const std::string file = !path.empty() && path[0] == '@' ? path.substr(1) : path;
      if (file.empty() || file.size() > 64 || file == "." || file == ".." || file.find('/') != std::string::npos ||
          file.find('\0') != std::string::npos)
        fail(pos(node), "'" + path + "' is not a plain socket name: a lesson's AF_UNIX files live in its own folder",
             "write a name like \"echo.sock\" (a file) or \"@echo\" (abstract), at most 64 characters, no '/'");
    }
    if (name == "status" && (arg_int(step, name, 0) < 0 || arg_int(step, name, 0) > 255))
      fail(pos(node), "an exit status is from 0 to 255", "0 says all went well");
    if (name == "timeout" && (arg_double(step, name, 0) < 0 || arg_double(step, name, 0) > 3600))
      fail(pos(node), "timeout must be from 0 to 3600 seconds", "0 just looks; leave timeout out to wait until one is ready");
    if (name == "how" && shutdown_how_from_name(arg_string(step, name)) < 0)
      fail(pos(node), "unknown shutdown mode", "use SHUT_RD, SHUT_WR or SHUT_RDWR");
  }

  void load_lines(const toml::node& node, const Lesson& lesson, Step& step) const {
    const auto* table = node.as_table();
    if (table == nullptr) fail(pos(node), "'lines' must be a table", "write lines = { \"server.py\" = 5 }");
    std::vector<std::string> names;
    for (const auto& l : lesson.listings) names.push_back(l.name);
    for (auto&& [key, value] : *table) {
      const std::string name(key.str());
      const Listing* listing = lesson.listing(name);
      if (listing == nullptr)
        fail(pos(key.source().begin), "no listing named '" + name + "'",
             names.empty() ? "define [[listing]] tables before the steps" : suggest(name, names));
      const long long line = int_of(value, name);
      if (line < 1 || line > listing->line_count())
        fail(pos(value), "line " + std::to_string(line) + " is beyond '" + name + "'",
             "it has " + std::to_string(listing->line_count()) + " lines");
      step.lines[name] = static_cast<int>(line);
    }
  }

  // Reads an expectation of step into e. Waiting (blocks/unblocks) belongs to the main
  // `expect` only: the session settles a step once, whatever the outcome.
  void load_expect(const toml::node& node, const Lesson& lesson, const Step& step, Expect& e, const std::string& key,
                   bool waits) const {
    const auto* table = node.as_table();
    if (table == nullptr) fail(pos(node), "'" + key + "' must be a table", "write " + key + " = { ok = true }");
    std::vector<std::string> keys = {"ok", "errno", "value", "bytes", "state", "states", "accept_queue", "orphan",
                                     "console", "address", "text", "truncated", "value_min", "value_max", "queued",
                                     "send_queue_min", "window", "readable", "writable", "held_ms_min", "held_ms_max", "took_ms_min", "took_ms_max", "descriptors", "processes"};
    if (waits) {
      keys.emplace_back("blocks");
      keys.emplace_back("unblocks");
      keys.emplace_back("waits_in");
    }
    check_keys(*table, keys, "'" + key + "'");
    e.pos = pos(node);
    if (const auto* v = table->get("ok")) e.ok = bool_of(*v, "ok");
    if (const auto* v = table->get("errno")) {
      e.err = string_of(*v, "errno");
      if (!errno_from_name(*e.err))
        fail(pos(*v), "unknown errno name '" + *e.err + "'",
             "use a name like ECONNREFUSED, EAI_NONAME, or timeout for a settimeout() that ran out");
    }
    if (const auto* v = table->get("value")) e.value = int_of(*v, "value");
    if (const auto* v = table->get("bytes")) e.bytes = string_of(*v, "bytes");
    if (const auto* v = table->get("state")) {
      // state speaks of the step's own socket; a step on none (select) names them in states.
      if (step.sock.empty() && socket_made_by(step).empty())
        fail(pos(*v), step.call + "() is made on no socket of its own for 'state' to check",
             "write states = { \"" + step.actor + ".phone\" = \"ESTABLISHED\" }");
      e.state = state_of(*v);
    }
    if (const auto* v = table->get("states")) {
      const auto* states = v->as_table();
      if (states == nullptr) fail(pos(*v), "'states' must be a table", "write states = { \"client.phone\" = \"FIN_WAIT2\" }");
      for (auto&& [key, value] : *states) {
        const std::string name(key.str());
        const auto dot = name.find('.');
        if (dot == std::string::npos)
          fail(pos(key.source().begin), "'" + name + "' does not name actor.variable", "write \"server.conn\"");
        check_actor(lesson, name.substr(0, dot), pos(key.source().begin));
        e.states[name] = state_of(value);
      }
    }
    if (const auto* v = table->get("blocks")) e.blocks = bool_of(*v, "blocks");
    if (const auto* v = table->get("unblocks")) {
      e.unblocks = string_of(*v, "unblocks");
      check_actor(lesson, *e.unblocks, pos(*v));
    }
    if (const auto* v = table->get("accept_queue")) e.accept_queue = int_of(*v, "accept_queue");
    if (const auto* v = table->get("orphan")) e.orphan = state_of(*v);
    if (const auto* v = table->get("console")) e.console = string_of(*v, "console");
    if (const auto* v = table->get("address")) e.address = string_of(*v, "address");
    if (const auto* v = table->get("text")) e.text = string_of(*v, "text");
    if (const auto* v = table->get("truncated")) e.truncated = bool_of(*v, "truncated");
    if (const auto* v = table->get("value_min")) e.value_min = int_of(*v, "value_min");
    if (const auto* v = table->get("value_max")) e.value_max = int_of(*v, "value_max");
    if (e.value_min && e.value_max && *e.value_min > *e.value_max)
      fail(pos(*table->get("value_max")), "value_max is below value_min", "swap them");
    if (const auto* v = table->get("queued")) load_byte_counts(*v, lesson, "queued", e.queued);
    if (const auto* v = table->get("send_queue_min")) load_byte_counts(*v, lesson, "send_queue_min", e.send_queue_min);
    if (const auto* v = table->get("window")) load_byte_counts(*v, lesson, "window", e.window, 0);
    if (const auto* v = table->get("descriptors")) load_byte_counts(*v, lesson, "descriptors", e.descriptors, 0);
    if (const auto* v = table->get("waits_in")) {
      const auto* waits = v->as_table();
      if (waits == nullptr) fail(pos(*v), "'waits_in' must be a table", "write waits_in = { \"worker-1\" = \"recv\" }");
      static const std::vector<std::string> calls = {"recv", "accept", "send", "sendall", "select", "connect", "waitpid"};
      for (auto&& [k, value] : *waits) {
        const std::string name(k.str());
        check_actor(lesson, name, pos(k.source().begin));
        const std::string call = string_of(value, name);
        if (std::find(calls.begin(), calls.end(), call) == calls.end())
          fail(pos(value), "'" + call + "' is no call an actor waits in", suggest(call, calls));
        e.waits_in[name] = call;
      }
    }
    if (const auto* v = table->get("processes")) {
      const auto* procs = v->as_table();
      if (procs == nullptr) fail(pos(*v), "'processes' must be a table", "write processes = { \"child-1\" = \"zombie\" }");
      for (auto&& [k, value] : *procs) {
        const std::string name(k.str());
        check_actor(lesson, name, pos(k.source().begin));
        const std::string state = string_of(value, name);
        if (state != "running" && state != "zombie" && state != "reaped")
          fail(pos(value), "unknown process state '" + state + "'", "use \"running\", \"zombie\" or \"reaped\"");
        e.processes[name] = state;
      }
    }
    for (const char* bound : {"held_ms_min", "held_ms_max"}) {
      const auto* v = table->get(bound);
      if (v == nullptr) continue;
      if (step.call != "send" || !has_arg(step, "parts"))
        fail(pos(*v), std::string("'") + bound + "' is how long a send of parts stayed unsent",
             "check it on a send step with args.parts = [\"hello\", \"world\"]");
      const long long ms = int_of(*v, bound);
      if (ms < 0 || ms > 2000) fail(pos(*v), std::string(bound) + " must be from 0 to 2000 ms", "the wait is measured for at most 2 s");
      (std::string(bound) == "held_ms_min" ? e.held_ms_min : e.held_ms_max) = ms;
    }
    if (e.held_ms_min && e.held_ms_max && *e.held_ms_min > *e.held_ms_max)
      fail(pos(*table->get("held_ms_max")), "held_ms_max is below held_ms_min", "swap them");
    for (const char* bound : {"took_ms_min", "took_ms_max"}) {
      const auto* v = table->get(bound);
      if (v == nullptr) continue;
      const long long ms = int_of(*v, bound);
      // A step waits at most its step timeout (10 s) for a call that does not block.
      if (ms < 0 || ms > 10000) fail(pos(*v), std::string(bound) + " must be from 0 to 10000 ms", "a step waits for its call at most 10 s");
      (std::string(bound) == "took_ms_min" ? e.took_ms_min : e.took_ms_max) = ms;
    }
    if (e.took_ms_min && e.took_ms_max && *e.took_ms_min > *e.took_ms_max)
      fail(pos(*table->get("took_ms_max")), "took_ms_max is below took_ms_min", "swap them");
    if (const auto* v = table->get("readable")) e.readable = ready_set(*v, step, "readable", "read");
    if (const auto* v = table->get("writable")) e.writable = ready_set(*v, step, "writable", "write");
  }

  // readable = ["server.conn"]: sockets of a select() step, each one it watches that way.
  std::vector<std::string> ready_set(const toml::node& node, const Step& step, const std::string& key,
                                     const std::string& list) const {
    if (step.call == "epoll_wait") return names_of(node, key);  // any of the actor's sockets may come back
    if (step.call != "select")
      fail(pos(node), "'" + key + "' is what a select() or an epoll_wait() found", "check it on a call = \"select\" step");
    const std::vector<std::string> watched = arg_names(step, list);
    std::vector<std::string> known;
    for (const auto& var : watched) known.push_back(step.actor + "." + var);
    std::vector<std::string> names = names_of(node, key);
    const auto* array = node.as_array();
    for (std::size_t i = 0; i < names.size(); ++i)
      if (std::find(known.begin(), known.end(), names[i]) == known.end())
        fail(pos(*array->get(i)), "select() does not watch '" + names[i] + "' for " + (list == "read" ? "reading" : "writing"),
             known.empty() ? "add it to args." + list : suggest(names[i], known) + " (in args." + list + ")");
    return names;
  }

  // { "server.conn" = 10 }: byte counts per actor.variable.
  void load_byte_counts(const toml::node& node, const Lesson& lesson, const std::string& key,
                        std::map<std::string, long long>& out, long long least = 1) const {
    const auto* table = node.as_table();
    if (table == nullptr) fail(pos(node), "'" + key + "' must be a table", "write " + key + " = { \"server.conn\" = 10 }");
    for (auto&& [k, value] : *table) {
      const std::string name(k.str());
      const auto dot = name.find('.');
      if (dot == std::string::npos)
        fail(pos(k.source().begin), "'" + name + "' does not name actor.variable", "write \"server.conn\"");
      check_actor(lesson, name.substr(0, dot), pos(k.source().begin));
      const long long bytes = int_of(value, name);
      if (bytes < least || bytes > (1 << 24))
        fail(pos(value), key + " bytes must be from " + std::to_string(least) + " to 16777216",
             least == 0 ? "a full receive buffer advertises a window of 0" : "count the bytes the peer sent");
      out[name] = bytes;
    }
  }

  std::string state_of(const toml::node& node) const {
    static const std::vector<std::string> states = {
        "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
        "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "UNCONN", "CONNECTED", "CLOSED"};
    // "FIN_WAIT1|FIN_WAIT2": either is right, for transitions the kernel finishes on its own time.
    const std::string s = string_of(node, "state");
    std::stringstream alternatives(s);
    for (std::string one; std::getline(alternatives, one, '|');)
      if (std::find(states.begin(), states.end(), one) == states.end())
        fail(pos(node), "unknown socket state '" + one + "'", suggest(one, states));
    return s;
  }

  std::string file_;
};

}  // namespace

Lesson load_lesson_text(const std::string& text, const std::string& name) {
  return Loader(name).load(text);
}

Lesson load_lesson_file(const std::string& path) {
  std::string why;
  const auto text = read_small_file(path, kMaxLessonBytes, why);
  if (!text) throw LessonError(SourcePos{path, 0, 0}, "the lesson file " + why, "");
  return load_lesson_text(*text, path);
}

}  // namespace sockstep
