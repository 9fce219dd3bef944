// libFuzzer target for the MATLAB PUSCH case parser (config.json): any text must parse into a
// configuration or raise a std::exception with a message, and a parsed configuration must survive
// validate().
#include "airan/apps/pusch_case.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto c = airan::apps::parse_pusch_case(text);
    (void)c.pusch.validate(c.cell);
  } catch (const std::exception&) { // runtime_error or invalid_argument, with a message
  }
  return 0;
}
