#include "pusch_front_end_impl.h"

#include "airan/phy/modulation_mapper.h"
#include "airan/phy/ptrs_phase_math.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace airan::phy {
namespace {

/// Copies \p n values from \p in to \p out, times \p rotation when it is not null (products
/// written out: std::complex's operator* checks for NaN and infinity in a library call).
void copy_run(const cf32* in, cf32* out, std::size_t n, const cf32* rotation) {
  if (rotation == nullptr) {
    std::copy_n(in, n, out);
    return;
  }
  const float c = rotation->real();
  const float d = rotation->imag();
  const auto* a = reinterpret_cast<const float*>(in);
  auto* o = reinterpret_cast<float*>(out);
  for (std::size_t i = 0; i < n; ++i) {
    rotate_value(a[2 * i], a[2 * i + 1], c, d, o[2 * i], o[2 * i + 1]);
  }
}

/// Writes the values of \p row (one per allocated subcarrier of slot symbol \p l) on the symbol's
/// data REs to \p out, in order, times \p rotation when it is not null: runs between the PT-RS
/// subcarriers of a PT-RS symbol, the data subcarriers of each PRB of a DMRS symbol.
void gather_data_res(const cf32* row, cf32* out, const PuschReMapping& mapping, unsigned l,
                     const cf32* rotation) {
  const unsigned width = mapping.num_subcarriers();
  if (mapping.dmrs_symbols.contains(l)) {
    for (unsigned k = 0; k < width; ++k) {
      if (mapping.data_on_dmrs_symbol[k % subcarriers_per_prb]) {
        copy_run(row + k, out++, 1, rotation);
      }
    }
    return;
  }
  if (!mapping.ptrs.on_symbol(l)) {
    copy_run(row, out, width, rotation);
    return;
  }
  unsigned start = 0;
  for (unsigned k = mapping.ptrs.offset; k < width; k += mapping.ptrs.period) {
    copy_run(row + start, out, k - start, rotation);
    out += k - start;
    start = k + 1;
  }
  copy_run(row + start, out, width - start, rotation);
}

} // namespace

using front_end_detail::EqualizeJob;
using front_end_detail::FrontEndLane;

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
  // Per slot symbol: each intra-slot hop with its own noise.
  for (unsigned l = 0; l < max_symbols_per_slot; ++l) {
    job.noise[l] = std::max(estimate.noise_variance_of(l), 1e-7F * channel_power);
  }
  job.rotate = mapping.ptrs.present();
  for (unsigned l = 0; l < max_symbols_per_slot; ++l) {
    float c = 1.0F;
    float d = 0.0F;
    ptrs_derotation(phases[l], c, d);
    job.rotation[l] = cf32(c, d);
  }

  std::size_t done = 0;
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    if (const unsigned num_res = mapping.num_data_res(l); num_res != 0) {
      job.symbols[job.num_symbols] = l;
      job.first_re[job.num_symbols++] = done;
      done += num_res;
    }
  }
  // Without UL-SCH the data REs of DMRS symbols were sent empty (CodedReOwner::none).
  num_empty_ranges = pusch_empty_value_ranges(mapping, pusch.ulsch, num_layers, empty_symbols);
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
  const bool ptrs_symbol = mapping.ptrs.on_symbol(l);
  const cf32 rotation = job.rotation[l];
  for (unsigned r = 0; r < num_rx; ++r) {
    const cf32* row = grid.symbol(r, l).data() + mapping.first_subcarrier_of(l);
    if (!dmrs_symbol && !job.rotate) {
      received[r] = row;
      for (unsigned layer = 0; layer < num_layers; ++layer) {
        channel[r * num_layers + layer] = estimate.channel(r, layer, l).data();
      }
      continue;
    }
    // Gather the data subcarriers of this symbol (rotated back by its PT-RS phase).
    cf32* out = lane.gathered_received.data() + std::size_t{r} * width;
    received[r] = out;
    gather_data_res(row, out, mapping, l, job.rotate ? &rotation : nullptr);
    for (unsigned layer = 0; layer < num_layers; ++layer) {
      const cf32* h = estimate.channel(r, layer, l).data();
      if (!dmrs_symbol && !ptrs_symbol) {
        channel[r * num_layers + layer] = h;
        continue;
      }
      cf32* h_out = lane.gathered_channel.data() + std::size_t{r * num_layers + layer} * width;
      channel[r * num_layers + layer] = h_out;
      gather_data_res(h, h_out, mapping, l, nullptr);
    }
  }
  // Data REs below PRB p on this symbol; covariance groups are whole PRBs.
  const auto res_below = [&](unsigned p) -> std::size_t {
    if (dmrs_symbol) {
      return std::size_t{p} * job.data_per_prb;
    }
    const unsigned k = p * subcarriers_per_prb;
    return ptrs_symbol ? k - mapping.ptrs.count_below(k) : k;
  };
  const bool irc = algorithm == EqualizerAlgorithm::mmse_irc;
  const unsigned groups = irc ? estimate.num_covariance_groups() : 1;
  for (unsigned g = 0; g < groups; ++g) {
    const unsigned first_prb = irc ? g * estimate.covariance_group_prbs() : 0;
    const unsigned end_prb =
        irc ? std::min(first_prb + estimate.covariance_group_prbs(), mapping.num_prbs)
            : mapping.num_prbs;
    const std::size_t first_re = res_below(first_prb);
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
    input.num_res = res_below(end_prb) - first_re;
    input.received = std::span<const cf32* const>(received_part.data(), num_rx);
    input.channel =
        std::span<const cf32* const>(channel_part.data(), std::size_t{num_rx} * num_layers);
    EqualizerNoise noise_model;
    noise_model.variance = job.noise[l];
    if (irc) {
      noise_model.covariance = estimate.covariance(estimate.covariance_group_base(l) + g);
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

} // namespace airan::phy
