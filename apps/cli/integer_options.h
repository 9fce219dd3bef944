/// \file
/// \brief Integer command-line options read as the YAML configs read integers. CLI11 converts
/// with strtol's base 0, so "--mcs 010" was MCS 8 and "--mcs 031" MCS 25, and "-1" in an
/// unsigned 64-bit option was 2^64 - 1 ("run for ever" for a count, another seed than meant).
#pragma once

#include "airan/io/integer_literal.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace airan::cli {

/// Rewrites \p text, an integer literal (decimal, a leading 0 still decimal; 0x hex; 0o octal;
/// an optional sign, '-' only when \p is_signed), as plain decimal digits for CLI11's
/// conversion. Returns the error to report, empty when \p text is such an integer.
inline std::string to_decimal_integer(std::string& text, bool is_signed) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (negative && !is_signed) {
    return "must not be negative";
  }
  unsigned long long magnitude = 0;
  if (!io::parse_integer_magnitude(digits, magnitude)) {
    return "'" + text + "' is not an integer (decimal digits, or 0x hex, 0o octal)";
  }
  text = (negative ? "-" : "") + std::to_string(magnitude);
  return {};
}

/// True when \p option takes integers (one or several; CLI11's type names "INT" and "UINT",
/// followed by the descriptions of its validators); *\p is_signed says which.
inline bool takes_integers(const CLI::Option& option, bool* is_signed) {
  if (option.get_type_size_max() == 0) { // a flag
    return false;
  }
  const std::string type = option.get_type_name();
  for (const std::string_view name : {std::string_view("INT"), std::string_view("UINT")}) {
    if (type.compare(0, name.size(), name) == 0 &&
        (type.size() == name.size() || type[name.size()] == ':')) {
      *is_signed = name == "INT";
      return true;
    }
  }
  return false;
}

/// Makes every integer option of \p app and its sub-commands (already added) read integers with
/// to_decimal_integer(), before its own checks (ranges, sets).
inline void read_integer_options_as_decimal(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    bool is_signed = false;
    if (takes_integers(*option, &is_signed)) {
      option->transform(CLI::Validator(
          [is_signed](std::string& text) { return to_decimal_integer(text, is_signed); }, "",
          "DECIMAL_INTEGER"));
    }
  }
  for (CLI::App* command : app.get_subcommands(std::function<bool(CLI::App*)>{})) {
    read_integer_options_as_decimal(*command);
  }
}

} // namespace airan::cli
