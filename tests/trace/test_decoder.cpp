#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "trace/decoder.hpp"
#include "trace/tracer.hpp"
#include "trace/wire.hpp"

using namespace sockstep;
using namespace sockstep::trace;

namespace {

std::string record(WireHeader h, const std::string& addr = {}, const std::string& local = {},
                   const std::string& aux = {}, const std::string& data = {}) {
  h.magic = kWireMagic;
  h.addr_len = static_cast<std::uint16_t>(addr.size());
  h.local_len = static_cast<std::uint16_t>(local.size());
  h.aux_len = static_cast<std::uint16_t>(aux.size());
  h.data_len = static_cast<std::uint16_t>(data.size());
  h.size = static_cast<std::uint32_t>(sizeof h + addr.size() + local.size() + aux.size() + data.size());
  std::string out(reinterpret_cast<const char*>(&h), sizeof h);
  return out + addr + local + aux + data;
}

std::string inet(const char* ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = ip == std::string("127.0.0.1") ? htonl(INADDR_LOOPBACK) : 0;
  return std::string(reinterpret_cast<const char*>(&a), sizeof a);
}

WireHeader call(CallId id, int pid, int fd, long long value) {
  WireHeader h{};
  h.kind = RecordKind::Call;
  h.call = id;
  h.pid = pid;
  h.fd = fd;
  h.value = value;
  return h;
}

}  // namespace

TEST_CASE("the decoder names the actor after the program that said hello") {
  Decoder d;
  std::vector<Decoded> out;
  WireHeader hello{};
  hello.kind = RecordKind::Hello;
  hello.pid = 42;
  hello.arg[0] = 1;
  d.decode(record(hello, {}, {}, "echo_server.py", "python3 echo_server.py"), out);
  WireHeader bind = call(CallId::Bind, 42, 3, 0);
  d.decode(record(bind, inet("127.0.0.1", 8084)), out);
  WireHeader listen = call(CallId::Listen, 42, 3, 0);
  listen.arg[0] = 5;
  d.decode(record(listen, {}, inet("127.0.0.1", 8084)), out);
  WireHeader recv = call(CallId::Recv, 42, 4, 5);
  recv.arg[0] = 1024;
  recv.byte_count = 5;
  d.decode(record(recv, {}, {}, {}, "hello"), out);
  REQUIRE(out.size() == 4);
  CHECK(out[0].event.kind == EventKind::Note);
  CHECK(out[1].event.actor == "echo_server.py[42]");
  CHECK(out[1].event.call == Call::Bind);
  CHECK(out[1].event.args == "('127.0.0.1', 8084)");
  CHECK(out[2].event.args == "5");
  CHECK(out[2].event.detail == "on 127.0.0.1:8084");
  CHECK(out[3].event.call == Call::Recv);
  CHECK(out[3].event.args == "1024");
  CHECK(out[3].event.bytes == "hello");
  CHECK(d.listens(42) == 1);
}

TEST_CASE("exec hops that make no socket call say nothing: one hello, with the hops, before the first call") {
  Decoder d;
  std::vector<Decoded> out;
  const auto hello = [&](int pid, int parent, const std::string& name) {
    WireHeader h{};
    h.kind = RecordKind::Hello;
    h.pid = pid;
    h.arg[0] = parent;
    d.decode(record(h, {}, {}, name, name + " args"), out);
  };
  hello(50, 1, "timeout");
  hello(51, 50, "bash");  // a helper the shim forked: it exits without a call
  hello(50, 1, "env");
  hello(50, 1, "python3");
  CHECK(out.empty());
  d.decode(record(call(CallId::Socket, 50, 3, 3)), out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].event.note == NoteKind::Hello);
  CHECK(out[0].event.detail == "traced: python3 args (pid 50, parent 1; by exec from timeout -> env)");
  CHECK(out[0].t_ns < out[1].t_ns + 1);
  CHECK(d.silent_processes() == std::vector<std::string>{"bash"});
  // An exec after calls: said again, at its next call.
  hello(50, 1, "sh");
  d.decode(record(call(CallId::Close, 50, 3, 0)), out);
  CHECK(out[2].event.detail.rfind("traced again: sh args", 0) == 0);
}

TEST_CASE("a connect and an accept with mirrored addresses are paired as one connection") {
  Decoder d;
  std::vector<Decoded> out;
  WireHeader accept = call(CallId::Accept, 10, 3, 4);
  accept.inode = 111;
  d.decode(record(accept, inet("127.0.0.1", 40000), inet("127.0.0.1", 8084)), out);
  WireHeader connect = call(CallId::Connect, 11, 3, 0);
  connect.inode = 222;
  d.decode(record(connect, inet("127.0.0.1", 8084), inet("127.0.0.1", 40000)), out);
  REQUIRE(out.size() == 3);
  const auto note = std::find_if(out.begin(), out.end(), [](const Decoded& d) { return d.event.kind == EventKind::Note; });
  REQUIRE(note != out.end());
  CHECK(note->event.detail.find("same connection") != std::string::npos);
  CHECK(note->event.detail.find("inode 111") != std::string::npos);
  CHECK(note->event.detail.find("inode 222") != std::string::npos);
}

TEST_CASE("a malformed or short record becomes a warning, never a crash") {
  Decoder d;
  std::vector<Decoded> out;
  d.decode("short", out);
  std::string bad = record(call(CallId::Send, 1, 3, 5), {}, {}, {}, "hello");
  bad[4] = 'x';  // size field no longer matches
  d.decode(bad, out);
  std::string lying = record(call(CallId::Send, 1, 3, 5), {}, {}, {}, "hello");
  lying.resize(lying.size() - 2);
  d.decode(lying, out);
  REQUIRE(out.size() == 3);
  for (const auto& d : out) CHECK(d.event.note == NoteKind::Warning);
}

TEST_CASE("program text is shown as valid UTF-8, cut at a character boundary") {
  CHECK(printable_text("print('\xe4\xbd\xa0')\n", 100) == "print('\xe4\xbd\xa0') ");
  CHECK(printable_text("ab\xe4\xbd\xa0", 4) == "ab...");
  CHECK(printable_text("\xff", 10) == "\xef\xbf\xbd");
}

TEST_CASE("check_program tells dynamic, static and setuid programs apart") {
  const ProgramCheck sh = check_program("sh");
  CHECK(sh.found);
  CHECK(sh.dynamic);
  CHECK(sh.warnings.empty());
  CHECK_FALSE(check_program("surely-no-such-program-here").found);
  bool is_elf = false;
  CHECK(elf_has_interp(TRACE_CRASH_HELPER, is_elf));
  CHECK(is_elf);
  if (TRACE_STATIC_OK) {
    const ProgramCheck st = check_program(TRACE_STATIC_HELPER);
    CHECK_FALSE(st.dynamic);
    REQUIRE(st.warnings.size() == 1);
    CHECK(st.warnings[0].find("statically linked") != std::string::npos);
  }
  if (::geteuid() == 0) {
    // A setuid program owned by someone else: the loader would drop LD_PRELOAD.
    const auto dir = std::filesystem::temp_directory_path() / ("sockstep-setuid-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto copy = dir / "setuid_helper";
    std::filesystem::copy_file(TRACE_CRASH_HELPER, copy, std::filesystem::copy_options::overwrite_existing);
    REQUIRE(::chown(copy.c_str(), 65534, 65534) == 0);
    REQUIRE(::chmod(copy.c_str(), 04755) == 0);
    const ProgramCheck su = check_program(copy.string());
    CHECK(su.secure);
    CHECK_FALSE(su.warnings.empty());
    std::filesystem::remove_all(dir);
  }
}
