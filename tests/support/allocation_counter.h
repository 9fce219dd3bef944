/// \file
/// \brief Replaces the global operator new/delete of a test program so that tests can prove a
/// hot path allocates nothing: read allocation_count() before and after. Include it in exactly
/// one source file of a test program (every tests/**/*_test.cpp is its own program).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace airan::test {

/// Heap allocations made through operator new since the program started.
inline std::atomic<long> allocation_counter{0};

inline long allocation_count() {
  return allocation_counter.load();
}

} // namespace airan::test

// GCC flags the malloc/free pair inside the replaced operators once they are inlined into
// callers; here free() is exactly what matches the malloc() in operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  ++airan::test::allocation_counter;
  if (void* memory = std::malloc(size != 0 ? size : 1)) {
    return memory;
  }
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
