#include "ui/font_text.hpp"

#include <variant>

#include "engine/text/errno_names.hpp"
#include "ui/panels.hpp"
#include "ui/ui_text.hpp"

namespace sockstep::ui {

void note_interface_text(FontManager& fonts) {
  for (std::size_t i = 0; i < tx_count(); ++i) {
    fonts.note_text(tx_at(i, Lang::En));
    fonts.note_text(tx_at(i, Lang::Zh));
  }
  // Words drawn in the Chinese window that are not in the text table.
  for (const int err : known_errnos()) fonts.note_text(errno_message(err, true));
  for (const char* role : kLiveRoles) fonts.note_text(live_role_zh(role));
  for (Tx big : kHeadlineTexts) {
    fonts.note_headline(tx(big, Lang::En));
    fonts.note_headline(tx(big, Lang::Zh));
  }
}

void note_lesson_text(FontManager& fonts, const Lesson& lesson) {
  const auto both = [&](const Text& text) {
    fonts.note_text(text.en);
    fonts.note_text(text.zh);
  };
  const auto headline = [&](const Text& text) {
    fonts.note_headline(text.en);
    fonts.note_headline(text.zh);
  };
  headline(lesson.title);
  both(lesson.summary);
  for (const Listing& listing : lesson.listings) fonts.note_text(listing.code);
  for (const Step& step : lesson.steps) {
    headline(step.metaphor);
    both(step.explain);
    if (step.predict) {
      both(step.predict->question);
      for (const PredictChoice& choice : step.predict->choices) both(choice.text);
    }
    for (const auto& [key, value] : step.args) {
      if (const auto* s = std::get_if<std::string>(&value)) fonts.note_text(*s);
    }
  }
}

}  // namespace sockstep::ui
