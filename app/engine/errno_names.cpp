#include "engine/errno_names.hpp"

#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <iterator>

namespace sockstep {
namespace {

struct ErrnoEntry {
  int value;
  const char* name;
};

#define SOCKSTEP_ERRNO(e) {e, #e}
constexpr ErrnoEntry kErrnos[] = {
    SOCKSTEP_ERRNO(EPERM),        SOCKSTEP_ERRNO(ENOENT),          SOCKSTEP_ERRNO(EINTR),
    SOCKSTEP_ERRNO(EIO),          SOCKSTEP_ERRNO(EBADF),           SOCKSTEP_ERRNO(EAGAIN),
    SOCKSTEP_ERRNO(ENOMEM),       SOCKSTEP_ERRNO(EACCES),          SOCKSTEP_ERRNO(EFAULT),
    SOCKSTEP_ERRNO(EEXIST),       SOCKSTEP_ERRNO(EINVAL),          SOCKSTEP_ERRNO(EMFILE),
    SOCKSTEP_ERRNO(ENFILE),       SOCKSTEP_ERRNO(EPIPE),           SOCKSTEP_ERRNO(ENAMETOOLONG),
    SOCKSTEP_ERRNO(ENOTSOCK),     SOCKSTEP_ERRNO(EDESTADDRREQ),    SOCKSTEP_ERRNO(EMSGSIZE),
    SOCKSTEP_ERRNO(EPROTOTYPE),   SOCKSTEP_ERRNO(ENOPROTOOPT),     SOCKSTEP_ERRNO(EPROTONOSUPPORT),
    SOCKSTEP_ERRNO(ESOCKTNOSUPPORT), SOCKSTEP_ERRNO(EOPNOTSUPP),   SOCKSTEP_ERRNO(EPFNOSUPPORT),
    SOCKSTEP_ERRNO(EAFNOSUPPORT), SOCKSTEP_ERRNO(EADDRINUSE),      SOCKSTEP_ERRNO(EADDRNOTAVAIL),
    SOCKSTEP_ERRNO(ENETDOWN),     SOCKSTEP_ERRNO(ENETUNREACH),     SOCKSTEP_ERRNO(ECONNABORTED),
    SOCKSTEP_ERRNO(ECONNRESET),   SOCKSTEP_ERRNO(ENOBUFS),         SOCKSTEP_ERRNO(EISCONN),
    SOCKSTEP_ERRNO(ENOTCONN),     SOCKSTEP_ERRNO(ESHUTDOWN),       SOCKSTEP_ERRNO(ETIMEDOUT),
    SOCKSTEP_ERRNO(ECONNREFUSED), SOCKSTEP_ERRNO(EHOSTUNREACH),    SOCKSTEP_ERRNO(EALREADY),
    SOCKSTEP_ERRNO(EINPROGRESS),  SOCKSTEP_ERRNO(ECANCELED),
    // getaddrinfo's own codes (negative), as socket.gaierror reports them.
    SOCKSTEP_ERRNO(EAI_BADFLAGS), SOCKSTEP_ERRNO(EAI_NONAME),      SOCKSTEP_ERRNO(EAI_AGAIN),
    SOCKSTEP_ERRNO(EAI_FAIL),     SOCKSTEP_ERRNO(EAI_NODATA),      SOCKSTEP_ERRNO(EAI_FAMILY),
    SOCKSTEP_ERRNO(EAI_SOCKTYPE), SOCKSTEP_ERRNO(EAI_SERVICE),     SOCKSTEP_ERRNO(EAI_ADDRFAMILY),
    SOCKSTEP_ERRNO(EAI_MEMORY),   SOCKSTEP_ERRNO(EAI_SYSTEM),      SOCKSTEP_ERRNO(EAI_OVERFLOW),
    {kPythonTimeout, "timeout"},
};
#undef SOCKSTEP_ERRNO

}  // namespace

std::string errno_name(int err) {
  if (err == 0) return "";
  for (const auto& entry : kErrnos)
    if (entry.value == err) return entry.name;
  return "E" + std::to_string(err);
}

std::string errno_message(int err) {
  if (err == 0) return "";
  if (err == kPythonTimeout) return "TimeoutError: timed out; no errno, the wait was in poll";
  if (err < 0) return ::gai_strerror(err);
  char buffer[256];
  // GNU strerror_r returns the message, which may not be the buffer.
  return ::strerror_r(err, buffer, sizeof buffer);
}

bool errno_reports_a_wait(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS || err == EALREADY || err == ECANCELED;
}

std::optional<int> errno_from_name(const std::string& name) {
  if (name == "EWOULDBLOCK") return EWOULDBLOCK;
  for (const auto& entry : kErrnos)
    if (name == entry.name) return entry.value;
  return std::nullopt;
}

}  // namespace sockstep
