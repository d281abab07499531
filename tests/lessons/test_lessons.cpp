#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unistd.h>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/reference_cards.hpp"
#include "support/scratch_dir.hpp"
#include "engine/lesson/session.hpp"
#include "support/process.hpp"

using namespace sockstep;

namespace {

std::vector<Lesson> all_lessons() {
  std::vector<Lesson> out;
  for (const auto& file : lesson_files()) out.push_back(load_lesson_file(file));
  return out;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; }

void check_text(const Text& t, const std::string& where) {
  INFO(where);
  CHECK_FALSE(blank(t.en));
  CHECK_FALSE(blank(t.zh));
}

// A listing's line without its comments ('#' in Python; '//' and '/* */' in C) and with
// its strings blanked, so a call named only in a comment or a message does not count.
std::string code_of_line(std::string_view line, const std::string& language) {
  std::string code;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == '\\' && i + 1 < line.size()) {
        code += "  ";
        ++i;
      } else if (c == quote) {
        code += c;
        quote = 0;
      } else {
        code += ' ';
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      code += c;
      continue;
    }
    if (language == "python" && c == '#') break;
    if (language == "c" && line.substr(i, 2) == "//") break;
    if (language == "c" && line.substr(i, 2) == "/*") {
      const auto end = line.find("*/", i + 2);
      if (end == std::string_view::npos) break;
      i = end + 1;
      code += ' ';
      continue;
    }
    code += c;
  }
  return code;
}

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// name( as a call: not the tail of a longer name ("sendall(" is no "send(").
bool calls(const std::string& code, const std::string& name) {
  for (auto at = code.find(name); at != std::string::npos; at = code.find(name, at + 1)) {
    if (at > 0 && identifier_char(code[at - 1])) continue;
    auto next = at + name.size();
    while (next < code.size() && code[next] == ' ') ++next;
    if (next < code.size() && code[next] == '(') return true;
  }
  return false;
}

// What a step's call is written as in each language. Python spells most calls as the
// step does; C has no connect_ex, sendall, setblocking, settimeout or getfqdn of its
// own, so its listings make the calls those are built from.
std::vector<std::string> spellings(const std::string& call, const std::string& language) {
  if (language == "python") {
    if (call == "handoff") return {"Thread"};
    if (call == "unlink") return {"unlink"};
    if (call == "exit") return {"_exit"};
    // select.epoll(), ep.register/modify/unregister, ep.poll()
    if (call == "epoll_create") return {"epoll"};
    if (call == "epoll_ctl") return {"register", "modify", "unregister"};
    if (call == "epoll_wait") return {"poll"};
    return {call};
  }
  if (call == "epoll_create") return {"epoll_create1", "epoll_create"};
  if (call == "connect_ex") return {"connect"};
  if (call == "sendall") return {"send", "sendall"};
  if (call == "setblocking") return {"fcntl"};
  if (call == "settimeout") return {"setsockopt", "poll"};
  if (call == "getfqdn") return {"gethostname", "getaddrinfo"};
  if (call == "gethostbyname") return {"gethostbyname", "getaddrinfo"};
  if (call == "accept") return {"accept", "accept4"};
  if (call == "print") return {"printf", "puts", "perror", "fprintf"};
  if (call == "handoff") return {"pthread_create"};
  if (call == "exit") return {"_exit", "exit"};
  if (call == "select") return {"select", "poll"};
  return {call};
}

// The functions a listing defines, each with the code of its body, so that a lit line
// may make its call through one of them (size = recv_exact(4) reads with recv()).
// Python: def NAME( and the lines indented under it; C: a definition that starts at
// the left margin and opens its body on that line, up to the '}' at the left margin.
std::map<std::string, std::vector<std::string>> functions_of(const Listing& listing) {
  std::map<std::string, std::vector<std::string>> out;
  std::string current;
  std::size_t indent = 0;
  for (int n = 1; n <= listing.line_count(); ++n) {
    const std::string line = listing.line(n);
    const std::string code = code_of_line(line, listing.language);
    const auto first = code.find_first_not_of(' ');
    if (listing.language == "python") {
      if (first != std::string::npos && code.compare(first, 4, "def ") == 0) {
        current = code.substr(first + 4, code.find('(') - first - 4);
        indent = first;
        continue;
      }
      if (!current.empty() && first != std::string::npos && first <= indent) current.clear();
    } else {
      const auto open = code.find('(');
      const auto last = code.find_last_not_of(' ');
      if (first == 0 && open != std::string::npos && last != std::string::npos && code[last] == '{' &&
          code.rfind('#', 0) != 0) {
        auto end = open;
        while (end > 0 && code[end - 1] == ' ') --end;
        auto begin = end;
        while (begin > 0 && identifier_char(code[begin - 1])) --begin;
        current = code.substr(begin, end - begin);
        continue;
      }
      if (first == 0 && code[0] == '}') current.clear();
    }
    if (!current.empty()) out[current].push_back(code);
  }
  return out;
}

// The line's code makes one of the calls, itself or through a function of the listing.
bool makes_call(const std::string& code, const std::vector<std::string>& names,
                const std::map<std::string, std::vector<std::string>>& functions, int depth = 0) {
  for (const auto& name : names)
    if (calls(code, name)) return true;
  if (depth == 2) return false;
  for (const auto& [function, body] : functions) {
    if (!calls(code, function)) continue;
    for (const auto& line : body)
      if (makes_call(line, names, functions, depth + 1)) return true;
  }
  return false;
}


}  // namespace

// One test per lesson file (CMake sets SOCKSTEP_LESSON_FILE for each).
TEST_CASE("one lesson file loads") {
  const char* file = std::getenv("SOCKSTEP_LESSON_FILE");
  if (file == nullptr) {
    MESSAGE("SOCKSTEP_LESSON_FILE not set: loading every lesson instead");
    CHECK_NOTHROW((void)all_lessons());
    return;
  }
  Lesson lesson;
  CHECK_NOTHROW(lesson = load_lesson_file(file));
  CHECK(lesson.id == std::filesystem::path(file).stem().string());
  CHECK_FALSE(lesson.steps.empty());
}

TEST_CASE("every lesson file is in ORDER and loads") {
  const auto files = lesson_files();
  REQUIRE(files.size() >= 2);
  const auto dir = std::filesystem::path(files.front()).parent_path();
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path().string());
    CHECK(std::find(files.begin(), files.end(), entry.path().string()) != files.end());
  }
  for (const auto& file : files) {
    INFO(file);
    CHECK_NOTHROW((void)load_lesson_file(file));
  }
}

TEST_CASE("both languages are complete and every listing line a step points at exists") {
  for (const auto& lesson : all_lessons()) {
    INFO(lesson.id);
    check_text(lesson.title, "title");
    check_text(lesson.summary, "summary");
    bool python = false, c = false;
    for (const auto& l : lesson.listings) {
      python = python || l.language == "python";
      c = c || l.language == "c";
    }
    CHECK_MESSAGE(python, "a Python listing");
    CHECK_MESSAGE(c, "a C listing");
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
      const Step& step = lesson.steps[i];
      INFO("step " << i + 1 << " " << step.call);
      check_text(step.metaphor, "metaphor");
      check_text(step.explain, "explain");
      CHECK_FALSE(step.lines.empty());
      for (const auto& [name, line] : step.lines) {
        const Listing* listing = lesson.listing(name);
        REQUIRE(listing != nullptr);
        INFO(name << ":" << line);
        CHECK_FALSE(blank(listing->line(line)));
      }
      if (step.predict) {
        check_text(step.predict->question, "predict question");
        for (const auto& choice : step.predict->choices) check_text(choice.text, "predict choice");
      }
    }
  }
}

TEST_CASE("every C listing compiles with gcc -Wall -Werror and every Python listing with py_compile") {
  // Compile only: a listing is a whole program, or a function a learner can drop into
  // one, never a fragment that needs lines around it. gcc's default dialect (gnu17) is
  // what a learner gets typing gcc file.c. One gcc and one python3 for all the files
  // (both name the file in what they report), so the test stays fast.
  const std::string gcc = test::find_program("gcc");
  const std::string python = test::find_program("python3");
  REQUIRE_MESSAGE(!gcc.empty(), "gcc is needed (build-essential)");
  REQUIRE_MESSAGE(!python.empty(), "python3 is needed");
  const test::ScratchDir dir("sockstep-listings");
  std::vector<std::string> compile_c = {gcc, "-Wall", "-Werror", "-fsyntax-only"};
  std::vector<std::string> compile_python = {python, "-m", "py_compile"};
  for (const auto& lesson : all_lessons())
    for (const auto& listing : lesson.listings) {
      const auto file = (std::filesystem::path(dir.dir) / (lesson.id + "-" + listing.name)).string();
      std::ofstream(file) << listing.code;
      INFO(lesson.id << ": " << listing.name);
      REQUIRE((listing.language == "c" || listing.language == "python"));
      (listing.language == "c" ? compile_c : compile_python).push_back(file);
    }
  CHECK(compile_c.size() - 4 >= 14);
  CHECK(compile_python.size() - 3 >= 14);
  for (const auto* command : {&compile_c, &compile_python}) {
    const test::RunResult compiled = test::run(*command);
    INFO(compiled.out << compiled.err);
    CHECK(compiled.code == 0);
  }
}

TEST_CASE("every line a step lights makes that step's call, itself or through a function of its listing") {
  for (const auto& lesson : all_lessons())
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
      const Step& step = lesson.steps[i];
      for (const auto& [name, line] : step.lines) {
        const Listing* listing = lesson.listing(name);
        REQUIRE(listing != nullptr);
        const std::string code = code_of_line(listing->line(line), listing->language);
        const bool found = makes_call(code, spellings(step.call, listing->language), functions_of(*listing));
        INFO(lesson.id << " step " << i + 1 << " " << step.call << ": " << name << ":" << line << " is '"
                       << listing->line(line) << "'");
        CHECK(found);
      }
    }
}

TEST_CASE("a lit line is checked for the call itself, not for a comment that names it") {
  CHECK(calls(code_of_line("    conn.sendall(data)  # send", "python"), "sendall"));
  CHECK_FALSE(calls(code_of_line("    conn.sendall(data)  # send(", "python"), "send"));
  CHECK_FALSE(calls(code_of_line("struct pollfd p; /* settimeout(0.5) */", "c"), "settimeout"));
  CHECK(calls(code_of_line("x = '#'; phone.close()", "python"), "close"));
  CHECK(calls(code_of_line("/* a */ n = recv (fd, b, 1, 0); // recv", "c"), "recv"));
  CHECK_FALSE(calls(code_of_line("perror(\"bind(\\\"x\\\")\");", "c"), "bind"));
  CHECK(calls(code_of_line("perror(\"bind(\\\"x\\\")\");", "c"), "perror"));
  Listing py{"s.py", "python", "server", "def recv_exact(n):\n    return conn.recv(n)\nsize = recv_exact(4)\nprint(size)\n"};
  CHECK(makes_call("size = recv_exact(4)", {"recv"}, functions_of(py)));
  CHECK_FALSE(makes_call("print(size)", {"recv"}, functions_of(py)));
  Listing c{"s.c", "c", "server", "static int helper(int fd) {\n    return recv(fd, 0, 0, 0);\n}\nint main(void) {\n    helper(3);\n}\n"};
  CHECK(makes_call("    helper(3);", {"recv"}, functions_of(c)));
  CHECK_FALSE(makes_call("    helper(3);", {"send"}, functions_of(c)));
}

TEST_CASE("every call a step makes has a bilingual reference card") {
  const std::string path = reference_cards_path();
  REQUIRE_FALSE(path.empty());
  std::vector<ReferenceCard> cards;
  REQUIRE_NOTHROW(cards = load_reference_cards(path));
  for (const char* call : {"socket", "bind", "listen", "accept", "connect", "connect_ex", "recv", "send", "sendall",
                           "recvfrom", "sendto", "getpeername", "close", "setblocking", "getaddrinfo", "getfqdn",
                           "gethostbyname", "shutdown", "setsockopt"}) {
    INFO(call);
    CHECK(find_card(cards, call) != nullptr);
  }
  for (const auto& card : cards) {
    INFO(card.call);
    check_text(card.summary, "summary");
    check_text(card.blocks, "blocks");
    for (const auto& e : card.errors) check_text(e.meaning, e.name);
  }
  for (const auto& lesson : all_lessons())
    for (const auto& step : lesson.steps) {
      if (step.call == "print") continue;  // the program's own output, not a socket call
      INFO(lesson.id << ": " << step.call);
      CHECK(find_card(cards, step.call) != nullptr);
    }
  CHECK(reference_card("connect_ex").has_value());
  CHECK_FALSE(reference_card("no_such_call").has_value());
}

TEST_CASE("every lesson after the first asks one to three predictions") {
  for (const auto& lesson : all_lessons()) {
    if (lesson.id == "echo-tcp") continue;  // the seed's own lesson, kept as the seed tells it
    INFO(lesson.id);
    int count = 0;
    for (const auto& step : lesson.steps) count += step.predict ? 1 : 0;
    CHECK(count >= 1);
    CHECK(count <= 3);
  }
}

TEST_CASE("the kernel bears out exactly one choice of every prediction") {
  for (const auto& lesson : all_lessons()) {
    INFO(lesson.id);
    Session session(lesson);
    session.run_to_end();
    CHECK(session.failures().empty());
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
      if (!lesson.steps[i].predict) continue;
      INFO("step " << i + 1);
      const StepOutcome outcome = session.outcome(i);
      CHECK(outcome.checked);
      CHECK(outcome.predict_right.size() == 1);
    }
  }
}

TEST_CASE("every lesson passes again after a reset (Back replays on fresh sockets)") {
  // An AF_UNIX path outlives its socket; reset removes the files the session's binds made.
  for (const auto& lesson : all_lessons()) {
    INFO(lesson.id);
    Session session(lesson);
    session.run_to_end();
    CHECK(session.failures().empty());
    session.go_to(lesson.steps.size());
    CHECK(session.failures().empty());
  }
}

TEST_CASE("Back while a forked child waits in recv kills and reaps it, and the replay forks a new one") {
  Session session(load_lesson_file(std::string(SOCKSTEP_TEST_LESSONS) + "/fork-per-client.toml"));
  const auto child_pid = [&] {
    for (const Event& e : session.events().all())
      if (e.kind == EventKind::Call && e.call == Call::Fork) return static_cast<pid_t>(e.value);
    return pid_t{0};
  };
  session.go_to(11);  // the child sleeps in recv(), client-1 has said nothing
  REQUIRE(session.snapshot().outcomes[10].status == StepStatus::Blocked);
  const pid_t first = child_pid();
  REQUIRE(first > 0);
  session.back();
  // The waiting child was killed and reaped with the reset: it is no child of ours now.
  CHECK(::waitpid(first, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
  const pid_t second = child_pid();
  CHECK(second > 0);
  CHECK(second != first);
  session.go_to(session.lesson().steps.size());
  CHECK(session.failures().empty());
}

TEST_CASE("send_queue_min checks the kernel's send queue and is validated with file:line:col") {
  const std::string head = R"(id = "x"
title = { en = "t", zh = "t" }
actors = ["server"]
[[step]]
actor = "server"
call = "socket"
result = "phone"
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }
)";
  const Lesson ok = load_lesson_text(head + "expect = { ok = true, send_queue_min = { \"server.phone\" = 1 } }\n", "ok.toml");
  CHECK(ok.steps[0].expect.send_queue_min.at("server.phone") == 1);
  CHECK_FALSE(ok.steps[0].expect.empty());
  // A fresh socket has nothing queued, so the check must fail against the kernel.
  Session session(ok);
  session.run_to_end();
  REQUIRE(session.failures().size() == 1);
  CHECK(session.failures()[0].find("send queue") != std::string::npos);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(head + "expect = { send_queue_min = { \"phone\" = 1 } }\n", "bad.toml"),
                       doctest::Contains("bad.toml:10:"), LessonError);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(head + "expect = { send_queue_min = { \"server.phone\" = 0 } }\n", "bad.toml"),
                       doctest::Contains("send_queue_min"), LessonError);
}

TEST_CASE("window checks the window the peer advertised: 0 once a reader that does not read is full") {
  const auto step = [](const std::string& actor, const std::string& call, const std::string& rest) {
    return "\n[[step]]\nactor = \"" + actor + "\"\ncall = \"" + call + "\"\n" + rest +
           "\nmetaphor = { en = \"m\", zh = \"m\" }\nexplain = { en = \"e\", zh = \"e\" }\n";
  };
  const std::string head =
      "id = \"x\"\ntitle = { en = \"t\", zh = \"t\" }\nactors = [\"server\", \"client\"]\n" +
      step("server", "socket", "result = \"phone\"") +
      step("server", "setsockopt", "sock = \"phone\"\nargs = { level = \"SOL_SOCKET\", name = \"SO_RCVBUF\", value = 4096 }") +
      step("server", "bind", "sock = \"phone\"\nargs = { host = \"127.0.0.1\", port = 0 }") +
      step("server", "getsockname", "sock = \"phone\"\nresult = \"addr\"") + step("server", "listen", "sock = \"phone\"") +
      step("client", "socket", "result = \"phone\"") +
      step("client", "connect", "sock = \"phone\"\nargs = { at = \"server.addr\" }") +
      step("server", "accept", "sock = \"phone\"\nresult = \"conn, client_addr\"") +
      step("client", "setblocking", "sock = \"phone\"\nargs = { flag = false }");
  const auto fill = [&](const std::string& expect) {
    return head + step("client", "send", "sock = \"phone\"\nargs = { data = \"x\", repeat = 100000 }\nexpect = " + expect);
  };
  // The check waits for the ACK that says 0 (often a delayed one) and then holds.
  Session full(load_lesson_text(fill("{ window = { \"client.phone\" = 0 }, queued = { \"server.conn\" = 4096 } }"), "ok.toml"));
  full.run_to_end();
  CHECK(full.failures().empty());
  // Another number fails (after the wait), saying what the kernel said: the reader's own
  // peer, the client, reads nothing yet has all its buffer free, so that window is open.
  Session wrong(load_lesson_text(fill("{ window = { \"server.conn\" = 0 } }"), "ok.toml"));
  wrong.run_to_end();
  REQUIRE(wrong.failures().size() == 1);
  CHECK(wrong.failures()[0].find("expected the peer of server.conn to advertise a window of 0 byte(s), the kernel says ") !=
        std::string::npos);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(fill("{ window = { \"client.phone\" = -1 } }"), "bad.toml"),
                       doctest::Contains("window bytes must be from 0"), LessonError);
}

TEST_CASE("waits_in reads the kernel: the system call each waiting thread or forked child sleeps in") {
  const auto step = [](const std::string& actor, const std::string& call, const std::string& rest) {
    return "\n[[step]]\nactor = \"" + actor + "\"\ncall = \"" + call + "\"\n" + rest +
           "\nmetaphor = { en = \"m\", zh = \"m\" }\nexplain = { en = \"e\", zh = \"e\" }\n";
  };
  const std::string head =
      "id = \"x\"\ntitle = { en = \"t\", zh = \"t\" }\nactors = [\"server\", \"child\", \"client\"]\n" +
      step("server", "socket", "result = \"phone\"") +
      step("server", "bind", "sock = \"phone\"\nargs = { host = \"127.0.0.1\", port = 0 }") +
      step("server", "getsockname", "sock = \"phone\"\nresult = \"addr\"") + step("server", "listen", "sock = \"phone\"") +
      step("client", "socket", "result = \"phone\"") +
      step("client", "connect", "sock = \"phone\"\nargs = { at = \"server.addr\" }") +
      step("server", "accept", "sock = \"phone\"\nresult = \"conn, client_addr\"");
  const auto lesson = [&](const std::string& who, const std::string& expect) {
    std::string text = head;
    if (who == "child") text += step("server", "fork", "args = { child = \"child\" }");
    return text + step(who, "recv", "sock = \"conn\"\nexpect = { blocks = true, waits_in = " + expect + " }");
  };
  Session thread(load_lesson_text(lesson("server", "{ server = \"recv\" }"), "ok.toml"));
  thread.run_to_end();
  CHECK(thread.failures().empty());
  Session child(load_lesson_text(lesson("child", "{ child = \"recv\" }"), "ok.toml"));
  child.run_to_end();
  CHECK(child.failures().empty());
  // A wrong call fails, and so does an actor that waits in nothing.
  Session wrong(load_lesson_text(lesson("server", "{ server = \"accept\", client = \"recv\" }"), "ok.toml"));
  wrong.run_to_end();
  REQUIRE(wrong.failures().size() == 2);
  CHECK(wrong.failures()[0].find("expected client to wait in recv(), it waits in nothing") != std::string::npos);
  CHECK(wrong.failures()[1].find("expected server to wait in accept(), it waits in recv()") != std::string::npos);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(lesson("server", "{ server = \"nap\" }"), "bad.toml"),
                       doctest::Contains("'nap' is no call an actor waits in"), LessonError);
}

TEST_CASE("prediction and privilege mistakes are reported with file:line:col") {
  const std::string head = R"(id = "x"
title = { en = "t", zh = "t" }
actors = ["server"]
)";
  const std::string step = R"([[step]]
actor = "server"
call = "socket"
result = "phone"
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }
)";
  SUBCASE("a choice without when") {
    const std::string text = head + step + R"([step.predict]
question = { en = "q", zh = "q" }
[[step.predict.choice]]
text = { en = "a", zh = "a" }
[[step.predict.choice]]
text = { en = "b", zh = "b" }
when = { ok = true }
)";
    try {
      (void)load_lesson_text(text, "bad.toml");
      FAIL("expected a LessonError");
    } catch (const LessonError& e) {
      CHECK(std::string(e.what()).rfind("bad.toml:", 0) == 0);
      CHECK(e.message().find("when") != std::string::npos);
    }
  }
  SUBCASE("a prediction in one language") {
    const std::string text = head + step + R"([step.predict]
question = { en = "q" }
)";
    CHECK_THROWS_AS((void)load_lesson_text(text, "bad.toml"), LessonError);
  }
  SUBCASE("needs without expect_privileged") {
    const std::string text = head + step + "needs = \"CAP_NET_RAW\"\n";
    CHECK_THROWS_WITH_AS((void)load_lesson_text(text, "bad.toml"),
                         doctest::Contains("expect_privileged"), LessonError);
  }
  SUBCASE("an unknown privilege") {
    const std::string text = head + step + "needs = \"CAP_SYS_ADMIN\"\nexpect_privileged = { ok = true }\n";
    CHECK_THROWS_WITH_AS((void)load_lesson_text(text, "bad.toml"), doctest::Contains("bad.toml:"), LessonError);
  }
}

namespace {

// The console of every actor after the whole lesson ran.
std::map<std::string, std::vector<std::string>> consoles_of(const std::string& id) {
  const auto path = resolve_lesson(id);
  REQUIRE(path.has_value());
  Session session(load_lesson_file(*path));
  session.run_to_end();
  REQUIRE(session.failures().empty());
  std::map<std::string, std::vector<std::string>> out;
  for (const ActorView& actor : session.snapshot().actors) out[actor.name] = actor.console;
  return out;
}

bool starts_with(const std::string& text, const std::string& head) { return text.rfind(head, 0) == 0; }

// An address tuple as print() shows it, its port (a kernel's pick) written as P.
std::string port_as_p(const std::string& tuple) {
  const auto at = tuple.find("', ");
  if (at == std::string::npos) return tuple;
  auto end = at + 3;
  while (end < tuple.size() && std::isdigit(static_cast<unsigned char>(tuple[end])) != 0) ++end;
  return tuple.substr(0, at + 3) + "P" + tuple.substr(end);
}

// The same calls made by python3 itself, printed as the lessons' programs print them.
constexpr const char* kPythonPrints = R"(import socket
print(socket.getaddrinfo('localhost', 8084, type=socket.SOCK_STREAM))
print(socket.gethostbyname('localhost'))
try:
    socket.getaddrinfo('127.0.0.1', 8084, socket.AF_INET6, socket.SOCK_STREAM)
except socket.gaierror as e:
    print(e)
print(socket.getfqdn())
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(5)
try:
    l.getpeername()
except OSError as e:
    print(e)
o = socket.socket()
try:
    o.bind(l.getsockname())
except OSError as e:
    print(e.errno, e.strerror)
    print(e)
port = l.getsockname()[1]; l.close()
try:
    socket.socket().connect(('127.0.0.1', port))
except ConnectionRefusedError as e:
    print(e)
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(5)
c = socket.socket(); c.connect(l.getsockname()); a, _ = l.accept()
a.setblocking(False)
try:
    a.recv(1024)
except BlockingIOError as e:
    print(e)
a.settimeout(0.05)
try:
    a.recv(1024)
except TimeoutError as e:
    print(e)
try:
    socket.socket(socket.AF_INET, socket.SOCK_RDM)
except OSError as e:
    print(e)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.listen(5)
except OSError as e:
    print(e)
try:
    u.send(b'hi')
except OSError as e:
    print(e)
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(5)
c = socket.socket(); c.connect(l.getsockname()); a, _ = l.accept()
c.sendall(b'GET a\nGET b\n')
a.recv(6)
a.close()
try:
    c.recv(1024)
except ConnectionResetError as e:
    print(e)
d = socket.socket(socket.AF_INET6)
print(d.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
d.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'lo')
d.bind(('::', 0)); d.listen(5)
c = socket.socket(); c.connect(('127.0.0.1', d.getsockname()[1])); a, _ = d.accept()
print(a.getpeername())
r = socket.socket(); r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
print(r.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
)";

}  // namespace

TEST_CASE("each lesson program's console shows what its Python prints, as python3 prints it") {
  const std::string python = test::find_program("python3");
  REQUIRE_FALSE(python.empty());
  const test::RunResult oracle = test::run({python, "-c", kPythonPrints});
  REQUIRE(oracle.code == 0);
  std::vector<std::string> said;
  for (std::size_t at = 0, nl; (nl = oracle.out.find('\n', at)) != std::string::npos; at = nl + 1)
    said.push_back(oracle.out.substr(at, nl - at));
  REQUIRE(said.size() == 17);
  // Where the lessons' lines are: the lookups, then the errors.
  const std::vector<std::string> lookups(said.begin(), said.begin() + 4);
  said.erase(said.begin() + 2);  // the gaierror: checked with the lookups
  const bool root = ::geteuid() == 0;

  auto names = consoles_of("names-addresses");
  const auto& client = names["client"];
  const auto& server = names["server"];
  REQUIRE(client.size() == 7);
  REQUIRE(server.size() == 3);
  CHECK(client[0] == lookups[0]);  // getaddrinfo's list, as Python's repr() writes it
  CHECK(client[1] == lookups[1]);  // a str prints without its quotes
  CHECK(client[2] == lookups[2]);  // socket.gaierror, with getaddrinfo's own (negative) code
  CHECK(client[3] == lookups[3]);  // getfqdn() as Python completes the host name
  CHECK(server[0] == said[3]);  // getpeername() on the listener: the except clause's print(e)
  CHECK(client[4] == "('0.0.0.0', 0)");
  CHECK(starts_with(client[5], "('127.0.0.1', "));
  CHECK(server[1] == client[5]);  // conn.getpeername() is the client's own name
  CHECK(server[2] == client[6]);  // conn.getsockname() is whom the client talks to

  auto ports = consoles_of("ports-bind");
  const auto& other = ports["other"];
  REQUIRE(other.size() == (root ? 2u : 3u));  // root may bind port 1023: nothing raised, nothing printed
  CHECK(other[0] == said[4]);  // print(e.errno, e.strerror)
  CHECK(starts_with(other[1], "('127.0.0.1', "));
  if (!root) CHECK(other[2] == "[Errno 13] Permission denied");

  CHECK(consoles_of("connect-ex")["client"] == std::vector<std::string>{said[6], "111", "0"});
  CHECK(consoles_of("address-families")["server"] == std::vector<std::string>{said[5]});
  CHECK(consoles_of("blocking-modes")["server"] == std::vector<std::string>{said[7], said[8]});
  const auto types = consoles_of("socket-types")["client"];
  REQUIRE(types.size() == (root ? 1u : 2u));
  if (!root) CHECK(types[0] == "[Errno 1] Operation not permitted");
  CHECK(types.back() == said[9]);
  auto udp = consoles_of("udp-echo");
  CHECK(udp["server"] == std::vector<std::string>{said[10]});  // listen() on a datagram socket
  CHECK(udp["client"] == std::vector<std::string>{"b'HELLO'", said[11]});  // send() with no address
  auto callers = consoles_of("more-callers");
  CHECK(callers["client-1"] == std::vector<std::string>{"b'HELLO'", "b'HELLO'"});
  CHECK(callers["client-2"] == std::vector<std::string>{"b'WORLD'", "b'WORLD'"});
  // recv() after a close() that left a request unread: the peer's ConnectionResetError.
  CHECK(consoles_of("close-unread")["client"] == std::vector<std::string>{said[12]});
  // A dual-stack listener: IPV6_V6ONLY's default, and an IPv4 peer in IPv6 shape.
  auto dual = consoles_of("dual-stack");
  REQUIRE(dual["server"].size() == 2);
  CHECK(dual["server"][0] == said[13]);
  CHECK(port_as_p(dual["server"][1]) == port_as_p(said[14]));
  CHECK(port_as_p(dual["server"][1]) == "('::ffff:127.0.0.1', P, 0, 0)");
  REQUIRE(dual["client"].size() == 2);
  CHECK(port_as_p(dual["client"][0]) == "('127.0.0.1', P)");
  CHECK(dual["client"][1] == said[6]);  // [Errno 111] Connection refused
  // SO_RCVBUF as getsockopt() gives it back (doubled), and sendall()'s BlockingIOError.
  auto slow = consoles_of("slow-reader");
  CHECK(slow["server"] == std::vector<std::string>{said[15]});
  CHECK(slow["client"] == std::vector<std::string>{said[7]});
}

TEST_CASE("prints names what the program prints, and only for a call whose value sockstep knows") {
  const auto path = resolve_lesson("names-addresses");
  REQUIRE(path.has_value());
  const Lesson lesson = load_lesson_file(*path);
  CHECK(lesson.steps[0].prints == Prints::Result);
  CHECK(lesson.steps[2].prints == Prints::Error);
  CHECK(lesson.steps[4].prints == Prints::Nothing);
}
