/// \file
/// \brief Integer literals as every airan input reads them (YAML configs, command-line options):
/// YAML 1.2's core schema, where a leading 0 is still decimal.
#pragma once

#include <charconv>
#include <string_view>
#include <system_error>

namespace airan::io {

/// The magnitude of an integer literal without its sign: decimal digits, or 0x (hex) or 0o
/// (octal) and digits. A leading 0 is decimal ("010" is 10, not the 8 of YAML 1.1 and C's
/// strtol). False when \p digits is not one or does not fit.
inline bool parse_integer_magnitude(std::string_view digits, unsigned long long& value) {
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o')) {
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  if (digits.empty()) {
    return false;
  }
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  return error == std::errc() && end == digits.data() + digits.size();
}

} // namespace airan::io
