#pragma once
#include <cassert>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace sockstep {

// The bytes a call sent or received. Immutable once made, and shared, not copied, by
// the call's CallResult, its Event and every copy a reader takes of that event: on the
// bulk path each byte is copied once by the engine, not once per holder.
class Bytes {
 public:
  Bytes() = default;
  Bytes(std::string_view data);  // NOLINT: copies, as std::string does
  Bytes(const std::string& data) : Bytes(std::string_view(data)) {}  // NOLINT
  Bytes(const char* data) : Bytes(std::string_view(data)) {}         // NOLINT
  Bytes(const Bytes&) = default;
  Bytes& operator=(const Bytes&) = default;
  // A moved-from Bytes is empty, not a size without a buffer.
  Bytes(Bytes&& other) noexcept
      : buffer_(std::move(other.buffer_)), size_(std::exchange(other.size_, 0)), room_(std::exchange(other.room_, 0)) {}
  Bytes& operator=(Bytes&& other) noexcept {
    buffer_ = std::move(other.buffer_);
    size_ = std::exchange(other.size_, 0);
    room_ = std::exchange(other.room_, 0);
    return *this;
  }

  // Room for a call to write into: `room` bytes, not zeroed. Write through writable(),
  // then keep(n) the first n, before the Bytes is copied.
  [[nodiscard]] static Bytes with_room(std::size_t room);
  [[nodiscard]] char* writable() {
    assert(buffer_.use_count() <= 1 && "Bytes are immutable once shared");
    return buffer_.get();
  }
  // Keeps the first n bytes written, then fit(): a short message never holds on to a
  // large buffer.
  void keep(std::size_t n);
  // Leaves these bytes in a buffer at most twice their size: when most of the buffer
  // they share is not theirs (after keep() or prefix()), they move to a copy.
  void fit() {
    if (footprint() > 2 * size_) *this = Bytes(view());
  }

  [[nodiscard]] const char* data() const { return buffer_.get(); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  // The memory the buffer holds, which keep() and prefix() may leave larger than size():
  // what the event log counts against its cap.
  [[nodiscard]] std::size_t footprint() const { return buffer_ ? room_ : 0; }
  [[nodiscard]] std::string_view view() const { return {data(), size_}; }
  operator std::string_view() const { return view(); }  // NOLINT: read like a string
  [[nodiscard]] std::string_view substr(std::size_t pos, std::size_t n = std::string_view::npos) const {
    return view().substr(pos, n);
  }
  [[nodiscard]] std::string str() const { return std::string(view()); }
  // The first n bytes, sharing this buffer.
  [[nodiscard]] Bytes prefix(std::size_t n) const {
    Bytes out = *this;
    if (n < out.size_) out.size_ = n;
    return out;
  }
  [[nodiscard]] const char* begin() const { return data(); }
  [[nodiscard]] const char* end() const { return data() + size_; }

  friend bool operator==(const Bytes& a, std::string_view b) { return a.view() == b; }

 private:
  std::shared_ptr<char[]> buffer_;  // null when empty
  std::size_t size_ = 0;
  std::size_t room_ = 0;  // the buffer's size
};

}  // namespace sockstep
