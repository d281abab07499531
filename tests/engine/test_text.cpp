#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

#include "engine/log/address.hpp"
#include "engine/text/errno_names.hpp"
#include "engine/log/event_log.hpp"
#include "engine/text/hex_rows.hpp"
#include "engine/text/py_text.hpp"
#include "engine/lesson/py_value.hpp"
#include "engine/sockets/socket_ops.hpp"

using namespace sockstep;

TEST_CASE("a str is shown the way Python's repr() shows it, and printed without its quotes") {
  CHECK(python_str_repr("localhost") == "'localhost'");
  CHECK(python_str_repr("it's") == "\"it's\"");
  CHECK(python_str_repr("a'b\"c") == "'a\\'b\"c'");
  CHECK(python_str_repr("a\tb\\") == "'a\\tb\\\\'");
  CHECK(python_str_repr("你") == "'你'");
  CHECK(python_str_repr("\x01\x7f") == "'\\x01\\x7f'");
  const PyValue name{PyValue::Kind::Str, "localhost", {}, 0};
  CHECK(name.repr() == "'localhost'");
  CHECK(name.str() == "localhost");
}

TEST_CASE("bytes are shown the way Python prints them") {
  CHECK(python_bytes_repr("hello") == "b'hello'");
  CHECK(python_bytes_repr("HELLO") == "b'HELLO'");
  CHECK(python_bytes_repr("") == "b''");
  CHECK(python_bytes_repr(std::string("\x00\xff\n", 3)) == "b'\\x00\\xff\\n'");
  CHECK(python_bytes_repr("it's") == "b\"it's\"");
  CHECK(python_bytes_repr("a'b\"c") == "b'a\\'b\"c'");
  CHECK(python_bytes_repr("\\") == "b'\\\\'");
  CHECK(python_bytes_repr("你") == "b'\\xe4\\xbd\\xa0'");
  // Every byte value, as Python 3 prints repr(bytes(range(256))).
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  CHECK(python_bytes_repr(all) ==
        "b'\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\t\\n\\x0b\\x0c\\r\\x0e\\x0f\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f !\"#$%&\\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\\x7f\\x80\\x81\\x82\\x83\\x84\\x85\\x86\\x87\\x88\\x89\\x8a\\x8b\\x8c\\x8d\\x8e\\x8f\\x90\\x91\\x92\\x93\\x94\\x95\\x96\\x97\\x98\\x99\\x9a\\x9b\\x9c\\x9d\\x9e\\x9f\\xa0\\xa1\\xa2\\xa3\\xa4\\xa5\\xa6\\xa7\\xa8\\xa9\\xaa\\xab\\xac\\xad\\xae\\xaf\\xb0\\xb1\\xb2\\xb3\\xb4\\xb5\\xb6\\xb7\\xb8\\xb9\\xba\\xbb\\xbc\\xbd\\xbe\\xbf\\xc0\\xc1\\xc2\\xc3\\xc4\\xc5\\xc6\\xc7\\xc8\\xc9\\xca\\xcb\\xcc\\xcd\\xce\\xcf\\xd0\\xd1\\xd2\\xd3\\xd4\\xd5\\xd6\\xd7\\xd8\\xd9\\xda\\xdb\\xdc\\xdd\\xde\\xdf\\xe0\\xe1\\xe2\\xe3\\xe4\\xe5\\xe6\\xe7\\xe8\\xe9\\xea\\xeb\\xec\\xed\\xee\\xef\\xf0\\xf1\\xf2\\xf3\\xf4\\xf5\\xf6\\xf7\\xf8\\xf9\\xfa\\xfb\\xfc\\xfd\\xfe\\xff'");
}

TEST_CASE("upper() changes ASCII letters only, like bytes.upper()") {
  CHECK(ascii_upper("hello, World 1!") == "HELLO, WORLD 1!");
  CHECK(ascii_upper("\xe4\xbd\xa0") == "\xe4\xbd\xa0");
}

TEST_CASE("socket options are named at their own level") {
  CHECK(sockopt_text(SOL_SOCKET, SO_REUSEADDR) == "SOL_SOCKET, SO_REUSEADDR");
  CHECK(sockopt_text(IPPROTO_TCP, TCP_NODELAY) == "IPPROTO_TCP, TCP_NODELAY");
  CHECK(sockopt_text(SOL_SOCKET, 1) == "SOL_SOCKET, 1");  // SO_DEBUG has no name here, and is not TCP_NODELAY
  CHECK(sockopt_text(999, 7) == "999, 7");
}

TEST_CASE("errno names and messages") {
  CHECK(errno_name(ECONNREFUSED) == "ECONNREFUSED");
  CHECK(errno_name(0).empty());
  CHECK(errno_name(9999) == "E9999");
  CHECK(errno_from_name("EADDRINUSE") == EADDRINUSE);
  CHECK_FALSE(errno_from_name("ENOPE").has_value());
  CHECK(errno_message(EPIPE) == "Broken pipe");
}

TEST_CASE("every errno sockstep names has a Chinese message, and English stays strerror's") {
  for (const int err : known_errnos()) {
    CAPTURE(errno_name(err));
    CHECK(errno_has_chinese_message(err));
    const std::string zh = errno_message(err, true);
    // Chinese text is UTF-8 beyond ASCII; the English one is strerror's (or gai_strerror's).
    CHECK(std::any_of(zh.begin(), zh.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
    CHECK(errno_message(err, false) == errno_message(err));
  }
  CHECK(errno_message(ECONNREFUSED, true) == "拒绝连接");
  CHECK(errno_message(9999, true) == errno_message(9999));  // no table entry: English
  CHECK(errno_message(0, true).empty());
}


TEST_CASE("EAGAIN, EINPROGRESS, EALREADY and ECANCELED report a wait; refusals and resets are failures") {
  for (int err : {EAGAIN, EINPROGRESS, EALREADY, ECANCELED}) CHECK(errno_reports_a_wait(err));
  for (int err : {0, ECONNREFUSED, ECONNRESET, EPIPE, EADDRINUSE, ETIMEDOUT}) CHECK_FALSE(errno_reports_a_wait(err));
}

TEST_CASE("addresses print as a learner reads them and survive a round trip") {
  const Address v4{AF_INET, "127.0.0.1", 8084, {}};
  CHECK(v4.to_string() == "127.0.0.1:8084");
  CHECK(v4.python_repr() == "('127.0.0.1', 8084)");
  const Address v6{AF_INET6, "::1", 8084, {}};
  CHECK(v6.to_string() == "[::1]:8084");
  for (const Address& a : {v4, v6, Address{AF_UNIX, {}, 0, "/tmp/x.sock"}, Address{AF_UNIX, {}, 0, "@abstract"}}) {
    const auto sa = to_sockaddr(a);
    REQUIRE(sa.has_value());
    const Address back = from_sockaddr(sa->get(), sa->length);
    CHECK(back.to_string() == a.to_string());
  }
  CHECK_FALSE(to_sockaddr(Address{AF_INET, "not-an-ip", 1, {}}).has_value());
  CHECK(family_from_name("AF_INET6") == AF_INET6);
  CHECK(socktype_name(SOCK_DGRAM) == "SOCK_DGRAM");
}

TEST_CASE("hex rows: offset, hex pairs, printable text") {
  const auto rows = hex_rows("hello\x01world, a longer line", 16);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].hex.substr(0, 14) == "68 65 6c 6c 6f");
  CHECK(rows[0].ascii.substr(0, 7) == "hello.w");
  CHECK(rows[1].offset == 16);
  CHECK(rows[1].hex.size() == rows[0].hex.size());
  CHECK(format_hex_row(rows[1]).rfind("00000010  ", 0) == 0);
}

TEST_CASE("the event log is bounded by count and by bytes, and readers follow incrementally") {
  EventLog log(EventLogLimits{100, 16, 1000});
  for (int i = 0; i < 250; ++i) {
    Event e;
    e.call = Call::Send;
    e.bytes = std::string(40, 'x');
    log.append(std::move(e));
  }
  CHECK(log.size() <= 100);
  CHECK(log.stored_bytes() <= 1000);
  const auto all = log.all();
  CHECK(all.back().seq == 250);
  CHECK(all.back().bytes.size() == 16);      // capped per event
  CHECK(all.back().byte_count == 40);        // the real count is kept
  CHECK(all.back().capped());
  std::vector<Event> tail;
  const auto next = log.copy_since(248, tail);
  CHECK(tail.size() == 3);
  CHECK(next == 251);
  const auto generation = log.generation();
  log.clear();
  CHECK(log.size() == 0);
  CHECK(log.generation() != generation);
}

TEST_CASE("the event log keeps order when it drops by bytes and then grows again") {
  EventLog log(EventLogLimits{8, 100, 100});
  auto add = [&](std::size_t size) {
    Event e;
    e.bytes = std::string(size, 'b');
    return log.append(std::move(e));
  };
  for (int i = 0; i < 3; ++i) add(40);  // the third drops the first: 120 > 100 bytes
  CHECK(log.size() == 2);
  for (int i = 0; i < 10; ++i) add(1);  // small ones grow the ring past its old size
  const auto all = log.all();
  REQUIRE(all.size() == 8);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i].seq == all[i - 1].seq + 1);
  CHECK(all.back().seq == 13);
  CHECK(log.stored_bytes() == 8);
  std::vector<Event> tail;
  CHECK(log.copy_since(12, tail) == 14);
  CHECK(tail.size() == 2);
}
