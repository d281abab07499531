#pragma once
#include <string>

namespace sockstep::ui {

struct GuiOptions {
  std::string lesson;  // id or path; "" opens the last lesson, else the first
  std::string lang = "en";  // "" keeps the language the settings remember
  int steps = -1;      // steps to take before the first frame; -1 restores the saved step
  std::string screenshot;   // write this PNG after the steps, then exit
};

// 0 ok; 1 no display (one line naming DISPLAY and `xvfb-run -a`) or runtime error;
// 2 bad input (unknown lesson or language, malformed lesson, too many steps).
int run_gui(const GuiOptions& options);

}  // namespace sockstep::ui
