#include "engine/capture/pcapng_writer.hpp"

#include <cerrno>

namespace sockstep {

namespace {

constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kOptComment = 1;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfTsResol = 9;

// Numbers in the host's byte order: the section's byte-order magic tells readers which.
template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void pad(std::string& out) { out.append((4 - out.size() % 4) % 4, '\0'); }

void option(std::string& out, std::uint16_t code, std::string_view value) {
  put<std::uint16_t>(out, code);
  put<std::uint16_t>(out, static_cast<std::uint16_t>(value.size()));
  out.append(value);
  pad(out);
}

void end_of_options(std::string& out) {
  put<std::uint16_t>(out, kOptEnd);
  put<std::uint16_t>(out, 0);
}

}  // namespace

PcapngWriter::PcapngWriter(const std::string& path) : file_(std::fopen(path.c_str(), "wb")) {
  if (file_ == nullptr) {
    error_ = errno;
    return;
  }
  std::string body;
  put<std::uint32_t>(body, 0x1A2B3C4D);  // byte-order magic
  put<std::uint16_t>(body, 1);           // version 1.0
  put<std::uint16_t>(body, 0);
  put<std::int64_t>(body, -1);           // section length: not given
  option(body, kShbUserAppl, "sockstep");
  end_of_options(body);
  block(kSectionHeader, body);
}

PcapngWriter::~PcapngWriter() { (void)close(); }

void PcapngWriter::block(std::uint32_t type, const std::string& body) {
  if (file_ == nullptr || error_ != 0) return;
  const auto total = static_cast<std::uint32_t>(body.size() + 12);
  std::string out;
  put(out, type);
  put(out, total);
  out += body;
  put(out, total);
  if (std::fwrite(out.data(), 1, out.size(), file_) != out.size()) error_ = errno != 0 ? errno : EIO;
}

std::uint32_t PcapngWriter::add_interface(int link_type, std::uint32_t snaplen, const std::string& name) {
  std::string body;
  put<std::uint16_t>(body, static_cast<std::uint16_t>(link_type));
  put<std::uint16_t>(body, 0);
  put<std::uint32_t>(body, snaplen);
  if (!name.empty()) option(body, kIfName, name);
  option(body, kIfTsResol, std::string_view("\x06", 1));  // 10^-6 s
  end_of_options(body);
  block(kInterfaceDescription, body);
  return interfaces_++;
}

void PcapngWriter::add_packet(std::uint32_t interface, std::int64_t time_us, std::string_view bytes,
                              std::uint32_t wire_length, const std::string& comment) {
  std::string body;
  const auto ts = static_cast<std::uint64_t>(time_us);
  put<std::uint32_t>(body, interface);
  put<std::uint32_t>(body, static_cast<std::uint32_t>(ts >> 32));
  put<std::uint32_t>(body, static_cast<std::uint32_t>(ts & 0xFFFFFFFFu));
  put<std::uint32_t>(body, static_cast<std::uint32_t>(bytes.size()));
  put<std::uint32_t>(body, wire_length);
  body.append(bytes);
  pad(body);
  if (!comment.empty()) {
    // An option's length is 16 bits: a longer comment is cut.
    option(body, kOptComment, std::string_view(comment).substr(0, 0xFFFC));
    end_of_options(body);
  }
  block(kEnhancedPacket, body);
}

bool PcapngWriter::close() {
  if (file_ == nullptr) return error_ == 0;
  if (std::fflush(file_) != 0 && error_ == 0) error_ = errno;
  if (std::fclose(file_) != 0 && error_ == 0) error_ = errno;
  file_ = nullptr;
  return error_ == 0;
}

}  // namespace sockstep
