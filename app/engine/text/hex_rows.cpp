#include "engine/text/hex_rows.hpp"

#include <cstdio>

namespace sockstep {

std::vector<HexRow> hex_rows(std::string_view bytes, std::size_t per_row) {
  std::vector<HexRow> rows;
  if (per_row == 0) return rows;
  for (std::size_t offset = 0; offset < bytes.size(); offset += per_row) {
    HexRow row;
    row.offset = offset;
    for (std::size_t i = 0; i < per_row; ++i) {
      if (i > 0) row.hex += ' ';
      if (offset + i < bytes.size()) {
        const auto c = static_cast<unsigned char>(bytes[offset + i]);
        char pair[3];
        std::snprintf(pair, sizeof pair, "%02x", c);
        row.hex += pair;
        row.ascii += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
      } else {
        row.hex += "  ";
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string format_hex_row(const HexRow& row) {
  char offset[16];
  std::snprintf(offset, sizeof offset, "%08zx", row.offset);
  return std::string(offset) + "  " + row.hex + "  " + row.ascii;
}

}  // namespace sockstep
