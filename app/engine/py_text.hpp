#pragma once
#include <string>
#include <string_view>

namespace sockstep {

// What Python prints for a bytes object: b'hello', b'\x00\xff', b"it's".
[[nodiscard]] std::string python_bytes_repr(std::string_view bytes);
// bytes.upper(): ASCII letters only, like Python.
[[nodiscard]] std::string ascii_upper(std::string_view bytes);

}  // namespace sockstep
