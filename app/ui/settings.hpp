#pragma once
#include <array>
#include <optional>
#include <string>

#include "ui/layout_weights.hpp"
#include "ui/panel_specs.hpp"

namespace sockstep::ui {

// What the app remembers between runs (JSON under the XDG config folder).
struct Settings {
  std::string lang = "en";
  float zoom = 1.0f;
  bool light = false;
  std::string lesson;  // lesson id
  int step = 0;
  int width = 0;       // 0: default window size
  int height = 0;
  PanelFlags visible = default_panels(false);
  LayoutWeights weights = default_weights(false);
  // Presentation mode (F5, --present): whether it was on, its zoom (0: from the window's
  // height), its own panels and splitters.
  bool present = false;
  float present_zoom = 0.0f;
  PanelFlags present_visible = default_panels(true);
  LayoutWeights present_weights = default_weights(true);
};

// $XDG_CONFIG_HOME/sockstep/settings.json, else ~/.config/sockstep/settings.json;
// "" when neither variable is set.
[[nodiscard]] std::string settings_path();
// A missing file gives defaults; a broken one gives defaults and an error text.
[[nodiscard]] Settings load_settings(const std::string& path, std::string* error);
// Writes atomically (temp file + rename) so a crash never leaves half a file.
bool save_settings(const std::string& path, const Settings& settings, std::string* error);

}  // namespace sockstep::ui
