#pragma once
#include <string>
#include <vector>

namespace sockstep {
struct Address;
struct EchoServerOpen;
class EventLog;
}  // namespace sockstep

namespace sockstep::cli {

// --capture / --pcap FILE, shared by serve, dial and trace (cli/capture_flags.cpp).
struct CaptureFlags {
  bool show = false;     // packets as events in the output
  std::string pcap;      // write them to this pcap file
  [[nodiscard]] bool wanted() const { return show || !pcap.empty(); }
};

// Exit codes shared by every subcommand.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;    // a check failed, or a runtime error
constexpr int kExitBadInput = 2;  // usage, malformed lesson, port in use

struct WalkOptions {
  std::string lesson;
  bool all = false;
  std::string export_dir;  // --export DIR: the lesson's session.pcapng, .md, .json
  std::string lang = "en";
  bool check = false;
  bool json = false;
  bool quiz = false;
};
struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8084;
  bool headless = false;
  bool json = false;
  bool allow_remote = false;
  int max_clients = 0;  // 0: serve until stopped
  int backlog = 5;      // listen()'s argument: the seed's 5
  bool students = false;  // window: open on the student view (always with allow_remote)
  CaptureFlags capture;
  bool follow = false;     // after serving: each connection's byte streams
  std::string export_dir;  // --export DIR: session.pcapng, .md, .json
  std::string screenshot;  // window: write this PNG once listening (or after max_clients)
  std::string lang;        // window: en or zh; empty keeps the one chosen last
  bool present = false;    // window: presentation mode (--present)
};
struct TraceOptions {
  std::vector<std::string> args;  // the command(s) after --, ':::' between programs
  bool headless = false;
  bool json = false;
  bool together = false;
  bool quiet = false;
  CaptureFlags capture;
  bool follow = false;     // after the programs: each connection's byte streams
  std::string export_dir;  // --export DIR: session.pcapng, .md, .json
  std::string screenshot;  // window: write this PNG once the programs have exited
  std::string lang;        // window: en or zh; empty keeps the one chosen last
  bool present = false;    // window: presentation mode (--present)
};
struct DialOptions {
  std::string target;
  std::string message;
  bool has_message = false;
  bool headless = false;
  bool json = false;
  bool allow_remote = false;
  CaptureFlags capture;
  bool follow = false;     // after dialing: the connection's byte streams
  std::string export_dir;  // --export DIR: session.pcapng, .md, .json
  std::string screenshot;  // window: write this PNG after the reply (or the failed connect)
  std::string lang;        // window: en or zh; empty keeps the one chosen last
  bool present = false;    // window: presentation mode (--present)
};

struct CheckOptions {
  std::string role;               // "server" or "client"
  std::vector<std::string> args;  // the learner's program, after --
  bool json = false;
  std::string junit;              // write JUnit XML here
  std::string lang = "en";
  std::string checks;             // a check file or folder instead of the built-in checks
  std::vector<std::string> only;  // run only these check ids
  bool upper = false;             // the server answers in upper case (the seed's)
  int port = 8084;                // client checks without {port}: where sockstep listens
  bool gui = false;               // afterwards, the window on the first failed check
  std::string export_dir;         // --export DIR: DIR/ID/session.md and .json per check
  bool headless = false;          // never the window
  std::string screenshot;         // window: write this PNG and exit
  bool present = false;           // window: presentation mode (--present)
};

// sockstep open FILE: a session.sockstep reopened.
struct OpenOptions {
  std::string file;
  bool headless = false;   // print its transcript instead (session.md's text)
  std::string lang;        // empty: the recording's own (headless) or the one kept (window)
  std::string screenshot;  // window: write this PNG and exit
  long long at = -1;       // window: show this many events first; -1: all of them
  int steps = -1;          // window, a lesson's recording: show it after this many steps
  bool present = false;    // window: presentation mode (--present)
};

int run_lessons();
int run_open(const OpenOptions& options);
int run_check(const CheckOptions& options);
int run_walk(const WalkOptions& options);
int run_serve(const ServeOptions& options);
int run_dial(const DialOptions& options);
int run_trace(const TraceOptions& options);

// Whether this build has the window (serve, dial and trace open it unless --headless).
[[nodiscard]] bool have_window();

// "sockstep: <what>" on stderr; returns code so callers can `return error(...)`.
int error(int code, const std::string& message);
// The one line and exit code for a server that could not listen (cmd_serve.cpp): a
// taken port is bad input (2), any other failure a runtime error (1).
int serve_open_error(const Address& address, const EchoServerOpen& opened);
// With --allow-remote on a non-loopback address: a warning note naming the addresses the
// server can be reached on, and that anyone on those networks may connect.
void note_remote_reach(EventLog& log, const Address& listening);
// Loopback addresses only, unless the user opted in.
[[nodiscard]] bool is_loopback_host(const std::string& host);

}  // namespace sockstep::cli
