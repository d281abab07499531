#include "ui/screenshot.hpp"

#include <GL/gl.h>
#include <stb_image_write.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace sockstep::ui {

bool write_screenshot(const std::string& path, int width, int height, std::string* error) {
  if (width <= 0 || height <= 0) {
    if (error != nullptr) *error = "the window has no size";
    return false;
  }
  const auto stride = static_cast<std::size_t>(width) * 4;
  std::vector<std::uint8_t> pixels(stride * static_cast<std::size_t>(height));
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  // GL's rows run bottom-up; PNG's top-down.
  std::vector<std::uint8_t> row(stride);
  for (int y = 0; y < height / 2; ++y) {
    std::uint8_t* a = pixels.data() + static_cast<std::size_t>(y) * stride;
    std::uint8_t* b = pixels.data() + static_cast<std::size_t>(height - 1 - y) * stride;
    std::memcpy(row.data(), a, stride);
    std::memcpy(a, b, stride);
    std::memcpy(b, row.data(), stride);
  }
  // The framebuffer's alpha is not meant to be seen: make every pixel opaque.
  for (std::size_t i = 3; i < pixels.size(); i += 4) pixels[i] = 255;
  if (stbi_write_png(path.c_str(), width, height, 4, pixels.data(), static_cast<int>(stride)) == 0) {
    if (error != nullptr) *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace sockstep::ui
