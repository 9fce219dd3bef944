/// \file
/// \brief Running Wireshark's dissectors through `tshark -T fields` from tests: the fields of
/// every packet of a capture, as text occurrences or numbers.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace airan::test {

/// One packet's fields, each field a list of occurrences.
using Fields = std::vector<std::vector<std::string>>;

inline bool have_tshark() {
  return std::system("command -v tshark >/dev/null 2>&1") == 0;
}

inline std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) {
    parts.push_back(part);
  }
  if (!text.empty() && text.back() == separator) {
    parts.emplace_back();
  }
  return parts;
}

/// Runs tshark on \p pcap with \p preferences and returns \p fields of every packet.
inline std::vector<Fields> tshark_fields(const std::filesystem::path& pcap,
                                         const std::vector<std::string>& preferences,
                                         const std::vector<std::string>& fields) {
  std::string command = "tshark -n -r '" + pcap.string() + "' -T fields -E occurrence=a";
  for (const auto& preference : preferences) {
    command += " -o '" + preference + "'";
  }
  for (const auto& field : fields) {
    command += " -e " + field;
  }
  command += " 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  std::string output;
  char chunk[4096];
  while (pipe != nullptr && std::fgets(chunk, sizeof(chunk), pipe) != nullptr) {
    output += chunk;
  }
  if (pipe != nullptr) {
    EXPECT_EQ(::pclose(pipe), 0) << command;
  }
  std::vector<Fields> packets;
  for (const auto& line : split(output, '\n')) {
    if (line.empty()) {
      continue;
    }
    Fields packet;
    for (const auto& field : split(line, '\t')) {
      packet.push_back(split(field, ','));
    }
    packet.resize(fields.size());
    packets.push_back(packet);
  }
  return packets;
}

/// A field value as a number (decimal or 0x hex; tshark prints booleans as 0/1 or True/False).
inline long long number(const std::string& text) {
  if (text == "True") {
    return 1;
  }
  if (text == "False") {
    return 0;
  }
  return std::stoll(text, nullptr, 0);
}

/// Column \p name of \p fields, all occurrences as numbers.
struct FieldTable {
  std::vector<std::string> names;
  std::vector<long long> numbers(const Fields& packet, const std::string& name) const {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) {
        std::vector<long long> values;
        for (const auto& text : packet[i]) {
          values.push_back(number(text));
        }
        return values;
      }
    }
    ADD_FAILURE() << "no field " << name;
    return {};
  }
  long long one(const Fields& packet, const std::string& name) const {
    const auto values = numbers(packet, name);
    EXPECT_EQ(values.size(), 1U) << name;
    return values.empty() ? -1 : values.front();
  }
  std::vector<double> floats(const Fields& packet, const std::string& name) const {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) {
        std::vector<double> values;
        for (const auto& text : packet[i]) {
          values.push_back(std::stod(text));
        }
        return values;
      }
    }
    ADD_FAILURE() << "no field " << name;
    return {};
  }
};

} // namespace airan::test
