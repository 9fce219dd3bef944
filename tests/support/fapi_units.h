/// \file
/// \brief FAPI transport units written byte by byte (no encoder): the PHY API and generic message
/// headers of one message, with any body, for the codec tests, the L1 tests and the fuzzers.
#pragma once

#include "airan/io/fapi_types.h"

#include <cstdint>
#include <span>
#include <vector>

namespace airan::test {

/// The PHY API header (one message, \p handle) and the generic message header of a message of
/// type \p type_id with a body of \p body_size bytes.
inline std::vector<std::uint8_t> fapi_headers(std::uint16_t type_id, std::uint32_t body_size,
                                              std::uint8_t handle = 0) {
  return {1,
          handle,
          static_cast<std::uint8_t>(type_id),
          static_cast<std::uint8_t>(type_id >> 8),
          static_cast<std::uint8_t>(body_size),
          static_cast<std::uint8_t>(body_size >> 8),
          static_cast<std::uint8_t>(body_size >> 16),
          static_cast<std::uint8_t>(body_size >> 24)};
}

/// fapi_headers() followed by \p body: a unit holding that one message.
inline std::vector<std::uint8_t>
fapi_unit(std::uint16_t type_id, std::span<const std::uint8_t> body, std::uint8_t handle = 0) {
  std::vector<std::uint8_t> unit =
      fapi_headers(type_id, static_cast<std::uint32_t>(body.size()), handle);
  unit.reserve(unit.size() + body.size());
  for (std::uint8_t byte : body) { // (vector::insert of an empty range trips GCC 12's
    unit.push_back(byte);          // -Warray-bounds)
  }
  return unit;
}

/// fapi_unit() of a message of type \p type.
inline std::vector<std::uint8_t>
fapi_unit(io::FapiMessageType type, std::span<const std::uint8_t> body, std::uint8_t handle = 0) {
  return fapi_unit(static_cast<std::uint16_t>(type), body, handle);
}

} // namespace airan::test
