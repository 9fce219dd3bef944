/// \file
/// \brief The layered min-sum LDPC decoder shared by every instruction set: code setup, APP
/// frames, row schedule, early termination and hard decision around the layer kernels of
/// ldpc_decoder_layered.h (which describes the data layout).
#include "airan/phy/ldpc_decoder.h"

#include "ldpc_decoder_layered.h"

#include "airan/phy/ldpc_encoder.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace airan::phy {

namespace {

using detail::ldpc_soft_t;
using detail::ldpc_vector_lanes;
using detail::LdpcLayer;
using detail::LdpcLayerKernels;

constexpr ldpc_soft_t filler_llr = ldpc_llr_max * 47;

constexpr unsigned round_up(unsigned value, unsigned granule) {
  return (value + granule - 1) / granule * granule;
}

/// Zero-initialised soft values whose start is aligned to a whole vector; grows, never shrinks.
class AlignedSoftBuffer {
public:
  ldpc_soft_t* reserve(std::size_t size) {
    if (size > size_) {
      storage_.assign(size + ldpc_vector_lanes, 0);
      size_ = size;
    }
    constexpr std::size_t alignment = ldpc_vector_lanes * sizeof(ldpc_soft_t);
    const auto misalignment = reinterpret_cast<std::uintptr_t>(storage_.data()) % alignment;
    return storage_.data() +
           (misalignment == 0 ? 0 : alignment - misalignment) / sizeof(ldpc_soft_t);
  }

private:
  std::vector<ldpc_soft_t> storage_;
  std::size_t size_ = 0;
};

class LayeredMinSumDecoder final : public LdpcDecoder {
public:
  explicit LayeredMinSumDecoder(const LdpcLayerKernels& kernels)
      : kernels_(kernels), graph_rows_{ldpc_graph_rows(LdpcBaseGraph::bg1),
                                       ldpc_graph_rows(LdpcBaseGraph::bg2)} {}

  LdpcDecoderResult decode(std::span<const std::int8_t> llrs, const LdpcDecoderConfig& config,
                           std::span<bit_t> message, const LdpcCrcCheck& crc_check) override;

  [[nodiscard]] LdpcDecoderImpl impl() const override { return kernels_.impl; }

private:
  void check_arguments(std::span<const std::int8_t> llrs, const LdpcDecoderConfig& config,
                       std::span<bit_t> message, const LdpcCrcCheck& crc_check) const;
  unsigned rows_to_process(std::span<const std::int8_t> llrs,
                           const LdpcDecoderConfig& config) const;
  void load_channel_llrs(std::span<const std::int8_t> llrs, const LdpcDecoderConfig& config);
  /// Points the layer at the APP windows, destinations and messages of \p row.
  void bind_row(unsigned row);
  /// Records that the layer just run rewrote each of its columns in the frame of its edge.
  void commit_row(unsigned row);
  bool all_checks_hold();
  void hard_decide(std::span<bit_t> message) const;

  [[nodiscard]] ldpc_soft_t* app_buffer(unsigned column) const {
    return app_ + std::size_t{column} * app_stride_;
  }

  const LdpcLayerKernels& kernels_;
  std::array<LdpcGraphRows, 2> graph_rows_;
  const LdpcGraphRows* rows_ = nullptr;
  unsigned z_ = 0;
  unsigned set_index_ = 0;
  unsigned num_rows_ = 0;
  unsigned app_stride_ = 0;     ///< Values per APP buffer: 2Z + 32, rounded up to 32.
  unsigned lane_stride_ = 0;    ///< Z rounded up to 32.
  unsigned message_stride_ = 0; ///< Message storage per edge.

  AlignedSoftBuffer app_storage_, message_storage_, row_state_storage_, scratch_storage_;
  ldpc_soft_t* app_ = nullptr; ///< One buffer per column.
  ldpc_soft_t* messages_ = nullptr;
  ldpc_soft_t* row_states_ = nullptr;           ///< 2 lane strides per row.
  std::array<std::uint16_t, 68> frame_{};       ///< Frame of each column's APP.
  std::array<std::uint16_t, 316> edge_shift_{}; ///< Shift mod Z of every processed edge.
  std::array<const ldpc_soft_t*, ldpc_max_row_degree> app_in_{};
  std::array<ldpc_soft_t*, ldpc_max_row_degree> app_out_{};
  std::array<ldpc_soft_t*, ldpc_max_row_degree> message_ptrs_{};
  LdpcLayer layer_;
};

void LayeredMinSumDecoder::check_arguments(std::span<const std::int8_t> llrs,
                                           const LdpcDecoderConfig& config,
                                           std::span<bit_t> message,
                                           const LdpcCrcCheck& crc_check) const {
  ldpc_check_decoder_arguments(config, llrs.size(), message.size());
  if (config.early_termination == LdpcEarlyTermination::crc_check && !crc_check) {
    throw std::invalid_argument("LDPC decoder: crc_check termination without a CRC check");
  }
}

unsigned LayeredMinSumDecoder::rows_to_process(std::span<const std::int8_t> llrs,
                                               const LdpcDecoderConfig& config) const {
  return config.num_rows != 0 ? config.num_rows
                              : ldpc_rows_for_llrs(config.base_graph, config.lifting_size, llrs);
}

void LayeredMinSumDecoder::load_channel_llrs(std::span<const std::int8_t> llrs,
                                             const LdpcDecoderConfig& config) {
  const unsigned kb = ldpc_num_systematic_columns(config.base_graph);
  const unsigned num_columns = kb + num_rows_;
  const LdpcEncoderConfig code{config.base_graph, z_, config.num_info_bits};
  // Filler bits c_K' .. c_{K-1} in codeword positions: known zeros, punctured ones too (K' < 2Z).
  const std::size_t filler_begin = config.num_info_bits;
  const std::size_t filler_end = ldpc_filler_end(code) + 2 * z_;
  for (unsigned column = 0; column < num_columns; ++column) {
    ldpc_soft_t* app = app_buffer(column);
    const std::size_t begin = std::size_t{column} * z_; // in the full codeword
    std::size_t received = 0;
    const std::size_t punctured = 2 * std::size_t{z_};
    if (begin >= punctured && begin - punctured < llrs.size()) {
      const std::int8_t* source = llrs.data() + (begin - punctured);
      received = std::min<std::size_t>(z_, llrs.size() - (begin - punctured));
      kernels_.widen_llrs(source, app, static_cast<unsigned>(received));
    }
    std::fill(app + received, app + z_, ldpc_soft_t{0}); // punctured or not received
    // Filler bits are known zeros: they start above what all messages of a column can subtract
    // (46 * 127), so they never change sign.
    const std::size_t fill_begin = std::max(filler_begin, begin);
    const std::size_t fill_end = std::min(filler_end, begin + z_);
    if (fill_begin < fill_end) {
      std::fill(app + (fill_begin - begin), app + (fill_end - begin), filler_llr);
    }
    std::copy_n(app, z_, app + z_);
  }
  frame_.fill(0);
}

void LayeredMinSumDecoder::bind_row(unsigned row) {
  const unsigned begin = rows_->row_begin[row];
  const unsigned degree = rows_->row_begin[row + 1] - begin;
  for (unsigned e = 0; e < degree; ++e) {
    const unsigned column = rows_->entries[begin + e].column;
    const unsigned shift = edge_shift_[begin + e];
    const unsigned offset =
        shift >= frame_[column] ? shift - frame_[column] : shift + z_ - frame_[column];
    app_in_[e] = app_buffer(column) + offset;
    app_out_[e] = app_buffer(column);
    message_ptrs_[e] = messages_ + std::size_t{begin + e} * message_stride_;
  }
  layer_.degree = degree;
  layer_.row_state = row_states_ + std::size_t{row} * 2 * lane_stride_;
}

void LayeredMinSumDecoder::commit_row(unsigned row) {
  for (unsigned i = rows_->row_begin[row]; i < rows_->row_begin[row + 1]; ++i) {
    frame_[rows_->entries[i].column] = edge_shift_[i];
  }
}

bool LayeredMinSumDecoder::all_checks_hold() {
  for (unsigned row = 0; row < num_rows_; ++row) {
    bind_row(row);
    if (!kernels_.parity_ok(layer_)) {
      return false;
    }
  }
  return true;
}

void LayeredMinSumDecoder::hard_decide(std::span<bit_t> message) const {
  const std::size_t num_bits = message.size();
  for (unsigned column = 0; std::size_t{column} * z_ < num_bits; ++column) {
    // Natural position k sits at (k - frame) mod Z, i.e. at Z - frame + k of the doubled copy.
    const ldpc_soft_t* app = app_buffer(column) + (z_ - frame_[column]);
    bit_t* bits = message.data() + std::size_t{column} * z_;
    const std::size_t count = std::min<std::size_t>(z_, num_bits - std::size_t{column} * z_);
    kernels_.hard_decide(app, bits, static_cast<unsigned>(count));
  }
}

LdpcDecoderResult LayeredMinSumDecoder::decode(std::span<const std::int8_t> llrs,
                                               const LdpcDecoderConfig& config,
                                               std::span<bit_t> message,
                                               const LdpcCrcCheck& crc_check) {
  check_arguments(llrs, config, message, crc_check);
  z_ = config.lifting_size;
  set_index_ = *ldpc_lifting_set_index(z_);
  rows_ = &graph_rows_[config.base_graph == LdpcBaseGraph::bg1 ? 0 : 1];
  num_rows_ = rows_to_process(llrs, config);
  lane_stride_ = round_up(z_, ldpc_vector_lanes);
  app_stride_ = round_up(2 * z_ + ldpc_vector_lanes, ldpc_vector_lanes);

  const unsigned num_columns = ldpc_num_systematic_columns(config.base_graph) + num_rows_;
  const unsigned num_edges = rows_->row_begin[num_rows_];
  for (unsigned i = 0; i < num_edges; ++i) {
    edge_shift_[i] = static_cast<std::uint16_t>(rows_->entries[i].shift[set_index_] % z_);
  }
  app_ = app_storage_.reserve(std::size_t{num_columns} * app_stride_);
  message_stride_ = lane_stride_ / ldpc_vector_lanes * kernels_.message_values_per_32_lanes;
  messages_ = message_storage_.reserve(std::size_t{num_edges} * message_stride_);
  std::fill_n(messages_, std::size_t{num_edges} * message_stride_, ldpc_soft_t{0});
  row_states_ = row_state_storage_.reserve(std::size_t{num_rows_} * 2 * lane_stride_);
  std::fill_n(row_states_, std::size_t{num_rows_} * 2 * lane_stride_, ldpc_soft_t{0});
  layer_.scratch = scratch_storage_.reserve(std::size_t{ldpc_max_row_degree + 3} * lane_stride_);
  layer_.scratch_stride = lane_stride_;
  layer_.lifting_size = z_;
  layer_.app_in = app_in_.data();
  layer_.app_out = app_out_.data();
  layer_.messages = message_ptrs_.data();
  layer_.rule.normalized = config.rule == LdpcMinSumRule::normalized;
  // Only the normalized rule checks (and uses) its factor: converted for it alone.
  layer_.rule.factor_q15 =
      layer_.rule.normalized ? static_cast<std::int16_t>(
                                   std::min(32767.0f, std::round(config.scaling_factor * 32768.0f)))
                             : std::int16_t{0};
  layer_.rule.offset = static_cast<std::int16_t>(config.offset);
  load_channel_llrs(llrs, config);

  LdpcDecoderResult result;
  bool decided = false;      // message holds the hard decision of the current APP
  bool parity_known = false; // result.parity_ok is that of the current APP
  for (unsigned iteration = 1; iteration <= config.max_iterations; ++iteration) {
    for (unsigned row = 0; row < num_rows_; ++row) {
      bind_row(row);
      kernels_.update(layer_);
      commit_row(row);
    }
    result.iterations = iteration;
    decided = false;
    parity_known = false;
    if (config.early_termination == LdpcEarlyTermination::parity_check) {
      result.parity_ok = all_checks_hold();
      parity_known = true;
      if (result.parity_ok) {
        break;
      }
    } else if (config.early_termination == LdpcEarlyTermination::crc_check) {
      hard_decide(message);
      decided = true;
      result.crc_ok = crc_check(message);
      // An all-zero message passes any CRC (a zero register): it ends the decoding only once
      // every check holds too, as accept_code_block() takes it (a zero-padded TB's blocks).
      bool stop = result.crc_ok;
      if (stop &&
          std::none_of(message.begin(), message.end(), [](bit_t bit) { return bit != 0; })) {
        result.parity_ok = all_checks_hold();
        parity_known = true;
        stop = result.parity_ok;
      }
      if (stop) {
        break;
      }
    }
  }
  if (!parity_known) {
    result.parity_ok = all_checks_hold();
  }
  if (!decided) {
    hard_decide(message);
    if (crc_check) {
      result.crc_ok = crc_check(message);
    }
  }
  return result;
}

} // namespace

namespace detail {

std::unique_ptr<LdpcDecoder> make_layered_min_sum_decoder(const LdpcLayerKernels& kernels) {
  return std::make_unique<LayeredMinSumDecoder>(kernels);
}

} // namespace detail

} // namespace airan::phy
