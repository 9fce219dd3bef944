/// \file
/// \brief CRC conformance suite: crc/{POLY}_input.npy and crc/{POLY}_crc.npy, one case per
/// polynomial of TS 38.212 5.1.
#include "airan/apps/conformance.h"
#include "airan/io/npy.h"
#include "airan/phy/crc_calculator.h"

#include <algorithm>
#include <array>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::apps {

namespace {

struct NamedPolynomial {
  const char* name;
  phy::CrcPolynomial polynomial;
};

constexpr std::array<NamedPolynomial, 6> polynomials = {{
    {"CRC6", phy::CrcPolynomial::crc6},
    {"CRC11", phy::CrcPolynomial::crc11},
    {"CRC16", phy::CrcPolynomial::crc16},
    {"CRC24A", phy::CrcPolynomial::crc24a},
    {"CRC24B", phy::CrcPolynomial::crc24b},
    {"CRC24C", phy::CrcPolynomial::crc24c},
}};

CaseResult run_crc_case(const ConformanceCase& conformance_case, phy::CrcPolynomial polynomial) {
  const phy::CrcCalculator crc(polynomial);
  const unsigned length = crc.length();
  std::vector<std::size_t> input_shape;
  std::vector<std::size_t> crc_shape;
  const auto input = io::read_npy_bits(
      conformance_case.path / (conformance_case.name + "_input.npy"), &input_shape);
  const auto expected =
      io::read_npy_bits(conformance_case.path / (conformance_case.name + "_crc.npy"), &crc_shape);
  // Input: [batch][bits] or one 1-D message; parity: batch x L bits in any shape.
  if (input_shape.empty() || input_shape.size() > 2) {
    throw std::runtime_error("input must be 1-D or 2-D");
  }
  const std::size_t batch = input_shape.size() == 2 ? input_shape[0] : 1;
  const std::size_t message_length = input_shape.back();
  if (batch == 0 || expected.size() != batch * length) {
    throw std::runtime_error("parity file holds " + std::to_string(expected.size()) +
                             " bits, expected " + std::to_string(batch) + " x " +
                             std::to_string(length));
  }
  CaseResult result;
  phy::BitVector parity(length);
  std::size_t mismatches = 0;
  std::size_t failed_checks = 0;
  phy::BitVector block(message_length + length);
  for (std::size_t b = 0; b < batch; ++b) {
    const auto message = std::span(input).subspan(b * message_length, message_length);
    crc.compute_bits(message, parity);
    const auto reference = std::span(expected).subspan(b * length, length);
    for (unsigned i = 0; i < length; ++i) {
      mismatches += parity[i] != reference[i] ? 1 : 0;
    }
    // The reference parity appended to the message must pass the check.
    std::copy(message.begin(), message.end(), block.begin());
    std::copy(reference.begin(), reference.end(), block.begin() + message_length);
    failed_checks += crc.check(block) ? 0 : 1;
  }
  result.worst_error = static_cast<double>(mismatches);
  result.passed = mismatches == 0 && failed_checks == 0;
  result.detail = std::to_string(batch) + " message(s) of " + std::to_string(message_length) +
                  " bits, " + std::to_string(length) + " parity bits; " +
                  std::to_string(failed_checks) + " failed check(s)";
  return result;
}

} // namespace

SuiteResult run_crc_conformance(const std::filesystem::path& dir, std::ostream* out) {
  std::vector<ConformanceCase> cases;
  cases.reserve(polynomials.size());
  for (const auto& entry : polynomials) {
    cases.push_back({entry.name, dir});
  }
  return run_cases(
      cases,
      [](const ConformanceCase& conformance_case) {
        for (const auto& entry : polynomials) {
          if (conformance_case.name == entry.name) {
            return run_crc_case(conformance_case, entry.polynomial);
          }
        }
        throw std::logic_error("unknown polynomial " + conformance_case.name);
      },
      out);
}

} // namespace airan::apps
