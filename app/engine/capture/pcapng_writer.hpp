#pragma once
// A pcapng file (the block format Wireshark writes: IETF draft-ietf-opsawg-pcapng), as
// small as sockstep needs: one section, one interface per capture, and each packet an
// Enhanced Packet Block that may carry a comment (opt_comment), which libpcap cannot
// write. Timestamps are microseconds (if_tsresol 6).
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace sockstep {

class PcapngWriter {
 public:
  // Opens path for writing; ok() says whether it could. Writes the section header.
  explicit PcapngWriter(const std::string& path);
  ~PcapngWriter();
  PcapngWriter(const PcapngWriter&) = delete;
  PcapngWriter& operator=(const PcapngWriter&) = delete;

  // Adds an interface (its link type, a DLT_ number, and snap length); returns its id.
  std::uint32_t add_interface(int link_type, std::uint32_t snaplen, const std::string& name);
  // One packet on an interface: its time in microseconds since the Unix epoch, the bytes
  // captured, their length on the wire, and a comment ("" for none).
  void add_packet(std::uint32_t interface, std::int64_t time_us, std::string_view bytes, std::uint32_t wire_length,
                  const std::string& comment);
  // Flushes and closes; false (errno kept in error()) if any write failed.
  bool close();

  [[nodiscard]] bool ok() const { return file_ != nullptr && error_ == 0; }
  [[nodiscard]] int error() const { return error_; }

 private:
  void block(std::uint32_t type, const std::string& body);

  std::FILE* file_ = nullptr;
  int error_ = 0;
  std::uint32_t interfaces_ = 0;
};

}  // namespace sockstep
