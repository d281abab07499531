#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/lesson/source_pos.hpp"
#include "engine/log/call.hpp"
#include "engine/text/text.hpp"

namespace sockstep {

struct Listing {
  std::string name;      // "server.py"
  std::string language;  // "python", "c"
  std::string actor;     // whose code it is
  std::string code;
  [[nodiscard]] int line_count() const;
  [[nodiscard]] std::string line(int number) const;  // 1-based; "" if out of range
};

// A list of names is a list of the actor's socket variables: select's read = ["phone", "conn"].
using ArgValue = std::variant<long long, double, bool, std::string, std::vector<std::string>>;

// What must be true after a step; every field is optional and checked against the kernel.
struct Expect {
  std::optional<bool> ok;                  // the call succeeded
  std::optional<std::string> err;          // errno name, e.g. "ECONNREFUSED"
  std::optional<long long> value;          // return value (byte count, connect_ex code)
  std::optional<std::string> bytes;        // data sent or received
  std::optional<std::string> state;        // TCP state of the step's socket afterwards
  std::map<std::string, std::string> states;  // "client.phone" = "FIN_WAIT2"
  std::optional<bool> blocks;              // the call waits for the peer
  std::optional<std::string> unblocks;     // this step lets that actor's waiting call return
  std::optional<long long> accept_queue;   // connections waiting in the listener's queue
  std::optional<std::string> orphan;       // a socket without fd in this state (TIME_WAIT)
  std::optional<std::string> console;      // the line printed
  std::optional<std::string> address;      // address the call returned, '*' matches any run: "127.0.0.1:*"
  std::optional<std::string> text;         // text the call returned (getfqdn, getaddrinfo), '*' as above
  std::optional<bool> truncated;           // recvfrom: the datagram did not fit the buffer
  std::optional<long long> value_min;      // return value at least this (partial send counts)
  std::optional<long long> value_max;      // return value at most this
  // Bytes waiting in a socket's receive queue ("server.conn" = 10). The check waits
  // (poll with SO_RCVLOWAT) until they arrived, since loopback delivery can lag send().
  std::map<std::string, long long> queued;
  // At least this many bytes still in a socket's send queue (SIOCOUTQ: not yet taken
  // by the peer), e.g. a sender whose reader is slow: "client.phone" = 1.
  std::map<std::string, long long> send_queue_min;
  // The receive window the peer last advertised, as the socket's TCP_INFO has it
  // (tcpi_snd_wnd): "client.phone" = 0 once a slow reader's buffer is full.
  std::map<std::string, long long> window;
  // What a select() found ready, as actor.variable, the whole set: readable = ["server.conn"].
  std::optional<std::vector<std::string>> readable;
  std::optional<std::vector<std::string>> writable;
  // send of parts: how long the kernel kept its bytes unsent after the last send()
  // returned (measured: TCP_INFO tcpi_notsent_bytes), at least / at most this many ms.
  // How many descriptors refer to the socket a variable names, counted in /proc/PID/fd of
  // this process and its forked children: "child-1.conn" = 1 once the parent closed its copy.
  std::map<std::string, long long> descriptors;
  // A forked child's process as /proc says: "running", "zombie" or "reaped".
  std::map<std::string, std::string> processes;
  // Actors waiting in a call now, by the engine's own state and by the kernel: the
  // system call their thread (a forked child: its process) sleeps in, read from
  // /proc/.../syscall: "worker-1" = "recv" (recvfrom), "server" = "accept" (accept4).
  std::map<std::string, std::string> waits_in;
  std::optional<long long> held_ms_min;
  std::optional<long long> held_ms_max;
  // How long the step's call took to return, at least / at most this many ms (the
  // engine's clock around the call): a connect that gave up after its SYN retries.
  std::optional<long long> took_ms_min;
  std::optional<long long> took_ms_max;
  SourcePos pos;
  [[nodiscard]] bool empty() const;
};

// A multiple-choice question asked before a step. A choice is right when its `when`
// holds for what the kernel did in that step, so the answer is never a stored letter.
struct PredictChoice {
  Text text;
  Expect when;
};

struct Predict {
  Text question;
  std::vector<PredictChoice> choices;
  SourcePos pos;
};

// What the lesson's Python prints about a step's call, where its line is a print(...) or
// its except clause prints the exception.
enum class Prints {
  Nothing,
  Result,  // print(phone.getsockname()): the value the call returned, as print() shows it
  Error,   // except OSError as e: print(e): "[Errno 111] Connection refused", or "timed out"
  Errno,   // except OSError as e: print(e.errno, e.strerror): "98 Address already in use"
};

// Something only a privileged process may do (bind below 1024, SOCK_RAW).
enum class Privilege { None, BindLowPort, RawSocket };

struct Step {
  std::string actor;
  std::string call;
  Call kind = Call::None;  // call as a value: the loader looks it up in the call table
  std::string sock;    // the socket variable the call is made on ("phone", "conn")
  std::string result;  // variable that receives the result ("conn", "data")
  std::map<std::string, ArgValue> args;
  Prints prints = Prints::Nothing;  // a failed call prints an error only if it failed; a result only if it did not
  Text metaphor;
  Text explain;
  std::map<std::string, int> lines;  // listing name -> line
  Expect expect;
  // Where root and a normal user get different answers, `expect` is what a normal
  // user sees and `expect_privileged` what a process holding the capability sees.
  Privilege needs = Privilege::None;
  Expect expect_privileged;
  std::optional<Predict> predict;
  SourcePos pos;
};

struct Lesson {
  std::string id;
  Text title;
  Text summary;
  int port = 0;             // the lesson's well-known port (8084); 0 if it uses none
  bool reuseaddr = true;    // set SO_REUSEADDR on TCP sockets before bind
  std::vector<std::string> actors;
  std::vector<Listing> listings;
  std::vector<Step> steps;
  std::string source_path;

  [[nodiscard]] const Listing* listing(const std::string& name) const;
};

// Reads an argument with a default; numbers convert between integer and float.
[[nodiscard]] long long arg_int(const Step& step, const std::string& key, long long fallback);
[[nodiscard]] std::string arg_string(const Step& step, const std::string& key,
                                     const std::string& fallback = "");
[[nodiscard]] bool arg_bool(const Step& step, const std::string& key, bool fallback);
[[nodiscard]] double arg_double(const Step& step, const std::string& key, double fallback);
[[nodiscard]] bool has_arg(const Step& step, const std::string& key);
[[nodiscard]] std::vector<std::string> arg_names(const Step& step, const std::string& key);  // empty if none

// "conn, client_addr" -> {"conn", "client_addr"}: the variables a step's result names.
[[nodiscard]] std::pair<std::string, std::string> result_names(const std::string& result);
// The socket variable a step makes ("phone" for socket(), "conn" for accept()), or "".
[[nodiscard]] std::string socket_made_by(const Step& step);

}  // namespace sockstep
