/// \file
/// \brief PuschFrontEnd internals shared by its source files: the per-lane stage objects and
/// scratch, the per-call equalization job and PuschFrontEnd::Impl.
#pragma once

#include "airan/phy/pusch_front_end.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/soft_demapper.h"
#include "airan/phy/thread_pool.h"
#include "airan/phy/transform_precoder.h"

#include <array>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace airan::phy {
namespace front_end_detail {

/// Values per EVM block: float partial sums stay accurate per block.
constexpr std::size_t evm_block = 4096;

/// Stage objects and scratch of one thread (pool lane).
struct FrontEndLane {
  explicit FrontEndLane(const PuschFrontEndLimits& limits)
      : demapper(create_soft_demapper()), exact_demapper(create_exact_soft_demapper()),
        transform_deprecoder(limits.max_prbs, TransformPrecodingDirection::deprecode) {
    for (EqualizerAlgorithm algorithm :
         {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse, EqualizerAlgorithm::mmse_irc}) {
      equalizers[static_cast<unsigned>(algorithm)] = create_mimo_equalizer(algorithm);
    }
    const std::size_t max_subcarriers = std::size_t{subcarriers_per_prb} * limits.max_prbs;
    gathered_received.resize(max_subcarriers * limits.max_rx_antennas);
    gathered_channel.resize(max_subcarriers * limits.max_rx_antennas * limits.max_layers);
  }
  std::array<std::unique_ptr<MimoEqualizer>, 3> equalizers;
  std::unique_ptr<SoftDemapper> demapper;
  std::unique_ptr<SoftDemapper> exact_demapper; ///< SoftDemapping::exact
  [[nodiscard]] SoftDemapper& demapper_for(SoftDemapping demapping) const {
    return demapping == SoftDemapping::exact ? *exact_demapper : *demapper;
  }
  std::vector<cf32> gathered_received;    ///< Data REs of a gathered symbol, [rx][RE].
  std::vector<cf32> gathered_channel;     ///< Their channel, [rx * layers + layer][RE].
  TransformPrecoder transform_deprecoder; ///< DFT-s-OFDM: IDFT of each equalized symbol.
};

/// What every OFDM symbol of one equalize() call shares.
struct EqualizeJob {
  const ResourceGrid* grid = nullptr;
  const PuschReMapping* mapping = nullptr;
  unsigned num_layers = 0;
  unsigned data_per_prb = 0;                       ///< Data REs per PRB on a DMRS symbol.
  std::array<float, max_symbols_per_slot> noise{}; ///< Per slot symbol (its hop's).
  EqualizerAlgorithm algorithm = EqualizerAlgorithm::mmse;
  unsigned transform_precoding_prbs = 0; ///< PRBs of a DFT-s-OFDM PDU; 0 for CP-OFDM.
  /// With PT-RS: every symbol's data REs are gathered, times rotation[l] = exp(-j phase).
  bool rotate = false;
  std::array<cf32, max_symbols_per_slot> rotation{};
  std::array<unsigned, max_symbols_per_slot> symbols{};     ///< Symbols with data REs.
  std::array<std::size_t, max_symbols_per_slot> first_re{}; ///< Their first data RE.
  unsigned num_symbols = 0;
};

} // namespace front_end_detail

struct PuschFrontEnd::Impl {
  Impl(const PuschFrontEndLimits& limits_in, ThreadPool* pool_in)
      : limits(limits_in), pool(pool_in),
        estimator(create_dmrs_channel_estimator(
            {limits_in.max_rx_antennas, limits_in.max_layers, limits_in.max_prbs}, pool_in)),
        estimate(limits_in.max_rx_antennas, limits_in.max_layers, limits_in.max_prbs),
        hop_estimate(limits_in.max_rx_antennas, limits_in.max_layers, limits_in.max_prbs) {
    const unsigned num_lanes = pool != nullptr ? pool->num_lanes() : 1;
    for (unsigned i = 0; i < num_lanes; ++i) {
      lanes.emplace_back(limits);
    }
    const std::size_t max_symbols = std::size_t{subcarriers_per_prb} * limits.max_prbs *
                                    max_symbols_per_slot * std::size_t{limits.max_layers};
    symbols.resize(max_symbols);
    noise_variances.resize(max_symbols);
    block_powers.resize(2 * (2 * max_symbols / front_end_detail::evm_block + 1));
    ptrs_values.resize(std::size_t{dmrs_res_per_prb(DmrsConfigType::type1)} * limits.max_prbs);
  }

  void equalize(const ResourceGrid& grid, const CellConfig& cell, const PuschConfig& pusch,
                EqualizerAlgorithm algorithm);
  /// Equalizes the data REs of slot symbol \p l (first data RE \p done) on \p lane.
  void equalize_symbol(const front_end_detail::EqualizeJob& job, unsigned l, std::size_t done,
                       front_end_detail::FrontEndLane& lane);
  void demap(Modulation modulation, std::span<float> llrs, SoftDemapping demapping);

  PuschFrontEndLimits limits;
  ThreadPool* pool;
  std::unique_ptr<DmrsChannelEstimator> estimator;
  ChannelEstimate estimate;
  ChannelEstimate hop_estimate; ///< Intra-slot hopping: the second hop's, merged into estimate.
  std::vector<front_end_detail::FrontEndLane> lanes; ///< One per pool lane (one without a pool).
  std::vector<cf32> symbols;                         ///< Equalized symbols, codeword order.
  std::vector<float> noise_variances;                ///< Their post-equalization noise variances.
  std::size_t num_symbols = 0;     ///< Valid entries of symbols / noise_variances.
  std::vector<float> block_powers; ///< EVM error and reference power per block.
  /// Symbols [first, end) of equalized DMRS-symbol data REs that carry nothing (a PUSCH without
  /// UL-SCH): left out of the EVM.
  std::array<ValueRange, max_symbols_per_slot> empty_symbols{};
  unsigned num_empty_ranges = 0;
  std::vector<cf32> ptrs_values;                    ///< PT-RS values of the PDU.
  std::array<float, max_symbols_per_slot> phases{}; ///< PT-RS phase error per slot symbol.
};

} // namespace airan::phy
