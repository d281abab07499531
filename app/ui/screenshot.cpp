#include "ui/screenshot.hpp"

#include <GL/gl.h>
#include <stb_image_write.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
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
  // Written through a descriptor of our own, so that a full disk or an I/O error is
  // seen (stdio's buffered write would drop it) and the screenshot fails with its cause.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (error != nullptr) *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  struct Sink {
    int fd;
    int err = 0;
  } sink{fd};
  const auto put = [](void* context, void* data, int size) {
    auto* to = static_cast<Sink*>(context);
    const auto* bytes = static_cast<const char*>(data);
    for (int done = 0; to->err == 0 && done < size;) {
      const ssize_t n = ::write(to->fd, bytes + done, static_cast<std::size_t>(size - done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) to->err = n < 0 ? errno : EIO;
      else done += static_cast<int>(n);
    }
  };
  const int encoded = stbi_write_png_to_func(put, &sink, width, height, 4, pixels.data(), static_cast<int>(stride));
  if (::close(fd) != 0 && sink.err == 0) sink.err = errno;
  if (encoded == 0 || sink.err != 0) {
    if (error != nullptr) *error = "cannot write " + path + (sink.err != 0 ? ": " + std::string(std::strerror(sink.err)) : "");
    return false;
  }
  return true;
}

}  // namespace sockstep::ui
