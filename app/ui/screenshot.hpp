#pragma once
#include <string>

namespace sockstep::ui {

// Reads the back buffer just rendered (before the swap) and writes it as a PNG.
bool write_screenshot(const std::string& path, int width, int height, std::string* error);

}  // namespace sockstep::ui
