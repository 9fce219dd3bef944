#include "airan/apps/receiver_catalog.h"

#include <algorithm>
#include <stdexcept>

namespace airan::apps {
namespace {

ReceiverSpec make_spec(std::string name, std::string description,
                       phy::FrequencyInterpolation interpolation, bool compensate_delay,
                       phy::EqualizerAlgorithm equalizer, bool perfect_csi) {
  ReceiverSpec spec;
  spec.name = std::move(name);
  spec.description = std::move(description);
  spec.front_end.estimator.frequency_interpolation = interpolation;
  spec.front_end.estimator.time_interpolation = phy::TimeInterpolation::linear;
  spec.front_end.estimator.compensate_delay = compensate_delay;
  spec.front_end.equalizer = equalizer;
  spec.perfect_csi = perfect_csi;
  return spec;
}

ReceiverSpec exact_llr_spec(ReceiverSpec spec) {
  spec.front_end.demapping = phy::SoftDemapping::exact;
  return spec;
}

ReceiverSpec wiener_time_spec(ReceiverSpec spec) {
  spec.front_end.estimator.time_interpolation = phy::TimeInterpolation::wiener;
  return spec;
}

ReceiverSpec without_phase_tracking(ReceiverSpec spec) {
  spec.front_end.track_phase = false;
  return spec;
}

ReceiverSpec neural_spec() {
  ReceiverSpec spec;
  spec.name = "neural";
  spec.description = "neural receiver (ONNX model): replaces channel estimation, equalization "
                     "and demapping";
  spec.neural = true;
  return spec;
}

std::vector<ReceiverSpec> build_catalog() {
  using phy::EqualizerAlgorithm;
  using phy::FrequencyInterpolation;
  return {
      make_spec("ls-lin-lmmse", "LS channel estimate, linear interpolation, LMMSE equalizer",
                FrequencyInterpolation::linear, false, EqualizerAlgorithm::mmse, false),
      make_spec("mmse-lmmse",
                "LS + delay compensation, MMSE (Wiener) interpolation, LMMSE equalizer",
                FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse, false),
      wiener_time_spec(make_spec("mmse2d-lmmse",
                                 "as mmse-lmmse with Wiener time interpolation across the DMRS "
                                 "occasions (Doppler and CFO fitted per PDU)",
                                 FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse,
                                 false)),
      without_phase_tracking(make_spec(
          "mmse-no-ptrs",
          "as mmse-lmmse without PT-RS phase tracking (PT-RS REs carry no data, the phase "
          "error stays): what the PT-RS buys",
          FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse, false)),
      make_spec("mmse-irc", "as mmse-lmmse with an MMSE-IRC equalizer",
                FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse_irc, false),
      make_spec("ls-lin-zf", "LS channel estimate, linear interpolation, zero forcing",
                FrequencyInterpolation::linear, false, EqualizerAlgorithm::zf, false),
      make_spec("perfect-csi", "true channel and noise variance (genie), LMMSE equalizer",
                FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse, true),
      exact_llr_spec(make_spec("perfect-csi-app",
                               "as perfect-csi with exact (log-MAP) LLRs: a bound for any "
                               "detector's LLRs (CPU only)",
                               FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse, true)),
      neural_spec(),
  };
}

std::string valid_names() {
  std::string names;
  for (const auto& spec : receiver_catalog()) {
    names += (names.empty() ? "" : ", ") + spec.name;
  }
  return names;
}

} // namespace

const std::vector<ReceiverSpec>& receiver_catalog() {
  static const std::vector<ReceiverSpec> catalog = build_catalog();
  return catalog;
}

const ReceiverSpec& find_receiver(std::string_view name) {
  const auto& catalog = receiver_catalog();
  const auto it = std::find_if(catalog.begin(), catalog.end(),
                               [&](const ReceiverSpec& spec) { return spec.name == name; });
  if (it == catalog.end()) {
    throw std::invalid_argument("unknown receiver '" + std::string(name) +
                                "' (valid: " + valid_names() + ")");
  }
  return *it;
}

std::vector<ReceiverSpec> parse_receiver_list(std::string_view names) {
  std::vector<ReceiverSpec> specs;
  std::size_t start = 0;
  while (start <= names.size()) {
    const std::size_t end = std::min(names.find(',', start), names.size());
    const std::string_view name = names.substr(start, end - start);
    if (name.empty()) {
      throw std::invalid_argument("empty receiver name in '" + std::string(names) +
                                  "' (valid: " + valid_names() + ")");
    }
    const ReceiverSpec& spec = find_receiver(name);
    if (std::any_of(specs.begin(), specs.end(),
                    [&](const ReceiverSpec& s) { return s.name == spec.name; })) {
      throw std::invalid_argument("receiver '" + spec.name + "' is listed twice");
    }
    specs.push_back(spec);
    start = end + 1;
  }
  return specs;
}

} // namespace airan::apps
