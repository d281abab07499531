// The pcapng writer's blocks, read back byte by byte (tshark reads whole sessions in
// tests/realworld/export_oracle.py): each block's length at both ends, a multiple of 4,
// and the packet's comment where pcapng puts it.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "engine/capture/pcapng_writer.hpp"
#include <unistd.h>

using namespace sockstep;

namespace {
// A file of its own in /tmp, removed at the end.
struct TempFile {
  std::string path;
  TempFile() {
    char name[] = "/tmp/sockstep-pcapng-XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd >= 0) ::close(fd);
    path = name;
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

std::uint32_t u32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}
}  // namespace

TEST_CASE("a pcapng file is a section, an interface and packets, each block framed by its length") {
  TempFile temp;
  const std::string& path = temp.path;
  {
    PcapngWriter w(path);
    REQUIRE(w.ok());
    const std::uint32_t lo = w.add_interface(1, 262144, "lo");
    CHECK(lo == 0);
    w.add_packet(lo, 1700000000123456, std::string("abcde"), 5, "client fd 3 send(b'hello') -> 5");
    w.add_packet(lo, 1700000000123457, std::string("xyz"), 60, "");
    CHECK(w.close());
  }
  std::ifstream in(path, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::uint32_t> types;
  for (std::size_t at = 0; at + 12 <= file.size();) {
    const std::uint32_t length = u32(file, at + 4);
    REQUIRE(length % 4 == 0);
    REQUIRE(at + length <= file.size());
    CHECK(u32(file, at + length - 4) == length);
    types.push_back(u32(file, at));
    at += length;
  }
  CHECK(types == std::vector<std::uint32_t>{0x0A0D0D0A, 1, 6, 6});
  CHECK(u32(file, 8) == 0x1A2B3C4D);
  CHECK(file.find("client fd 3 send(b'hello') -> 5") != std::string::npos);
}
