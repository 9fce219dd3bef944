/// \file
/// \brief Helpers that several ONNX tests had each defined for themselves, defined here once: the
/// sources of phy_tests compile as unity batches, where an anonymous namespace is shared by the
/// whole batch and two definitions of one helper would clash.
#pragma once

#include "airan/phy/nn/onnx_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace airan::phy::nn::test {

/// The committed small reference model (models/reference/neural_receiver_small.onnx).
inline const std::filesystem::path small_model =
    std::filesystem::path(AIRAN_MODELS_DIR) / "reference" / "neural_receiver_small.onnx";

/// Expects an OnnxError whose message contains \p fragment.
template <typename F> void expect_error(F&& f, const std::string& fragment) {
  try {
    f();
    FAIL() << "no OnnxError (expected one mentioning '" << fragment << "')";
  } catch (const OnnxError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

} // namespace airan::phy::nn::test
