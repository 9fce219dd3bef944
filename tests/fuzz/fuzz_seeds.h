/// \file
/// \brief How the fuzz targets write their own seeds: run with AIRAN_FUZZ_WRITE_SEEDS=DIR, a
/// target writes its seed files into DIR and exits (tests/fuzz/seeds/<target> does this for
/// scripts/fuzz).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <span>
#include <string>

namespace airan::fuzz {

/// With AIRAN_FUZZ_WRITE_SEEDS=DIR set: \p write(DIR) writes the seeds, then the process exits.
/// Otherwise nothing. For LLVMFuzzerInitialize().
template <typename Write> void write_seeds_when_asked(Write write) {
  if (const char* dir = std::getenv("AIRAN_FUZZ_WRITE_SEEDS"); dir != nullptr) {
    write(std::string(dir));
    std::exit(0);
  }
}

/// Writes \p bytes to the file \p path (replacing it).
inline void write_seed_file(const std::string& path, std::span<const std::uint8_t> bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

} // namespace airan::fuzz
