// The dial window's client thread, without the window: what it dials, and when.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "engine/live/dial_client.hpp"
#include "cli_support.hpp"

using namespace sockstep;
using namespace sockstep::test;

namespace {

int connects(const EventLog& log) {
  int n = 0;
  for (const Event& e : log.all()) n += e.kind == EventKind::Call && e.call == Call::Connect ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("the dial client sends its first message only if the dial went through; a message typed later dials again") {
  EventLog log;
  std::mutex mutex;
  std::condition_variable done;  // outlives the client, whose thread notifies it
  DialClient client(log, Address{AF_INET, "127.0.0.1", free_port(), {}});  // nobody listens there
  const auto wait_done = [&](int n) {
    std::unique_lock lock(mutex);
    return done.wait_for(lock, std::chrono::seconds(10), [&] { return client.done() >= n; });
  };
  client.start(
      [&] {
        std::lock_guard lock(mutex);
        done.notify_all();
      },
      std::string("nobody"));
  REQUIRE(wait_done(1));
  CHECK(connects(log) == 1);  // refused once, not dialed again for the first message
  CHECK(client.first_failed());
  client.send("again");
  REQUIRE(wait_done(2));
  CHECK(connects(log) == 2);
  client.stop();
}
