#include "airan/phy/pusch_front_end.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/equalization_quality.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/perfect_channel_estimate.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/soft_demapper.h"
#include "airan/phy/thread_pool.h"
#include "airan/phy/transform_precoder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

/// Error and reference power of hard decisions on \p count real values (QAM axis samples):
/// each value against its nearest level scale * (2i - M + 1), i = floor(v / (2 scale) + M / 2)
/// clamped to 0 .. M - 1, with M = 2^bits_per_axis levels. Float sums: callers keep \p count
/// small (one block) and add the results up in double precision.
void hard_decision_powers(const float* values, std::size_t count, unsigned bits_per_axis,
                          float scale, float& error_power, float& reference_power) {
  const int levels = 1 << bits_per_axis;
  const float inverse_interval = 0.5F / scale;
  const float half = 0.5F * static_cast<float>(levels);
  float error = 0.0F;
  float reference = 0.0F;
  for (std::size_t i = 0; i < count; ++i) {
    const float point = qam_axis_decision(values[i], levels, scale, inverse_interval, half);
    error += (values[i] - point) * (values[i] - point);
    reference += point * point;
  }
  error_power = error;
  reference_power = reference;
}

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
  std::vector<cf32> gathered_received;    ///< Data REs of a DMRS symbol, [rx][RE].
  std::vector<cf32> gathered_channel;     ///< Their channel, [rx * layers + layer][RE].
  TransformPrecoder transform_deprecoder; ///< DFT-s-OFDM: IDFT of each equalized symbol.
};

/// What every OFDM symbol of one equalize() call shares.
struct EqualizeJob {
  const ResourceGrid* grid = nullptr;
  const PuschReMapping* mapping = nullptr;
  unsigned num_layers = 0;
  unsigned data_per_prb = 0; ///< Data REs per PRB on a DMRS symbol.
  float noise = 0.0F;
  EqualizerAlgorithm algorithm = EqualizerAlgorithm::mmse;
  unsigned transform_precoding_prbs = 0; ///< PRBs of a DFT-s-OFDM PDU; 0 for CP-OFDM.
  std::array<unsigned, max_symbols_per_slot> symbols{};     ///< Symbols with data REs.
  std::array<std::size_t, max_symbols_per_slot> first_re{}; ///< Their first data RE.
  unsigned num_symbols = 0;
};

} // namespace

struct PuschFrontEnd::Impl {
  Impl(const PuschFrontEndLimits& limits_in, ThreadPool* pool_in)
      : limits(limits_in), pool(pool_in),
        estimator(create_dmrs_channel_estimator(
            {limits_in.max_rx_antennas, limits_in.max_layers, limits_in.max_prbs}, pool_in)),
        estimate(limits_in.max_rx_antennas, limits_in.max_layers, limits_in.max_prbs) {
    const unsigned num_lanes = pool != nullptr ? pool->num_lanes() : 1;
    for (unsigned i = 0; i < num_lanes; ++i) {
      lanes.emplace_back(limits);
    }
    const std::size_t max_symbols = std::size_t{subcarriers_per_prb} * limits.max_prbs *
                                    max_symbols_per_slot * std::size_t{limits.max_layers};
    symbols.resize(max_symbols);
    noise_variances.resize(max_symbols);
    block_powers.resize(2 * (2 * max_symbols / evm_block + 1));
  }

  void equalize(const ResourceGrid& grid, const CellConfig& cell, const PuschConfig& pusch,
                EqualizerAlgorithm algorithm);
  /// Equalizes the data REs of slot symbol \p l (first data RE \p done) on \p lane.
  void equalize_symbol(const EqualizeJob& job, unsigned l, std::size_t done, FrontEndLane& lane);
  void demap(Modulation modulation, std::span<float> llrs, SoftDemapping demapping);

  PuschFrontEndLimits limits;
  ThreadPool* pool;
  std::unique_ptr<DmrsChannelEstimator> estimator;
  ChannelEstimate estimate;
  std::vector<FrontEndLane> lanes;    ///< One per pool lane (one without a pool).
  std::vector<cf32> symbols;          ///< Equalized symbols, codeword order.
  std::vector<float> noise_variances; ///< Their post-equalization noise variances.
  std::size_t num_symbols = 0;        ///< Valid entries of symbols / noise_variances.
  std::vector<float> block_powers;    ///< EVM error and reference power per block.
};

void PuschFrontEnd::Impl::equalize(const ResourceGrid& grid, const CellConfig& cell,
                                   const PuschConfig& pusch, EqualizerAlgorithm algorithm) {
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  const unsigned num_rx = grid.num_ports();
  const unsigned num_layers = pusch.num_layers;
  if (estimate.num_rx_antennas() != num_rx || estimate.num_layers() != num_layers ||
      estimate.num_prbs() != pusch.prb_size) {
    throw std::invalid_argument("PUSCH front end: the channel estimate is of another PDU");
  }
  EqualizeJob job;
  job.grid = &grid;
  job.mapping = &mapping;
  job.num_layers = num_layers;
  job.algorithm = algorithm;
  job.transform_precoding_prbs = pusch.transform_precoding ? pusch.prb_size : 0;
  job.data_per_prb = static_cast<unsigned>(
      std::count(mapping.data_on_dmrs_symbol.begin(), mapping.data_on_dmrs_symbol.end(), true));
  // Regularisation floor for MMSE: 1e-7 of the channel power (noise-free input stays solvable).
  const float beta = dmrs_amplitude(pusch.num_dmrs_cdm_groups_no_data);
  const float channel_power = estimate.measurements.rsrp / (beta * beta);
  job.noise = std::max(estimate.measurements.noise_variance, 1e-7F * channel_power);

  std::size_t done = 0;
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    if (const unsigned num_res = mapping.num_data_res(l); num_res != 0) {
      job.symbols[job.num_symbols] = l;
      job.first_re[job.num_symbols++] = done;
      done += num_res;
    }
  }
  if (pool == nullptr || job.num_symbols < 2) {
    for (unsigned i = 0; i < job.num_symbols; ++i) {
      equalize_symbol(job, job.symbols[i], job.first_re[i], lanes[0]);
    }
  } else {
    struct Context {
      Impl* self;
      const EqualizeJob* job;
    } context{this, &job};
    const Context* c = &context; // one captured pointer: std::function does not allocate
    pool->parallel_for(job.num_symbols, [c](std::size_t i, unsigned lane) {
      c->self->equalize_symbol(*c->job, c->job->symbols[i], c->job->first_re[i],
                               c->self->lanes[lane]);
    });
  }
  num_symbols = done * num_layers;
}

void PuschFrontEnd::Impl::equalize_symbol(const EqualizeJob& job, unsigned l, std::size_t done,
                                          FrontEndLane& lane) {
  const PuschReMapping& mapping = *job.mapping;
  const ResourceGrid& grid = *job.grid;
  const unsigned num_rx = grid.num_ports();
  const unsigned num_layers = job.num_layers;
  const EqualizerAlgorithm algorithm = job.algorithm;
  MimoEqualizer& equalizer = *lane.equalizers[static_cast<unsigned>(algorithm)];
  const unsigned width = mapping.num_subcarriers();
  std::array<const cf32*, max_equalizer_rx_antennas> received{};
  std::array<const cf32*, std::size_t{max_equalizer_rx_antennas} * max_equalizer_layers> channel{};
  const bool dmrs_symbol = mapping.dmrs_symbols.contains(l);
  for (unsigned r = 0; r < num_rx; ++r) {
    const cf32* row = grid.symbol(r, l).data() + mapping.first_subcarrier;
    if (!dmrs_symbol) {
      received[r] = row;
      for (unsigned layer = 0; layer < num_layers; ++layer) {
        channel[r * num_layers + layer] = estimate.channel(r, layer, l).data();
      }
      continue;
    }
    // Gather the data subcarriers of this DMRS symbol.
    cf32* out = lane.gathered_received.data() + std::size_t{r} * width;
    received[r] = out;
    for (unsigned k = 0; k < width; ++k) {
      if (mapping.data_on_dmrs_symbol[k % subcarriers_per_prb]) {
        *out++ = row[k];
      }
    }
    for (unsigned layer = 0; layer < num_layers; ++layer) {
      const cf32* h = estimate.channel(r, layer, l).data();
      cf32* h_out = lane.gathered_channel.data() + std::size_t{r * num_layers + layer} * width;
      channel[r * num_layers + layer] = h_out;
      for (unsigned k = 0; k < width; ++k) {
        if (mapping.data_on_dmrs_symbol[k % subcarriers_per_prb]) {
          *h_out++ = h[k];
        }
      }
    }
  }
  // Data REs per PRB on this symbol; covariance groups are whole PRBs.
  const unsigned res_per_prb = dmrs_symbol ? job.data_per_prb : subcarriers_per_prb;
  const bool irc = algorithm == EqualizerAlgorithm::mmse_irc;
  const unsigned groups = irc ? estimate.num_covariance_groups() : 1;
  for (unsigned g = 0; g < groups; ++g) {
    const unsigned first_prb = irc ? g * estimate.covariance_group_prbs() : 0;
    const unsigned end_prb =
        irc ? std::min(first_prb + estimate.covariance_group_prbs(), mapping.num_prbs)
            : mapping.num_prbs;
    const std::size_t first_re = std::size_t{first_prb} * res_per_prb;
    std::array<const cf32*, max_equalizer_rx_antennas> received_part{};
    std::array<const cf32*, std::size_t{max_equalizer_rx_antennas} * max_equalizer_layers>
        channel_part{};
    for (unsigned r = 0; r < num_rx; ++r) {
      received_part[r] = received[r] + first_re;
      for (unsigned layer = 0; layer < num_layers; ++layer) {
        channel_part[r * num_layers + layer] = channel[r * num_layers + layer] + first_re;
      }
    }
    EqualizerInput input;
    input.num_rx = num_rx;
    input.num_layers = num_layers;
    input.num_res = std::size_t{end_prb - first_prb} * res_per_prb;
    input.received = std::span<const cf32* const>(received_part.data(), num_rx);
    input.channel =
        std::span<const cf32* const>(channel_part.data(), std::size_t{num_rx} * num_layers);
    EqualizerNoise noise_model;
    noise_model.variance = job.noise;
    if (irc) {
      noise_model.covariance = estimate.covariance(g);
    }
    const std::size_t offset = (done + first_re) * num_layers;
    const std::size_t count = input.num_res * num_layers;
    equalizer.equalize(input, noise_model, std::span<cf32>(symbols.data() + offset, count),
                       std::span<float>(noise_variances.data() + offset, count));
  }
  if (job.transform_precoding_prbs != 0) {
    // One layer, and every data symbol holds M_sc REs (validate()): back to the modulation
    // symbols, with the post-IDFT noise variance of the MMSE receiver.
    const std::size_t m = std::size_t{subcarriers_per_prb} * job.transform_precoding_prbs;
    lane.transform_deprecoder.deprecode_equalized(
        std::span<cf32>(symbols.data() + done, m),
        std::span<float>(noise_variances.data() + done, m), job.transform_precoding_prbs);
  }
}

void PuschFrontEnd::Impl::demap(Modulation modulation, std::span<float> llrs,
                                SoftDemapping demapping) {
  const std::span<const cf32> in(symbols.data(), num_symbols);
  const std::span<const float> variances(noise_variances.data(), num_symbols);
  if (pool == nullptr || num_symbols < 1024) {
    lanes[0].demapper_for(demapping).demodulate(in, variances, modulation, llrs);
    return;
  }
  const std::size_t qm = bits_per_symbol(modulation);
  const std::size_t num_chunks = std::size_t{4} * pool->num_lanes();
  std::size_t chunk = (num_symbols + num_chunks - 1) / num_chunks;
  // pi/2-BPSK rotates by the symbol index's parity: even chunks keep every chunk's parity.
  chunk += chunk % 2;
  struct Context {
    Impl* self;
    std::span<const cf32> in;
    std::span<const float> variances;
    std::span<float> llrs;
    Modulation modulation;
    SoftDemapping demapping;
    std::size_t qm;
    std::size_t chunk;
  } context{this, in, variances, llrs, modulation, demapping, qm, chunk};
  const Context* c = &context; // one captured pointer: std::function does not allocate
  pool->parallel_for((num_symbols + chunk - 1) / chunk, [c](std::size_t i, unsigned lane) {
    const std::size_t first = i * c->chunk;
    const std::size_t count = std::min(c->chunk, c->in.size() - first);
    c->self->lanes[lane]
        .demapper_for(c->demapping)
        .demodulate(c->in.subspan(first, count), c->variances.subspan(first, count), c->modulation,
                    c->llrs.subspan(first * c->qm, count * c->qm));
  });
}

PuschFrontEnd::PuschFrontEnd(const PuschFrontEndLimits& limits, ThreadPool* pool) {
  if (limits.max_rx_antennas < 1 || limits.max_rx_antennas > max_equalizer_rx_antennas ||
      limits.max_layers < 1 || limits.max_layers > max_equalizer_layers || limits.max_prbs < 1 ||
      limits.max_prbs > 275) {
    throw std::invalid_argument("PUSCH front end: limits must be 1..16 receive antennas, 1..4 "
                                "layers and 1..275 PRBs");
  }
  impl_ = std::make_unique<Impl>(limits, pool);
}

PuschFrontEnd::~PuschFrontEnd() = default;
PuschFrontEnd::PuschFrontEnd(PuschFrontEnd&&) noexcept = default;
PuschFrontEnd& PuschFrontEnd::operator=(PuschFrontEnd&&) noexcept = default;

void PuschFrontEnd::estimate_channel(const ResourceGrid& grid, const CellConfig& cell,
                                     const PuschConfig& pusch, unsigned slot,
                                     const PuschFrontEndOptions& options) {
  DmrsChannelEstimatorOptions estimator_options = options.estimator;
  if (options.equalizer == EqualizerAlgorithm::mmse_irc) {
    estimator_options.estimate_covariance = true;
  }
  impl_->estimator->estimate(impl_->estimate, grid, cell, pusch, slot, estimator_options);
}

void PuschFrontEnd::use_true_channel(const ChannelResponse& true_channel, const CellConfig& cell,
                                     const PuschConfig& pusch, float noise_variance) {
  if (pusch.num_layers > impl_->limits.max_layers || pusch.prb_size > impl_->limits.max_prbs ||
      true_channel.num_rx() > impl_->limits.max_rx_antennas) {
    throw std::invalid_argument("PUSCH front end: the PDU exceeds the front end's limits");
  }
  fill_perfect_channel_estimate(impl_->estimate, true_channel, cell, pusch, noise_variance);
}

void PuschFrontEnd::equalize(const ResourceGrid& grid, const CellConfig& cell,
                             const PuschConfig& pusch, const PuschFrontEndOptions& options) {
  impl_->equalize(grid, cell, pusch, options.equalizer);
}

void PuschFrontEnd::demap(const PuschConfig& pusch, std::span<float> llrs,
                          SoftDemapping demapping) {
  const unsigned qm = pusch.modulation_order();
  if (llrs.size() != impl_->num_symbols * qm) {
    throw std::invalid_argument("PUSCH front end: " + std::to_string(llrs.size()) +
                                " LLRs for G = " + std::to_string(impl_->num_symbols * qm));
  }
  impl_->demap(modulation_from_order(qm), llrs, demapping);
}

PuschMeasurements PuschFrontEnd::process(const ResourceGrid& grid, const CellConfig& cell,
                                         const PuschConfig& pusch, unsigned slot,
                                         const PuschFrontEndOptions& options,
                                         std::span<float> llrs) {
  estimate_channel(grid, cell, pusch, slot, options);
  const std::size_t g = pusch_coded_bits(cell, pusch);
  if (llrs.size() != g) {
    throw std::invalid_argument("PUSCH front end: " + std::to_string(llrs.size()) +
                                " LLRs for G = " + std::to_string(g));
  }
  equalize(grid, cell, pusch, options);
  demap(pusch, llrs, options.demapping);
  return measurements(pusch);
}

const ChannelEstimate& PuschFrontEnd::channel_estimate() const {
  return impl_->estimate;
}

std::span<const cf32> PuschFrontEnd::equalized_symbols() const {
  return {impl_->symbols.data(), impl_->num_symbols};
}

std::span<const float> PuschFrontEnd::equalized_noise_variances() const {
  return {impl_->noise_variances.data(), impl_->num_symbols};
}

PuschMeasurements PuschFrontEnd::measurements(const PuschConfig& pusch) const {
  const DmrsMeasurements& dmrs = impl_->estimate.measurements;
  PuschMeasurements result;
  result.noise_variance = dmrs.noise_variance;
  result.rsrp = dmrs.rsrp;
  result.sinr_db = dmrs.sinr_db;
  result.cfo_hz = dmrs.cfo_hz;
  result.delay_s = dmrs.delay_s;

  const unsigned qm = pusch.modulation_order();
  const auto symbols = equalized_symbols();
  const auto noise = equalized_noise_variances();
  // EVM against hard decisions on the QAM axes (pi/2-BPSK points all lie on the QPSK grid).
  const unsigned decision_qm = qm >= 2 ? qm : 2;
  const auto* values = reinterpret_cast<const float*>(symbols.data());
  const std::size_t num_values = 2 * symbols.size();
  const std::size_t num_blocks = (num_values + evm_block - 1) / evm_block;
  float* powers = impl_->block_powers.data();
  double noise_sum = 0.0;
  std::size_t noise_count = 0;
  // Item 0: the noise sum; item 1 + b: EVM block b. Sums are added up in a fixed order below,
  // so the result does not depend on the pool.
  const auto run_item = [&](std::size_t item) {
    if (item == 0) {
      for (float variance : noise) {
        if (std::isfinite(variance)) {
          noise_sum += variance;
          ++noise_count;
        }
      }
      return;
    }
    const std::size_t first = (item - 1) * evm_block;
    hard_decision_powers(values + first, std::min(evm_block, num_values - first), decision_qm / 2,
                         qam_scale(decision_qm), powers[2 * (item - 1)],
                         powers[2 * (item - 1) + 1]);
  };
  if (impl_->pool != nullptr && num_blocks > 1) {
    const auto* f = &run_item; // one captured pointer: std::function does not allocate
    impl_->pool->parallel_for(num_blocks + 1, [f](std::size_t item, unsigned) { (*f)(item); });
  } else {
    for (std::size_t item = 0; item <= num_blocks; ++item) {
      run_item(item);
    }
  }
  double error_power = 0.0;
  double reference_power = 0.0;
  for (std::size_t b = 0; b < num_blocks; ++b) {
    error_power += powers[2 * b];
    reference_power += powers[2 * b + 1];
  }
  result.post_eq_sinr_db = post_equalization_sinr_db(noise_sum, noise_count);
  result.evm = evm_of(error_power, reference_power);
  return result;
}

} // namespace airan::phy
