/// \file
/// \brief Reading typed fields from yaml-cpp nodes with errors that name the file and the key
/// path: shared by the YAML configuration parsers (scenarios, fronthaul, DPDK, FAPI launch
/// patterns). Errors are ConfigError unless a parser installs its own exception type.
#pragma once

#include "airan/io/integer_literal.h"
#include "airan/io/pusch_config_file.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
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
  const std::string_view digits =
      !text.empty() && text.front() == '+' ? std::string_view(text).substr(1) : text;
  if (!parse_integer_magnitude(digits, value)) {
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

/// Refuses a mapping anywhere under \p root that holds a key twice, naming its path: yaml-cpp
/// keeps both copies, and a reader that takes the first would disagree with one that takes the
/// last. Iterative (no recursion on deeply nested input).
inline void reject_duplicate_keys(const YAML::Node& root, const Context& ctx) {
  std::vector<std::pair<YAML::Node, std::string>> pending = {{root, "top level"}};
  while (!pending.empty()) {
    const auto [node, where] = pending.back();
    pending.pop_back();
    if (node.IsMap()) {
      std::set<std::string> seen;
      for (const auto& item : node) {
        const std::string key = item.first.IsScalar() ? item.first.Scalar() : std::string();
        if (item.first.IsScalar() && !seen.insert(key).second) {
          ctx.fail(where, "duplicate key '" + key + "'");
        }
        pending.emplace_back(item.second, where == "top level" ? key : where + "." + key);
      }
    } else if (node.IsSequence()) {
      for (std::size_t i = 0; i < node.size(); ++i) {
        pending.emplace_back(node[i], where + "[" + std::to_string(i) + "]");
      }
    }
  }
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
  const bool negative = !text.empty() && text.front() == '-';
  const std::string_view digits = !text.empty() && (negative || text.front() == '+')
                                      ? std::string_view(text).substr(1)
                                      : std::string_view(text);
  unsigned long long magnitude = 0;
  const auto limit = static_cast<unsigned long long>(std::numeric_limits<long long>::max());
  if (!parse_integer_magnitude(digits, magnitude) || magnitude > limit + (negative ? 1U : 0U)) {
    ctx.fail(where, "'" + text + "' is not an integer");
  }
  const long long value =
      negative ? static_cast<long long>(0ULL - magnitude) : static_cast<long long>(magnitude);
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

/// Parser events that throw at the first alias (load_without_aliases()).
class AliasRefuser final : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark& /*mark*/) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override {
    throw YAML::ParserException(mark, "aliases (*name) are not supported in configuration files: "
                                      "write the value out");
  }
  void OnScalar(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {}
  void OnSequenceStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/,
                       YAML::anchor_t /*anchor*/, YAML::EmitterStyle::value /*style*/) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {}
  void OnMapEnd() override {}
};

/// YAML::Load(\p yaml_text) for configuration files, which refuse aliases: an alias makes the
/// tree a graph (`a: &x [*x]` is a cycle, nested aliases expand exponentially), which every
/// walk over the tree would follow without end. \throws YAML::Exception (a ParserException at
/// the first alias) as YAML::Load does.
inline YAML::Node load_without_aliases(const std::string& yaml_text) {
  std::istringstream stream(yaml_text);
  YAML::Parser parser(stream);
  AliasRefuser refuser;
  // The first document only, the one YAML::Load reads. (Looping until HandleNextDocument says
  // false never ended on some malformed text: yaml-cpp 0.7 kept reporting documents.)
  parser.HandleNextDocument(refuser);
  return YAML::Load(yaml_text);
}

/// Parses \p yaml_text (no aliases). \throws ConfigError naming \p name when it is not YAML.
inline YAML::Node load_yaml(const std::string& yaml_text, const std::string& name) {
  try {
    return load_without_aliases(yaml_text);
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
