#include "ui/layout_weights.hpp"

namespace sockstep::ui {

LayoutWeights default_weights(bool present) {
  // Normal: a quarter of the width for the lesson, the cards across the middle.
  // Presentation: fewer panels, so the lesson gets a third and code, sequence and
  // cards share the rest (the bottom band is hidden there unless asked for).
  if (present) return {0.34f, 0.66f, 0.68f, 0.32f, 0.5f, 0.5f, 0.30f, 0.5f, 0.5f, 0.34f, 0.30f, 0.36f};
  return {0.25f, 0.75f, 0.68f, 0.32f, 0.46f, 0.29f, 0.25f, 0.56f, 0.44f, 0.34f, 0.30f, 0.36f};
}

}  // namespace sockstep::ui
