// libFuzzer target for the YAML scenario parser: any text must parse or raise ConfigError.
#include "airan/io/pusch_config_file.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) {
    return 0; // yaml-cpp's recursion on deeply nested input is not what is under test here
  }
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto scenario = airan::io::parse_slot_scenario(text, "fuzz");
    if (scenario.pusch.empty()) {
      __builtin_trap(); // a parsed scenario always has at least one PUSCH
    }
  } catch (const airan::io::ConfigError&) {
  }
  return 0;
}
