// Catch2's main, compiled once for the unit-test executables.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
