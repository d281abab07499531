#include "engine/record/recording.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/small_file.hpp"

namespace sockstep {
namespace {

constexpr char kMagic[8] = {'S', 'O', 'C', 'K', 'S', 'T', 'E', 'P'};
constexpr std::size_t kHeaderSize = 8 + 2 + 2 + 8;

enum Tag : std::uint8_t { kMeta = 1, kEvent = 2, kSnapshot = 3 };

// ---- writing ---------------------------------------------------------------------------

class Out {
 public:
  void u(std::uint64_t v) {
    while (v >= 0x80) {
      buf_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    buf_.push_back(static_cast<char>(v));
  }
  void s(std::int64_t v) { u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); }
  void b(bool v) { buf_.push_back(v ? 1 : 0); }
  void str(std::string_view v) {
    u(v.size());
    buf_.append(v);
  }
  void address(const Address& a) {
    s(a.family);
    str(a.host);
    s(a.port);
    str(a.path);
  }
  void text(const Text& t) {
    str(t.en);
    str(t.zh);
  }
  void strings(const std::vector<std::string>& list) {
    u(list.size());
    for (const auto& item : list) str(item);
  }
  // A record: its tag, its size, then what fill wrote.
  template <typename Fill>
  void record(std::uint8_t tag, Fill&& fill) {
    Out inner;
    fill(inner);
    buf_.push_back(static_cast<char>(tag));
    u(inner.buf_.size());
    buf_ += inner.buf_;
  }
  std::string& bytes() { return buf_; }

 private:
  std::string buf_;
};

void put_polled(Out& o, const std::vector<PollEntry>& polled) {
  o.u(polled.size());
  for (const PollEntry& p : polled) {
    o.s(p.fd);
    o.s(p.events);
    o.s(p.revents);
  }
}

void put_event(Out& o, const Event& e) {
  o.u(e.seq);
  o.s(e.t_us);
  o.u(static_cast<std::uint64_t>(e.kind));
  o.u(static_cast<std::uint64_t>(e.call));
  o.u(static_cast<std::uint64_t>(e.note));
  o.u(static_cast<std::uint64_t>(e.dir));
  o.u(static_cast<std::uint64_t>(e.wire));
  o.str(e.actor);
  o.s(e.pid);
  o.s(e.tid);
  o.s(e.fd);
  o.s(e.sock.family);
  o.s(e.sock.type);
  o.u(e.sock.inode);
  o.u(e.sock.peer_inode);
  o.address(e.sock.local);
  o.address(e.sock.peer);
  o.str(e.args);
  o.s(e.value);
  o.s(e.err);
  o.str(e.detail);
  o.str(e.bytes.view());
  o.u(e.byte_count);
  o.u(e.asked);
  o.s(e.step);
  o.b(e.truncated);
  o.b(e.peeked);
  put_polled(o, e.polled);
  if (e.kind == EventKind::Packet) {
    const PacketFields& p = e.packet;
    o.u(static_cast<std::uint64_t>(p.label));
    o.address(p.from);
    o.address(p.to);
    o.u(p.tcp_flags);
    o.b(p.udp);
    o.b(p.ipv6);
    o.u(p.tcp_seq);
    o.u(p.tcp_ack);
    o.u(p.window);
    o.s(p.kernel_us);
    o.s(p.at_us);
    o.u(p.caused_by);
  }
  if (e.kind == EventKind::Note && e.note == NoteKind::ListenFull) {
    const ListenOverflow& l = e.overflow;
    o.u(l.overflows);
    o.u(l.drops);
    o.s(l.backlog);
    o.s(l.queued);
    o.u(l.cookies_sent);
    o.u(l.cookies_failed);
  }
  // Added later, last, so that an event recorded before it still reads: epoll's facts.
  if (!e.interest.empty() || e.epoll_op != 0) {
    o.u(e.interest.size());
    for (const InterestEntry& entry : e.interest) {
      o.s(entry.fd);
      o.u(entry.mask);
    }
    o.s(e.epoll_op);
  }
}

void put_view(Out& o, const SocketView& v) {
  o.s(v.fd);
  o.s(v.family);
  o.s(v.type);
  o.str(v.state);
  o.address(v.local);
  o.address(v.peer);
  o.s(v.inq);
  o.s(v.outq);
  o.b(v.outq_is_syn);
  o.s(v.peer_window);
  o.s(v.rcvbuf);
  o.s(v.sndbuf);
  o.s(v.accept_queue);
  o.s(v.backlog);
  o.b(v.listening);
  o.b(v.reuseaddr);
  o.s(v.error);
}

void put_cards(Out& o, const std::vector<SocketCard>& cards) {
  o.u(cards.size());
  for (const SocketCard& c : cards) {
    o.str(c.actor);
    o.str(c.var);
    o.s(c.opened_step);
    o.s(c.closed_step);
    put_view(o, c.view);
    o.str(c.blocked_in);
  }
}

void put_snapshot(Out& o, const SessionSnapshot& s) {
  o.u(s.generation);
  o.u(s.position);
  o.u(s.step_count);
  o.s(s.port);
  o.text(s.notice);
  o.u(s.actors.size());
  for (const ActorView& a : s.actors) {
    o.str(a.name);
    o.u(static_cast<std::uint64_t>(a.state));
    o.str(a.blocked_in);
    o.s(a.blocked_step);
    o.strings(a.console);
    o.str(a.ended);
    o.str(a.ended_zh);
  }
  put_cards(o, s.sockets);
  o.u(s.orphans.size());
  for (const OrphanSocket& x : s.orphans) {
    o.str(x.state);
    o.address(x.local);
    o.address(x.peer);
    o.s(x.timer_ms);
    o.b(x.earlier);
  }
  o.u(s.outcomes.size());
  for (const StepOutcome& x : s.outcomes) {
    o.u(static_cast<std::uint64_t>(x.status));
    const CallResult& r = x.result;
    o.s(r.value);
    o.s(r.err);
    o.str(r.bytes.view());
    o.address(r.address);
    o.str(r.text);
    o.u(r.entries.size());
    for (const AddrInfoEntry& entry : r.entries) {
      o.s(entry.family);
      o.s(entry.type);
      o.s(entry.protocol);
      o.address(entry.address);
    }
    o.b(r.truncated);
    put_polled(o, r.polled);
    o.strings(x.failures);
    o.b(x.checked);
    o.u(x.predict_right.size());
    for (const std::size_t i : x.predict_right) o.u(i);
  }
  put_cards(o, s.closed);
  // A lesson's forked child: its process, as the console shows it. After the rest, so
  // that a recording written before it was kept still reads.
  o.u(s.actors.size());
  for (const ActorView& a : s.actors) {
    o.s(a.pid);
    o.str(a.process);
  }
}

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// ---- reading ---------------------------------------------------------------------------

[[noreturn]] void bad(const std::string& why) { throw RecordingError(why); }

class In {
 public:
  In(const char* begin, const char* end) : p_(begin), end_(end) {}
  [[nodiscard]] bool done() const { return p_ == end_; }
  [[nodiscard]] std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }

  std::uint64_t u() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) bad("truncated record");
      const auto byte = static_cast<std::uint8_t>(*p_++);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    bad("corrupt number");
  }
  std::int64_t s() {
    const std::uint64_t z = u();
    return static_cast<std::int64_t>(z >> 1) ^ -static_cast<std::int64_t>(z & 1);
  }
  // A signed value that must fit in T.
  template <typename T>
  T num() {
    const std::int64_t v = s();
    if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
        v > static_cast<std::int64_t>(std::numeric_limits<T>::max()))
      bad("number out of range");
    return static_cast<T>(v);
  }
  template <typename T>
  T unum() {
    const std::uint64_t v = u();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) bad("number out of range");
    return static_cast<T>(v);
  }
  // An enum whose values run from 0 to last.
  template <typename E>
  E enumerated(E last) {
    const std::uint64_t v = u();
    if (v > static_cast<std::uint64_t>(last)) bad("unknown value in an enumeration");
    return static_cast<E>(v);
  }
  bool b() {
    if (p_ == end_) bad("truncated record");
    const auto v = static_cast<std::uint8_t>(*p_++);
    if (v > 1) bad("corrupt flag");
    return v == 1;
  }
  std::string_view view() {
    const std::uint64_t n = u();
    if (n > left()) bad("truncated string");
    std::string_view out(p_, static_cast<std::size_t>(n));
    p_ += n;
    return out;
  }
  std::string str() { return std::string(view()); }
  // A list's count: each item takes at least a byte, so a count past what is left is a lie
  // (and must not be reserved).
  std::size_t count() {
    const std::uint64_t n = u();
    if (n > left()) bad("truncated list");
    return static_cast<std::size_t>(n);
  }
  Address address() {
    Address a;
    a.family = num<int>();
    a.host = str();
    a.port = num<int>();
    a.path = str();
    return a;
  }
  Text text() {
    Text t;
    t.en = str();
    t.zh = str();
    return t;
  }
  std::vector<std::string> strings() {
    std::vector<std::string> out(count());
    for (auto& item : out) item = str();
    return out;
  }

 private:
  const char* p_;
  const char* end_;
};

std::vector<PollEntry> get_polled(In& in) {
  std::vector<PollEntry> out(in.count());
  for (PollEntry& p : out) {
    p.fd = in.num<int>();
    p.events = in.num<short>();
    p.revents = in.num<short>();
  }
  return out;
}

Event get_event(In& in) {
  Event e;
  e.seq = in.u();
  e.t_us = in.s();
  e.kind = in.enumerated(EventKind::Packet);
  e.call = in.enumerated(static_cast<Call>(static_cast<int>(Call::Count) - 1));
  e.note = in.enumerated(NoteKind::ListenFull);
  e.dir = in.enumerated(Direction::In);
  e.wire = in.enumerated(WireEffect::Rst);
  e.actor = in.str();
  e.pid = in.num<int>();
  e.tid = in.num<int>();
  e.fd = in.num<int>();
  e.sock.family = in.num<int>();
  e.sock.type = in.num<int>();
  e.sock.inode = in.u();
  e.sock.peer_inode = in.u();
  e.sock.local = in.address();
  e.sock.peer = in.address();
  e.args = in.str();
  e.value = in.num<long long>();
  e.err = in.num<int>();
  e.detail = in.str();
  e.bytes = Bytes(in.view());
  e.byte_count = in.unum<std::size_t>();
  if (e.byte_count < e.bytes.size()) bad("an event keeps more bytes than it moved");
  e.asked = in.unum<std::size_t>();
  e.step = in.num<int>();
  e.truncated = in.b();
  e.peeked = in.b();
  e.polled = get_polled(in);
  if (e.kind == EventKind::Packet) {
    PacketFields& p = e.packet;
    p.label = in.enumerated(PacketKind::Udp);
    p.from = in.address();
    p.to = in.address();
    p.tcp_flags = in.unum<std::uint8_t>();
    p.udp = in.b();
    p.ipv6 = in.b();
    p.tcp_seq = in.unum<std::uint32_t>();
    p.tcp_ack = in.unum<std::uint32_t>();
    p.window = in.unum<std::uint16_t>();
    p.kernel_us = in.s();
    p.at_us = in.s();
    p.caused_by = in.u();
  }
  if (e.kind == EventKind::Note && e.note == NoteKind::ListenFull) {
    ListenOverflow& l = e.overflow;
    l.overflows = in.u();
    l.drops = in.u();
    l.backlog = in.num<int>();
    l.queued = in.num<int>();
    l.cookies_sent = in.u();
    l.cookies_failed = in.u();
  }
  if (!in.done()) {
    e.interest.resize(in.count());
    for (InterestEntry& entry : e.interest) {
      entry.fd = in.num<int>();
      entry.mask = in.unum<std::uint32_t>();
    }
    e.epoll_op = in.num<int>();
  }
  return e;
}

SocketView get_view(In& in) {
  SocketView v;
  v.fd = in.num<int>();
  v.family = in.num<int>();
  v.type = in.num<int>();
  v.state = in.str();
  v.local = in.address();
  v.peer = in.address();
  v.inq = in.num<int>();
  v.outq = in.num<int>();
  v.outq_is_syn = in.b();
  v.peer_window = in.num<long long>();
  v.rcvbuf = in.num<int>();
  v.sndbuf = in.num<int>();
  v.accept_queue = in.num<int>();
  v.backlog = in.num<int>();
  v.listening = in.b();
  v.reuseaddr = in.b();
  v.error = in.num<int>();
  return v;
}

std::vector<SocketCard> get_cards(In& in) {
  std::vector<SocketCard> out(in.count());
  for (SocketCard& c : out) {
    c.actor = in.str();
    c.var = in.str();
    c.opened_step = in.num<int>();
    c.closed_step = in.num<int>();
    c.view = get_view(in);
    c.blocked_in = in.str();
  }
  return out;
}

SessionSnapshot get_snapshot(In& in) {
  SessionSnapshot s;
  s.generation = in.u();
  s.position = in.unum<std::size_t>();
  s.step_count = in.unum<std::size_t>();
  s.port = in.num<int>();
  s.notice = in.text();
  s.actors.resize(in.count());
  for (ActorView& a : s.actors) {
    a.name = in.str();
    a.state = in.enumerated(ActorState::Blocked);
    a.blocked_in = in.str();
    a.blocked_step = in.num<int>();
    a.console = in.strings();
    a.ended = in.str();
    a.ended_zh = in.str();
  }
  s.sockets = get_cards(in);
  s.orphans.resize(in.count());
  for (OrphanSocket& x : s.orphans) {
    x.state = in.str();
    x.local = in.address();
    x.peer = in.address();
    x.timer_ms = in.num<int>();
    x.earlier = in.b();
  }
  s.outcomes.resize(in.count());
  for (StepOutcome& x : s.outcomes) {
    x.status = in.enumerated(StepStatus::Cancelled);
    CallResult& r = x.result;
    r.value = in.num<long long>();
    r.err = in.num<int>();
    r.bytes = Bytes(in.view());
    r.address = in.address();
    r.text = in.str();
    r.entries.resize(in.count());
    for (AddrInfoEntry& entry : r.entries) {
      entry.family = in.num<int>();
      entry.type = in.num<int>();
      entry.protocol = in.num<int>();
      entry.address = in.address();
    }
    r.truncated = in.b();
    r.polled = get_polled(in);
    x.failures = in.strings();
    x.checked = in.b();
    x.predict_right.resize(in.count());
    for (std::size_t& i : x.predict_right) {
      i = in.unum<std::size_t>();
      if (i >= 64) bad("a prediction's choice out of range");
    }
  }
  s.closed = get_cards(in);
  if (!in.done()) {
    if (in.count() != s.actors.size()) bad("corrupt snapshot (processes for other actors)");
    for (ActorView& a : s.actors) {
      a.pid = in.num<int>();
      a.process = in.str();
    }
  }
  // The panels index outcomes by position and step: they must agree.
  if (s.position > s.step_count || s.outcomes.size() > s.step_count) bad("a snapshot past its lesson's steps");
  return s;
}

std::uint16_t get_u16(const char* p) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(p[0]) | (static_cast<std::uint8_t>(p[1]) << 8));
}

std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}

std::string inflate_body(std::string_view compressed, std::uint64_t size) {
  std::string body(static_cast<std::size_t>(size), '\0');
  z_stream z{};
  if (inflateInit(&z) != Z_OK) bad("cannot start zlib");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(body.data());
  z.avail_out = static_cast<uInt>(body.size());
  // One call: the whole input and room for exactly the size the header promised.
  const int rc = inflate(&z, Z_FINISH);
  const std::uint64_t out = z.total_out;
  const std::size_t unread = z.avail_in;
  inflateEnd(&z);
  if (rc == Z_STREAM_END) {
    if (out != size) bad("corrupt (its body is shorter than its header says)");
    if (unread != 0) bad("corrupt (bytes after the compressed body)");
    return body;
  }
  if (rc == Z_BUF_ERROR && z.avail_out == 0) bad("corrupt (its body is longer than its header says)");
  if (rc == Z_BUF_ERROR) bad("truncated (the compressed body ends early)");
  bad(std::string("corrupt (zlib: ") + (rc == Z_DATA_ERROR ? "bad data or checksum" : "error") + ")");
}

// A step index a snapshot gives: -1 (none) or one of the lesson's steps.
void check_step(int step, std::size_t steps) {
  if (step < -1 || (step >= 0 && static_cast<std::size_t>(step) >= steps)) bad("corrupt (a snapshot names a step its lesson does not have)");
}

void check_cards(const std::vector<SocketCard>& cards, std::size_t steps) {
  for (const SocketCard& c : cards) {
    check_step(c.opened_step, steps);
    check_step(c.closed_step, steps);
  }
}

// Every index the panels take from a snapshot must fall in the lesson (a live session's
// snapshots have no steps at all).
void check_snapshot(const SessionSnapshot& s, const Lesson* lesson) {
  const std::size_t steps = lesson != nullptr ? lesson->steps.size() : 0;
  if (s.step_count != steps || s.position > steps || s.outcomes.size() != steps)
    bad("corrupt (a snapshot does not fit its lesson's " + std::to_string(steps) + " steps)");
  for (const ActorView& a : s.actors) check_step(a.blocked_step, steps);
  check_cards(s.sockets, steps);
  check_cards(s.closed, steps);
  for (std::size_t i = 0; i < s.outcomes.size(); ++i) {
    const auto& right = s.outcomes[i].predict_right;
    const std::size_t choices = lesson->steps[i].predict ? lesson->steps[i].predict->choices.size() : 0;
    for (const std::size_t c : right)
      if (c >= choices) bad("corrupt (a prediction's answer its step does not offer)");
  }
}

}  // namespace

std::string encode_recording(const Recording& r, int level) {
  Out body;
  body.record(kMeta, [&](Out& o) {
    o.u(static_cast<std::uint64_t>(r.kind));
    o.u(static_cast<std::uint64_t>(r.lang));
    o.str(r.title);
    o.str(r.title_zh);
    o.str(r.preface);
    o.str(r.lesson_name);
    o.str(r.lesson_source);
    o.strings(r.actors);
    o.str(r.outside);
    o.b(r.lane_per_connection);
  });
  for (const Event& e : r.events) body.record(kEvent, [&](Out& o) { put_event(o, e); });
  for (const RecordedSnapshot& s : r.snapshots)
    body.record(kSnapshot, [&](Out& o) {
      o.u(s.after_seq);
      put_snapshot(o, s.snap);
    });
  const std::string& raw = body.bytes();
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string file(kMagic, sizeof kMagic);
  put_u16(file, kRecordingVersion);
  put_u16(file, 0);
  put_u64(file, raw.size());
  file.resize(kHeaderSize + packed_size);
  if (compress2(reinterpret_cast<Bytef*>(file.data() + kHeaderSize), &packed_size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), level) != Z_OK)
    throw RecordingError("zlib could not compress the recording");
  file.resize(kHeaderSize + packed_size);
  return file;
}

Recording decode_recording(std::string_view file) {
  if (file.size() < sizeof kMagic || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0)
    bad("not a sockstep recording (it does not begin with SOCKSTEP)");
  if (file.size() < kHeaderSize) bad("truncated (its header ends early)");
  const std::uint16_t version = get_u16(file.data() + 8);
  if (version > kRecordingVersion)
    bad("made by a newer sockstep (recording format " + std::to_string(version) + "; this one reads up to " +
        std::to_string(kRecordingVersion) + ")");
  if (version == 0) bad("corrupt (recording format 0)");
  const std::uint64_t size = get_u64(file.data() + 12);
  if (size > kMaxRecordingBody) bad("corrupt (its header promises a body over 1 GiB)");
  // Deflate packs at most 1032 bytes into one (RFC 1951's longest match in a code of a
  // bit or so): a promise past that is a lie, and is refused before its room is made.
  if (size > (file.size() - kHeaderSize) * 1032 + 64) bad("corrupt (its header promises more than its body holds)");
  const std::string body = inflate_body(file.substr(kHeaderSize), size);

  Recording r;
  bool meta = false;
  // Records: tag, size, payload. A first pass counts the events, so that 100k of them
  // are made in place rather than moved on every growth of the vector.
  const char* p = body.data();
  const char* end = body.data() + body.size();
  std::size_t events = 0;
  for (const char* q = p; q < end;) {
    const auto tag = static_cast<std::uint8_t>(*q++);
    In head(q, end);
    const std::uint64_t n = head.u();
    if (n > head.left()) break;  // the second pass says what is wrong
    q = end - head.left() + n;
    events += tag == kEvent ? 1 : 0;
  }
  r.events.reserve(events);
  while (p < end) {
    const auto tag = static_cast<std::uint8_t>(*p++);
    In head(p, end);
    const std::uint64_t n = head.u();
    const char* payload = end - head.left();
    if (n > head.left()) bad("truncated record");
    In in(payload, payload + n);
    p = payload + n;
    if (!meta && tag != kMeta) bad("corrupt (it does not begin with its description)");
    switch (tag) {
      case kMeta:
        if (meta) bad("corrupt (two descriptions)");
        meta = true;
        r.kind = in.enumerated(RecordingKind::Live);
        r.lang = in.enumerated(Lang::Zh);
        r.title = in.str();
        r.title_zh = in.str();
        r.preface = in.str();
        r.lesson_name = in.str();
        r.lesson_source = in.str();
        r.actors = in.strings();
        r.outside = in.str();
        r.lane_per_connection = in.b();
        break;
      case kEvent: {
        Event e = get_event(in);
        if (!r.events.empty() && e.seq <= r.events.back().seq) bad("corrupt (events out of order)");
        r.events.push_back(std::move(e));
        break;
      }
      case kSnapshot: {
        RecordedSnapshot s;
        s.after_seq = in.u();
        s.snap = get_snapshot(in);
        if (!r.snapshots.empty() && s.after_seq < r.snapshots.back().after_seq)
          bad("corrupt (snapshots out of order)");
        r.snapshots.push_back(std::move(s));
        break;
      }
      default:
        continue;  // a record this version does not know: skipped whole
    }
    // A known record must be read to its end: anything left means it was not what it said.
    if (!in.done()) bad("corrupt record (bytes left over)");
  }
  if (!meta) bad("truncated (no description)");
  if (r.kind == RecordingKind::Lesson) {
    try {
      r.lesson = load_lesson_text(r.lesson_source, r.lesson_name.empty() ? "lesson" : r.lesson_name);
    } catch (const std::exception& e) {
      bad(std::string("its lesson does not load: ") + e.what());
    }
  }
  for (const RecordedSnapshot& s : r.snapshots) check_snapshot(s.snap, r.kind == RecordingKind::Lesson ? &r.lesson : nullptr);
  return r;
}

std::string write_recording_file(const std::string& path, const Recording& recording) {
  std::string bytes;
  try {
    bytes = encode_recording(recording);
  } catch (const RecordingError& e) {
    return e.what();
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return "cannot write " + path;
  return {};
}

Recording read_recording_file(const std::string& path) {
  std::string why;
  const auto bytes = read_small_file(path, kMaxRecordingFile, why);
  if (!bytes) throw RecordingError(path + ": " + why);
  try {
    return decode_recording(*bytes);
  } catch (const RecordingError& e) {
    throw RecordingError(path + ": " + e.what());
  }
}

std::size_t events_before(const Recording& recording, const RecordedSnapshot& snapshot) {
  const auto it = std::upper_bound(recording.events.begin(), recording.events.end(), snapshot.after_seq,
                                   [](std::uint64_t seq, const Event& e) { return seq < e.seq; });
  return static_cast<std::size_t>(it - recording.events.begin());
}

}  // namespace sockstep
