#include "engine/lesson/reference_cards.hpp"

#include <filesystem>
#include <toml++/toml.h>

#include "engine/text/errno_names.hpp"
#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"

namespace sockstep {
namespace {

class CardReader {
 public:
  explicit CardReader(std::string file) : file_(std::move(file)) {}

  std::vector<ReferenceCard> read() {
    toml::table root;
    try {
      root = toml::parse_file(file_);
    } catch (const toml::parse_error& e) {
      throw LessonError(at(e.source().begin), std::string(e.description()), "the file is not valid TOML");
    }
    const auto* cards = root.get_as<toml::array>("card");
    if (cards == nullptr) throw LessonError(SourcePos{file_, 1, 1}, "no [[card]] tables", "add [[card]]");
    std::vector<ReferenceCard> out;
    for (const auto& node : *cards) {
      const auto* t = node.as_table();
      if (t == nullptr) throw LessonError(at(node.source().begin), "a card must be a table", "write [[card]]");
      only(*t, {"call", "c", "python", "summary", "blocks", "error"});
      ReferenceCard card;
      card.call = string(*t, "call", node);
      if (find_card(out, card.call) != nullptr)
        throw LessonError(at(node.source().begin), "two cards for " + card.call, "keep one");
      card.c_signature = string(*t, "c", node);
      card.python = string(*t, "python", node);
      card.summary = text(*t, "summary", node);
      card.blocks = text(*t, "blocks", node);
      if (const auto* errors = t->get_as<toml::array>("error")) {
        for (const auto& e : *errors) {
          const auto* et = e.as_table();
          if (et == nullptr) throw LessonError(at(e.source().begin), "an error must be a table", "write [[card.error]]");
          only(*et, {"name", "python", "meaning"});
          CardError error;
          error.name = string(*et, "name", e);
          if (!errno_from_name(error.name))
            throw LessonError(at(e.source().begin), "unknown errno name '" + error.name + "'", "use a name like EADDRINUSE");
          error.python = text(*et, "python", e);
          error.meaning = text(*et, "meaning", e);
          card.errors.push_back(std::move(error));
        }
      }
      out.push_back(std::move(card));
    }
    return out;
  }

 private:
  SourcePos at(const toml::source_position& p) const {
    return SourcePos{file_, static_cast<int>(p.line), static_cast<int>(p.column)};
  }

  void only(const toml::table& t, std::initializer_list<const char*> keys) const {
    for (auto&& [k, v] : t) {
      bool known = false;
      for (const char* key : keys) known = known || k.str() == key;
      if (!known) throw LessonError(at(k.source().begin), "unknown key '" + std::string(k.str()) + "'", "check the spelling");
    }
  }

  std::string string(const toml::table& t, const char* key, const toml::node& where) const {
    const auto* s = t.get_as<std::string>(key);
    if (s == nullptr || s->get().empty())
      throw LessonError(at(where.source().begin), std::string("missing '") + key + "'", "every card names it");
    return s->get();
  }

  Text text(const toml::table& t, const char* key, const toml::node& where) const {
    const auto* sub = t.get_as<toml::table>(key);
    if (sub == nullptr)
      throw LessonError(at(where.source().begin), std::string("missing '") + key + "'",
                        std::string("write ") + key + " = { en = \"...\", zh = \"...\" }");
    Text out;
    out.en = sub->get_as<std::string>("en") ? sub->get_as<std::string>("en")->get() : "";
    out.zh = sub->get_as<std::string>("zh") ? sub->get_as<std::string>("zh")->get() : "";
    if (out.en.empty() || out.zh.empty())
      throw LessonError(at(sub->source().begin), std::string("'") + key + "' needs both en and zh", "write both languages");
    return out;
  }

  std::string file_;
};

}  // namespace

std::vector<ReferenceCard> load_reference_cards(const std::string& path) { return CardReader(path).read(); }

std::string reference_cards_path() {
  for (const auto& dir : lesson_dirs()) {
    const auto file = std::filesystem::path(dir) / "reference" / "cards.toml";
    std::error_code ec;
    if (std::filesystem::is_regular_file(file, ec)) return file.string();
  }
  return {};
}

const ReferenceCard* find_card(const std::vector<ReferenceCard>& cards, const std::string& call) {
  for (const auto& card : cards)
    if (card.call == call) return &card;
  return nullptr;
}

std::optional<ReferenceCard> reference_card(const std::string& call) {
  const std::string path = reference_cards_path();
  if (path.empty()) return std::nullopt;
  try {
    const auto cards = load_reference_cards(path);
    if (const auto* card = find_card(cards, call)) return *card;
  } catch (const LessonError&) {
    // A broken card file must not stop a lesson; the loader test reports it.
  }
  return std::nullopt;
}

}  // namespace sockstep
