#include "airan/phy/soft_demapper.h"

#include <stdexcept>
#include <string>

namespace airan::phy {

void demodulate_soft(std::span<const cf32> symbols, std::span<const float> noise_variances,
                     Modulation modulation, std::span<float> llrs) {
  const unsigned qm = bits_per_symbol(modulation);
  if (noise_variances.size() != symbols.size() || llrs.size() != symbols.size() * qm) {
    throw std::invalid_argument("demodulate_soft: " + std::to_string(symbols.size()) +
                                " symbols need as many noise variances and " +
                                std::to_string(symbols.size() * qm) + " LLRs");
  }
  if (modulation == Modulation::pi2_bpsk) {
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      llrs[i] = pi2_bpsk_symbol_llr(symbols[i].real(), symbols[i].imag(), noise_variances[i], i);
    }
    return;
  }
  const PamLlrTable table = make_pam_llr_table(qm / 2, qam_scale(qm));
  const auto* in = reinterpret_cast<const float*>(symbols.data());
  float* out = llrs.data();
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    qam_symbol_llrs(table, in[2 * i], in[2 * i + 1], noise_variances[i], out);
    out += qm;
  }
}

namespace {

/// Portable implementation: the inline per-symbol functions in a loop.
class SoftDemapperGeneric final : public SoftDemapper {
public:
  void demodulate(std::span<const cf32> symbols, std::span<const float> noise_variances,
                  Modulation modulation, std::span<float> llrs) override {
    demodulate_soft(symbols, noise_variances, modulation, llrs);
  }
};

} // namespace

std::unique_ptr<SoftDemapper> create_soft_demapper() {
  return std::make_unique<SoftDemapperGeneric>();
}

} // namespace airan::phy
