#pragma once
// The characters a window needs glyphs for, noted before the atlas is built: the
// interface's own strings and those of a lesson. The app and the display-less tests
// build their fonts from the same lists.
#include "engine/lesson/lesson.hpp"
#include "ui/fonts.hpp"

namespace sockstep::ui {

// Interface strings of both languages, errno texts and live roles, headlines big.
void note_interface_text(FontManager& fonts);
// A lesson's text in both languages: its title and metaphors also in the big font.
void note_lesson_text(FontManager& fonts, const Lesson& lesson);

}  // namespace sockstep::ui
