#include "trace/tracer.hpp"

#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <limits>
#include <optional>

#include "trace/decoder.hpp"
#include "trace/process_tree.hpp"
#include "trace/ring_reader.hpp"
#include "trace/wire.hpp"

extern char** environ;

namespace sockstep::trace {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kHelloGrace = std::chrono::seconds(3);
constexpr auto kStartGrace = std::chrono::seconds(3);
constexpr auto kKillGrace = std::chrono::seconds(3);
// Records from different programs arrive in the order they were written, which is not
// always the order things happened (the peer's recv can be written before the send
// that woke it). Events wait this long and leave sorted by their own time.
constexpr std::int64_t kReorderWindowNs = 20'000'000;
constexpr std::size_t kMaxHeld = 100'000;
// While records stream in, the rings (and the channel) are read at most this often
// instead of on every record: waking the reader once per call would cost the traced
// programs a system call each and steal a core from them. When a drain finds nothing,
// the reader asks every ring's writers to wake it and sleeps until one does.
constexpr auto kDrainInterval = std::chrono::milliseconds(5);
// Rings mapped at once (one per live traced process): a fork bomb must not exhaust
// sockstep's own memory and fds. Beyond it a process's records are not shown, and the
// trace says so.
constexpr std::size_t kMaxRings = 256;

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string find_on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  for (int guard = 0; guard < 1000 && start <= dirs.size(); ++guard) {
    const auto colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

std::string read_head(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string head(n, '\0');
  in.read(head.data(), static_cast<std::streamsize>(n));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head;
}

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

struct Spawned {
  pid_t pid = -1;
  int pidfd = -1;
  int out = -1;
  int err = -1;
  int spawn_error = 0;
};

// posix_spawn with stdout/stderr on pipes and, when channel >= 0, the trace channel at child_fd.
Spawned spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int channel,
              int child_fd) {
  Spawned s;
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    s.spawn_error = errno;
    return s;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    s.spawn_error = errno;
    ::close(out[0]);
    ::close(out[1]);
    return s;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (channel >= 0) posix_spawn_file_actions_adddup2(&actions, channel, child_fd);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  // sockstep ignores SIGPIPE (a reader of its output may quit early); an ignored signal
  // would stay ignored in the program, so the program gets the default back.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  s.spawn_error = ::posix_spawn(&s.pid, argv[0].c_str(), &actions, &attributes, args.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  if (s.spawn_error != 0) {
    ::close(out[0]);
    ::close(err[0]);
    s.pid = -1;
    return s;
  }
  s.out = out[0];
  s.err = err[0];
  s.pidfd = pidfd_open(s.pid);
  return s;
}

std::vector<std::string> current_env() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

// Runs argv untraced and returns its first stdout line, or nullopt after a deadline.
std::optional<std::string> first_line_of(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  Spawned s = spawn(argv, current_env(), -1, -1);
  if (s.pid < 0) return std::nullopt;
  std::string out;
  const auto deadline = Clock::now() + limit;
  bool eof = false;
  while (!eof && Clock::now() < deadline) {
    pollfd p{s.out, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (::poll(&p, 1, static_cast<int>(std::max<long long>(left, 0))) <= 0) break;
    char buffer[4096];
    const ssize_t n = ::read(s.out, buffer, sizeof buffer);
    if (n <= 0) eof = true;
    else if (out.size() < 65536) out.append(buffer, static_cast<std::size_t>(n));
  }
  if (!eof) ::kill(s.pid, SIGKILL);
  siginfo_t info{};
  if (s.pidfd >= 0) {
    pollfd p{s.pidfd, POLLIN, 0};
    (void)::poll(&p, 1, 5000);
  }
  ::waitid(P_PID, static_cast<id_t>(s.pid), &info, WEXITED);
  for (int fd : {s.out, s.err, s.pidfd})
    if (fd >= 0) ::close(fd);
  if (!eof || info.si_code != CLD_EXITED || info.si_status != 0) return std::nullopt;
  const auto nl = out.find('\n');
  return out.substr(0, nl);
}

std::string signal_text(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return "signal " + std::to_string(sig) + (abbrev != nullptr ? " (SIG" + std::string(abbrev) + ")" : "");
}

// A note's Chinese goes in args, as every note's does (the walk and the window read it there).
Event note(const std::string& actor, NoteKind kind, const std::string& detail, const std::string& detail_zh = {}) {
  Event e;
  e.kind = EventKind::Note;
  e.actor = actor;
  e.note = kind;
  e.detail = detail;
  e.args = detail_zh;
  return e;
}

}  // namespace

bool elf_has_interp(const std::string& path, bool& is_elf) {
  is_elf = false;
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, EI_NIDENT> ident{};
  if (!in.read(reinterpret_cast<char*>(ident.data()), ident.size())) return false;
  if (std::memcmp(ident.data(), ELFMAG, SELFMAG) != 0) return false;
  is_elf = true;
  // Reads the program headers of either class; the byte order is the machine's own.
  const auto scan = [&](auto ehdr, auto phdr) {
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(&ehdr), sizeof ehdr)) return false;
    for (unsigned i = 0; i < ehdr.e_phnum && i < 4096; ++i) {
      in.seekg(static_cast<std::streamoff>(ehdr.e_phoff + i * ehdr.e_phentsize));
      if (!in.read(reinterpret_cast<char*>(&phdr), sizeof phdr)) return false;
      if (phdr.p_type == PT_INTERP) return true;
    }
    return false;
  };
  if (ident[EI_CLASS] == ELFCLASS64) return scan(Elf64_Ehdr{}, Elf64_Phdr{});
  if (ident[EI_CLASS] == ELFCLASS32) return scan(Elf32_Ehdr{}, Elf32_Phdr{});
  return false;
}

ProgramCheck check_program(const std::string& name) {
  ProgramCheck check;
  check.path = find_on_path(name);
  struct stat st {};
  if (check.path.empty() || ::stat(check.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool there = !check.path.empty() && ::stat(check.path.c_str(), &st) == 0;
    check.path.clear();
    check.warnings.push_back(!there                 ? name + ": no such program"
                             : S_ISDIR(st.st_mode)  ? name + " is a directory, not a program"
                                                    : name + " is not a program (not a regular file)");
    return check;
  }
  check.found = true;
  if (((st.st_mode & S_ISUID) != 0 && st.st_uid != ::geteuid()) ||
      ((st.st_mode & S_ISGID) != 0 && st.st_gid != ::getegid())) {
    check.secure = true;
    check.warnings.push_back(check.path + " is setuid/setgid: the loader ignores LD_PRELOAD for it, so its socket "
                             "calls cannot be traced");
  }
  std::string target = check.path;
  const std::string head = read_head(check.path, 256);
  if (head.rfind("#!", 0) == 0) {
    // A script: the interpreter is what the loader runs.
    std::string line = head.substr(2, head.find('\n') - 2);
    std::size_t at = line.find_first_not_of(" \t");
    std::string interp = at == std::string::npos ? "" : line.substr(at, line.find_first_of(" \t", at) - at);
    if (base_name(interp) == "env") {
      const auto next = line.find_first_not_of(" \t", line.find_first_of(" \t", at));
      if (next != std::string::npos) interp = find_on_path(line.substr(next, line.find_first_of(" \t", next) - next));
    }
    if (interp.empty()) return check;
    target = interp;
  }
  struct stat target_st {};
  if (::stat(target.c_str(), &target_st) != 0 || !S_ISREG(target_st.st_mode)) return check;  // never open a FIFO
  bool is_elf = false;
  const bool interp = elf_has_interp(target, is_elf);
  if (is_elf && !interp) {
    check.dynamic = false;
    check.warnings.push_back(target + " is statically linked: a preload library cannot see its calls, so this trace "
                             "will show no socket calls from it");
  }
  return check;
}

std::vector<std::string> resolve_interpreter(const std::vector<std::string>& argv, std::string& note_text) {
  if (argv.empty() || base_name(argv[0]).rfind("python", 0) != 0) return argv;
  const std::string path = find_on_path(argv[0]);
  if (path.empty() || read_head(path, 2) != "#!") return argv;
  const auto real = first_line_of({path, "-c", "import sys; print(sys.executable)"}, std::chrono::seconds(10));
  if (!real || real->empty() || ::access(real->c_str(), X_OK) != 0) return argv;
  std::vector<std::string> out = argv;
  out[0] = *real;
  note_text = argv[0] + " is a shell shim (" + path + "); tracing the real interpreter " + *real;
  return out;
}

std::string find_preload_library() {
  if (const char* env = std::getenv("SOCKSTEP_PRELOAD"); env != nullptr && *env != '\0') return env;
  std::array<char, 4096> self{};
  const ssize_t n = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
  if (n <= 0) return {};
  const std::string dir = std::string(self.data(), static_cast<std::size_t>(n)).substr(
      0, std::string(self.data(), static_cast<std::size_t>(n)).rfind('/'));
  for (const std::string& candidate : {dir + "/libsockstep-preload.so", dir + "/../lib/sockstep/libsockstep-preload.so"})
    if (::access(candidate.c_str(), R_OK) == 0) return candidate;
  return {};
}

namespace {

struct Child {
  std::size_t index = 0;
  std::string fallback_name;
  Spawned s;
  std::string out_line;
  std::string err_line;
  bool running = false;
  bool hello_warned = false;
  Clock::time_point started;
};

// One traced process's ring, as the reader holds it.
struct Ring {
  pid_t pid = 0;
  std::unique_ptr<RingReader> reader;
  int pidfd = -1;  // readable once the process has exited
  bool gone = false;  // exited before its exit could be watched
  std::uint64_t dropped_reported = 0;
};

class Tracer {
 public:
  Tracer(const TraceOptions& options, EventLog& log) : options_(options), log_(log) {}

  TraceResult run() {
    TraceResult result;
    result.exit_codes.assign(options_.commands.size(), -1);
    if (options_.commands.empty()) {
      result.error = "no command to trace";
      return result;
    }
    if (options_.preload.empty() || ::access(options_.preload.c_str(), R_OK) != 0) {
      result.error = "the preload library libsockstep-preload.so was not found (set SOCKSTEP_PRELOAD to its path)";
      return result;
    }
    // Check every command before starting any: a typo should not leave a server running.
    for (const auto& command : options_.commands) {
      if (command.empty()) {
        result.error = "an empty command (two ':::' in a row?)";
        return result;
      }
      std::string shim_note;
      argvs_.push_back(resolve_interpreter(command, shim_note));
      if (!shim_note.empty()) log_.append(note("trace", NoteKind::Info, shim_note));
      const ProgramCheck check = check_program(argvs_.back()[0]);
      if (!check.found) {
        result.error = check.warnings.front();
        return result;
      }
      argvs_.back()[0] = check.path;
      for (const auto& w : check.warnings) log_.append(note("trace", NoteKind::Warning, w));
    }
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
      result.error = std::string("socketpair failed: ") + std::strerror(errno);
      return result;
    }
    reader_ = pair[0];
    writer_ = pair[1];
    // Room for a drain interval of records; root may go past net.core.wmem_max.
    const int size = 32 << 20;
    if (::setsockopt(writer_, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
      (void)::setsockopt(writer_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    (void)::setsockopt(reader_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct stat st {};
    ::fstat(writer_, &st);
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    child_fd_ = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1024) - 24);
    env_ = child_env(std::to_string(child_fd_) + ":" + std::to_string(st.st_ino) + ":" +
                     std::to_string(options_.ring_bytes));

    // Whatever the programs leave running (a background child, a daemon that double
    // forked) is ended with the trace, on every way out of it.
    adopt_orphans();
    loop(result);
    if (const std::size_t left = end_descendants(kKillGrace); left > 0)
      log_.append(note("trace", NoteKind::Info,
                       "ended " + std::to_string(left) + " process" + (left == 1 ? "" : "es") +
                           " the traced programs left running",
                       "结束了被跟踪程序留下仍在运行的 " + std::to_string(left) + " 个进程"));

    for (auto& c : children_)
      for (int fd : {c.s.pidfd, c.s.out, c.s.err})
        if (fd >= 0) ::close(fd);
    if (writer_ >= 0) ::close(writer_);
    ::close(reader_);
    result.all_ok = result.error.empty() &&
                    std::all_of(result.exit_codes.begin(), result.exit_codes.end(), [](int c) { return c == 0; });
    return result;
  }

 private:
  std::vector<std::string> child_env(const std::string& channel) const {
    std::vector<std::string> env;
    std::string preload = options_.preload;
    bool has_unbuffered = false;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      const std::string entry = *e;
      if (entry.rfind(std::string(kChannelEnv) + "=", 0) == 0) continue;
      if (entry.rfind(std::string(kFaultsEnv) + "=", 0) == 0) continue;  // only when a check asks
      if (entry.rfind("LD_PRELOAD=", 0) == 0) {
        if (entry.size() > 11) preload += ":" + entry.substr(11);
        continue;
      }
      if (entry.rfind("PYTHONUNBUFFERED=", 0) == 0) has_unbuffered = true;
      env.push_back(entry);
    }
    env.push_back("LD_PRELOAD=" + preload);
    env.push_back(std::string(kChannelEnv) + "=" + channel);
    if (options_.unbuffered && !has_unbuffered) env.push_back("PYTHONUNBUFFERED=1");
    for (const auto& entry : options_.env) env.push_back(entry);
    return env;
  }

  bool start_next(TraceResult& result) {
    const std::size_t index = children_.size();
    Child c;
    c.index = index;
    c.fallback_name = base_name(argvs_[index][0]);
    c.s = spawn(argvs_[index], env_, writer_, child_fd_);
    c.started = Clock::now();
    if (c.s.pid < 0) {
      result.error = argvs_[index][0] + ": " + std::strerror(c.s.spawn_error);
      log_.append(note("trace", NoteKind::Error, "cannot start " + result.error));
      return false;
    }
    c.running = true;
    children_.push_back(std::move(c));
    if (children_.size() == argvs_.size()) {
      // Every program holds its own copy now; ours would keep the channel open forever.
      ::close(writer_);
      writer_ = -1;
    }
    return true;
  }

  bool previous_ready() const {
    if (children_.empty()) return true;
    const Child& last = children_.back();
    return !last.running || decoder_.listens_in_tree(last.s.pid) > 0;
  }

  // Events leave in time order once they are older than the reorder window.
  void hold(std::int64_t t_ns, Event event) {
    held_.emplace(t_ns, std::move(event));
    while (held_.size() > kMaxHeld) {
      log_.append_happened(std::move(held_.begin()->second), held_.begin()->first / 1000);
      held_.erase(held_.begin());
    }
  }

  void release(std::int64_t upto_ns) {
    while (!held_.empty() && held_.begin()->first <= upto_ns) {
      // Stamped with when it happened, not when the reorder window let it go: a packet
      // it sent is then linked to it, and placed beside it.
      log_.append_happened(std::move(held_.begin()->second), held_.begin()->first / 1000);
      held_.erase(held_.begin());
    }
  }

  void release_all() { release(std::numeric_limits<std::int64_t>::max()); }

  // A process about to lose its channel or its preload says so in its last record.
  void lost(const WireHeader& h, std::string_view record) {
    const std::string who = decoder_.actor(h.pid);
    std::string path;
    const std::size_t aux_at = sizeof h + h.addr_len + h.local_len;
    if (aux_at + h.aux_len <= record.size()) path = printable_text(record.substr(aux_at, h.aux_len));
    const std::string first = std::to_string(h.arg[1]);
    const std::string second = h.arg[2] == 0xffffffffLL ? "~0U" : std::to_string(h.arg[2]);
    std::string text;
    switch (static_cast<LostReason>(h.arg[0])) {
      case LostReason::Close:
        text = who + " closed the trace channel (close(" + first + ")): its calls from here on are not shown";
        break;
      case LostReason::CloseRange:
        text = who + " closed every fd from " + first + " on, the trace channel too (close_range(" + first + ", " +
               second + ")): its calls from here on are not shown";
        break;
      case LostReason::Dup:
        text = who + " put fd " + first + " at the trace channel's number (dup2(" + first + ", " + second +
               ")) and no fd was free to move the channel to: its calls from here on are not shown";
        break;
      case LostReason::Exec:
        text = who + " runs " + path + " without the trace (" +
               (h.arg[1] == 1   ? "LD_PRELOAD no longer names the preload library"
                : h.arg[1] == 2 ? std::string(kChannelEnv) + " was removed from its environment"
                                : std::string("the channel is closed on exec")) +
               "): the new program's calls are not shown";
        break;
      case LostReason::ExecFailed:
        text = who + ": that exec of " + path + " failed; its calls are shown again";
        break;
      default:
        text = who + " lost its trace channel: its calls from here on are not shown";
        break;
    }
    warn(who, text);
  }

  void decode(std::string_view record) {
    if (options_.on_record) options_.on_record(record);
    WireHeader h{};
    if (record.size() >= sizeof h) {
      std::memcpy(&h, record.data(), sizeof h);
      if (h.magic == kWireMagic && h.kind == RecordKind::Lost && decoder_.process(h.pid) != nullptr) {
        lost(h, record);
        return;
      }
    }
    decoder_.decode(record, decoded_);
    for (auto& d : decoded_) hold(d.t_ns != 0 ? d.t_ns : monotonic_ns(), std::move(d.event));
    decoded_.clear();
  }

  void warn(const std::string& actor, const std::string& text) {
    hold(monotonic_ns(), note(actor, NoteKind::Warning, text));
  }

  // A Hello that came with a ring: map it (a process that exec'd gets a new one, and
  // its old ring is read to the end first).
  void add_ring(int fd, std::string_view record) {
    WireHeader h{};
    std::memcpy(&h, record.data(), sizeof h);
    const std::string who = decoder_.actor(h.pid);
    for (auto it = rings_.begin(); it != rings_.end(); ++it)
      if (it->pid == h.pid) {
        retire(*it);
        rings_.erase(it);
        break;
      }
    if (rings_.size() >= kMaxRings) {
      ::close(fd);
      warn(who, who + " is one traced process too many (" + std::to_string(kMaxRings) +
                    " at once): its socket calls are not shown");
      return;
    }
    std::string error;
    auto reader = RingReader::open(fd, error);
    if (!reader) {
      warn(who, who + ": " + error + ": its socket calls are not shown");
      return;
    }
    const int pidfd = pidfd_open(h.pid);
    // ESRCH: it has exited already. Any other failure: its exit cannot be watched, so
    // its ring is read until the trace ends.
    const bool gone = pidfd < 0 && errno == ESRCH;
    rings_.push_back(Ring{h.pid, std::move(reader), pidfd, gone, 0});
  }

  // Returns how many records it read.
  int drain_channel() {
    int count = 0;
    std::array<char, kMaxRecord + 64> buffer{};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(4 * sizeof(int))> control{};
    // Bounded per round so output pipes and exits are served too under a flood.
    for (; count < 65536; ++count) {
      iovec iov{buffer.data(), buffer.size()};
      msghdr message{};
      message.msg_iov = &iov;
      message.msg_iovlen = 1;
      message.msg_control = control.data();
      message.msg_controllen = control.size();
      const ssize_t n = ::recvmsg(reader_, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      if (n <= 0) break;
      std::vector<int> fds;
      for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const std::size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < k; ++i) {
          int fd = -1;
          std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
          fds.push_back(fd);
        }
      }
      const std::string_view record(buffer.data(), static_cast<std::size_t>(n));
      decode(record);
      // Only a well-formed Hello hands over a ring; any other fd is closed unread.
      WireHeader h{};
      if (record.size() >= sizeof h) std::memcpy(&h, record.data(), sizeof h);
      const bool hello = record.size() >= sizeof h && h.kind == RecordKind::Hello && decoder_.process(h.pid) != nullptr;
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (i == 0 && hello) add_ring(fds[i], record);
        else ::close(fds[i]);
      }
    }
    return count;
  }

  void report_drops(Ring& ring) {
    const std::uint64_t dropped = ring.reader->dropped();
    if (dropped <= ring.dropped_reported) return;
    const std::string who = decoder_.actor(ring.pid);
    warn(who, std::to_string(dropped - ring.dropped_reported) + " records dropped by " + who +
                  ": the trace ring stayed full");
    ring.dropped_reported = dropped;
  }

  // A ring whose process is gone: read what was written, step over what never was.
  void retire(Ring& ring) {
    const std::size_t lost = ring.reader->drain_abandoned([this](std::string_view r) { decode(r); });
    const std::string who = decoder_.actor(ring.pid);
    report_drops(ring);
    if (lost > 0)
      warn(who, std::to_string(lost) + " records lost: " + who + " ended while writing them");
    if (ring.reader->broken()) warn(who, "the trace ring of " + who + " was overwritten: the rest of its calls are lost");
    if (ring.pidfd >= 0) ::close(ring.pidfd);
    ring.pidfd = -1;
  }

  int drain_rings() {
    int count = 0;
    std::vector<pollfd> exits;
    for (auto& ring : rings_) {
      count += static_cast<int>(ring.reader->drain([this](std::string_view r) { decode(r); }));
      report_drops(ring);
      exits.push_back({ring.pidfd, POLLIN, 0});
    }
    // A process that has exited writes no more: its ring is read to the end and unmapped.
    const bool any_gone = std::any_of(rings_.begin(), rings_.end(), [](const Ring& r) { return r.gone; });
    if (!exits.empty() && (::poll(exits.data(), exits.size(), 0) > 0 || any_gone)) {
      std::size_t i = 0;
      std::erase_if(rings_, [&](Ring& ring) {
        const bool gone = ring.gone || (exits[i++].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0;
        if (gone) retire(ring);
        return gone;
      });
    }
    return count;
  }

  // The channel first: a program's hello (and its ring) comes before its records.
  int drain_records() { return drain_channel() + drain_rings(); }

  // Before the reader sleeps: every ring's writers will wake it. True if some ring has
  // records already (then it must not sleep).
  bool ask_rings_for_wakeup() {
    bool pending = false;
    for (auto& ring : rings_) pending = ring.reader->ask_for_wakeup() || pending;
    return pending;
  }

  std::string actor_of(const Child& c) const { return decoder_.actor(c.s.pid, c.fallback_name); }

  // Reads what is there now; complete lines become Print events. Returns false at EOF.
  // Each line is an event: while programs run, a program that prints without end (a
  // `while :; do echo`) is read a bounded number of lines at a time, so the loop gets back
  // to the stop signal and the other programs between two reads. A program that ended is
  // read to the end of what its pipe holds.
  static constexpr int kLinesPerDrain = 1024;
  bool drain_output(Child& c, int& fd, std::string& line, int max_lines = kLinesPerDrain) {
    char buffer[65536];
    int lines = 0;
    for (int i = 0; i < 64 && lines < max_lines; ++i) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return true;
      // What a program printed came after the calls it made before: with those decoded,
      // the line is labelled with the program that printed it (print() asks the decoder).
      if (n > 0 && i == 0) drain_records();
      if (n <= 0) {
        if (!line.empty()) print(c, line);
        line.clear();
        ::close(fd);
        fd = -1;
        return false;
      }
      for (ssize_t k = 0; k < n; ++k) {
        if (buffer[k] == '\n') {
          print(c, line);
          line.clear();
          ++lines;
        } else if (line.size() < 4096) {
          line.push_back(buffer[k]);
        }
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) return true;
    }
    return true;
  }

  void print(const Child& c, const std::string& text) {
    Event e;
    e.kind = EventKind::Print;
    const pid_t printer = decoder_.printer_of(c.s.pid);
    e.actor = printer == c.s.pid ? actor_of(c) : decoder_.actor(printer);
    e.pid = printer;
    e.detail = printable_text(text);
    hold(monotonic_ns(), std::move(e));
  }

  void finish(Child& c, TraceResult& result) {
    drain_records();
    for (int* fd : {&c.s.out, &c.s.err}) {
      if (*fd < 0) continue;
      ::fcntl(*fd, F_SETFL, ::fcntl(*fd, F_GETFL) | O_NONBLOCK);
      drain_output(c, *fd, fd == &c.s.out ? c.out_line : c.err_line, std::numeric_limits<int>::max());
      if (*fd >= 0) {
        // A background grandchild may keep the pipe open: do not wait for it.
        std::string& rest = fd == &c.s.out ? c.out_line : c.err_line;
        if (!rest.empty()) print(c, rest);
        rest.clear();
        ::close(*fd);
        *fd = -1;
      }
    }
    release_all();
    siginfo_t info{};
    ::waitid(P_PID, static_cast<id_t>(c.s.pid), &info, WEXITED);
    c.running = false;
    int code = -1;
    std::string text;
    std::string text_zh;  // a note's args hold its Chinese, as the lessons' notes do
    if (info.si_code == CLD_EXITED) {
      code = info.si_status;
      text = "exited with status " + std::to_string(code);
      text_zh = "已退出,状态 " + std::to_string(code);
    } else {
      code = 128 + info.si_status;
      const bool dumped = info.si_code == CLD_DUMPED;
      text = "killed by " + signal_text(info.si_status) + (dumped ? ", core dumped" : "");
      text_zh = "被" + signal_text(info.si_status) + "终止" + (dumped ? ",已转储 core" : "");
    }
    result.exit_codes[c.index] = code;
    Event e = note(actor_of(c), NoteKind::Exit, text);
    e.args = text_zh;
    e.value = code;
    log_.append(std::move(e));
    const auto* p = decoder_.process(c.s.pid);
    if (p == nullptr || !p->said_hello)
      log_.append(note(actor_of(c), NoteKind::Warning,
                       "the preload never reported from " + actor_of(c) +
                           ": this trace shows none of its socket calls (static, setuid, or it dropped LD_PRELOAD)",
                       "预加载库从未收到 " + actor_of(c) +
                           " 的报告:这次跟踪不显示它的任何套接字调用(静态链接、setuid,或它去掉了 LD_PRELOAD)"));
  }

  void warn_silent(Child& c) {
    c.hello_warned = true;
    const auto* p = decoder_.process(c.s.pid);
    if (p != nullptr && p->said_hello) return;
    hold(monotonic_ns(), note(actor_of(c), NoteKind::Warning,
                     actor_of(c) + " has run " +
                         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kHelloGrace).count()) +
                         " s without the preload reporting: its socket calls may be invisible"));
  }

  void loop(TraceResult& result) {
    if (!start_next(result)) return;
    bool stopping = false;
    Clock::time_point kill_at{};
    Clock::time_point start_fallback = Clock::now() + kStartGrace;
    bool streaming = false;
    Clock::time_point next_drain{};
    for (std::uint64_t round = 0; round < (1ULL << 40); ++round) {
      // Start the next program once the previous one listens (or exits, or took too long).
      while (!stopping && children_.size() < argvs_.size() &&
             (options_.together || previous_ready() || Clock::now() >= start_fallback)) {
        if (!options_.together && !previous_ready())
          hold(monotonic_ns(),
               note("trace", NoteKind::Info, "starting the next program: the previous one has not called listen()",
                    "启动下一个程序:上一个程序还没有调用 listen()"));
        if (!start_next(result)) {
          stopping = true;
          kill_at = Clock::now();
          break;
        }
        start_fallback = Clock::now() + kStartGrace;
      }
      const bool any_running =
          std::any_of(children_.begin(), children_.end(), [](const Child& c) { return c.running; });
      if (!any_running && (stopping || children_.size() == argvs_.size())) break;

      std::vector<pollfd> fds;
      std::vector<std::pair<Child*, int>> owners;  // for each pollfd: child and which (0 pidfd, 1 out, 2 err)
      // Streaming: read again at next_drain. Idle: wake on the first record.
      // Once every program has closed its end, the channel reports POLLHUP forever: it is
      // left out, and the rings (written to without wake-ups now) are read on a timer.
      fds.push_back({channel_closed_ ? -1 : reader_, static_cast<short>(streaming ? 0 : POLLIN), 0});
      owners.push_back({nullptr, -1});
      if (options_.stop_fd >= 0 && !stopping) {
        fds.push_back({options_.stop_fd, POLLIN, 0});
        owners.push_back({nullptr, -2});
      }
      for (auto& c : children_) {
        if (!c.running) continue;
        fds.push_back({c.s.pidfd, POLLIN, 0});
        owners.push_back({&c, 0});
        if (c.s.out >= 0) {
          fds.push_back({c.s.out, POLLIN, 0});
          owners.push_back({&c, 1});
        }
        if (c.s.err >= 0) {
          fds.push_back({c.s.err, POLLIN, 0});
          owners.push_back({&c, 2});
        }
      }
      Clock::time_point wake = Clock::time_point::max();
      if (children_.size() < argvs_.size() && !options_.together) wake = std::min(wake, start_fallback);
      for (const auto& c : children_)
        if (c.running && !c.hello_warned) wake = std::min(wake, c.started + kHelloGrace);
      if (stopping) wake = std::min(wake, kill_at);
      if (streaming) wake = std::min(wake, next_drain);
      if (channel_closed_ && !rings_.empty()) wake = std::min(wake, Clock::now() + kDrainInterval * 10);
      if (!held_.empty())
        wake = std::min(wake, Clock::now() + std::chrono::nanoseconds(held_.begin()->first + kReorderWindowNs -
                                                                       monotonic_ns()));
      int timeout = -1;
      if (wake != Clock::time_point::max())
        timeout = static_cast<int>(std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count() + 1));
      const int n = ::poll(fds.data(), fds.size(), timeout);
      if (n < 0 && errno != EINTR) {
        result.error = std::string("poll failed: ") + std::strerror(errno);
        break;
      }
      const auto now = Clock::now();
      for (auto& c : children_)
        if (c.running && !c.hello_warned && now >= c.started + kHelloGrace) warn_silent(c);
      if (stopping && now >= kill_at) {
        signal_descendants(SIGKILL);
        kill_at = Clock::time_point::max();
      }
      // The channel first: a program's hello comes before anything it prints.
      if ((fds[0].revents & (POLLIN | POLLHUP)) != 0 || (streaming && now >= next_drain) || channel_closed_) {
        const int read = drain_records();
        if ((fds[0].revents & POLLHUP) != 0 && read == 0) channel_closed_ = true;
        streaming = read > 0 || ask_rings_for_wakeup();
        next_drain = now + kDrainInterval;
      }
      // After the drain: whatever any ring held from before the window is in hand now,
      // so an event leaves only after every event older than it (a reader that lags by
      // more than the window aside).
      release(monotonic_ns() - kReorderWindowNs);
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        auto [child, which] = owners[i];
        if (which == -2) {
          stopping = true;
          release_all();
          log_.append(note("trace", NoteKind::Info, "stopping: SIGTERM to the traced programs and their children",
                           "正在停止:向被跟踪的程序及其子进程发送 SIGTERM"));
          signal_descendants(SIGTERM);
          kill_at = now + kKillGrace;
        } else if (which == 1 && child->s.out >= 0) {
          drain_output(*child, child->s.out, child->out_line);
        } else if (which == 2 && child->s.err >= 0) {
          drain_output(*child, child->s.err, child->err_line);
        }
      }
      for (std::size_t i = 1; i < fds.size(); ++i)
        if (owners[i].second == 0 && fds[i].revents != 0 && owners[i].first->running) finish(*owners[i].first, result);
    }
    drain_records();
    // Programs that outlive the trace (daemons) keep writing; their rings are let go.
    for (auto& ring : rings_) {
      ring.reader->drain([this](std::string_view r) { decode(r); });
      report_drops(ring);
      if (ring.pidfd >= 0) ::close(ring.pidfd);
    }
    rings_.clear();
    release_all();
    say_silent_processes();
  }

  // The processes that never made a socket call (a shim's scripts, a wrapper, helpers
  // they ran) are said in one line rather than one each.
  void say_silent_processes() {
    const std::vector<std::string> silent = decoder_.silent_processes();
    if (silent.empty()) return;
    // Each name once, with how many there were, in the order first seen.
    std::vector<std::pair<std::string, int>> counted;
    for (const auto& name : silent) {
      const auto it = std::find_if(counted.begin(), counted.end(), [&](const auto& c) { return c.first == name; });
      if (it == counted.end()) counted.emplace_back(name, 1);
      else ++it->second;
    }
    std::string names;
    for (const auto& [name, n] : counted) names += (names.empty() ? "" : ", ") + name + (n > 1 ? " ×" + std::to_string(n) : "");
    const std::string count = std::to_string(silent.size());
    log_.append(note("trace", NoteKind::Info,
                     count + (silent.size() == 1 ? " traced process" : " traced processes") +
                         " made no socket call: " + names,
                     count + " 个被跟踪的进程没有做任何套接字调用:" + names));
  }

  const TraceOptions& options_;
  EventLog& log_;
  Decoder decoder_;
  std::vector<std::vector<std::string>> argvs_;
  std::vector<std::string> env_;
  std::vector<Child> children_;
  std::multimap<std::int64_t, Event> held_;  // by CLOCK_MONOTONIC ns; ties keep arrival order
  std::vector<Ring> rings_;
  std::vector<Decoded> decoded_;
  int reader_ = -1;
  int writer_ = -1;
  bool channel_closed_ = false;  // every writer's end is closed (POLLHUP)
  int child_fd_ = 1000;
};

}  // namespace

TraceResult run_trace(const TraceOptions& options, EventLog& log) {
  Tracer tracer(options, log);
  return tracer.run();
}

}  // namespace sockstep::trace
