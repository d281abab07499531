#pragma once
#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/log/event_log.hpp"
#include "engine/inspect/inspect.hpp"
#include "engine/inspect/snapshot.hpp"

namespace sockstep {

// The kernel's side of a live session (sockstep serve, dial, or a traced program):
// no lesson says which sockets exist, so they are learned from the events. The ports
// the calls named (bind, listen, connect, getsockname) are watched with sock_diag,
// which sees every process's sockets the same way; a socket is attributed to the
// actor whose process holds its inode in /proc/PID/fd. The result is the snapshot
// the lesson panels already draw.
class LiveSource {
 public:
  // actors: the names shown first, in order ("server", "client"); others join as seen.
  // outside: the name for sockets held by a process sockstep does not observe.
  explicit LiveSource(std::vector<std::string> actors = {}, std::string outside = "other");

  // Learns from one event; events arrive in seq order (an older seq is ignored).
  void observe(const Event& event);
  // Reads the kernel's sockets on the watched ports; true when a card would change.
  // full: a sock_diag dump (finds new sockets; milliseconds on a machine with large
  // TCP tables). Otherwise the sockets already shown are looked up one by one, and a
  // dump follows only if one of them changed or every tenth time.
  bool refresh_kernel(bool full = true);

  [[nodiscard]] SessionSnapshot snapshot() const;
  [[nodiscard]] const std::set<int>& ports() const { return ports_; }
  // Something is open that a periodic refresh could show moving (queues, timers).
  [[nodiscard]] bool has_open_sockets() const;
  [[nodiscard]] const std::string& outside() const { return outside_; }
  // Name each unobserved socket by its own address ("127.0.0.1:41206": one client of
  // serve) instead of the outside's one name.
  void name_outside_by_address(bool on) { outside_by_address_ = on; }

  // Which process an actor is, as its events said (pid); this process when none did.
  [[nodiscard]] pid_t pid_of(const std::string& actor) const;

 private:
  // A socket an observed actor opened, as its calls describe it.
  struct Tracked {
    std::string actor;
    int fd = -1;
    std::string role = "socket";  // listener, accepted, connected
    int family = AF_INET;
    Address local;
    Address peer;
    unsigned long inode = 0;
    std::string blocked_in;
    bool seen = false;  // the kernel reported it at least once
    SocketView last;    // what the kernel said last
  };
  using Key = std::pair<std::string, int>;  // actor, fd

  ActorView& actor(const std::string& name);
  void close_tracked(const Key& key);
  void learn_port(const Address& address);
  [[nodiscard]] SocketView view_of(const Tracked& tracked) const;

  std::vector<ActorView> actors_;
  std::string outside_;
  bool outside_by_address_ = false;
  std::set<int> ports_;
  std::map<Key, Tracked> open_;
  std::map<std::string, pid_t> pids_;
  std::deque<SocketCard> closed_;
  std::vector<SocketCard> cards_;
  std::vector<OrphanSocket> orphans_;
  // Every connection the session's sockets had (in a dump with an fd, or by their calls):
  // an fd-less socket on the watched ports that none explains is left from an earlier run.
  ConnectionSet connections_;
  void build_cards(const std::vector<DiagSocket>& sockets);

  std::vector<DiagSocket> known_;                                // the last dump's sockets
  std::map<unsigned long, std::pair<std::string, int>> owners_;  // inode -> actor, fd
  int quick_reads_ = 0;
  std::vector<Text> warnings_;
  std::string fingerprint_;
  std::uint64_t last_seq_ = 0;
};

}  // namespace sockstep
