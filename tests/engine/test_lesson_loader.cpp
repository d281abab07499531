#include <doctest/doctest.h>

#include "engine/lesson/call_specs.hpp"
#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"

using namespace sockstep;

namespace {

// A small valid lesson; each test breaks one thing in it.
const std::string kHeader = R"(id = "t"
title = { en = "T", zh = "测" }
actors = ["server", "client"]
port = 8084

[[listing]]
name = "server.py"
code = '''
import socket
phone = socket.socket()
'''
)";

const std::string kStep = R"(
[[step]]
actor = "server"
call = "socket"
result = "phone"
metaphor = { en = "Buy a phone", zh = "买手机" }
explain = { en = "x", zh = "x" }
lines = { "server.py" = 2 }
)";

// Loads text and returns the error; fails the test if it loads.
LessonError error_of(const std::string& text) {
  try {
    (void)load_lesson_text(text, "bad.toml");
  } catch (const LessonError& e) {
    return e;
  }
  FAIL("the lesson loaded, but should not have");
  return LessonError({}, "", "");
}

}  // namespace

TEST_CASE("a valid lesson loads with its steps, listings and both languages") {
  const Lesson lesson = load_lesson_text(kHeader + kStep, "ok.toml");
  CHECK(lesson.id == "t");
  CHECK(lesson.port == 8084);
  REQUIRE(lesson.steps.size() == 1);
  CHECK(lesson.steps[0].metaphor.zh == "买手机");
  CHECK(lesson.steps[0].lines.at("server.py") == 2);
  CHECK(lesson.listings[0].line(2) == "phone = socket.socket()");
  CHECK(lesson.listings[0].line_count() == 2);
}

TEST_CASE("bad TOML is reported at its line and column") {
  const LessonError e = error_of(kHeader + "\n[[step]]\nactor = \"server\n");
  CHECK(e.pos().file == "bad.toml");
  CHECK(e.pos().line == 14);
  CHECK(std::string(e.what()).rfind("bad.toml:14:", 0) == 0);
  CHECK_FALSE(e.hint().empty());
}

TEST_CASE("an unknown key names itself and suggests the right one") {
  std::string text = kHeader + kStep;
  text.replace(text.find("metaphor ="), 8, "metafor");
  const LessonError e = error_of(text);
  CHECK(e.message() == "unknown key 'metafor' in [[step]]");
  CHECK(e.hint() == "did you mean 'metaphor'?");
  CHECK(e.pos().line == 17);
  CHECK(e.pos().column == 1);
}

TEST_CASE("a text without its Chinese is an error") {
  std::string text = kHeader + kStep;
  text.replace(text.find(", zh = \"买手机\""), std::string(", zh = \"买手机\"").size(), "");
  const LessonError e = error_of(text);
  CHECK(e.message() == "'metaphor' has no zh text");
  CHECK(e.pos().line == 17);
}

TEST_CASE("an unknown call is an error with a suggestion") {
  std::string text = kHeader + kStep;
  text.replace(text.find("\"socket\""), 8, "\"sockit\"");
  const LessonError e = error_of(text);
  CHECK(e.message() == "unknown call 'sockit'");
  CHECK(e.hint() == "did you mean 'socket'?");
  CHECK(e.pos().line == 15);
}

TEST_CASE("an unknown actor is an error") {
  std::string text = kHeader + kStep;
  text.replace(text.find("actor = \"server\""), 16, "actor = \"sever\"");
  const LessonError e = error_of(text);
  CHECK(e.message() == "unknown actor 'sever'");
  CHECK(e.hint().find("did you mean 'server'?") == 0);
}

TEST_CASE("a socket no step made, or another actor's, is an error where it is named") {
  const std::string listen = R"(
[[step]]
actor = "server"
call = "listen"
sock = "phnoe"
metaphor = { en = "Power on", zh = "开机" }
explain = { en = "x", zh = "x" }
)";
  const LessonError typo = error_of(kHeader + kStep + listen);
  CHECK(typo.message() == "server holds no socket 'phnoe' at this step");
  CHECK(typo.hint() == "did you mean 'phone'?");
  CHECK(typo.pos().line == 24);  // its sock = line

  std::string theirs = listen;
  theirs.replace(theirs.find("\"server\""), 8, "\"client\"");
  theirs.replace(theirs.find("phnoe"), 5, "phone");
  const LessonError other = error_of(kHeader + kStep + theirs);
  CHECK(other.message() == "client holds no socket 'phone' at this step");
  CHECK(other.hint().find("make one first") == 0);
}

TEST_CASE("a port out of range is an error") {
  std::string text = kHeader + kStep;
  text.replace(text.find("port = 8084"), 11, "port = 80840");
  const LessonError e = error_of(text);
  CHECK(e.message() == "port 80840 is out of range");
  CHECK(e.pos().line == 4);
}

TEST_CASE("a line number beyond its listing is an error") {
  std::string text = kHeader + kStep;
  text.replace(text.find("\"server.py\" = 2"), 15, "\"server.py\" = 9");
  const LessonError e = error_of(text);
  CHECK(e.message() == "line 9 is beyond 'server.py'");
  CHECK(e.hint() == "it has 2 lines");
}

TEST_CASE("an argument the call does not take is an error") {
  std::string text = kHeader + kStep;
  text.replace(text.find("result = \"phone\""), 16, "result = \"phone\"\nargs = { famly = \"AF_INET\" }");
  const LessonError e = error_of(text);
  CHECK(e.message() == "unknown argument 'famly' for socket()");
  CHECK(e.hint() == "did you mean 'family'?");
}

TEST_CASE("an expectation with an unknown errno or state is an error") {
  CHECK(error_of(kHeader + kStep + "expect = { errno = \"ECONREFUSED\" }\n").message() ==
        "unknown errno name 'ECONREFUSED'");
  CHECK(error_of(kHeader + kStep + "expect = { state = \"ESTABLISH\" }\n").message() ==
        "unknown socket state 'ESTABLISH'");
}

TEST_CASE("a lesson with no steps or no actors is an error") {
  CHECK(error_of(kHeader).message() == "the lesson has no steps");
  std::string text = kHeader + kStep;
  text.replace(text.find("actors = [\"server\", \"client\"]"), 29, "actors = []");
  CHECK(error_of(text).message() == "'actors' must be a list of names");
}

TEST_CASE("a missing file is a located error, not a crash") {
  try {
    (void)load_lesson_file("does/not/exist.toml");
    FAIL("loaded a missing file");
  } catch (const LessonError& e) {
    CHECK(std::string(e.what()).rfind("does/not/exist.toml:", 0) == 0);
  }
}

TEST_SUITE("hostile lessons") {

TEST_CASE("a dotted key 25,000 levels deep is refused at its line, before anything walks it") {
  std::string deep;
  for (int i = 0; i < 25000; ++i) deep += "a.";
  const LessonError e = error_of(kHeader + deep + "a = 1\n" + kStep);
  CHECK(e.pos().line == 12);
  CHECK(e.message().find("nested too deep") != std::string::npos);
}

TEST_CASE("nesting built from a header and a dotted key is bounded too") {
  std::string header = "[", key;
  for (int i = 0; i < 40; ++i) header += "h.", key += "k.";
  const LessonError e = error_of(kHeader + header + "x]\n" + key + "y = 1\n");
  CHECK(e.message().find("levels deep") != std::string::npos);
}

TEST_CASE("dots inside strings and comments do not count as nesting") {
  const std::string dots(200, '.');
  const Lesson lesson = load_lesson_text("# " + dots + "\nsummary = { en = \"" + dots + "\", zh = '" + dots + "' }\n" +
                                             kHeader + kStep,
                                         "ok.toml");
  CHECK(lesson.summary.en == dots);
}

TEST_CASE("data x repeat is bounded as a product") {
  const std::string send = R"(
[[step]]
actor = "server"
call = "send"
sock = "phone"
args = { data = ")" + std::string(4096, 'x') + R"(", repeat = 67108864 }
metaphor = { en = "x", zh = "x" }
explain = { en = "x", zh = "x" }
)";
  const LessonError e = error_of(kHeader + kStep + send);
  CHECK(e.message().find("a send is at most 16777216") != std::string::npos);
  CHECK(e.pos().line > 12);
}

TEST_CASE("a lesson has at most 64 actors") {
  std::string actors = "id = \"t\"\ntitle = { en = \"T\", zh = \"T\" }\nactors = [";
  for (int i = 0; i < 1000; ++i) actors += (i > 0 ? ", \"a" : "\"a") + std::to_string(i) + "\"";
  const LessonError e = error_of(actors + "]\n");
  CHECK(e.message().find("at most 64 actors") != std::string::npos);
}

TEST_CASE("a lesson reaches only loopback and its own socket files") {
  const auto step = [](const std::string& call, const std::string& args) {
    return kStep + "\n[[step]]\nactor = \"server\"\ncall = \"" + call + "\"\nsock = \"phone\"\nargs = " + args +
           "\nmetaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\n";
  };
  for (const char* host : {"0.0.0.0", "::", "8.8.8.8", "192.168.1.1", "::ffff:10.0.0.1"}) {
    CAPTURE(host);
    for (const char* call : {"bind", "connect", "sendto"}) {
      const LessonError e = error_of(kHeader + step(call, std::string("{ host = \"") + host + "\", port = 80 }"));
      CHECK(e.message().find("is not a loopback address") != std::string::npos);
    }
  }
  CHECK_NOTHROW((void)load_lesson_text(kHeader + step("connect", "{ host = \"127.0.0.2\", port = 80 }"), "ok.toml"));
  CHECK_NOTHROW((void)load_lesson_text(kHeader + step("connect", "{ host = \"::1\", port = 80 }"), "ok.toml"));
  for (const char* path : {"/etc/passwd", "../x", "..", "a/b", "", "@"}) {
    CAPTURE(path);
    const LessonError e = error_of(kHeader + step("bind", std::string("{ path = \"") + path + "\" }"));
    CHECK(e.message().find("is not a plain socket name") != std::string::npos);
  }
  const std::string unlink = kHeader + kStep +
                             "\n[[step]]\nactor = \"server\"\ncall = \"unlink\"\nargs = { path = \"/home/x\" }\n"
                             "metaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\n";
  CHECK(error_of(unlink).message().find("is not a plain socket name") != std::string::npos);
}

TEST_CASE("a bind takes the wildcard address only on a socket an earlier step tied to loopback") {
  const auto step = [](const std::string& call, const std::string& args) {
    return "\n[[step]]\nactor = \"server\"\ncall = \"" + call + "\"\nsock = \"phone\"\nargs = " + args +
           "\nmetaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\n";
  };
  const std::string tie = step("setsockopt", R"({ level = "SOL_SOCKET", name = "SO_BINDTODEVICE", device = "lo" })");
  for (const char* host : {"::", "0.0.0.0"}) {
    CAPTURE(host);
    const std::string bind = step("bind", std::string("{ host = \"") + host + "\", port = 0 }");
    CHECK_NOTHROW((void)load_lesson_text(kHeader + kStep + tie + bind, "ok.toml"));
    // Not tied, tied only after the bind, or a new socket under the tied one's name.
    for (const std::string& steps : {kStep + bind, kStep + bind + tie, kStep + tie + kStep + bind}) {
      const LessonError e = error_of(kHeader + steps);
      CHECK(e.message().find("is not a loopback address") != std::string::npos);
      CHECK(e.hint().find("SO_BINDTODEVICE") != std::string::npos);
    }
    // Tied or not, a connect or sendto to the wildcard is no loopback address.
    for (const char* call : {"connect", "sendto"}) {
      const LessonError e = error_of(kHeader + kStep + tie + step(call, std::string("{ host = \"") + host + "\", port = 80 }"));
      CHECK(e.message().find("is not a loopback address") != std::string::npos);
    }
  }
  const LessonError eth = error_of(kHeader + kStep + step("setsockopt", R"({ level = "SOL_SOCKET", name = "SO_BINDTODEVICE", device = "eth0" })"));
  CHECK(eth.message().find("'eth0' is not the loopback device") != std::string::npos);
  const LessonError no_device = error_of(kHeader + kStep + step("setsockopt", R"({ level = "SOL_SOCKET", name = "SO_BINDTODEVICE", value = 1 })"));
  CHECK(no_device.message().find("SO_BINDTODEVICE takes a device") != std::string::npos);
  const LessonError other = error_of(kHeader + kStep + step("setsockopt", R"({ level = "SOL_SOCKET", name = "SO_REUSEADDR", device = "lo" })"));
  CHECK(other.message().find("device is SO_BINDTODEVICE's value only") != std::string::npos);
}

TEST_CASE("a raw socket only in a step that teaches it, and then only closed") {
  const std::string raw = R"(
[[step]]
actor = "server"
call = "socket"
result = "r"
args = { family = "AF_INET", type = "SOCK_RAW", proto = 1 }
metaphor = { en = "x", zh = "x" }
explain = { en = "x", zh = "x" }
)";
  CHECK(error_of(kHeader + raw).message().find("a raw socket needs a step that teaches it") != std::string::npos);
  const std::string taught = raw + "needs = \"CAP_NET_RAW\"\nexpect = { errno = \"EPERM\" }\nexpect_privileged = { ok = true }\n";
  CHECK_NOTHROW((void)load_lesson_text(kHeader + taught, "ok.toml"));
  const std::string send = taught + R"(
[[step]]
actor = "server"
call = "sendto"
sock = "r"
args = { data = "x", host = "127.0.0.1", port = 0 }
metaphor = { en = "x", zh = "x" }
explain = { en = "x", zh = "x" }
)";
  CHECK(error_of(kHeader + send).message().find("on the raw socket 'r'") != std::string::npos);
}

}  // TEST_SUITE

TEST_CASE("prints says what the program prints; a value it cannot print as Python would is an error") {
  auto with = [](const std::string& line) {
    std::string step = kStep;
    step.replace(step.find("result = "), 0, line + "\n");
    return kHeader + step;
  };
  CHECK(load_lesson_text(with("prints = \"error\""), "ok.toml").steps[0].prints == Prints::Error);
  CHECK(load_lesson_text(with("prints = \"errno\""), "ok.toml").steps[0].prints == Prints::Errno);
  const LessonError unknown = error_of(with("prints = \"value\""));
  CHECK(std::string(unknown.what()).find("unknown prints 'value'") != std::string::npos);
  CHECK(unknown.pos().line == 16);  // the prints line itself
  // socket() returns a socket object: nothing sockstep writes as print() would.
  const LessonError socket = error_of(with("prints = \"result\""));
  CHECK(std::string(socket.what()).find("socket() returns nothing") != std::string::npos);
}

TEST_CASE("took_ms_min and took_ms_max are from 0 to 10000 ms, the smaller first") {
  const Lesson lesson = load_lesson_text(kHeader + kStep + "expect = { took_ms_min = 0, took_ms_max = 50 }\n", "t.toml");
  CHECK(lesson.steps[0].expect.took_ms_max == 50);
  CHECK(error_of(kHeader + kStep + "expect = { took_ms_max = 20000 }\n").message().find("from 0 to 10000 ms") !=
        std::string::npos);
  CHECK(error_of(kHeader + kStep + "expect = { took_ms_min = 300, took_ms_max = 200 }\n").message().find("below") !=
        std::string::npos);
}

TEST_CASE("every call a lesson may make is a Call the step runner knows, and each step is loaded with it") {
  for (const CallSpec& spec : call_specs()) {
    INFO(spec.name);
    const std::optional<Call> call = call_from_name(spec.name);
    REQUIRE(call.has_value());
    CHECK(std::string(call_name(*call)) == spec.name);
  }
  for (const std::string& path : lesson_files()) {
    const Lesson lesson = load_lesson_file(path);
    for (const Step& step : lesson.steps) CHECK(std::string(call_name(step.kind)) == step.call);
  }
}
