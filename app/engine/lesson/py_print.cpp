#include "engine/lesson/py_print.hpp"

#include <netinet/in.h>

#include "engine/text/errno_names.hpp"
#include "engine/text/py_text.hpp"

namespace sockstep {
namespace {

// Python's socket module shows these as IntEnum members.
std::string enum_repr(const char* type, const std::string& name, int value) {
  return "<" + std::string(type) + "." + name + ": " + std::to_string(value) + ">";
}

}  // namespace

bool python_value_printable(const std::string& call) {
  for (const char* known : {"getaddrinfo", "gethostbyname", "getfqdn", "getsockname", "getpeername", "connect_ex", "send",
                            "sendto", "recv", "getsockopt"})
    if (call == known) return true;
  return false;
}

std::optional<PyValue> python_return_value(const std::string& call, const CallResult& result) {
  if (call == "connect_ex") return PyValue{PyValue::Kind::Int, {}, {}, result.value};
  if (!result.ok()) return std::nullopt;
  if (call == "recv") return PyValue{PyValue::Kind::Bytes, result.bytes.str(), {}, 0};
  if (call == "send" || call == "sendto" || call == "getsockopt") return PyValue{PyValue::Kind::Int, {}, {}, result.value};
  if (call == "getsockname" || call == "getpeername") return PyValue{PyValue::Kind::Address, {}, result.address, 0};
  if (call == "gethostbyname" || call == "getfqdn") return PyValue{PyValue::Kind::Str, result.text, {}, 0};
  if (call == "getaddrinfo") return PyValue{PyValue::Kind::Text, python_addrinfo_repr(result.entries), {}, 0};
  return std::nullopt;
}

std::string python_addrinfo_repr(const std::vector<AddrInfoEntry>& entries) {
  std::string out = "[";
  for (const AddrInfoEntry& e : entries) {
    if (out.size() > 1) out += ", ";
    out += "(" + enum_repr("AddressFamily", family_name(e.family), e.family) + ", " +
           enum_repr("SocketKind", socktype_name(e.type), e.type) + ", " + std::to_string(e.protocol) +
           ", '', " + e.address.python_repr() + ")";
  }
  return out + "]";
}

std::string python_exception_str(int err) {
  if (err == kPythonTimeout) return "timed out";
  return "[Errno " + std::to_string(err) + "] " + errno_message(err);
}

}  // namespace sockstep
