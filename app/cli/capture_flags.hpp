#pragma once
#include "cli/commands.hpp"
#include "engine/capture/capture.hpp"

namespace sockstep::cli {

// Starts the capture when a flag asked for it. When it cannot run, the reason is one
// line on stderr (unless the log's listener already writes notes there) and a Note in
// the log; the session goes on either way.
// ports: the session's ports known now; learn_ports: add those it binds and connects to
// later; link_calls: name the call that sent each packet (see engine/capture/packet_links.hpp);
// timing: how the session's calls reach the log (a trace's: trace::kTracedCallTiming).
void start_capture(Capture& capture, EventLog& log, const CaptureFlags& flags, std::vector<int> ports,
                   bool learn_ports, bool link_calls, bool notes_reach_stderr, CallTiming timing = {});

// Stops the capture (the pcap file is flushed) and returns code, or a failure with one
// line on stderr when the pcap file could not be written (a full disk, an I/O error).
[[nodiscard]] int finish_capture(Capture& capture, int code);

}  // namespace sockstep::cli
