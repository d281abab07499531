#include "engine/capture/capture.hpp"

#include <pcap/pcap.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <limits>
#include <set>

#include "engine/capture/held_packets.hpp"
#include "engine/capture/packet_decode.hpp"
#include "engine/capture/packet_links.hpp"

namespace sockstep {
namespace {

// How long a packet may wait for the call that sent it to be logged.
constexpr std::chrono::milliseconds kLinkWait{500};

std::int64_t realtime_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// Wall clock minus the log's clock, in microseconds. The two are read back to back; a
// thread preempted between the reads would be off by the time it lost (milliseconds on a
// busy machine, enough to put a packet after the call that sent it), so of a few tries
// the one with the shortest gap counts.
std::int64_t wall_minus_log_us(const EventLog& log) {
  std::int64_t best_gap = -1;
  std::int64_t offset = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::int64_t before = realtime_us();
    const std::int64_t log_now = log.now_us();
    const std::int64_t after = realtime_us();
    if (best_gap < 0 || after - before < best_gap) {
      best_gap = after - before;
      offset = before + (after - before) / 2 - log_now;
    }
  }
  return offset;
}

// A note's Chinese goes in args, as every note's does; the failures below that quote
// libpcap's own English keep it after a Chinese lead.
Event note(std::string text, NoteKind kind = NoteKind::Warning, std::string text_zh = {}) {
  Event e;
  e.kind = EventKind::Note;
  e.actor = "capture";
  e.note = kind;
  e.detail = std::move(text);
  e.args = std::move(text_zh);
  return e;
}

}  // namespace

std::string capture_filter(const std::vector<int>& ports) {
  std::string filter = "(tcp or udp)";
  if (!ports.empty()) {
    filter += " and (";
    for (std::size_t i = 0; i < ports.size(); ++i) filter += (i > 0 ? " or port " : "port ") + std::to_string(ports[i]);
    filter += ")";
  }
  return filter + " and (net 127.0.0.0/8 or ip6 host ::1)";
}

std::string capture_permission_hint() {
  return "packet capture needs root or CAP_NET_RAW; allow it with: sudo setcap cap_net_raw+ep "
         "$(command -v sockstep)  (or run with sudo); everything else works without packets";
}

struct Capture::Impl {
  EventLog* log = nullptr;
  CaptureOptions options;
  pcap_t* pcap = nullptr;
  pcap_dumper_t* dumper = nullptr;
  int link_type = 0;
  int wake_fd = -1;
  std::set<int> ports;
  PacketLinker linker;
  std::uint64_t next_seq = 1;  // of the log, for the linker
  std::int64_t calls_upto_us = std::numeric_limits<std::int64_t>::min();  // the latest call logged
  std::int64_t wall_minus_log = 0;  // worked out once per batch of packets read
  std::atomic<std::size_t>* kept = nullptr;
  HeldPackets held;
  int write_errno = 0;  // the first failed write to the pcap file; then it is written no more

  ~Impl() {
    if (dumper != nullptr) pcap_dump_close(dumper);
    if (pcap != nullptr) pcap_close(pcap);
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void learn_port(const Address& address) {
    if (address.family != AF_UNIX && address.port > 0) ports.insert(address.port);
  }

  // True when the session's ports grew.
  bool learn_from_log() {
    const std::size_t before = ports.size();
    next_seq = log->visit_since(next_seq, [this](const Event& e) {
      linker.learn(e);
      if (e.kind == EventKind::Call || e.kind == EventKind::Blocked) calls_upto_us = std::max(calls_upto_us, e.t_us);
      // Any port a call's socket named, the failed ones' too (a refused connect's SYN
      // and RST are the session's).
      if (options.learn_ports && (e.kind == EventKind::Call || e.kind == EventKind::Blocked)) {
        learn_port(e.sock.local);
        learn_port(e.sock.peer);
      }
    });
    if (options.learn_ports) ports.insert(linker.ports().begin(), linker.ports().end());
    return ports.size() != before;
  }

  // The session's: a packet from or to one of its ports (any loopback packet when the
  // ports were fixed and none was given).
  [[nodiscard]] bool wanted(int from_port, int to_port) const {
    if (ports.empty()) return !options.learn_ports;
    return ports.count(from_port) > 0 || ports.count(to_port) > 0;
  }

  void dump(const pcap_pkthdr& header, const std::uint8_t* bytes) {
    if (dumper == nullptr || write_errno != 0) return;
    errno = 0;
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, bytes);
    if (std::ferror(pcap_dump_file(dumper)) != 0) write_errno = errno != 0 ? errno : EIO;
  }

  // A kept packet into the log (and counted).
  void log_packet(const pcap_pkthdr& header, const std::uint8_t* bytes) {
    kept->fetch_add(1);
    if (!options.log_packets) return;
    const PacketDecodeResult decoded = decode_packet(link_type, bytes, header.caplen, header.len);
    const DecodedPacket& p = decoded.packet;
    Event e;
    e.kind = EventKind::Packet;
    e.actor = "packet";
    e.args = p.from_host + ":" + std::to_string(p.from_port) + " → " + p.to_host + ":" + std::to_string(p.to_port);
    e.value = static_cast<long long>(p.payload_length);
    // The log keeps a packet's first bytes, as many as a capture without a file takes.
    e.bytes = Bytes(p.payload.substr(0, static_cast<std::size_t>(options.snaplen)));
    e.byte_count = p.payload_length;
    PacketFields& f = e.packet;
    f.label = packet_kind(p.tcp_flags, p.payload_length, p.udp);
    const int family = p.ipv6 ? AF_INET6 : AF_INET;
    f.from = Address{family, p.from_host, p.from_port, {}};
    f.to = Address{family, p.to_host, p.to_port, {}};
    f.tcp_flags = p.tcp_flags;
    f.window = p.tcp_window;
    f.udp = p.udp;
    f.ipv6 = p.ipv6;
    f.tcp_seq = p.tcp_seq;
    f.tcp_ack = p.tcp_ack;
    f.kernel_us = static_cast<std::int64_t>(header.ts.tv_sec) * 1000000 + header.ts.tv_usec;
    // The kernel stamps with the wall clock; the log runs on the monotonic one.
    f.at_us = f.kernel_us - wall_minus_log;
    if (options.link_calls) {
      if (options.call_timing.late.count() > 0) {
        const auto until = std::chrono::steady_clock::now() + options.call_timing.late;
        learn_from_log();
        while (calls_upto_us < f.at_us) {
          const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
          if (left.count() <= 0 || !log->wait_for(next_seq, left)) break;
          learn_from_log();
        }
      }
      f.caused_by = linker.cause(e);
      // The call that sent it is often still returning: wait (bounded) for it to be logged.
      const auto deadline = std::chrono::steady_clock::now() + kLinkWait;
      while (f.caused_by == 0 && linker.may_learn_more(e)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !log->wait_for(next_seq, left)) break;
        learn_from_log();
        f.caused_by = linker.cause(e);
      }
      if (f.caused_by != 0) e.detail = "sent by " + linker.describe(f.caused_by);
    }
    log->append(std::move(e));
  }

  // One packet: kept at once if it is the session's and nothing waits before it,
  // otherwise held until it can be told.
  void handle(const pcap_pkthdr& header, const std::uint8_t* bytes) {
    // What was logged up to now counts, for the session's ports and for the link: the
    // reading thread may have lost the processor while its batch was read.
    const bool grew = learn_from_log();
    const PacketDecodeResult decoded = decode_packet(link_type, bytes, header.caplen, header.len);
    if (!decoded.ok()) return;
    const DecodedPacket& p = decoded.packet;
    if (held.empty() && wanted(p.from_port, p.to_port)) {
      dump(header, bytes);
      log_packet(header, bytes);
      return;
    }
    if (!options.learn_ports) return;  // the session's ports were given: not one of them
    HeldPackets::Packet h;
    h.ts_sec = header.ts.tv_sec;
    h.ts_usec = header.ts.tv_usec;
    h.wire_length = header.len;
    h.bytes.assign(bytes, bytes + header.caplen);
    h.from_port = p.from_port;
    h.to_port = p.to_port;
    h.since = std::chrono::steady_clock::now();
    held.hold(std::move(h));
    settle(grew, false);
  }

  // Held packets found to be the session's go to the log at once, and to the file in
  // the kernel's order.
  void settle(bool ports_grew, bool final) {
    const auto with_header = [](const HeldPackets::Packet& p, auto&& use) {
      pcap_pkthdr header{};
      header.ts.tv_sec = static_cast<time_t>(p.ts_sec);
      header.ts.tv_usec = static_cast<suseconds_t>(p.ts_usec);
      header.caplen = static_cast<bpf_u_int32>(p.bytes.size());
      header.len = p.wire_length;
      use(header, p.bytes.data());
    };
    held.settle([this](int from, int to) { return wanted(from, to); }, ports_grew, std::chrono::steady_clock::now(),
                final,
                [&](const HeldPackets::Packet& p) {
                  with_header(p, [this](const pcap_pkthdr& h, const std::uint8_t* b) { log_packet(h, b); });
                },
                [&](const HeldPackets::Packet& p) {
                  with_header(p, [this](const pcap_pkthdr& h, const std::uint8_t* b) { dump(h, b); });
                });
  }

  // Packets let go that turned out to be the session's, by the ports known now.
  [[nodiscard]] std::size_t missed_early() const {
    return held.missed([this](int from, int to) { return wanted(from, to); });
  }

  // Reads every packet waiting; returns how many were read (kept or not), or -1.
  int drain() {
    int total = 0;
    for (int round = 0; round < 1000; ++round) {  // bounded: the kernel's buffer is finite
      wall_minus_log = wall_minus_log_us(*log);
      const int n = pcap_dispatch(
          pcap, 256,
          [](u_char* user, const pcap_pkthdr* h, const u_char* bytes) { reinterpret_cast<Impl*>(user)->handle(*h, bytes); },
          reinterpret_cast<u_char*>(this));
      if (n < 0) return -1;
      if (n == 0) break;
      total += n;
    }
    return total;
  }
};

Capture::Capture() = default;
Capture::~Capture() { stop(); }

void Capture::fail(EventLog& log, CaptureState state, std::string message) {
  state_ = state;
  message_ = std::move(message);
  const std::string zh = state == CaptureState::NotPermitted
                             ? "抓包需要 root 或 CAP_NET_RAW;可以这样允许:sudo setcap cap_net_raw+ep "
                               "$(command -v sockstep)(或用 sudo 运行);没有数据包,其他一切照常"
                             : "无法抓包:" + message_;
  log.append(note(message_, NoteKind::Warning, zh));
  impl_.reset();
}

bool Capture::start(EventLog& log, CaptureOptions options) {
  stop();
  impl_ = std::make_unique<Impl>();
  Impl& impl = *impl_;
  impl.log = &log;
  impl.kept = &packets_;
  packets_.store(0);
  missed_early_ = 0;
  write_error_.clear();
  impl.options = std::move(options);
  impl.held = HeldPackets(impl.options.hold);
  impl.linker.sends_stamped_at_start(impl.options.call_timing.sends_stamped_at_start);
  impl.ports.insert(impl.options.ports.begin(), impl.options.ports.end());
  impl.ports.erase(0);
  char error[PCAP_ERRBUF_SIZE] = {};
  impl.pcap = pcap_create(impl.options.device.c_str(), error);
  if (impl.pcap == nullptr) {
    fail(log, CaptureState::Failed, std::string("packet capture: ") + error);
    return false;
  }
  const bool whole = !impl.options.pcap_path.empty();
  (void)pcap_set_snaplen(impl.pcap, whole ? impl.options.pcap_snaplen : impl.options.snaplen);
  (void)pcap_set_immediate_mode(impl.pcap, 1);  // each packet as it comes, not in batches
  (void)pcap_set_buffer_size(impl.pcap, whole ? 16 << 20 : 4 << 20);
  errno = 0;
  const int activated = pcap_activate(impl.pcap);
  if (activated == PCAP_ERROR_PERM_DENIED || (activated == PCAP_ERROR && errno == EPERM) ||
      (activated < 0 && std::strstr(pcap_geterr(impl.pcap), "not permitted") != nullptr)) {
    fail(log, CaptureState::NotPermitted, capture_permission_hint());
    return false;
  }
  if (activated < 0) {
    fail(log, CaptureState::Failed, "packet capture on " + impl.options.device + ": " + pcap_geterr(impl.pcap));
    return false;
  }
  impl.link_type = pcap_datalink(impl.pcap);
  std::vector<int> ports(impl.ports.begin(), impl.ports.end());
  filter_ = capture_filter(impl.options.learn_ports ? std::vector<int>{} : ports);
  bpf_program program{};
  if (pcap_setnonblock(impl.pcap, 1, error) < 0 ||
      pcap_compile(impl.pcap, &program, filter_.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0) {
    fail(log, CaptureState::Failed, "packet capture: " + std::string(error[0] != 0 ? error : pcap_geterr(impl.pcap)));
    return false;
  }
  const int filtered = pcap_setfilter(impl.pcap, &program);
  pcap_freecode(&program);
  if (filtered < 0) {
    fail(log, CaptureState::Failed, "packet capture filter: " + std::string(pcap_geterr(impl.pcap)));
    return false;
  }
  if (!impl.options.pcap_path.empty()) {
    impl.dumper = pcap_dump_open(impl.pcap, impl.options.pcap_path.c_str());
    if (impl.dumper == nullptr) {
      fail(log, CaptureState::Failed, "cannot write " + impl.options.pcap_path + ": " + pcap_geterr(impl.pcap));
      return false;
    }
  }
  impl.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl.wake_fd < 0 || pcap_get_selectable_fd(impl.pcap) < 0) {
    fail(log, CaptureState::Failed, "packet capture: " + std::string(std::strerror(errno)));
    return false;
  }
  state_ = CaptureState::Running;
  message_ = "capturing packets on " + impl.options.device + ": " + filter_;
  if (impl.options.log_packets)
    log.append(note(message_, NoteKind::Info, "正在 " + impl.options.device + " 上抓包:" + filter_));
  thread_ = std::thread([this] { run(); });
  return true;
}

void Capture::run() {
  Impl& impl = *impl_;
  // Held packets are looked at again every few milliseconds: the call naming their port
  // may be logged after the last packet of the session.
  constexpr int kSettleMs = 20;
  pollfd fds[2] = {{pcap_get_selectable_fd(impl.pcap), POLLIN, 0}, {impl.wake_fd, POLLIN, 0}};
  for (;;) {
    const int ready = ::poll(fds, 2, impl.held.empty() ? -1 : kSettleMs);
    if (ready < 0 && errno != EINTR) break;
    if (ready == 0 || (ready < 0 && errno == EINTR)) fds[0].revents = fds[1].revents = 0;
    if ((fds[0].revents & POLLIN) != 0) {
      if (impl.drain() < 0) break;
    }
    if (!impl.held.empty()) impl.settle(impl.learn_from_log(), false);
    if ((fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) break;
    if ((fds[1].revents & POLLIN) != 0) break;
  }
  // Stopping: whatever the kernel queued before stop() was asked still belongs to the
  // session, and every call of it is logged now, so each held packet can be told.
  (void)impl.drain();
  impl.settle(impl.learn_from_log(), true);
  if (impl.dumper != nullptr && impl.write_errno == 0) {
    errno = 0;
    if (pcap_dump_flush(impl.dumper) != 0 || std::ferror(pcap_dump_file(impl.dumper)) != 0)
      impl.write_errno = errno != 0 ? errno : EIO;
  }
  if (impl.write_errno != 0) {
    write_error_ = "cannot write " + impl.options.pcap_path + ": " + std::strerror(impl.write_errno);
    impl.log->append(note(write_error_, NoteKind::Warning,
                          "无法写入 " + impl.options.pcap_path + ":" + std::strerror(impl.write_errno)));
  }
  // A session shown with packets missing must say so.
  pcap_stat stats{};
  if (pcap_stats(impl.pcap, &stats) == 0 && stats.ps_drop > 0)
    impl.log->append(note("the capture missed " + std::to_string(stats.ps_drop) +
                              " packets (the kernel's capture buffer was full)",
                          NoteKind::Warning,
                          "抓包漏掉了 " + std::to_string(stats.ps_drop) + " 个数据包(内核的抓包缓冲区满了)"));
  missed_early_ = impl.missed_early();
  if (missed_early_ > 0)
    impl.log->append(note("the capture let go of " + std::to_string(missed_early_) +
                          " packets of the session's ports before it learned those ports (it holds a packet of a "
                          "port not named yet for " + std::to_string(impl.options.hold.wait.count()) + " ms, " +
                              std::to_string(impl.options.hold.packets) + " at most)",
                          NoteKind::Warning,
                          "抓包在得知会话的端口之前放走了这些端口的 " + std::to_string(missed_early_) +
                              " 个数据包(尚未被调用提到的端口的数据包最多保留 " +
                              std::to_string(impl.options.hold.wait.count()) + " 毫秒、" +
                              std::to_string(impl.options.hold.packets) + " 个)"));
}

void Capture::stop() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    (void)!::write(impl_->wake_fd, &one, sizeof one);
    thread_.join();
  }
  impl_.reset();  // closes the dump file (flushed) and the device
  if (state_ == CaptureState::Running) state_ = CaptureState::Off;
}

}  // namespace sockstep
