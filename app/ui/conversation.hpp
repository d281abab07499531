#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/log/event_log.hpp"

namespace sockstep::ui {

// What the sequence diagram and the bytes panel both need, worked out from the event
// log once per event (never per frame): one row per call, the arrows between actors,
// and the bytes of each connection's direction (or each datagram flow) with the places
// where sends ended and receives took their piece. Everything is keyed by socket and
// connection, from the events' typed facts (SocketFacts): two clients of one server are
// two streams, a TCP and a UDP socket between the same programs are never one. Pure
// data, tested without a window.

// Packet: a captured segment (SYN, PSH, FIN...), drawn thin on its own row. Fin and Rst:
// what a close or shutdown sent, when no captured packet shows it.
enum class ArrowKind { Data, Handshake, Fin, Rst, Packet, Fork };

struct SeqArrow {
  ArrowKind kind = ArrowKind::Data;
  int from_row = -1;
  int to_row = -1;       // -1 while the bytes wait in the receiver's queue
  int from_lane = 0;
  int to_lane = 0;
  std::size_t bytes = 0;
  std::uint64_t seq = 0;  // the send's event
  bool dropped = false;   // a datagram's tail the receiver's buffer had no room for
  bool hidden = false;    // a call's SYN, FIN or RST that a captured packet now shows
};

struct SeqRow {
  std::size_t event_index = 0;  // into the EventCache's events
  int lane = 0;
  int block_end_row = -1;       // Blocked rows: the row where the call returned
  bool waiting = false;         // Blocked rows still waiting
  std::vector<int> arrows;      // arrows that start or end here
  std::int64_t at_us = 0;       // when it happened, on the log's clock (a packet: when it left)
};

struct StreamMark {
  std::size_t offset = 0;  // end of the piece, exclusive
  std::uint64_t seq = 0;   // the call's event
};

// One direction of one connection as the receiver reads it (a stream, not messages),
// or the datagrams one socket sent another (messages: each keeps its boundary).
struct ByteStream {
  // The bytes a stream view shows, from the stream's start: enough for any exchange a
  // learner reads byte by byte, and a bound for a program that streams gigabytes.
  static constexpr std::size_t kMaxKept = 1024 * 1024;

  std::string from;        // the sending lane
  std::string to;          // the receiving lane
  Address from_address;    // the sending socket's name ("127.0.0.1:41234", a path)
  Address to_address;
  int type = 0;            // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET
  // A run of the stream's bytes without a gap: data[i] is byte first + i of the stream.
  // It starts at the first call whose bytes are kept (the window may have let go of
  // earlier ones), and stops growing at kMaxKept, when the conversation's streams hold
  // Conversation::kMaxKeptAll together, or at a call whose bytes were not all
  // kept (capped by the log), since the bytes after that call could not be placed.
  std::size_t first = 0;
  std::string data;
  std::size_t total = 0;   // bytes sent, counted even when not kept
  std::size_t received = 0;
  std::vector<StreamMark> send_ends;
  std::vector<StreamMark> recv_ends;
  // Datagrams: [begin, end) of each tail the receiver never got (its buffer was shorter).
  std::vector<std::pair<std::size_t, std::size_t>> dropped;

  [[nodiscard]] bool datagrams() const { return type != SOCK_STREAM; }
  // A call put count bytes on the stream, of which the log kept `kept` (its first ones);
  // at most room of them join data. Returns how many did.
  std::size_t add(std::string_view kept, std::size_t count, std::size_t room = kMaxKept);
};

class Conversation {
 public:
  // What all its streams keep together by default: a hundred clients of serve flooding
  // it would otherwise keep a MiB each way each (the streams that came first keep theirs).
  static constexpr std::size_t kMaxKeptAll = 16 * 1024 * 1024;
  // A smaller bound for a session that keeps less (serve's window: what its log keeps).
  void set_max_kept_all(std::size_t bytes) { max_kept_all_ = bytes; }
  // lanes: the lesson's actors in display order; unknown actors get a lane when seen.
  void reset(std::vector<std::string> lanes);
  void add(const Event& event, std::size_t event_index);
  // Live serve/dial: the lane of the program at the other end, whose calls are not
  // seen. What is received from it arrives at once (nothing of its sends is logged to
  // wait for) and what is sent to it is shown delivered.
  // per_connection (serve): each accepted connection's peer gets a lane of its own,
  // named by its address, so two clients' bytes are never on one lane.
  void set_outside(std::string lane, bool per_connection = false) {
    outside_ = std::move(lane);
    per_connection_ = per_connection;
  }
  // A lesson: every program of the session is in the log, so a name no socket of the
  // session holds has nobody behind it (a datagram to a closed port is lost, not sent
  // to a program outside).
  void set_lesson(bool on) { lesson_ = on; }
  // Receives logged before the send they read (the receiver wakes before the sender
  // logs) are held back until that send arrives, so arrows never run up the page.
  [[nodiscard]] std::size_t held_back() const { return deferred_.size(); }

  [[nodiscard]] const std::vector<std::string>& lanes() const { return lanes_; }
  [[nodiscard]] const std::vector<SeqRow>& rows() const { return rows_; }
  [[nodiscard]] const std::vector<SeqArrow>& arrows() const { return arrows_; }
  [[nodiscard]] const std::vector<ByteStream>& streams() const { return streams_; }
  [[nodiscard]] const std::vector<int>& blocked_rows() const { return blocked_rows_; }
  [[nodiscard]] std::size_t consumed() const { return consumed_; }
  void set_consumed(std::size_t n) { consumed_ = n; }
  // Row of the event with this index, or -1.
  [[nodiscard]] int row_of_event(std::size_t event_index) const;
  // The rows top to bottom. Rows come in the order their events were logged, except a
  // packet's: the capture hands a packet over a little after the calls that sent it, so
  // its row goes up among those calls' rows to the moment it left.
  [[nodiscard]] const std::vector<int>& display_order() const { return order_; }
  // Where a row is shown: its index in display_order().
  [[nodiscard]] int position_of(int row) const { return position_[static_cast<std::size_t>(row)]; }

 private:
  // One socket, as the events describe it.
  struct End {
    int pid = 0;
    std::string actor;  // who made the last call on it: its lane (a handed-off socket moves)
    int fd = -1;
    SocketFacts facts;
    bool listening = false;
    bool open = true;
    std::string unseen_lane;  // serve: the lane of the client at its other end
  };
  // Where bytes go: from one socket's name to another's, of one type. A stream's flow is
  // one direction of one connection; a datagram flow is every datagram between two names.
  struct Pending {
    int arrow = -1;
    std::size_t left = 0;
  };
  struct Flow {
    int type = 0;
    Address from;
    Address to;
    std::uint64_t from_inode = 0;  // AF_UNIX: the sockets themselves (their names may be empty)
    std::uint64_t to_inode = 0;
    std::size_t stream = 0;        // index into streams_
    std::deque<Pending> pending;
  };
  // The lane of a program whose calls are not seen, where nothing else names it.
  static constexpr const char* kPeerLane = "peer";

  int lane_of(const std::string& actor);
  End* end_of(const Event& event);
  End& learn(const Event& event);
  [[nodiscard]] const End* other_end(const End& end) const;
  [[nodiscard]] const End* listener_for(const Address& address, int type) const;
  [[nodiscard]] const End* receiver_of_datagram(const Address& to, int type) const;
  [[nodiscard]] std::string unseen_lane(const End& end) const;
  [[nodiscard]] std::string lane_toward(const End& end, const Event& event) const;
  [[nodiscard]] bool observed_sender(const End& end, const Event& event) const;
  Flow& flow_out(const End& end, const Event& event, const std::string& to_lane);
  Flow* flow_in(const End& end, const Event& event);
  [[nodiscard]] std::size_t pending_in(const End& end, const Event& event);
  [[nodiscard]] std::string packet_lane(const Address& from, const Address& to, bool& known) const;
  [[nodiscard]] bool packet_placeable(const Event& event) const;
  void place(const Event& event, std::size_t event_index);
  void hold_back(const Event& event, std::size_t event_index);
  void release_held(bool after_call);
  int add_arrow(SeqArrow arrow);
  void add_row(const Event& event, std::size_t event_index);
  void send(const Event& event, const End& end, int row, int lane);
  void receive(const Event& event, const End& end, int row);
  void add_packet(const Event& event, std::size_t event_index);
  int new_row(std::size_t event_index, int lane, std::int64_t at_us, bool at_its_time);
  void show(int row, bool at_its_time);

  std::vector<std::string> lanes_;
  std::vector<SeqRow> rows_;
  std::vector<SeqArrow> arrows_;
  std::vector<ByteStream> streams_;
  std::size_t kept_all_ = 0;  // bytes the streams' data hold together
  std::size_t max_kept_all_ = kMaxKeptAll;
  std::vector<Flow> flows_;
  std::deque<End> ends_;
  std::vector<int> blocked_rows_;
  std::vector<int> row_by_event_;
  std::vector<int> order_;     // display position -> row
  std::vector<int> position_;  // row -> display position
  struct Deferred {
    Event event;
    std::size_t index;
    std::size_t age = 0;
  };
  std::vector<Deferred> deferred_;
  std::int64_t latest_us_ = 0;  // the session's time as far as the events have told it
  std::map<std::string, int> waiting_row_;  // actor -> its Blocked row
  // fork()s whose child has not been seen yet: the child's pid -> the fork's row. Its
  // first call names its lane, and the arrow goes from the fork to that lane.
  std::map<int, int> forks_;
  std::size_t consumed_ = 0;  // events of the cache already added
  std::string outside_;
  bool per_connection_ = false;
  bool lesson_ = false;
  std::size_t connection_lanes_ = 0;
  // Names of sockets whose program is not seen, and the lane each was drawn on: so that
  // their packets find that lane.
  std::deque<std::pair<Address, std::string>> unseen_names_;
  void remember_unseen(const Address& name, const std::string& lane);
  // The arrows calls drew for what they put on the wire, until a captured packet shows
  // the same (then the call's arrow is hidden: each packet is drawn once).
  struct WireArrow {
    int arrow = -1;
    PacketKind kind = PacketKind::Syn;
    Address from;
    Address to;
  };
  std::deque<WireArrow> wire_arrows_;
  void add_wire_arrow(ArrowKind kind, int row, int from_lane, int to_lane, std::uint64_t seq, const Address& from,
                      const Address& to);
};

}  // namespace sockstep::ui
