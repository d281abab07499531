#include "engine/text/py_text.hpp"


namespace sockstep {

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";
}  // namespace

std::string python_str_repr(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c < 0x20 || c == 0x7f) {
      const char escape[4] = {'\\', 'x', kHexDigits[c >> 4], kHexDigits[c & 0xf]};
      out.append(escape, sizeof escape);
    } else {
      out.push_back(ch);  // printable, or part of a UTF-8 character Python shows as it is
    }
  }
  out.push_back(quote);
  return out;
}

std::string python_bytes_repr(std::string_view bytes) {
  // Python picks double quotes only when the data has a single quote and no double quote.
  const bool has_single = bytes.find('\'') != std::string_view::npos;
  const bool has_double = bytes.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  const auto plain = [quote](unsigned char c) { return c >= 0x20 && c < 0x7f && c != quote && c != '\\'; };
  std::string out;
  // Every echoed message is shown this way: one allocation, and printable runs copied whole.
  out.reserve(bytes.size() + 3);
  out.push_back('b');
  out.push_back(quote);
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::size_t run = i;
    while (run < bytes.size() && plain(static_cast<unsigned char>(bytes[run]))) ++run;
    out.append(bytes.data() + i, run - i);
    if (run == bytes.size()) break;
    const auto c = static_cast<unsigned char>(bytes[run]);
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else {
      const char escape[4] = {'\\', 'x', kHexDigits[c >> 4], kHexDigits[c & 0xf]};
      out.append(escape, sizeof escape);
    }
    i = run + 1;
  }
  out.push_back(quote);
  return out;
}

std::string ascii_upper(std::string_view bytes) {
  std::string out(bytes);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace sockstep
