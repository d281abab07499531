#include "trace/process_tree.hpp"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sockstep::trace {
namespace {

constexpr std::size_t kMaxProcesses = 65536;

// The children of every thread of pid (a child belongs to the thread that forked it).
void children_of(pid_t pid, std::vector<pid_t>& out) {
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(tasks.c_str());
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const std::string path = tasks + "/" + entry->d_name + "/children";
    std::FILE* file = std::fopen(path.c_str(), "re");
    if (file == nullptr) continue;
    for (long child = 0; out.size() < kMaxProcesses && std::fscanf(file, "%ld", &child) == 1;)
      out.push_back(static_cast<pid_t>(child));
    std::fclose(file);
  }
  ::closedir(dir);
}

int pidfd_of(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

bool is_own_child(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::FILE* file = std::fopen(path.c_str(), "re");
  if (file == nullptr) return false;
  char line[512] = {};
  const bool read = std::fgets(line, sizeof line, file) != nullptr;
  std::fclose(file);
  if (!read) return false;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the last ')' ends it.
  const char* close = std::strrchr(line, ')');
  char state = 0;
  long parent = 0;
  return close != nullptr && std::sscanf(close + 1, " %c %ld", &state, &parent) == 2 && parent == ::getpid();
}

}  // namespace

void adopt_orphans() { (void)::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

std::vector<pid_t> descendants() {
  std::vector<pid_t> all;
  children_of(::getpid(), all);
  for (std::size_t i = 0; i < all.size() && all.size() < kMaxProcesses; ++i) children_of(all[i], all);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

void signal_descendants(int sig) {
  for (const pid_t pid : descendants()) (void)::kill(pid, sig);
}

std::size_t end_descendants(std::chrono::milliseconds grace) {
  std::vector<pid_t> alive = descendants();
  const std::size_t count = alive.size();
  if (alive.empty()) return 0;
  // A stopped process would keep the SIGTERM pending: SIGCONT lets it act on it.
  for (const pid_t pid : alive) {
    (void)::kill(pid, SIGTERM);
    (void)::kill(pid, SIGCONT);
  }
  std::vector<pollfd> exits;
  for (const pid_t pid : alive)
    if (const int fd = pidfd_of(pid); fd >= 0) exits.push_back({fd, POLLIN, 0});
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    // Reaps what has exited of our own children, or their pidfds would stay readable
    // only as zombies; then waits for the next exit.
    for (const pid_t pid : alive) (void)::waitpid(pid, nullptr, WNOHANG);
    std::erase_if(exits, [](const pollfd& p) {
      pollfd one{p.fd, POLLIN, 0};
      if (::poll(&one, 1, 0) <= 0) return false;
      ::close(p.fd);
      return true;
    });
    if (exits.empty()) break;
    (void)::poll(exits.data(), exits.size(), static_cast<int>(left.count()));
  }
  for (const pollfd& p : exits) ::close(p.fd);
  // Whatever is left (or was forked meanwhile) is killed; two passes catch the forks of
  // the first.
  for (int pass = 0; pass < 2; ++pass) signal_descendants(SIGKILL);
  for (const pid_t pid : descendants())
    if (is_own_child(pid)) (void)::waitpid(pid, nullptr, 0);
  for (const pid_t pid : alive) (void)::waitpid(pid, nullptr, WNOHANG);
  return count;
}

}  // namespace sockstep::trace
