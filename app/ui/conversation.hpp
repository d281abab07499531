#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/event_log.hpp"

namespace sockstep::ui {

// What the sequence diagram and the bytes panel both need, worked out from the event
// log once per event (never per frame): one row per call, the arrows between actors,
// and each direction's bytes as one stream with the places where sends ended and
// receives took their piece. Pure data, tested without a window.

// Packet: a captured segment (SYN, PSH, FIN...), drawn thin on its own row.
enum class ArrowKind { Data, Handshake, Fin, Packet };

struct SeqArrow {
  ArrowKind kind = ArrowKind::Data;
  int from_row = -1;
  int to_row = -1;       // -1 while the bytes wait in the receiver's queue
  int from_lane = 0;
  int to_lane = 0;
  std::size_t bytes = 0;
  std::uint64_t seq = 0;  // the send's event
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

// One direction of a connection as the receiver reads it: a stream, not messages.
struct ByteStream {
  // The bytes a stream view shows, from the stream's start: enough for any exchange a
  // learner reads byte by byte, and a bound for a program that streams gigabytes.
  static constexpr std::size_t kMaxKept = 1024 * 1024;

  std::string from;
  std::string to;
  // A run of the stream's bytes without a gap: data[i] is byte first + i of the stream.
  // It starts at the first call whose bytes are kept (the window may have let go of
  // earlier ones), and stops growing at kMaxKept or at a call whose bytes were not all
  // kept (capped by the log), since the bytes after that call could not be placed.
  std::size_t first = 0;
  std::string data;
  std::size_t total = 0;   // bytes sent, counted even when not kept
  std::size_t received = 0;
  std::vector<StreamMark> send_ends;
  std::vector<StreamMark> recv_ends;

  // A call put count bytes on the stream, of which the log kept `kept` (its first ones).
  void add(std::string_view kept, std::size_t count);
};

class Conversation {
 public:
  // lanes: the lesson's actors in display order; unknown actors get a lane when seen.
  void reset(std::vector<std::string> lanes);
  void add(const Event& event, std::size_t event_index);
  // Live serve/dial: the lane of the program at the other end, whose calls are not
  // seen. What is received from it arrives at once (nothing of its sends is logged to
  // wait for) and what is sent to it is shown delivered.
  // per_connection (serve): each accepted connection's peer gets a lane of its own,
  // named by its address, so two clients' bytes are never one stream.
  void set_outside(std::string lane, bool per_connection = false) {
    outside_ = std::move(lane);
    per_connection_ = per_connection;
  }
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

  [[nodiscard]] static bool is_send(const std::string& call);
  [[nodiscard]] static bool is_recv(const std::string& call);

 private:
  struct Pending {
    int arrow = -1;
    std::size_t left = 0;
  };
  // The lane of a program whose calls are not seen, where nothing else names it.
  static constexpr const char* kPeerLane = "peer";

  int lane_of(const std::string& actor);
  std::string peer_of(const std::string& actor) const;
  [[nodiscard]] std::string other_end(const Event& event) const;
  [[nodiscard]] bool packet_placeable(const Event& event) const;
  void place(const Event& event, std::size_t event_index);
  void hold_back(const Event& event, std::size_t event_index);
  void release_held(bool after_call);
  ByteStream& stream(const std::string& from, const std::string& to);
  int add_arrow(SeqArrow arrow);
  void add_row(const Event& event, std::size_t event_index);
  void receive(const Event& event, int row);
  void add_packet(const Event& event, std::size_t event_index);
  void learn_ports(const Event& event);
  int new_row(std::size_t event_index, int lane, std::int64_t at_us, bool at_its_time);
  void show(int row, bool at_its_time);
  [[nodiscard]] std::size_t in_flight(const std::string& from, const std::string& to) const;

  std::vector<std::string> lanes_;
  std::vector<SeqRow> rows_;
  std::vector<SeqArrow> arrows_;
  std::vector<ByteStream> streams_;
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
  std::map<std::pair<std::string, std::string>, std::deque<Pending>> in_flight_;
  std::map<std::string, std::string> peers_;          // learned from connect + accept
  std::map<int, std::string> port_actor_;             // whose socket uses a port, for packets
  std::string last_connector_;
  std::map<std::string, int> waiting_row_;            // actor -> its Blocked row
  // (actor, fd) has a peer; true while closing it would still send a FIN (not after a
  // shutdown that sent one, nor after the peer reset the connection).
  std::map<std::pair<std::string, int>, bool> connected_;
  std::size_t consumed_ = 0;  // events of the cache already added
  std::string outside_;
  bool per_connection_ = false;
  std::map<std::pair<std::string, int>, std::string> connection_lane_;  // (actor, fd) -> lane
  std::size_t connection_lanes_ = 0;
  [[nodiscard]] std::string peer_for(const Event& event) const;
  [[nodiscard]] bool is_outside(const std::string& lane) const;
};

}  // namespace sockstep::ui
