#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/lesson/py_value.hpp"
#include "engine/sockets/socket_ops.hpp"

namespace sockstep {

// What the lesson's Python program holds and prints for a call: the value a call
// returns, the text of the exception it raises.

// The calls whose return value sockstep knows as Python's (getsockname -> a tuple,
// gethostbyname -> a str, recv -> bytes, connect_ex -> an int).
[[nodiscard]] bool python_value_printable(const std::string& call);
// That value, for a call that succeeded (connect_ex: also when it returned an errno).
[[nodiscard]] std::optional<PyValue> python_return_value(const std::string& call, const CallResult& result);
// repr() of getaddrinfo's list: [(<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_STREAM: 1>, 6, '', ('127.0.0.1', 8084))]
[[nodiscard]] std::string python_addrinfo_repr(const std::vector<AddrInfoEntry>& entries);
// str() of the exception a failed call raises: OSError "[Errno 111] Connection refused",
// socket.gaierror "[Errno -9] Address family for hostname not supported", and for a
// socket whose timeout ran out (kPythonTimeout) TimeoutError "timed out".
[[nodiscard]] std::string python_exception_str(int err);

}  // namespace sockstep
