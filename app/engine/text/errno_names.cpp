#include "engine/text/errno_names.hpp"

#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <vector>

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
    SOCKSTEP_ERRNO(EINPROGRESS),  SOCKSTEP_ERRNO(ECANCELED),       SOCKSTEP_ERRNO(ECHILD),
    SOCKSTEP_ERRNO(ESRCH),
    // getaddrinfo's own codes (negative), as socket.gaierror reports them.
    SOCKSTEP_ERRNO(EAI_BADFLAGS), SOCKSTEP_ERRNO(EAI_NONAME),      SOCKSTEP_ERRNO(EAI_AGAIN),
    SOCKSTEP_ERRNO(EAI_FAIL),     SOCKSTEP_ERRNO(EAI_NODATA),      SOCKSTEP_ERRNO(EAI_FAMILY),
    SOCKSTEP_ERRNO(EAI_SOCKTYPE), SOCKSTEP_ERRNO(EAI_SERVICE),     SOCKSTEP_ERRNO(EAI_ADDRFAMILY),
    SOCKSTEP_ERRNO(EAI_MEMORY),   SOCKSTEP_ERRNO(EAI_SYSTEM),      SOCKSTEP_ERRNO(EAI_OVERFLOW),
    {kPythonTimeout, "timeout"},
};
#undef SOCKSTEP_ERRNO

// Chinese messages for the errnos the table names, as a Chinese reader of the man pages
// would say them; an errno without one falls back to strerror's English.
struct ChineseMessage {
  int value;
  const char* text;
};

constexpr ChineseMessage kChinese[] = {
    {EPERM, "操作不允许"},
    {ENOENT, "没有那个文件或目录"},
    {EINTR, "系统调用被信号中断"},
    {EIO, "输入/输出错误"},
    {EBADF, "错误的文件描述符"},
    {EAGAIN, "资源暂时不可用(非阻塞调用本需等待)"},
    {ENOMEM, "内存不足"},
    {ECHILD, "没有子进程"},
    {ESRCH, "没有那个进程"},
    {EACCES, "权限不够"},
    {EFAULT, "地址错误"},
    {EEXIST, "文件已存在"},
    {EINVAL, "无效的参数"},
    {EMFILE, "打开的文件过多(本进程的描述符已用完)"},
    {ENFILE, "系统中打开的文件过多"},
    {EPIPE, "断开的管道(对方已不再接收)"},
    {ENAMETOOLONG, "文件名过长"},
    {ENOTSOCK, "对非套接字进行套接字操作"},
    {EDESTADDRREQ, "需要目标地址"},
    {EMSGSIZE, "消息过长"},
    {EPROTOTYPE, "协议类型与套接字不匹配"},
    {ENOPROTOOPT, "协议不可用(没有这个选项)"},
    {EPROTONOSUPPORT, "不支持的协议"},
    {ESOCKTNOSUPPORT, "不支持的套接字类型"},
    {EOPNOTSUPP, "不支持的操作"},
    {EPFNOSUPPORT, "不支持的协议族"},
    {EAFNOSUPPORT, "协议不支持该地址族"},
    {EADDRINUSE, "地址已在使用"},
    {EADDRNOTAVAIL, "无法指定被请求的地址"},
    {ENETDOWN, "网络已关闭"},
    {ENETUNREACH, "网络不可达"},
    {ECONNABORTED, "软件导致连接中止"},
    {ECONNRESET, "连接被对方重置"},
    {ENOBUFS, "没有可用的缓冲区空间"},
    {EISCONN, "传输端点已连接"},
    {ENOTCONN, "传输端点尚未连接"},
    {ESHUTDOWN, "无法在传输端点关闭以后发送"},
    {ETIMEDOUT, "连接超时"},
    {ECONNREFUSED, "拒绝连接"},
    {EHOSTUNREACH, "没有到主机的路由"},
    {EALREADY, "操作已在进行"},
    {EINPROGRESS, "操作正在进行"},
    {ECANCELED, "操作已取消"},
    {EAI_BADFLAGS, "ai_flags 的值无效"},
    {EAI_NONAME, "未知的名称或服务"},
    {EAI_AGAIN, "暂时无法解析名称"},
    {EAI_FAIL, "名称解析中出现不可恢复的错误"},
    {EAI_NODATA, "该名称没有关联的地址"},
    {EAI_FAMILY, "不支持 ai_family"},
    {EAI_SOCKTYPE, "不支持 ai_socktype"},
    {EAI_SERVICE, "此套接字类型不支持该服务名"},
    {EAI_ADDRFAMILY, "该地址族没有这个主机名的地址"},
    {EAI_MEMORY, "内存分配失败"},
    {EAI_SYSTEM, "系统错误"},
    {EAI_OVERFLOW, "参数缓冲区溢出"},
    {kPythonTimeout, "TimeoutError: timed out(超时);没有 errno,等待发生在 poll 中"},
};

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

std::string errno_message(int err, bool zh) {
  if (!zh || err == 0) return errno_message(err);
  for (const auto& entry : kChinese)
    if (entry.value == err) return entry.text;
  return errno_message(err);
}

bool errno_has_chinese_message(int err) {
  for (const auto& entry : kChinese)
    if (entry.value == err) return true;
  return false;
}

std::vector<int> known_errnos() {
  std::vector<int> out;
  for (const auto& entry : kErrnos) out.push_back(entry.value);
  return out;
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
