/// \file
/// \brief What TdlChannel's sources share (tdl_channel.cpp, tdl_channel_fading.cpp): the
/// constant 2 pi and the error for an invalid configuration or call.
#pragma once

#include <numbers>
#include <stdexcept>
#include <string>

namespace airan::phy::tdl_detail {

inline constexpr double two_pi = 2.0 * std::numbers::pi;

/// Throws std::invalid_argument("TdlChannel: " + what).
[[noreturn]] inline void invalid(const std::string& what) {
  throw std::invalid_argument("TdlChannel: " + what);
}

} // namespace airan::phy::tdl_detail
