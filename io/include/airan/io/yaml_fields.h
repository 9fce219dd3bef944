/// \file
/// \brief Reading typed fields from yaml-cpp nodes with errors that name the file and the key
/// path: shared by the YAML configuration parsers (scenarios, fronthaul, DPDK, FAPI launch
/// patterns). Errors are ConfigError unless a parser installs its own exception type.
#pragma once

#include "airan/io/pusch_config_file.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::io::yaml_fields {

/// Names the file in errors and raises them.
class Context {
public:
  /// Throws the exception of a parser that does not use ConfigError (it must not return).
  using Raise = void (*)(const std::string& message);

  explicit Context(std::string name, Raise raise = nullptr)
      : name_(std::move(name)), raise_(raise) {}

  /// Raises "<file>: <where>: <what>".
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    const std::string message = name_ + ": " + where + ": " + what;
    if (raise_ != nullptr) {
      raise_(message);
    }
    throw ConfigError(message);
  }

  [[nodiscard]] const std::string& name() const { return name_; }

private:
  std::string name_;
  Raise raise_;
};

template <typename T>
T read_unsigned(const YAML::Node& node, const std::string& where, const Context& ctx,
                unsigned long long max = std::numeric_limits<T>::max()) {
  if (!node.IsScalar()) {
    ctx.fail(where, "expected a number");
  }
  const std::string text = node.Scalar();
  unsigned long long value = 0;
  std::size_t used = 0;
  try {
    if (text.empty() || text.front() == '-') {
      throw std::invalid_argument(text);
    }
    value = std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    ctx.fail(where, "'" + text + "' is not a non-negative integer");
  }
  if (used != text.size()) {
    ctx.fail(where, "'" + text + "' is not a non-negative integer");
  }
  if (value > max) {
    ctx.fail(where, std::to_string(value) + " is larger than " + std::to_string(max));
  }
  return static_cast<T>(value);
}

inline bool read_bool(const YAML::Node& node, const std::string& where, const Context& ctx) {
  if (node.IsScalar()) {
    const auto& text = node.Scalar();
    if (text == "true" || text == "1") {
      return true;
    }
    if (text == "false" || text == "0") {
      return false;
    }
  }
  ctx.fail(where, "expected true or false");
}

inline std::string read_word(const YAML::Node& node, const std::string& where, const Context& ctx) {
  if (!node.IsScalar()) {
    ctx.fail(where, "expected a word");
  }
  return node.Scalar();
}

/// A mapping key as text: a scalar (a sequence or mapping used as a key is an error).
inline std::string read_key(const YAML::Node& key, const std::string& where, const Context& ctx) {
  if (!key.IsScalar()) {
    ctx.fail(where, "a key must be a plain word, not a list or mapping");
  }
  return key.Scalar();
}

/// Applies a handler per key of a map; keys without a handler are errors.
using KeyHandler = std::function<void(const YAML::Node&, const std::string&)>;
inline void for_each_key(const YAML::Node& map, const std::string& where,
                         const std::map<std::string, KeyHandler>& handlers, const Context& ctx) {
  if (!map.IsMap()) {
    ctx.fail(where, "expected a mapping of keys to values");
  }
  for (const auto& item : map) {
    const auto key = read_key(item.first, where, ctx);
    const auto handler = handlers.find(key);
    if (handler == handlers.end()) {
      ctx.fail(where, "unknown key '" + key + "'");
    }
    handler->second(item.second, where + "." + key);
  }
}

/// A signed integer in [min, max].
template <typename T>
T read_signed(const YAML::Node& node, const std::string& where, const Context& ctx,
              long long min = std::numeric_limits<T>::min(),
              long long max = std::numeric_limits<T>::max()) {
  if (!node.IsScalar()) {
    ctx.fail(where, "expected a number");
  }
  const std::string text = node.Scalar();
  long long value = 0;
  std::size_t used = 0;
  try {
    value = std::stoll(text, &used, 0);
  } catch (const std::exception&) {
    ctx.fail(where, "'" + text + "' is not an integer");
  }
  if (used != text.size()) {
    ctx.fail(where, "'" + text + "' is not an integer");
  }
  if (value < min || value > max) {
    ctx.fail(where, std::to_string(value) + " is outside " + std::to_string(min) + " .. " +
                        std::to_string(max));
  }
  return static_cast<T>(value);
}

/// A finite floating-point number (nan and inf are refused).
inline double read_real(const YAML::Node& node, const std::string& where, const Context& ctx) {
  const std::string text = node.IsScalar() ? node.Scalar() : std::string();
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value)) {
      return value;
    }
  } catch (const std::exception&) {
  }
  ctx.fail(where, "'" + text + "' is not a finite number");
}

/// A list of words (a single word is a list of one).
inline std::vector<std::string> read_word_list(const YAML::Node& node, const std::string& where,
                                               const Context& ctx) {
  std::vector<std::string> words;
  if (node.IsScalar()) {
    words.push_back(node.Scalar());
    return words;
  }
  if (!node.IsSequence()) {
    ctx.fail(where, "expected a list of words");
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    words.push_back(read_word(node[i], where + "[" + std::to_string(i) + "]", ctx));
  }
  return words;
}

/// Parses \p yaml_text. \throws ConfigError naming \p name when it is not YAML.
inline YAML::Node load_yaml(const std::string& yaml_text, const std::string& name) {
  try {
    return YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(name + ": not valid YAML: " + e.what());
  }
}

/// Runs a parser \p parse, turning any yaml-cpp exception that escapes it (a conversion the
/// parser did not foresee) into a ConfigError naming \p name.
template <typename Parse> auto guard_yaml(const std::string& name, Parse&& parse) {
  try {
    return parse();
  } catch (const YAML::Exception& e) {
    throw ConfigError(name + ": " + e.what());
  }
}

} // namespace airan::io::yaml_fields
