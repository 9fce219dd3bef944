// The replaced global operator new/delete of allocation_counter.h: every allocation through
// operator new counts, so that tests can prove a hot path allocates nothing.
#include "allocation_counter.h"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

// GCC flags the malloc/free pair inside the replaced operators once they are inlined into
// callers; here free() is exactly what matches the malloc() in operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

std::atomic<long> airan::test::allocation_counter{0};

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
