// doctest's runner, compiled once and linked into every test program: its
// implementation is the largest part of any test build.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
