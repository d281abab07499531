// An actor's thread runs the jobs it is handed; a job that throws ends that job, says so
// in the log, and the actor goes on with the next one.
#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>

#include "engine/sockets/actor.hpp"

using namespace sockstep;

TEST_CASE("a job that throws is an error event, and the actor takes the next job") {
  EventLog log;
  Actor actor("server", &log);
  actor.post([](OpContext&) { throw std::runtime_error("boom"); });
  bool ran = false;
  actor.post([&](OpContext&) { ran = true; });
  REQUIRE(actor.wait_idle(std::chrono::seconds(10)));
  CHECK(ran);
  CHECK(actor.status().jobs_done == 2);
  bool said = false;
  for (const Event& e : log.all())
    said = said || (e.kind == EventKind::Note && e.note == NoteKind::Error && e.actor == "server" &&
                    e.detail.find("boom") != std::string::npos && !e.args.empty());
  CHECK(said);
}

TEST_CASE("run_sync hands a job's exception back to the caller, and the actor still works") {
  EventLog log;
  Actor actor("client", &log);
  CHECK_THROWS_WITH_AS(actor.run_sync([](OpContext&) { throw std::logic_error("bad"); }), "bad", std::logic_error);
  int value = 0;
  actor.run_sync([&](OpContext&) { value = 7; });
  CHECK(value == 7);
}
