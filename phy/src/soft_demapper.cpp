#include "airan/phy/soft_demapper.h"

#include "soft_demapper_avx2.h"

#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// Throws unless there are as many noise variances as symbols and Q_m LLRs per symbol.
void check_sizes(std::span<const cf32> symbols, std::span<const float> noise_variances, unsigned qm,
                 std::span<float> llrs) {
  if (noise_variances.size() != symbols.size() || llrs.size() != symbols.size() * qm) {
    throw std::invalid_argument("demodulate_soft: " + std::to_string(symbols.size()) +
                                " symbols need as many noise variances and " +
                                std::to_string(symbols.size() * qm) + " LLRs");
  }
}

/// Scalar pi/2-BPSK demapping (sizes already checked).
void demodulate_pi2_bpsk(std::span<const cf32> symbols, std::span<const float> noise_variances,
                         std::span<float> llrs) {
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    llrs[i] = pi2_bpsk_symbol_llr(symbols[i].real(), symbols[i].imag(), noise_variances[i], i);
  }
}

/// Scalar square-QAM demapping of symbols \p first .. symbols.size() - 1 (sizes already checked).
void demodulate_qam_scalar(const PamLlrTable& table, std::span<const cf32> symbols,
                           std::span<const float> noise_variances, std::size_t first,
                           std::span<float> llrs) {
  const unsigned qm = 2 * table.bits_per_axis;
  const auto* in = reinterpret_cast<const float*>(symbols.data());
  float* out = llrs.data() + first * qm;
  for (std::size_t i = first; i < symbols.size(); ++i) {
    qam_symbol_llrs(table, in[2 * i], in[2 * i + 1], noise_variances[i], out);
    out += qm;
  }
}

} // namespace

void demodulate_soft(std::span<const cf32> symbols, std::span<const float> noise_variances,
                     Modulation modulation, std::span<float> llrs) {
  const unsigned qm = bits_per_symbol(modulation);
  check_sizes(symbols, noise_variances, qm, llrs);
  if (modulation == Modulation::pi2_bpsk) {
    demodulate_pi2_bpsk(symbols, noise_variances, llrs);
    return;
  }
  const PamLlrTable table = make_pam_llr_table(qm / 2, qam_scale(qm));
  demodulate_qam_scalar(table, symbols, noise_variances, 0, llrs);
}

namespace {

/// Portable implementation: the inline per-symbol functions in a loop, square QAM eight symbols
/// per AVX2 step (bit-exact with the scalar code) when \p avx2.
class SoftDemapperGeneric final : public SoftDemapper {
public:
  explicit SoftDemapperGeneric(bool avx2) : avx2_(avx2) {}

  void demodulate(std::span<const cf32> symbols, std::span<const float> noise_variances,
                  Modulation modulation, std::span<float> llrs) override {
    if (!avx2_ || modulation == Modulation::pi2_bpsk) {
      demodulate_soft(symbols, noise_variances, modulation, llrs);
      return;
    }
    const unsigned qm = bits_per_symbol(modulation);
    check_sizes(symbols, noise_variances, qm, llrs);
    const PamLlrTable table = make_pam_llr_table(qm / 2, qam_scale(qm));
    const std::size_t done = detail::demodulate_qam_avx2(
        table, symbols.data(), noise_variances.data(), symbols.size(), llrs.data());
    demodulate_qam_scalar(table, symbols, noise_variances, done, llrs);
  }

private:
  bool avx2_ = false; ///< Square QAM eight symbols per AVX2 step.
};

} // namespace

std::unique_ptr<SoftDemapper> create_soft_demapper(bool simd) {
  return std::make_unique<SoftDemapperGeneric>(simd && detail::soft_demapper_avx2_available());
}

} // namespace airan::phy
