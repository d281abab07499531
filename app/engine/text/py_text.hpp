#pragma once
#include <string>
#include <string_view>

namespace sockstep {

// What Python prints for a bytes object: b'hello', b'\x00\xff', b"it's".
[[nodiscard]] std::string python_bytes_repr(std::string_view bytes);
// What Python shows for a str: 'localhost', "it's", 'a\\tb' (other characters as they are).
[[nodiscard]] std::string python_str_repr(std::string_view text);
// bytes.upper(): ASCII letters only, like Python.
[[nodiscard]] std::string ascii_upper(std::string_view bytes);

}  // namespace sockstep
