#include "engine/lesson/guarded_toml.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

namespace sockstep {

FileError::FileError(SourcePos pos, std::string message, std::string hint)
    // Line 0: a mistake of the whole file (unreadable, too large), which has no position.
    : std::runtime_error(pos.file +
                         (pos.line > 0 ? ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) : "") +
                         ": " + message + (hint.empty() ? "" : " (hint: " + hint + ")")),
      pos_(std::move(pos)),
      message_(std::move(message)),
      hint_(std::move(hint)) {}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

// "did you mean 'metaphor'?" when a known word is close, else the list of known words.
std::string suggest(const std::string& wrong, const std::vector<std::string>& known) {
  const std::string* best = nullptr;
  std::size_t best_distance = 3;
  for (const auto& k : known) {
    const std::size_t d = edit_distance(wrong, k);
    if (d < best_distance) {
      best_distance = d;
      best = &k;
    }
  }
  if (best != nullptr) return "did you mean '" + *best + "'?";
  return "expected one of: " + join(known);
}

namespace {

// toml++ 3.3 reaches __builtin_unreachable() (undefined behaviour) when it asks whether
// a code point from U+00A1 to U+0499 (Latin-1 signs, Greek, Cyrillic), U+2C5E to U+3057
// (CJK punctuation such as 。and 「) or U+FB26 to U+FEFE (compatibility and small forms
// such as ﹐) is whitespace, which it does for each
// character of a key and of text outside strings. The parser gets those code points moved
// to plane 15 (private use: never whitespace, never a bare key) and every key and string
// of the parsed tree gets them back. Found by tests/fuzz.
constexpr char32_t kShieldBase = 0xF0000;

bool shielded(char32_t c) {
  return (c >= 0xA1 && c <= 0x499) || (c >= 0x2C5E && c <= 0x3057 && c != 0x3000) || (c >= 0xFB26 && c <= 0xFEFE);
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x800) {
    out += {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
  } else if (c < 0x10000) {
    out += {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
            static_cast<char>(0x80 | (c & 0x3F))};
  } else {
    out += {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
            static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
  }
}

// The code point of the well-formed 2-, 3- or 4-byte sequence at text[i] and its length;
// {0, 0} for anything else (ASCII, stray or truncated bytes are left to the parser).
std::pair<char32_t, std::size_t> utf8_at(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char b0 = byte(0);
  const std::size_t n = (b0 & 0xE0u) == 0xC0u ? 2 : (b0 & 0xF0u) == 0xE0u ? 3 : (b0 & 0xF8u) == 0xF0u ? 4 : 0;
  if (n == 0 || i + n > text.size()) return {0, 0};
  char32_t c = b0 & (0x7Fu >> n);
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xC0u) != 0x80u) return {0, 0};
    c = (c << 6) | (byte(k) & 0x3Fu);
  }
  return {c, n};
}

std::string shield(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto [c, n] = utf8_at(text, i);
    if (n != 0 && n < 4 && shielded(c)) {
      append_utf8(out, kShieldBase + c);
      i += n;
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::string unshield(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto [c, n] = utf8_at(text, i);
    if (n == 4 && c > kShieldBase && shielded(c - kShieldBase)) {
      append_utf8(out, c - kShieldBase);
      i += n;
    } else {
      out += text[i++];
    }
  }
  return out;
}

void unshield(toml::node& node) {
  if (auto* s = node.as_string()) {
    s->get() = unshield(s->get());
  } else if (auto* array = node.as_array()) {
    for (auto& item : *array) unshield(item);
  } else if (auto* table = node.as_table()) {
    std::vector<toml::key> moved;
    for (auto&& [key, value] : *table) {
      unshield(value);
      if (unshield(key.str()) != key.str()) moved.push_back(key);
    }
    for (const auto& key : moved) {
      auto it = table->find(key.str());
      const toml::key fixed(unshield(key.str()), key.source());
      it->second.visit([&](auto&& value) { table->insert_or_assign(fixed, std::move(value)); });
      table->erase(key.str());
    }
  }
}

// A lesson is a few levels deep (root, [[step]], [step.predict], its choices, `when`).
// Deeper input is refused before anything walks it: toml++ and this loader recurse per
// level, and a 50 KB dotted key 25,000 levels deep would overflow the stack.
constexpr int kMaxDepth = 32;
// Dots outside strings and comments on one line: each dot of a dotted key (a.b.c = 1)
// makes a table inside a table. Counted in the text, before the parser builds (and,
// on a parse error, tears down) a tree it would recurse through.
constexpr int kMaxDotsPerLine = 64;

// The position of the first line that has more dots outside strings than allowed.
std::optional<std::pair<int, int>> too_many_dots(std::string_view text) {
  enum class In { Code, Comment, Basic, Literal, MultiBasic, MultiLiteral } in = In::Code;
  int line = 1, column = 0, dots = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      dots = 0;
      if (in == In::Comment || in == In::Basic || in == In::Literal) in = In::Code;  // a broken string ends here
      continue;
    }
    const auto starts = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
    switch (in) {
      case In::Code:
        if (c == '#') in = In::Comment;
        else if (starts("\"\"\"")) in = In::MultiBasic, i += 2, column += 2;
        else if (starts("'''")) in = In::MultiLiteral, i += 2, column += 2;
        else if (c == '"') in = In::Basic;
        else if (c == '\'') in = In::Literal;
        else if (c == '.' && ++dots > kMaxDotsPerLine) return std::pair{line, column};
        break;
      case In::Comment: break;
      case In::Basic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') ++i, ++column;
        else if (c == '"') in = In::Code;
        break;
      case In::Literal:
        if (c == '\'') in = In::Code;
        break;
      case In::MultiBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') ++i, ++column;
        else if (starts("\"\"\"")) in = In::Code, i += 2, column += 2;
        break;
      case In::MultiLiteral:
        if (starts("'''")) in = In::Code, i += 2, column += 2;
        break;
    }
  }
  return std::nullopt;
}

// The first node deeper than kMaxDepth, found without recursion; nullptr if none.
const toml::node* too_deep(const toml::node& root) {
  std::vector<std::pair<const toml::node*, int>> pending{{&root, 0}};
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (depth > kMaxDepth) return node;
    if (const auto* table = node->as_table())
      for (auto&& [key, value] : *table) pending.emplace_back(&value, depth + 1);
    else if (const auto* array = node->as_array())
      for (const auto& item : *array) pending.emplace_back(&item, depth + 1);
  }
  return nullptr;
}

// Empties a tree level by level, so that destroying it never recurses deeper than one.
void tear_down(toml::table& root) {
  std::vector<toml::table> tables;
  std::vector<toml::array> arrays;
  tables.push_back(std::move(root));
  while (!tables.empty() || !arrays.empty()) {
    const auto take = [&](toml::node& child) {
      if (auto* t = child.as_table()) tables.push_back(std::move(*t));
      else if (auto* a = child.as_array()) arrays.push_back(std::move(*a));
    };
    if (!tables.empty()) {
      toml::table t = std::move(tables.back());
      tables.pop_back();
      for (auto&& [key, value] : t) take(value);
    } else {
      toml::array a = std::move(arrays.back());
      arrays.pop_back();
      for (auto& item : a) take(item);
    }
  }
}


SourcePos position(const std::string& file, const toml::source_position& p) {
  return SourcePos{file, static_cast<int>(p.line), static_cast<int>(p.column)};
}

}  // namespace

toml::table parse_guarded_toml(const std::string& text, const std::string& file, const std::string& depth_hint) {
  if (const auto at = too_many_dots(text))
    throw FileError(SourcePos{file, at->first, at->second},
                    "nested too deep: more than " + std::to_string(kMaxDotsPerLine) + " dots on one line outside strings",
                    depth_hint);
  toml::table root;
  try {
    root = toml::parse(shield(text), file);
  } catch (const toml::parse_error& e) {
    throw FileError(position(file, e.source().begin), unshield(e.description()), "the file is not valid TOML");
  }
  if (const toml::node* deep = too_deep(root)) {
    const SourcePos where = position(file, deep->source().begin);
    tear_down(root);
    throw FileError(where, "nested more than " + std::to_string(kMaxDepth) + " levels deep", depth_hint);
  }
  unshield(root);
  return root;
}

}  // namespace sockstep
