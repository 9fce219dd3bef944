/// \file
/// \brief Private to the launch pattern parser (launch_pattern.cpp, launch_pattern_ues.cpp): the
/// YAML reader that raises PatternError with the key's path, and the parser of the `ues:` list.
#pragma once

#include "airan/io/yaml_fields.h"
#include "airan/l1/launch_pattern.h"

#include <yaml-cpp/yaml.h>

#include <set>
#include <sstream>
#include <string>

namespace airan::l1::pattern_detail {

inline std::string format_real(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

[[noreturn]] inline void raise_pattern_error(const std::string& message) {
  throw PatternError(message);
}

/// Reads a pattern's values, failing with PatternError naming the pattern and the key.
class Reader {
public:
  explicit Reader(std::string name) : context_(std::move(name), raise_pattern_error) {}
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    context_.fail(where, what);
  }
  /// Refuses a key held twice by any mapping of the file (io::yaml_fields).
  void reject_duplicate_keys(const YAML::Node& root) const {
    io::yaml_fields::reject_duplicate_keys(root, context_);
  }
  void only_keys(const YAML::Node& node, const std::string& where,
                 const std::set<std::string>& keys) const {
    if (!node.IsMap()) {
      fail(where, "expected a mapping of keys to values");
    }
    for (const auto& entry : node) {
      const auto key = entry.first.Scalar();
      if (!keys.contains(key)) {
        fail(where, "unknown key '" + key + "'");
      }
    }
  }
  unsigned long long integer(const YAML::Node& node, const std::string& where,
                             unsigned long long min, unsigned long long max) const {
    const auto value = io::yaml_fields::read_unsigned<unsigned long long>(node, where, context_);
    if (value < min || value > max) {
      fail(where, std::to_string(value) + " is outside " + std::to_string(min) + " .. " +
                      std::to_string(max));
    }
    return value;
  }
  double real(const YAML::Node& node, const std::string& where, double min, double max) const {
    const double value = io::yaml_fields::read_real(node, where, context_);
    if (value < min || value > max) {
      fail(where, node.Scalar() + " is outside " + format_real(min) + " .. " + format_real(max));
    }
    return value;
  }
  std::string word(const YAML::Node& node, const std::string& where) const {
    return io::yaml_fields::read_word(node, where, context_);
  }
  [[nodiscard]] const std::string& name() const { return context_.name(); }
  [[nodiscard]] const io::yaml_fields::Context& context() const { return context_; }

private:
  io::yaml_fields::Context context_;
};

/// The pattern's `ues:` list (\p root's), parsed and checked against the rest of \p pattern
/// (cell, antennas, channel, PRACH block), appended to pattern.ues.
void parse_pattern_ues(const YAML::Node& root, LaunchPattern& pattern, const Reader& in);

} // namespace airan::l1::pattern_detail
