// libFuzzer target for the readers of a scenario file's other sections: `fronthaul:`, `dpdk:`
// and `cell:` (parse_fronthaul_config, parse_dpdk_config, parse_cell_section). Any text must
// parse or raise ConfigError; a parsed fronthaul or cell configuration passes its own validate().
#include "airan/io/dpdk_config.h"
#include "airan/io/fronthaul_config.h"
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
    const airan::io::FronthaulConfig fronthaul = airan::io::parse_fronthaul_config(text, "fuzz");
    if (!fronthaul.validate().empty()) {
      __builtin_trap(); // the reader returned what its own checks refuse
    }
  } catch (const airan::io::ConfigError&) {
  }
  try {
    (void)airan::io::parse_dpdk_config(text, "fuzz");
  } catch (const airan::io::ConfigError&) {
  }
  try {
    const airan::phy::CellConfig cell = airan::io::parse_cell_section(text, "fuzz");
    if (!cell.validate().empty()) {
      __builtin_trap();
    }
  } catch (const airan::io::ConfigError&) {
  }
  return 0;
}
