// session.sockstep: what goes in comes back out, field by field, and a file cut short,
// damaged or from a newer sockstep is an error naming what is wrong, never a crash.
#include <doctest/doctest.h>
#include <zlib.h>

#include <string>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/record/record_session.hpp"
#include "engine/record/recording.hpp"

using namespace sockstep;

namespace {

Address inet(const std::string& host, int port) {
  Address a;
  a.family = AF_INET;
  a.host = host;
  a.port = port;
  return a;
}

// One event of each kind, with the fields each kind carries set to values unlike the defaults.
Recording sample() {
  Recording r;
  r.kind = RecordingKind::Live;
  r.lang = Lang::Zh;
  r.title = "serve 127.0.0.1:8084";
  r.title_zh = "serve 127.0.0.1:8084(用 nc 连接)";
  r.preface = "# check\n";
  r.actors = {"server"};
  r.outside = "clients";
  r.lane_per_connection = true;
  Event call;
  call.seq = 7;
  call.t_us = 123456;
  call.kind = EventKind::Call;
  call.call = Call::Send;
  call.dir = Direction::Out;
  call.wire = WireEffect::Fin;
  call.actor = "server";
  call.pid = 4242;
  call.tid = 4243;
  call.fd = 5;
  call.sock.family = AF_INET;
  call.sock.type = SOCK_STREAM;
  call.sock.inode = 99887766;
  call.sock.local = inet("127.0.0.1", 8084);
  call.sock.peer = inet("127.0.0.1", 40312);
  call.args = "b'HELLO'";
  call.value = -1;
  call.err = EPIPE;
  call.detail = "细节";
  call.bytes = Bytes(std::string("HEL\0LO", 6));
  call.byte_count = 70000;
  call.asked = 6;
  call.step = 3;
  call.truncated = true;
  call.peeked = true;
  call.polled = {PollEntry{3, POLLIN, POLLHUP}, PollEntry{4, POLLOUT, 0}};
  r.events.push_back(call);
  Event packet;
  packet.seq = 9;
  packet.kind = EventKind::Packet;
  packet.packet.label = PacketKind::SynAck;
  packet.packet.from = inet("127.0.0.1", 8084);
  packet.packet.to = inet("127.0.0.1", 40312);
  packet.packet.tcp_flags = 0x12;
  packet.packet.ipv6 = true;
  packet.packet.tcp_seq = 4000000000u;
  packet.packet.tcp_ack = 17;
  packet.packet.window = 65535;
  packet.packet.kernel_us = 1700000000000000;
  packet.packet.at_us = -5;
  packet.packet.caused_by = 7;
  r.events.push_back(packet);
  Event note;
  note.seq = 10;
  note.kind = EventKind::Note;
  note.note = NoteKind::ListenFull;
  note.overflow = ListenOverflow{13, 12, 5, 2, 17, 9};
  r.events.push_back(note);
  RecordedSnapshot snap;
  snap.after_seq = 9;
  snap.snap.generation = 3;
  snap.snap.port = 8084;
  snap.snap.notice = Text{"moved", "换了"};
  ActorView actor;
  actor.name = "server";
  actor.state = ActorState::Blocked;
  actor.blocked_in = "recv";
  actor.console = {"one", "两"};
  actor.ended = "exited with status 0";
  snap.snap.actors.push_back(actor);
  ActorView child;
  child.name = "child-1";
  child.pid = 31337;
  child.process = "zombie";
  snap.snap.actors.push_back(child);
  SocketCard card;
  card.actor = "server";
  card.var = "conn";
  card.view.fd = 5;
  card.view.state = "ESTABLISHED";
  card.view.local = inet("127.0.0.1", 8084);
  card.view.inq = 5;
  card.view.outq_is_syn = true;
  card.view.peer_window = 65483;
  card.view.listening = true;
  card.blocked_in = "recv";
  snap.snap.sockets.push_back(card);
  snap.snap.closed.push_back(card);
  snap.snap.orphans.push_back(OrphanSocket{"TIME_WAIT", inet("127.0.0.1", 40312), inet("127.0.0.1", 8084), 59000, true});
  r.snapshots.push_back(snap);
  return r;
}

// The same bytes with the header's version set to v.
std::string with_version(std::string file, std::uint16_t v) {
  file[8] = static_cast<char>(v & 0xff);
  file[9] = static_cast<char>(v >> 8);
  return file;
}

std::string error_of(const std::string& file) {
  try {
    (void)decode_recording(file);
  } catch (const RecordingError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a recording gives back every field of its events and snapshots") {
  const Recording in = sample();
  const Recording out = decode_recording(encode_recording(in));
  CHECK(out.kind == in.kind);
  CHECK(out.lang == Lang::Zh);
  CHECK(out.title_zh == in.title_zh);
  CHECK(out.preface == in.preface);
  CHECK(out.actors == in.actors);
  CHECK(out.outside == "clients");
  CHECK(out.lane_per_connection);
  REQUIRE(out.events.size() == 3);
  const Event& c = out.events[0];
  CHECK(c.seq == 7);
  CHECK(c.t_us == 123456);
  CHECK(c.call == Call::Send);
  CHECK(c.dir == Direction::Out);
  CHECK(c.wire == WireEffect::Fin);
  CHECK(c.pid == 4242);
  CHECK(c.tid == 4243);
  CHECK(c.sock.inode == 99887766);
  CHECK(c.sock.peer == inet("127.0.0.1", 40312));
  CHECK(c.err == EPIPE);
  CHECK(c.value == -1);
  CHECK(c.detail == "细节");
  CHECK(c.bytes.view() == std::string_view("HEL\0LO", 6));
  CHECK(c.byte_count == 70000);
  CHECK(c.asked == 6);
  CHECK(c.step == 3);
  CHECK(c.truncated);
  CHECK(c.peeked);
  REQUIRE(c.polled.size() == 2);
  CHECK(c.polled[0].revents == POLLHUP);
  const PacketFields& p = out.events[1].packet;
  CHECK(p.label == PacketKind::SynAck);
  CHECK(p.tcp_seq == 4000000000u);
  CHECK(p.window == 65535);
  CHECK(p.ipv6);
  CHECK(p.kernel_us == 1700000000000000);
  CHECK(p.at_us == -5);
  CHECK(p.caused_by == 7);
  CHECK(out.events[2].overflow.cookies_failed == 9);
  CHECK(out.events[2].overflow.backlog == 5);
  REQUIRE(out.snapshots.size() == 1);
  const SessionSnapshot& s = out.snapshots[0].snap;
  CHECK(out.snapshots[0].after_seq == 9);
  CHECK(s.notice.zh == "换了");
  REQUIRE(s.actors.size() == 2);
  CHECK(s.actors[0].state == ActorState::Blocked);
  CHECK(s.actors[0].pid == 0);
  CHECK(s.actors[1].pid == 31337);
  CHECK(s.actors[1].process == "zombie");
  CHECK(s.actors[0].console == std::vector<std::string>{"one", "两"});
  REQUIRE(s.sockets.size() == 1);
  CHECK(s.sockets[0].view.state == "ESTABLISHED");
  CHECK(s.sockets[0].view.peer_window == 65483);
  CHECK(s.sockets[0].view.outq_is_syn);
  CHECK(s.closed.size() == 1);
  REQUIRE(s.orphans.size() == 1);
  CHECK(s.orphans[0].timer_ms == 59000);
  CHECK(s.orphans[0].earlier);
  // The snapshot holds for the events up to seq 9: the first two.
  CHECK(events_before(out, out.snapshots[0]) == 2);
}

TEST_CASE("a recording cut short anywhere is an error, never a crash") {
  const std::string file = encode_recording(sample());
  for (std::size_t n = 0; n < file.size(); ++n) {
    const std::string why = error_of(file.substr(0, n));
    CHECK_MESSAGE(!why.empty(), "cut at " << n << " of " << file.size());
  }
  CHECK(error_of(file.substr(0, 30)).find("truncated") != std::string::npos);
  CHECK(error_of(file + "x").find("corrupt") != std::string::npos);
}

TEST_CASE("a damaged recording is an error: zlib's checksum and the record sizes catch it") {
  const std::string file = encode_recording(sample());
  // Every byte after the header, flipped in turn: an error, or (the padding bits after
  // deflate's last block, which nothing reads) the very same recording.
  const std::string same = encode_recording(decode_recording(file));
  int errors = 0;
  for (std::size_t i = 20; i < file.size(); ++i) {
    std::string damaged = file;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    if (!error_of(damaged).empty()) {
      ++errors;
      continue;
    }
    CHECK_MESSAGE(encode_recording(decode_recording(damaged)) == same, "byte " << i << " of " << file.size());
  }
  CHECK(errors >= static_cast<int>(file.size()) - 20 - 1);
  // A header that promises a larger or smaller body than the stream holds.
  std::string longer = file;
  longer[12] = static_cast<char>(longer[12] + 1);
  CHECK(error_of(longer).find("corrupt") != std::string::npos);
  std::string bomb = file;
  bomb[19] = 0x7f;
  CHECK(error_of(bomb).find("1 GiB") != std::string::npos);
  // 900 MB promised by a few hundred bytes: refused before any room is made for it.
  std::string lie = file;
  lie[15] = 0x35;
  CHECK(error_of(lie).find("more than its body holds") != std::string::npos);
}

TEST_CASE("a newer recording, or not a recording at all, is said so") {
  const std::string file = encode_recording(sample());
  CHECK(error_of(with_version(file, kRecordingVersion + 1)).find("newer sockstep") != std::string::npos);
  CHECK(error_of(with_version(file, kRecordingVersion + 1)).find("format 2") != std::string::npos);
  CHECK(error_of("# sockstep session\n").find("not a sockstep recording") != std::string::npos);
  CHECK(error_of("").find("not a sockstep recording") != std::string::npos);
}

TEST_CASE("a record this version does not know is skipped; a known one with bytes left over is not") {
  // A body made by hand: the sample's, plus an unknown record (tag 200) at the end.
  std::string file = encode_recording(sample());
  uLongf size = 0;
  for (int i = 7; i >= 0; --i) size = (size << 8) | static_cast<unsigned char>(file[12 + i]);
  std::string body(size, '\0');
  uLongf got = size;
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(body.data()), &got,
                     reinterpret_cast<const Bytef*>(file.data() + 20), file.size() - 20) == Z_OK);
  const auto wrap = [&](const std::string& b) {
    std::string out = file.substr(0, 12);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((b.size() >> (8 * i)) & 0xff));
    uLongf packed = compressBound(b.size());
    std::string z(packed, '\0');
    REQUIRE(compress(reinterpret_cast<Bytef*>(z.data()), &packed, reinterpret_cast<const Bytef*>(b.data()), b.size()) ==
            Z_OK);
    z.resize(packed);
    return out + z;
  };
  const Recording skipped = decode_recording(wrap(body + std::string("\xc8\x03xyz", 5)));
  CHECK(skipped.events.size() == 3);
  // The meta record's size grown by one (a byte it does not explain): the second byte of
  // the body is its size, a one-byte varint for this small record.
  std::string padded = body;
  REQUIRE(static_cast<unsigned char>(padded[1]) < 0x7f);
  padded[1] = static_cast<char>(padded[1] + 1);
  padded.insert(2 + static_cast<unsigned char>(body[1]), 1, '\0');
  CHECK(error_of(wrap(padded)).find("left over") != std::string::npos);
}

TEST_CASE("a walked lesson's recording reloads its lesson and a snapshot per step") {
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path.has_value());
  SessionOptions options;
  options.keep_history = true;
  Session session(load_lesson_file(*path), options);
  for (int i = 0; i < 4; ++i) REQUIRE(session.step().has_value());
  const Recording r = decode_recording(encode_recording(lesson_recording(session, Lang::En)));
  CHECK(r.kind == RecordingKind::Lesson);
  CHECK(r.lesson.id == "echo-tcp");
  REQUIRE(r.snapshots.size() == 5);  // the start and one after each step
  for (std::size_t k = 0; k < r.snapshots.size(); ++k) CHECK(r.snapshots[k].snap.position == k);
  CHECK(r.snapshots[4].snap.outcomes.size() == r.lesson.steps.size());
  // Each step's events end where its snapshot was taken: the snapshots split the log.
  for (std::size_t k = 1; k < r.snapshots.size(); ++k)
    CHECK(events_before(r, r.snapshots[k]) > events_before(r, r.snapshots[k - 1]));
  CHECK(events_before(r, r.snapshots.back()) == r.events.size());
}

TEST_CASE("a recording whose snapshot does not fit its lesson is refused") {
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path.has_value());
  SessionOptions options;
  options.keep_history = true;
  Session session(load_lesson_file(*path), options);
  REQUIRE(session.step().has_value());
  Recording r = lesson_recording(session, Lang::En);
  r.snapshots.back().snap.outcomes.pop_back();
  CHECK(error_of(encode_recording(r)).find("does not fit") != std::string::npos);
  r = lesson_recording(session, Lang::En);
  r.snapshots.back().snap.actors.front().blocked_step = 999;
  CHECK(error_of(encode_recording(r)).find("step its lesson does not have") != std::string::npos);
  r = lesson_recording(session, Lang::En);
  r.lesson_source = "id = 3";
  CHECK(error_of(encode_recording(r)).find("its lesson does not load") != std::string::npos);
}

TEST_CASE("a recording written before the actors' processes were kept still reads, with none") {
  // The sample's body with its snapshot record cut before the processes: a count of two,
  // then (0, "") and (31337, "zombie").
  std::string file = encode_recording(sample());
  uLongf size = 0;
  for (int i = 7; i >= 0; --i) size = (size << 8) | static_cast<unsigned char>(file[12 + i]);
  std::string body(size, '\0');
  uLongf got = size;
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(body.data()), &got,
                     reinterpret_cast<const Bytef*>(file.data() + 20), file.size() - 20) == Z_OK);
  const std::string tail = std::string("\x02\x00\x00", 3) + std::string("\xd2\xe9\x03", 3) + "\x06zombie";
  // Each record: tag, size (a varint), payload. The snapshot's is rewritten shorter.
  std::string old;
  int snapshots = 0;
  for (std::size_t at = 0; at < body.size();) {
    const char tag = body[at];
    std::size_t n = 0, shift = 0, i = at + 1;
    for (;; ++i, shift += 7) {
      n |= static_cast<std::size_t>(static_cast<unsigned char>(body[i]) & 0x7f) << shift;
      if ((static_cast<unsigned char>(body[i]) & 0x80) == 0) break;
    }
    std::string payload = body.substr(i + 1, n);
    at = i + 1 + n;
    if (tag == 3) {
      ++snapshots;
      REQUIRE(payload.size() > tail.size());
      REQUIRE(payload.substr(payload.size() - tail.size()) == tail);
      payload.resize(payload.size() - tail.size());
    }
    old.push_back(tag);
    std::size_t m = payload.size();
    do {
      old.push_back(static_cast<char>((m & 0x7f) | (m > 0x7f ? 0x80 : 0)));
      m >>= 7;
    } while (m != 0);
    old += payload;
  }
  REQUIRE(snapshots == 1);
  std::string out = file.substr(0, 12);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((old.size() >> (8 * i)) & 0xff));
  uLongf packed = compressBound(old.size());
  std::string z(packed, '\0');
  REQUIRE(compress(reinterpret_cast<Bytef*>(z.data()), &packed, reinterpret_cast<const Bytef*>(old.data()), old.size()) ==
          Z_OK);
  z.resize(packed);
  const Recording r = decode_recording(out + z);
  REQUIRE(r.snapshots.size() == 1);
  REQUIRE(r.snapshots[0].snap.actors.size() == 2);
  CHECK(r.snapshots[0].snap.actors[1].pid == 0);
  CHECK(r.snapshots[0].snap.actors[1].process.empty());
  CHECK(r.snapshots[0].snap.closed.size() == 1);
  // A count of processes that is not the actors' is refused.
  std::string wrong = body;
  const auto pos = wrong.rfind(tail);
  REQUIRE(pos != std::string::npos);
  wrong[pos] = '\x01';
  CHECK_FALSE(error_of(file.substr(0, 20) + [&] {
    uLongf k = compressBound(wrong.size());
    std::string zz(k, '\0');
    (void)compress(reinterpret_cast<Bytef*>(zz.data()), &k, reinterpret_cast<const Bytef*>(wrong.data()), wrong.size());
    zz.resize(k);
    return zz;
  }()).empty());
}
