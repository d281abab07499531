#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sockstep {

// One row of a hex view: "00000010  68 65 6c 6c 6f ...  hello..."
struct HexRow {
  std::size_t offset = 0;
  std::string hex;    // "68 65 6c 6c 6f", padded to the full width
  std::string ascii;  // printable ASCII, '.' for the rest
};

[[nodiscard]] std::vector<HexRow> hex_rows(std::string_view bytes, std::size_t per_row = 16);
[[nodiscard]] std::string format_hex_row(const HexRow& row);

}  // namespace sockstep
