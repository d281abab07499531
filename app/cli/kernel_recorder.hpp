#pragma once
// --export in the terminal (serve, dial, trace): the kernel's view of the session's sockets,
// read as their window reads it (LiveSource: sock_diag on the ports the calls named), so
// that session.sockstep holds the socket cards a window would have shown. It reads on a
// thread of its own, at most ten times a second and at least twice, and never holds up
// the session.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/export_setup.hpp"
#include "engine/log/event_log.hpp"
#include "engine/live/live_source.hpp"
#include "engine/record/recording.hpp"

namespace sockstep::cli {

struct KernelRecorderLanes {
  std::string title;                  // "serve 127.0.0.1:8084"
  std::vector<std::string> actors;    // the first lanes ("server"); empty: as the calls come
  std::string outside;                // the lane of the unobserved other end ("" for trace)
  bool lane_per_connection = false;   // serve: each client's connection a lane of its own
};

class KernelRecorder {
 public:
  // Starts reading at once: make it once the session's threads can log.
  KernelRecorder(const EventLog& log, KernelRecorderLanes lanes);
  ~KernelRecorder();
  KernelRecorder(const KernelRecorder&) = delete;
  KernelRecorder& operator=(const KernelRecorder&) = delete;

  // Stops reading after one last look at the kernel; then recording() holds it all.
  void stop();
  // The log's events, and the kernel's view each time it changed.
  [[nodiscard]] Recording recording() const;

 private:
  void run();
  // Takes the events logged since the last look, reads the kernel, keeps a snapshot if
  // anything changed (last: the look after the session, kept whatever it shows).
  void look(bool last);

  const EventLog& log_;
  KernelRecorderLanes lanes_;
  LiveSource source_;  // the thread's alone until stop() joins it
  std::uint64_t next_seq_ = 0;
  std::uint64_t last_seq_ = 0;
  std::vector<SnapshotAt> snapshots_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// Stops kernel, then writes the export as finish_export(dir, log, code, setup) does, with
// the kernel's view in session.sockstep.
[[nodiscard]] int finish_live_export(const std::string& dir, int code, KernelRecorder& kernel,
                                     const ExportSetup& setup);

}  // namespace sockstep::cli
