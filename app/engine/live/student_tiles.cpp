#include "engine/live/student_tiles.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>

#include "engine/text/py_text.hpp"

namespace sockstep {

StudentTiles::StudentTiles(std::string server_actor, std::size_t max_tiles)
    : server_actor_(std::move(server_actor)), max_tiles_(std::max<std::size_t>(max_tiles, 1)) {}

void StudentTiles::clear() {
  tiles_.clear();
  open_.clear();
  queue_ = AcceptQueueTile{};
  listener_fd_ = -1;
  arrivals_ = 0;
  last_seq_ = 0;
}

std::size_t StudentTiles::connected() const { return open_.size(); }

StudentTile* StudentTiles::open_tile(int fd) {
  const auto it = open_.find(fd);
  if (it == open_.end()) return nullptr;
  // Tiles are in arrival order, with gaps where old ones were let go.
  const auto tile = std::lower_bound(tiles_.begin(), tiles_.end(), it->second,
                                     [](const StudentTile& t, std::uint64_t arrival) { return t.arrival < arrival; });
  return tile != tiles_.end() && tile->arrival == it->second ? &*tile : nullptr;
}

void StudentTiles::leave(StudentTile& tile, std::int64_t t_us) {
  tile.left_us = t_us;
  // recv() said EOF, or a call failed, before this close; otherwise serve closed a
  // client still connected (serve stopping, or --max-clients reached).
  if (tile.ending == TileEnding::Connected) tile.ending = TileEnding::Stopped;
  open_.erase(tile.fd);
}

void StudentTiles::trim() {
  while (tiles_.size() > max_tiles_) {
    const auto gone = std::find_if(tiles_.begin(), tiles_.end(), [](const StudentTile& t) { return !t.connected(); });
    if (gone != tiles_.end()) {
      tiles_.erase(gone);
      continue;
    }
    open_.erase(tiles_.front().fd);
    tiles_.pop_front();
  }
}

void StudentTiles::observe(const Event& e) {
  if (e.seq != 0 && e.seq <= last_seq_) return;
  if (!fed_every_event_ && e.seq > last_seq_ + 1 && last_seq_ != 0) {
    for (const auto& [fd, arrival] : open_)
      if (StudentTile* tile = open_tile(fd)) tile->counts_partial = true;
  }
  if (e.seq != 0) last_seq_ = e.seq;
  if (e.kind == EventKind::Note && e.note == NoteKind::ListenFull) {
    queue_.overflows += e.overflow.overflows;
    queue_.cookies_failed += e.overflow.cookies_failed;
    queue_.last_overflow_us = e.t_us;
    // The kernel counts an overflow only when the queue holds backlog + 1 connections
    // (sk_acceptq_is_full()): it was full then, however rarely a read catches it so.
    if (e.overflow.overflows > 0 && e.overflow.backlog >= 0) queue_.most = std::max(queue_.most, e.overflow.backlog + 1);
    queue_.most = std::max(queue_.most, e.overflow.queued);
    return;
  }
  if (e.kind != EventKind::Call || e.actor != server_actor_) return;
  if (e.call == Call::Listen && e.ok()) {
    listener_fd_ = e.fd;
    return;
  }
  if (e.call == Call::Accept) {
    if (!e.ok() || e.value < 0) return;
    StudentTile tile;
    tile.arrival = ++arrivals_;
    tile.fd = static_cast<int>(e.value);
    tile.peer = e.sock.peer;
    tile.connected_us = e.t_us;
    tile.state = "ESTABLISHED";  // what accept() hands over, until the kernel is read
    // An fd still marked open would be a close this model never saw: that tile left.
    if (StudentTile* stale = open_tile(tile.fd)) leave(*stale, e.t_us);
    open_[tile.fd] = tile.arrival;
    tiles_.push_back(std::move(tile));
    trim();
    return;
  }
  StudentTile* tile = open_tile(e.fd);
  if (tile == nullptr) return;
  if (receives_bytes(e.call)) {
    if (!e.ok()) {
      if (e.err == EAGAIN || e.err == EWOULDBLOCK || e.err == EINTR) return;
      tile->ending = e.err == ECONNRESET ? TileEnding::Reset : TileEnding::Failed;
      tile->err = e.err;
    } else if (e.value == 0) {
      if (tile->ending == TileEnding::Connected) tile->ending = TileEnding::HungUp;
    } else {
      tile->bytes_in += static_cast<std::uint64_t>(e.value);
      ++tile->recvs;
      tile->last_sent.assign(e.bytes.data(), std::min(e.bytes.size(), kLastSentKept));
      tile->last_sent_count = e.byte_count;
    }
    return;
  }
  if (sends_bytes(e.call)) {
    if (e.ok()) {
      tile->bytes_out += static_cast<std::uint64_t>(std::max(0LL, e.value));
    } else if (e.err != EAGAIN && e.err != EWOULDBLOCK && e.err != EINTR && tile->ending == TileEnding::Connected) {
      tile->ending = e.err == ECONNRESET ? TileEnding::Reset : TileEnding::Failed;
      tile->err = e.err;
    }
    return;
  }
  if (e.call == Call::Close) leave(*tile, e.t_us);
}

void StudentTiles::update_kernel(const SessionSnapshot& snap) {
  for (const SocketCard& card : snap.sockets) {
    if (card.actor != server_actor_) continue;
    const SocketView& v = card.view;
    if (v.listening || (listener_fd_ >= 0 && v.fd == listener_fd_ && v.state == "LISTEN")) {
      if (v.accept_queue >= 0) {
        queue_.queued = v.accept_queue;
        queue_.most = std::max(queue_.most, v.accept_queue);
      }
      if (v.backlog >= 0) queue_.backlog = v.backlog;
      continue;
    }
    StudentTile* tile = open_tile(v.fd);
    if (tile != nullptr && v.peer == tile->peer && !v.state.empty()) {
      tile->state = v.state;
      tile->state_without_fd = false;
    }
  }
  // A client that left: what the kernel still keeps of serve's end of it (TIME_WAIT
  // when serve closed first), or nothing once the kernel let it go.
  for (StudentTile& tile : tiles_) {
    if (tile.connected()) continue;
    const auto orphan = std::find_if(snap.orphans.begin(), snap.orphans.end(),
                                     [&](const OrphanSocket& o) { return o.peer == tile.peer; });
    if (orphan != snap.orphans.end()) {
      tile.state = orphan->state;
      tile.state_without_fd = true;
    } else {
      tile.state.clear();  // nothing left in the kernel
      tile.state_without_fd = false;
    }
  }
}

TileGrid tile_grid(std::size_t count, float width, float height, float min_width, float min_height, float gap) {
  TileGrid grid;
  if (count == 0) return grid;
  const auto n = static_cast<int>(count);
  float best = -1.0f;
  for (int columns = 1; columns <= n; ++columns) {
    const int rows = (n + columns - 1) / columns;
    const float w = (width - gap * static_cast<float>(columns - 1)) / static_cast<float>(columns);
    const float h = (height - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows);
    // How much larger than the smallest readable tile this layout lets every tile be.
    const float scale = std::min(w / min_width, h / min_height);
    if (scale > best + 1e-4f) {
      best = scale;
      grid = TileGrid{columns, rows, w, h};
    }
  }
  if (best >= 1.0f) {
    // A few students get tiles of a readable size, not the whole wall each.
    grid.width = std::min(grid.width, min_width * 2.0f);
    grid.height = std::min(grid.height, min_height * 1.5f);
    return grid;
  }
  // Too many for the area: as many columns as fit, and the rows run on below.
  grid.columns = std::max(1, static_cast<int>((width + gap) / (min_width + gap)));
  grid.rows = (n + grid.columns - 1) / grid.columns;
  grid.width = std::max(min_width, (width - gap * static_cast<float>(grid.columns - 1)) / static_cast<float>(grid.columns));
  grid.height = min_height;
  return grid;
}

std::string elided_bytes(std::string_view bytes, std::size_t byte_count, std::size_t max_chars) {
  std::string repr = python_bytes_repr(bytes);
  const bool more = byte_count > bytes.size();
  if (repr.size() <= max_chars && !more) return repr;
  // The repr is ASCII (escapes for everything else): cutting anywhere keeps it valid text.
  const std::size_t keep = max_chars > 1 ? std::min(repr.size(), max_chars - 1) : 0;
  repr.resize(keep);
  return repr + "…";
}

std::string clock_since_start(std::int64_t t_us) {
  const long long s = std::max<long long>(0, t_us / 1000000);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
  }
  return text;
}

}  // namespace sockstep
