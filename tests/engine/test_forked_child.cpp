// A lesson's forked child is a real process: it holds copies of the descriptors, the
// parent's close() sends no FIN while it holds one, its own does, and its exit leaves a
// zombie until waitpid(). Judged by the kernel: the peer's TCP state, /proc/PID/fd,
// /proc/PID/stat and /proc/PID/syscall of the child.
#include <doctest/doctest.h>

#include <netinet/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "engine/sockets/forked_child.hpp"
#include "engine/sockets/socket_ops.hpp"
#include "loopback.hpp"

using namespace sockstep;
using namespace sockstep::test;

namespace {

int tcp_state(int fd) {
  tcp_info info{};
  socklen_t length = sizeof info;
  REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0);
  return info.tcpi_state;
}

// Whether the peer's FIN arrives within ms (POLLRDHUP: the other side shut down writing).
bool fin_within(int fd, int ms) {
  pollfd p{fd, POLLRDHUP, 0};
  return ::poll(&p, 1, ms) == 1 && (p.revents & POLLRDHUP) != 0;
}

char stat_letter(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() ? '?' : line[close + 2];
}

// The system call the child's one thread sleeps in, from /proc/PID/syscall.
long sleeping_in(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/syscall");
  long number = -1;
  f >> number;
  return number;
}

}  // namespace

TEST_CASE("a forked child holds copies of the descriptors: the parent's close sends no FIN, the last close does") {
  OpContext ctx(nullptr, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  int err = -1;
  auto child = ForkedChild::start({l.fd, p.server}, err);
  REQUIRE(child);
  CHECK(err == 0);
  const unsigned long inode = socket_inode_of_fd(p.server);
  REQUIRE(inode != 0);
  // The child's table holds the kept sockets under the same numbers, and not the client's.
  CHECK(child->socket_inode(p.server) == inode);
  CHECK(child->socket_inode(l.fd) == socket_inode_of_fd(l.fd));
  CHECK(child->socket_inode(p.client) == 0);
  CHECK(descriptors_in("self", inode) + child->descriptors_of(inode) == 2);

  (void)ops::close(ctx, p.server, true);
  CHECK_FALSE(fin_within(p.client, 200));
  CHECK(tcp_state(p.client) == TCP_ESTABLISHED);

  const ChildAnswer closed = child->call(ForkedChild::Op::Close, p.server, 0, 0, {}, nullptr, {});
  CHECK(closed.err == 0);
  CHECK(fin_within(p.client, 3000));
  CHECK(tcp_state(p.client) == TCP_CLOSE_WAIT);
  (void)ops::close(ctx, p.client);
  (void)ops::close(ctx, l.fd);
}

TEST_CASE("a child's recv that must wait says so, and the child then sleeps in recvfrom in its own process") {
  OpContext ctx(nullptr, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  int err = 0;
  auto child = ForkedChild::start({p.server}, err);
  REQUIRE(child);
  bool waited = false;
  std::thread sender([&] {
    // Sends once the child sleeps in the kernel's recvfrom, as /proc says (bounded).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (sleeping_in(child->pid()) != SYS_recvfrom && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    (void)::send(p.client, "hello", 5, 0);
  });
  const ChildAnswer got = child->call(ForkedChild::Op::Recv, p.server, 1024, 0, {}, nullptr, [&] { waited = true; });
  sender.join();
  CHECK(waited);
  CHECK(got.err == 0);
  CHECK(got.bytes == "hello");
  const ChildAnswer sent = child->call(ForkedChild::Op::Send, p.server, 0, 0, "HELLO", nullptr, {});
  CHECK(sent.value == 5);
  char reply[16] = {};
  CHECK(::recv(p.client, reply, sizeof reply, 0) == 5);
  CHECK(std::string(reply) == "HELLO");
  (void)ops::close(ctx, p.server);
  (void)ops::close(ctx, p.client);
  (void)ops::close(ctx, l.fd);
}

TEST_CASE("a child that exits is a zombie until waitpid, which WNOHANG answers with 0 while it runs") {
  int err = 0;
  auto child = ForkedChild::start({}, err);
  REQUIRE(child);
  int status = -1;
  CHECK(child->wait(WNOHANG, status, nullptr, {}).value == 0);
  CHECK(child->process_state() == "running");
  const ChildAnswer gone = child->call(ForkedChild::Op::Exit, -1, 3, 0, {}, nullptr, {});
  CHECK(gone.err == 0);
  CHECK(stat_letter(child->pid()) == 'Z');
  CHECK(child->process_state() == "zombie");
  const pid_t pid = child->pid();
  const ChildAnswer reaped = child->wait(WNOHANG, status, nullptr, {});
  CHECK(reaped.value == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK(child->process_state() == "reaped");
  CHECK(child->wait(WNOHANG, status, nullptr, {}).err == ECHILD);
}

TEST_CASE("a child never reaped is killed and reaped with its ForkedChild") {
  int err = 0;
  pid_t pid = 0;
  {
    auto child = ForkedChild::start({}, err);
    REQUIRE(child);
    pid = child->pid();
    CHECK(stat_letter(pid) != 'Z');
    CHECK(child->process_state() == "running");
  }
  // Reaped: waitpid finds no such child of ours.
  CHECK(::waitpid(pid, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}
