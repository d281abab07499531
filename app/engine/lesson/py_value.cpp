#include "engine/lesson/py_value.hpp"

#include "engine/text/py_text.hpp"

namespace sockstep {

std::string PyValue::repr() const {
  switch (kind) {
    case Kind::Bytes: return python_bytes_repr(bytes);
    case Kind::Address: return address.python_repr();
    case Kind::Int: return std::to_string(number);
    case Kind::Str: return python_str_repr(bytes);
    case Kind::Text: return bytes;
  }
  return "None";
}

std::string PyValue::str() const { return kind == Kind::Str ? bytes : repr(); }

}  // namespace sockstep
