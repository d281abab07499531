#include "cli/kernel_recorder.hpp"

#include <chrono>

#include "cli/session_export.hpp"
#include "engine/record/record_session.hpp"

namespace sockstep::cli {
namespace {

// As the window: the kernel at most ten times a second, and at least twice while the
// session runs (queues move without a call).
constexpr std::chrono::milliseconds kBetweenLooks{100};
constexpr int kLooksPerQuietRead = 5;
// Hours of a session at ten looks a second that changed something every time.
constexpr std::size_t kMaxSnapshots = 20000;

}  // namespace

KernelRecorder::KernelRecorder(const EventLog& log, KernelRecorderLanes lanes)
    : log_(log), lanes_(std::move(lanes)), source_(lanes_.actors, lanes_.outside.empty() ? "untraced" : lanes_.outside) {
  source_.name_outside_by_address(lanes_.lane_per_connection);
  thread_ = std::thread([this] { run(); });
}

KernelRecorder::~KernelRecorder() { stop(); }

void KernelRecorder::look(bool last) {
  std::vector<Event> fresh;
  next_seq_ = log_.copy_since(next_seq_, fresh);
  for (const Event& e : fresh) source_.observe(e);
  if (!fresh.empty()) last_seq_ = fresh.back().seq;
  // New events may mean new sockets: a full dump. Otherwise the cheap look-up of the
  // sockets known, which dumps again only on a change (LiveSource::refresh_kernel).
  const bool changed = source_.refresh_kernel(last || !fresh.empty());
  if (!changed && fresh.empty() && !last) return;
  SnapshotAt at{last_seq_, source_.snapshot()};
  std::lock_guard lock(mutex_);
  if (snapshots_.size() >= kMaxSnapshots) snapshots_.pop_back();  // the last one stays the latest
  snapshots_.push_back(std::move(at));
}

void KernelRecorder::run() {
  for (int quiet = 0;;) {
    // The first event after a quiet spell is looked at at once; then the next look waits
    // out its interval, so a burst is read about ten times a second, not per event.
    const bool arrived = log_.wait_for(next_seq_, kBetweenLooks);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (!arrived && ++quiet < kLooksPerQuietRead) continue;
    quiet = 0;
    look(false);
    std::unique_lock lock(mutex_);
    // A deadline, not a wait for something to happen: the next look is due then.
    if (wake_.wait_for(lock, kBetweenLooks, [this] { return stopping_; })) return;
  }
}

void KernelRecorder::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    look(true);  // how the session left the kernel
  }
}

Recording KernelRecorder::recording() const {
  Recording r;
  r.kind = RecordingKind::Live;
  r.title = lanes_.title;
  r.events = log_.all();
  r.actors = lanes_.actors.empty() ? first_lanes(r.events) : lanes_.actors;
  r.outside = lanes_.outside;
  r.lane_per_connection = lanes_.lane_per_connection;
  // Before any call: the lanes, and nothing the kernel holds yet.
  LiveSource before(lanes_.actors, lanes_.outside.empty() ? "untraced" : lanes_.outside);
  r.snapshots.push_back(SnapshotAt{0, before.snapshot()});
  std::lock_guard lock(mutex_);
  r.snapshots.insert(r.snapshots.end(), snapshots_.begin(), snapshots_.end());
  return r;
}

int finish_live_export(const std::string& dir, int code, KernelRecorder& kernel, const ExportSetup& setup) {
  kernel.stop();
  const Recording recording = kernel.recording();
  return finish_export(dir, recording.events, transcript(recording.events), code, true, setup, &recording);
}

}  // namespace sockstep::cli
