// Traced by the tests: many writers into the trace at once. THREADS threads each make
// CALLS pairs of socket() + close(); while they run, the main thread forks a child that
// does the same with its own threads, so a forked child writes while its parent's
// threads are mid-record. Each process prints how many pairs it made.
//   fork_threads_helper THREADS CALLS
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

void join_and_report(std::vector<std::thread>& workers, int threads, int calls, const char* who) {
  for (auto& w : workers) w.join();
  std::printf("%s made %d pairs\n", who, threads * calls);
  std::fflush(stdout);
}

std::vector<std::thread> start(int threads, int calls) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([calls] {
      for (int i = 0; i < calls; ++i) {
        const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        if (fd >= 0) ::close(fd);
      }
    });
  return workers;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const int threads = std::atoi(argv[1]);
  const int calls = std::atoi(argv[2]);
  std::vector<std::thread> workers = start(threads, calls);
  const pid_t child = ::fork();
  if (child < 0) return 1;
  if (child == 0) {
    // Only the forking thread exists here; the parent's threads go on in the parent.
    std::vector<std::thread> own = start(threads, calls);
    join_and_report(own, threads, calls, "child");
    std::_Exit(0);
  }
  join_and_report(workers, threads, calls, "parent");
  int status = 0;
  if (::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 1;
  return WEXITSTATUS(status);
}
