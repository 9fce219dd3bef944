/// \file
/// \brief Replaces the global operator new/delete of a test program so that tests can prove a
/// hot path allocates nothing: read allocation_count() before and after. A test program one of
/// whose sources includes this header gets the replaced operators (allocation_counter.cpp).
#pragma once

#include <atomic>
#include <cstddef>

namespace airan::test {

/// Heap allocations made through operator new since the program started (defined in
/// allocation_counter.cpp: a program without the replaced operators does not link).
extern std::atomic<long> allocation_counter;

inline long allocation_count() {
  return allocation_counter.load();
}

} // namespace airan::test

// The replaced operators are defined in allocation_counter.cpp, which tests/CMakeLists.txt adds
// to every test program that has a source including this header.
