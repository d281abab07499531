#include "engine/sockets/wire_effect.hpp"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace sockstep {
namespace {

// The TCP state, or -1 when fd is no TCP socket.
int tcp_state(int fd) {
  int type = 0;
  socklen_t length = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM) return -1;
  int protocol = 0;
  length = sizeof protocol;
  if (::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &length) != 0 || protocol != IPPROTO_TCP) return -1;
  tcp_info info{};
  length = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
  return info.tcpi_state;
}

// A FIN has not gone out yet and there is a peer to send one to.
bool fin_still_to_send(int state) { return state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT || state == TCP_SYN_RECV; }

}  // namespace

CloseFacts close_facts(int fd) {
  CloseFacts facts;
  facts.tcp_state = tcp_state(fd);
  if (facts.tcp_state < 0) return facts;
  linger l{};
  socklen_t length = sizeof l;
  facts.abortive = ::getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &length) == 0 && l.l_onoff != 0 && l.l_linger == 0;
  if (::ioctl(fd, SIOCINQ, &facts.unread) != 0) facts.unread = 0;
  return facts;
}

WireEffect close_effect(const CloseFacts& facts) {
  const int state = facts.tcp_state;
  if (state < 0 || state == TCP_LISTEN || state == TCP_CLOSE || state == TCP_SYN_SENT) return WireEffect::None;
  // tcp_close(): unread data resets the connection; a zero linger time disconnects it,
  // which resets it in the states tcp_need_reset() lists; otherwise a FIN goes out
  // unless one already did.
  const bool need_reset = state == TCP_ESTABLISHED || state == TCP_CLOSE_WAIT || state == TCP_FIN_WAIT1 ||
                          state == TCP_FIN_WAIT2 || state == TCP_SYN_RECV;
  if (facts.unread > 0 || (facts.abortive && need_reset)) return WireEffect::Rst;
  return fin_still_to_send(state) ? WireEffect::Fin : WireEffect::None;
}

WireEffect shutdown_effect(const CloseFacts& facts, int how) {
  if (how == SHUT_RD) return WireEffect::None;
  return fin_still_to_send(facts.tcp_state) ? WireEffect::Fin : WireEffect::None;
}

WireEffect close_effect(int fd) { return close_effect(close_facts(fd)); }

WireEffect shutdown_effect(int fd, int how) { return how == SHUT_RD ? WireEffect::None : shutdown_effect(close_facts(fd), how); }

}  // namespace sockstep
