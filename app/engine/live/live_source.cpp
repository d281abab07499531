#include "engine/live/live_source.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace sockstep {
namespace {

constexpr std::size_t kMaxConsoleLines = 1000;
constexpr std::size_t kMaxClosedCards = 64;
constexpr int kMaxFdsScanned = 65536;

// inode -> fd for every socket the process holds ("socket:[1234]" links in /proc/PID/fd).
std::map<unsigned long, int> socket_fds(pid_t pid) {
  std::map<unsigned long, int> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) return out;  // the process is gone, or not ours to read
  int scanned = 0;
  for (dirent* entry = ::readdir(listing); entry != nullptr && scanned < kMaxFdsScanned;
       entry = ::readdir(listing), ++scanned) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::array<char, 64> target{};
    const std::string link = dir + "/" + entry->d_name;
    const ssize_t n = ::readlink(link.c_str(), target.data(), target.size() - 1);
    if (n <= 8) continue;
    const std::string_view text(target.data(), static_cast<std::size_t>(n));
    if (text.substr(0, 8) != "socket:[") continue;
    out[std::strtoul(target.data() + 8, nullptr, 10)] = std::atoi(entry->d_name);
  }
  ::closedir(listing);
  return out;
}

SocketView diag_view(const DiagSocket& socket, int fd) {
  SocketView view;
  view.fd = fd;
  view.family = socket.local.family;
  view.type = SOCK_STREAM;
  view.state = socket.state;
  view.local = socket.local;
  view.peer = socket.listening() ? Address{} : socket.peer;
  view.rcvbuf = socket.rcvbuf;
  view.sndbuf = socket.sndbuf;
  view.listening = socket.listening();
  if (view.listening) {
    // For a listener sock_diag puts the accept queue and the backlog in these fields.
    view.accept_queue = socket.rqueue;
    view.backlog = socket.wqueue;
  } else {
    // Once the peer's FIN is in, sock_diag counts its sequence number as a byte to
    // read; SIOCINQ (and the learner) do not.
    const bool fin_in = socket.state == "CLOSE_WAIT" || socket.state == "LAST_ACK" || socket.state == "CLOSING";
    view.inq = fin_in && socket.rqueue > 0 ? socket.rqueue - 1 : socket.rqueue;
    view.outq = socket.wqueue;
  }
  return view;
}

// What a card shows, as text: a change in it is worth a new frame. Timers count in
// 5 s steps so a TIME_WAIT card does not redraw the window every refresh.
std::string fingerprint(const std::vector<SocketCard>& cards, const std::vector<OrphanSocket>& orphans) {
  std::string out;
  for (const SocketCard& c : cards) {
    const SocketView& v = c.view;
    out += c.actor + "|" + c.var + "|" + std::to_string(v.fd) + "|" + v.state + "|" + v.local.to_string() + "|" +
           v.peer.to_string() + "|" + std::to_string(v.inq) + "|" + std::to_string(v.outq) + "|" +
           std::to_string(v.accept_queue) + "|" + std::to_string(v.backlog) + "|" + std::to_string(v.rcvbuf) + "|" +
           std::to_string(v.sndbuf) + "|" + c.blocked_in + "\n";
  }
  for (const OrphanSocket& o : orphans)
    out += o.state + "|" + o.local.to_string() + "|" + o.peer.to_string() + "|" + std::to_string(o.timer_ms / 5000) +
           (o.earlier ? "|earlier\n" : "\n");
  return out;
}

}  // namespace

LiveSource::LiveSource(std::vector<std::string> actors, std::string outside) : outside_(std::move(outside)) {
  for (std::string& name : actors) actor(name);
}

pid_t LiveSource::pid_of(const std::string& actor) const {
  const auto it = pids_.find(actor);
  return it != pids_.end() ? it->second : ::getpid();
}

ActorView& LiveSource::actor(const std::string& name) {
  for (ActorView& view : actors_)
    if (view.name == name) return view;
  actors_.push_back(ActorView{name, ActorState::Idle, {}, -1, {}, {}, {}, 0, {}});
  return actors_.back();
}

void LiveSource::learn_port(const Address& address) {
  if (address.family != AF_UNIX && address.port != 0) ports_.insert(address.port);
}

void LiveSource::close_tracked(const Key& key) {
  const auto it = open_.find(key);
  if (it == open_.end()) return;
  SocketCard card;
  card.actor = it->second.actor;
  card.var = it->second.role;
  card.view = view_of(it->second);
  closed_.push_back(std::move(card));
  while (closed_.size() > kMaxClosedCards) closed_.pop_front();
  open_.erase(it);
}

SocketView LiveSource::view_of(const Tracked& tracked) const {
  if (tracked.seen) return tracked.last;
  // Never in a sock_diag dump yet (made but not bound or connected): what the calls said.
  SocketView view;
  view.fd = tracked.fd;
  view.family = tracked.family;
  view.type = SOCK_STREAM;
  // Its state as the calls made it: what TCP_INFO would have said had it been asked.
  view.state = tracked.role == "listener" ? "LISTEN" : tracked.role == "socket" ? "CLOSE" : "ESTABLISHED";
  view.local = tracked.local;
  view.peer = tracked.peer;
  view.listening = tracked.role == "listener";
  return view;
}

void LiveSource::observe(const Event& event) {
  if (event.seq != 0 && event.seq <= last_seq_) return;
  last_seq_ = std::max(last_seq_, event.seq);
  if (event.kind == EventKind::Packet) return;  // the wire, not a program: no actor, no card
  if (event.kind == EventKind::Print) {
    std::vector<std::string>& console = actor(event.actor).console;
    console.push_back(event.detail);
    if (console.size() > kMaxConsoleLines) console.erase(console.begin());
    return;
  }
  if (event.kind == EventKind::Note) {
    // What the tracer could not see (a static or setuid program) must stay in view.
    // A note carries its Chinese in args (the tracer's, the capture's, a check's).
    if (event.note == NoteKind::Warning && warnings_.size() < 8)
      warnings_.push_back(Text{event.detail, event.args.empty() ? event.detail : event.args});
    // A traced program that exited holds no socket any more, whatever it closed.
    if (event.note == NoteKind::Exit) {
      actor(event.actor).ended = event.detail;
      actor(event.actor).ended_zh = event.args;
      std::vector<Key> keys;
      for (const auto& [key, tracked] : open_)
        if (key.first == event.actor) keys.push_back(key);
      for (const Key& key : keys) close_tracked(key);
    }
    return;
  }
  ActorView& who = actor(event.actor);
  if (event.pid != 0) pids_.try_emplace(event.actor, event.pid);
  if (event.kind == EventKind::Blocked) {
    who.state = ActorState::Blocked;
    who.blocked_in = call_name(event.call);
    if (auto it = open_.find({event.actor, event.fd}); it != open_.end()) it->second.blocked_in = call_name(event.call);
    return;
  }
  // A call returned: whatever this actor waited in is over.
  if (who.state == ActorState::Blocked) {
    for (auto& [key, tracked] : open_)
      if (key.first == event.actor) tracked.blocked_in.clear();
  }
  who.state = ActorState::Idle;
  who.blocked_in.clear();

  const Call call = event.call;
  const bool started = event.ok() || event.connect_started();
  if (event.sock.stream()) connections_.add(event.sock.local, event.sock.peer);
  learn_port(event.sock.local);
  if (is_connect(call) || call == Call::SendTo) learn_port(event.sock.peer);
  if (!started) return;
  if ((call == Call::Socket || call == Call::Accept) && event.value >= 0) {
    Tracked tracked;
    tracked.actor = event.actor;
    tracked.fd = static_cast<int>(event.value);
    tracked.role = call == Call::Accept ? "accepted" : "socket";
    tracked.family = event.sock.family != AF_UNSPEC ? event.sock.family : AF_INET;
    tracked.inode = event.sock.inode;
    tracked.local = event.sock.local;
    tracked.peer = event.sock.peer;
    if (const auto listener = open_.find({event.actor, event.fd}); call == Call::Accept && listener != open_.end()) {
      if (event.sock.family == AF_UNSPEC) tracked.family = listener->second.family;
      if (tracked.local.empty()) tracked.local = listener->second.local;
    }
    // A socket() on a reused fd means the old one was closed unseen (a dup2, say).
    close_tracked({event.actor, tracked.fd});
    open_[{event.actor, tracked.fd}] = std::move(tracked);
  } else if (call == Call::Close) {
    close_tracked({event.actor, event.fd});
  } else if (auto it = open_.find({event.actor, event.fd}); it != open_.end()) {
    Tracked& tracked = it->second;
    if (call == Call::Listen) tracked.role = "listener";
    if (is_connect(call)) {
      tracked.role = "connected";
      if (!event.sock.peer.empty()) tracked.peer = event.sock.peer;
    }
    if (!event.sock.local.empty()) tracked.local = event.sock.local;
    if (event.sock.inode != 0) tracked.inode = event.sock.inode;
  }
}

bool LiveSource::refresh_kernel(bool full) {
  if (!full && ++quick_reads_ < 10) {
    const auto again = diag_lookup(known_);
    bool same = true;
    std::vector<DiagSocket> now;
    for (std::size_t i = 0; i < known_.size() && same; ++i) {
      same = again[i].has_value() && again[i]->inode == known_[i].inode && again[i]->state == known_[i].state;
      if (same) now.push_back(*again[i]);
    }
    if (same) {
      known_ = std::move(now);
      build_cards(known_);
      const std::string print = fingerprint(cards_, orphans_);
      if (print == fingerprint_) return false;
      // Queues moved; a new connection may have come with them: look for it too.
    }
  }
  quick_reads_ = 0;
  known_ = diag_sockets(ports_);
  // Which fd of which observed process holds each inode.
  std::map<pid_t, std::map<unsigned long, int>> fds_of;
  for (const ActorView& view : actors_) {
    const pid_t pid = pid_of(view.name);
    if (!fds_of.contains(pid)) fds_of[pid] = socket_fds(pid);
  }
  owners_.clear();
  for (const DiagSocket& socket : known_) {
    if (socket.inode == 0) continue;
    for (const ActorView& view : actors_) {
      const auto& fds = fds_of[pid_of(view.name)];
      const auto it = fds.find(socket.inode);
      if (it == fds.end()) continue;
      // Several actors may share a process (serve's threads): the one that opened this fd.
      const bool opened = open_.contains({view.name, it->second});
      if (opened || !owners_.contains(socket.inode)) owners_[socket.inode] = {view.name, it->second};
      if (opened) break;
    }
  }
  build_cards(known_);
  std::string print = fingerprint(cards_, orphans_);
  if (print == fingerprint_) return false;
  fingerprint_ = std::move(print);
  return true;
}

void LiveSource::build_cards(const std::vector<DiagSocket>& sockets) {
  std::vector<SocketCard> cards;
  std::vector<OrphanSocket> orphans;
  std::set<Key> shown;
  for (const DiagSocket& socket : sockets) {
    if (socket.inode == 0) {
      orphans.push_back(OrphanSocket{socket.state, socket.local, socket.peer, socket.timer_ms});
      continue;
    }
    if (!socket.listening()) connections_.add(socket.local, socket.peer);
    SocketCard card;
    card.actor = outside_by_address_ ? socket.local.to_string() : outside_;
    card.var = socket.listening() ? "listener" : "peer";
    int fd = -1;
    if (const auto owner = owners_.find(socket.inode); owner != owners_.end()) {
      card.actor = owner->second.first;
      fd = owner->second.second;
    }
    card.view = diag_view(socket, fd);
    if (auto it = open_.find({card.actor, fd}); fd >= 0 && it != open_.end()) {
      Tracked& tracked = it->second;
      tracked.seen = true;
      tracked.last = card.view;
      card.var = tracked.role;
      card.blocked_in = tracked.blocked_in;
      shown.insert(it->first);
    } else if (fd >= 0) {
      card.var = socket.listening() ? "listener" : "socket";
    }
    cards.push_back(std::move(card));
  }
  // Open by the events but not in the dump (not bound or connected yet, or between a
  // program's close and the event that says so): shown from what is known.
  for (const auto& [key, tracked] : open_) {
    if (shown.contains(key)) continue;
    SocketCard card;
    card.actor = tracked.actor;
    card.var = tracked.role;
    card.view = view_of(tracked);
    card.blocked_in = tracked.blocked_in;
    cards.push_back(std::move(card));
  }
  // Observed actors first, in their order, then everyone else; within one, by fd.
  const auto rank = [&](const std::string& name) {
    for (std::size_t i = 0; i < actors_.size(); ++i)
      if (actors_[i].name == name) return static_cast<int>(i);
    return static_cast<int>(actors_.size());
  };
  std::stable_sort(cards.begin(), cards.end(), [&](const SocketCard& a, const SocketCard& b) {
    return std::pair(rank(a.actor), a.view.fd) < std::pair(rank(b.actor), b.view.fd);
  });
  cards_ = std::move(cards);
  // The session's own fd-less sockets first, then those older runs left on its ports.
  connections_.sort_orphans(orphans);
  orphans_ = std::move(orphans);
}

bool LiveSource::has_open_sockets() const { return !open_.empty() || !cards_.empty() || !orphans_.empty(); }

SessionSnapshot LiveSource::snapshot() const {
  SessionSnapshot snap;
  snap.generation = 1;
  snap.port = ports_.empty() ? 0 : *ports_.begin();
  snap.actors = actors_;
  snap.sockets = cards_;
  snap.orphans = orphans_;
  snap.closed.assign(closed_.begin(), closed_.end());
  for (const Text& warning : warnings_) {
    snap.notice.en += (snap.notice.en.empty() ? "" : "\n") + warning.en;
    snap.notice.zh += (snap.notice.zh.empty() ? "" : "\n") + warning.zh;
  }
  return snap;
}

}  // namespace sockstep
