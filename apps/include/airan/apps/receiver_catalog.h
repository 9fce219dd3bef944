/// \file
/// \brief Named receivers for evaluation and replay: how the PUSCH front end estimates the
/// channel and equalizes, under the names Sionna and the neural-receiver literature use.
///
/// | name          | channel estimate                                  | equalizer |
/// |---------------|---------------------------------------------------|-----------|
/// | ls-lin-lmmse  | LS on the DMRS, linear interpolation (frequency    | LMMSE     |
/// |               | and time), no delay compensation                   |           |
/// | mmse-lmmse    | LS + CDM de-spreading, delay compensation, MMSE    | LMMSE     |
/// |               | (Wiener) frequency interpolation with an adaptive  |           |
/// |               | delay-spread prior, linear time interpolation: the |           |
/// |               | product's default                                  |           |
/// | mmse-no-ptrs  | as mmse-lmmse without PT-RS phase tracking          | LMMSE     |
/// | mmse-irc      | as mmse-lmmse, plus the interference covariance     | MMSE-IRC  |
/// | ls-lin-zf     | as ls-lin-lmmse                                     | ZF        |
/// | perfect-csi   | the true channel and noise variance (genie)        | LMMSE     |
/// | perfect-csi-app | as perfect-csi, exact (log-MAP) LLRs (CPU only)  | LMMSE     |
/// | neural        | an ONNX neural receiver (docs/NEURAL_RECEIVER.md) replaces estimation, |
/// |               | equalization and demapping                                          |
#pragma once
#include "airan/phy/pusch_front_end.h"

#include <string>
#include <string_view>
#include <vector>

namespace airan::apps {

/// One named receiver configuration.
struct ReceiverSpec {
  std::string name;
  std::string description;
  phy::PuschFrontEndOptions front_end; ///< Estimator and equalizer options.
  bool perfect_csi = false;            ///< Needs the true channel (simulation only).
  /// A PuschDetector (the neural receiver, given a model) replaces the front end.
  bool neural = false;
};

/// Every receiver, in the order of the table above.
const std::vector<ReceiverSpec>& receiver_catalog();

/// The receiver called \p name. \throws std::invalid_argument listing the valid names.
const ReceiverSpec& find_receiver(std::string_view name);

/// Receivers of a comma-separated list ("ls-lin-lmmse,perfect-csi"), in the given order.
/// \throws std::invalid_argument for an empty list, an unknown name or a repeated one.
std::vector<ReceiverSpec> parse_receiver_list(std::string_view names);

} // namespace airan::apps
