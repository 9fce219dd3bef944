/// \file
/// \brief Seeds of the FAPI message fuzzer (tests/fuzz/seeds/fapi_message): one valid buffer per
/// message type, plus multi-message, PRACH, SRS and appended-bytes buffers.
#pragma once

#include <string>

namespace airan::fuzz {

/// Writes the FAPI message fuzzer's seed files into \p dir.
void write_fapi_message_seeds(const std::string& dir);

} // namespace airan::fuzz
