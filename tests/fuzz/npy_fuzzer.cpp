// libFuzzer target for the .npy parser: any byte string must parse or raise NpyError, never
// crash, read out of bounds or allocate without bound.
#include "airan/io/npy.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  try {
    const auto array = airan::io::parse_npy(bytes, "fuzz");
    if (array.data.size() != array.num_elements() * airan::io::npy_dtype_size(array.dtype)) {
      __builtin_trap();
    }
  } catch (const airan::io::NpyError&) {
  }
  return 0;
}
