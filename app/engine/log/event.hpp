#pragma once
#include <poll.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/log/address.hpp"
#include "engine/log/bytes.hpp"
#include "engine/log/call.hpp"

namespace sockstep {

enum class EventKind {
  Call,     // a socket call returned (value / errno)
  Blocked,  // a call is about to wait for its peer (in the kernel, or in poll())
  Print,    // what the program prints to its console
  Note,     // a remark from sockstep itself (port changed, reset)
  Packet,   // a TCP segment or UDP datagram seen on loopback (engine/capture)
};

[[nodiscard]] const char* event_kind_name(EventKind kind);

// What a Note is about, so that readers pick notes by kind, not by their words.
enum class NoteKind : std::uint8_t {
  Info,     // sockstep says something (a port moved, a client was stopped being read)
  Warning,  // something the learner should see stay in view: calls not seen, packets lost
  Error,    // a program could not be started
  Hello,    // a traced process announced itself
  Exit,     // a traced process ended; detail says how (args: the same in Chinese)
  Match,    // two traced sockets are the two ends of one connection
  ListenFull,  // connection attempts found a listener's accept queue full (Event::overflow)
};
[[nodiscard]] const char* note_kind_name(NoteKind kind);

// What a call put on the wire by itself, as the socket layer saw it: a connect's SYN, a
// close's or shutdown's FIN, or an RST when the kernel resets instead (SO_LINGER {1, 0},
// or unread data at close).
enum class WireEffect : std::uint8_t { None, Syn, Fin, Rst };
[[nodiscard]] const char* wire_effect_name(WireEffect effect);

// The socket a call was made on, as values, filled once by whoever recorded the call
// (the engine's socket layer, or the trace decoder from the preload's records).
struct SocketFacts {
  int family = AF_UNSPEC;         // AF_INET, AF_INET6, AF_UNIX; AF_UNSPEC: not known
  int type = 0;                   // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW; 0: not known
  std::uint64_t inode = 0;        // the kernel's inode of the socket; 0: not known
  std::uint64_t peer_inode = 0;   // AF_UNIX: the inode of the socket at the other end
  Address local;                  // its own name after the call, where it has one
  // The other end: the connected peer, or for a datagram call the address it was sent
  // to (sendto) or came from (recvfrom). accept: the client of the new connection.
  Address peer;
  [[nodiscard]] bool stream() const { return type == SOCK_STREAM; }
  [[nodiscard]] bool datagram() const { return type == SOCK_DGRAM || type == SOCK_SEQPACKET || type == SOCK_RAW; }
};

// One socket a select() or poll() watched: what it asked about (POLLIN: readable, POLLOUT:
// writable) and what came back, poll()'s revents (POLLERR and POLLHUP come unasked).
struct PollEntry {
  int fd = -1;
  short events = 0;
  short revents = 0;
  // As select() sorts an answer into its sets (fs/select.c, POLLIN_SET and POLLOUT_SET):
  // a hang-up or an error makes a socket readable, and an error makes it writable too.
  // revents may be epoll's events: their IN, OUT, ERR and HUP bits are poll()'s.
  [[nodiscard]] static short select_sets(unsigned revents) {
    return static_cast<short>(((revents & (POLLIN | POLLHUP | POLLERR)) != 0 ? POLLIN : 0) |
                              ((revents & (POLLOUT | POLLERR)) != 0 ? POLLOUT : 0));
  }
  [[nodiscard]] bool readable() const { return (events & POLLIN) != 0 && (select_sets(revents) & POLLIN) != 0; }
  [[nodiscard]] bool writable() const { return (events & POLLOUT) != 0 && (select_sets(revents) & POLLOUT) != 0; }
};

// One socket in an epoll instance's interest set: the events epoll_ctl asked for, as
// epoll's 32-bit mask (EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLET: EPOLLET is no poll() bit,
// so this is not a PollEntry).
struct InterestEntry {
  int fd = -1;
  std::uint32_t mask = 0;
};

// "SYN", "SYN-ACK", "ACK", "PSH", "FIN", "RST", "UDP": a captured packet's kind.
enum class PacketKind : std::uint8_t { Syn, SynAck, Ack, Psh, Fin, Rst, Udp };
[[nodiscard]] const char* packet_kind_name(PacketKind kind);

// What a captured packet adds to its event: bytes hold its payload as far as the capture
// kept it, byte_count the payload's real length.
struct PacketFields {
  PacketKind label = PacketKind::Ack;
  Address from;
  Address to;
  std::uint8_t tcp_flags = 0;   // FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10
  bool udp = false;
  bool ipv6 = false;
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint16_t window = 0;     // the TCP window field as sent (not scaled)
  std::int64_t kernel_us = 0;   // the kernel's timestamp, microseconds since the Unix epoch
  std::int64_t at_us = 0;       // the same moment on the log's clock (t_us is when it was logged)
  std::uint64_t caused_by = 0;  // seq of the call that was running when it left; 0: none or unknown
};

// What a serve says when the counters grew: how many attempts found the queue full, the
// listener's backlog and how many connections its queue held when it was looked at.
struct ListenOverflow {
  std::uint64_t overflows = 0;  // growth of ListenOverflows since the last report
  std::uint64_t drops = 0;      // growth of ListenDrops
  int backlog = 0;              // as the kernel keeps it (sock_diag's idiag_wqueue)
  int queued = 0;               // connections waiting for accept() when it was read
  std::uint64_t cookies_sent = 0;    // growth of SyncookiesSent
  std::uint64_t cookies_failed = 0;  // growth of SyncookiesFailed: clients reset
};

struct Event {
  std::uint64_t seq = 0;
  std::int64_t t_us = 0;     // microseconds since the log was created
  EventKind kind = EventKind::Call;
  Call call = Call::None;    // Call and Blocked events (and Print: Call::Print)
  NoteKind note = NoteKind::Info;  // Note events
  Direction dir = Direction::None;  // which way the call moved bytes
  WireEffect wire = WireEffect::None;
  std::string actor;         // "server", "client", "nc[4242]"
  int pid = 0;               // the process and thread that made the call (0: not known)
  int tid = 0;
  int fd = -1;
  SocketFacts sock;
  // For display only, never read back: Python-style arguments ("1024",
  // "('127.0.0.1', 8084)"). The data of a send is in bytes, not formatted here.
  std::string args;
  long long value = 0;       // return value (fd, byte count, connect_ex code)
  int err = 0;               // errno, 0 when the call succeeded
  std::string detail;        // for display: console text, note text, a lookup's answer
  Bytes bytes;               // data sent or received (possibly capped), shared with the call's result
  std::size_t byte_count = 0;  // the real count; bytes.size() < byte_count when capped
  // What a call that moves bytes was asked to move: a send's length, a recv's buffer size
  // (0: not known). A send that returned less than this was a short write.
  std::size_t asked = 0;
  int step = -1;             // lesson step that made the call, -1 outside lessons
  bool truncated = false;    // a datagram longer than the buffer: the kernel dropped its tail (MSG_TRUNC)
  bool peeked = false;       // a recv with MSG_PEEK: its bytes stay queued for the next read
  // select and poll: every socket watched, with its answer. epoll_wait: its ready list,
  // each entry's revents the epoll events that came back (events: them as select sorts them).
  std::vector<PollEntry> polled;
  // epoll_ctl: the one entry it added, changed or removed (mask 0 for EPOLL_CTL_DEL), and
  // which of these it was (EPOLL_CTL_ADD, _MOD, _DEL). epoll_wait: the whole interest set
  // it waited on, as the epoll_ctl calls before it left it.
  std::vector<InterestEntry> interest;
  int epoll_op = 0;
  PacketFields packet;       // only for EventKind::Packet
  ListenOverflow overflow;   // only for NoteKind::ListenFull

  [[nodiscard]] bool ok() const { return err == 0; }
  [[nodiscard]] bool capped() const { return bytes.size() < byte_count; }
  // The call's name, or a packet's kind.
  [[nodiscard]] const char* name() const {
    return kind == EventKind::Packet ? packet_kind_name(packet.label) : call_name(call);
  }
  // The address a getsockname() or getpeername() that succeeded returned: the socket's
  // own name or its peer's, as the call left them. Empty for other calls.
  [[nodiscard]] const Address* name_returned() const {
    if (kind != EventKind::Call || !ok()) return nullptr;
    if (call == Call::GetSockName) return &sock.local;
    if (call == Call::GetPeerName) return &sock.peer;
    return nullptr;
  }
  // A connect that was started: done (0) or, on a non-blocking socket, under way.
  [[nodiscard]] bool connect_started() const { return is_connect(call) && (err == 0 || err == EINPROGRESS); }
};

}  // namespace sockstep
