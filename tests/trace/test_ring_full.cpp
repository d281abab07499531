// A reader that stops reading: the traced program must not hang and must not lose
// records silently. Here the test is the reader and never drains: each process's
// writers wait for room once (bounded), then count every record they cannot write in
// the ring's dropped total, which `sockstep trace` shows as "N records dropped".
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "trace/ring_reader.hpp"
#include "trace/wire.hpp"

using namespace sockstep::trace;

namespace {

struct Hello {
  std::int32_t pid = 0;
  std::unique_ptr<RingReader> ring;
};

// Every Hello on the channel that came with a ring.
std::vector<Hello> read_hellos(int channel) {
  std::vector<Hello> hellos;
  for (int i = 0; i < 10000; ++i) {
    char buffer[kMaxRecord];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{buffer, sizeof buffer};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(channel, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n <= 0) break;
    WireHeader h{};
    if (static_cast<std::size_t>(n) < sizeof h) continue;
    std::memcpy(&h, buffer, sizeof h);
    cmsghdr* c = CMSG_FIRSTHDR(&message);
    if (h.kind != RecordKind::Hello || c == nullptr || c->cmsg_type != SCM_RIGHTS) continue;
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    std::string error;
    Hello hello{h.pid, RingReader::open(fd, error)};
    REQUIRE_MESSAGE(hello.ring != nullptr, error);
    hellos.push_back(std::move(hello));
  }
  return hellos;
}

}  // namespace

TEST_CASE("a ring nobody reads: the program still ends, and every record is either in the ring or counted dropped") {
  constexpr int kCalls = 2000;  // 4000 records per process; a 64 KiB ring holds ~400
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == 0);
  struct stat st {};
  REQUIRE(::fstat(pair[1], &st) == 0);
  constexpr int kChildFd = 100;
  const std::string channel = std::string(kChannelEnv) + "=" + std::to_string(kChildFd) + ":" +
                              std::to_string(st.st_ino) + ":" + std::to_string(kRingMinBytes);
  const std::string preload = std::string("LD_PRELOAD=") + TRACE_PRELOAD;
  const std::string threads = "1";
  const std::string calls = std::to_string(kCalls);
  char* argv[] = {const_cast<char*>(TRACE_FORK_THREADS_HELPER), const_cast<char*>(threads.c_str()),
                  const_cast<char*>(calls.c_str()), nullptr};
  char* envp[] = {const_cast<char*>(channel.c_str()), const_cast<char*>(preload.c_str()), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pair[1], kChildFd);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  REQUIRE(::posix_spawn(&pid, argv[0], &actions, nullptr, argv, envp) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pair[1]);

  // Each process waits for room at most 2 s once; 30 s means it hangs.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  REQUIRE(pidfd >= 0);
  pollfd p{pidfd, POLLIN, 0};
  CHECK(::poll(&p, 1, 30'000) == 1);
  int status = -1;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  ::close(pidfd);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  std::vector<Hello> hellos = read_hellos(pair[0]);
  ::close(pair[0]);
  REQUIRE(hellos.size() == 2);  // the program and its forked child, a ring each
  for (auto& hello : hellos) {
    INFO("pid " << hello.pid);
    std::map<CallId, int> calls_seen;
    int byes = 0;
    const std::size_t kept = hello.ring->drain([&](std::string_view record) {
      WireHeader h{};
      REQUIRE(record.size() >= sizeof h);
      std::memcpy(&h, record.data(), sizeof h);
      if (h.kind == RecordKind::Call) ++calls_seen[h.call];
      if (h.kind == RecordKind::Bye) ++byes;
    });
    const std::uint64_t dropped = hello.ring->dropped();
    CHECK(kept > 0);
    CHECK(dropped > 0);
    // socket + close per pair; the program also says Bye at exit (its child leaves with
    // _Exit), into the ring or into the dropped count like any record.
    const std::size_t written = 2 * kCalls + (hello.pid == pid ? 1 : 0);
    CHECK(kept + dropped == written);
    CHECK(calls_seen[CallId::Socket] + calls_seen[CallId::Close] + byes == static_cast<int>(kept));
  }
}
