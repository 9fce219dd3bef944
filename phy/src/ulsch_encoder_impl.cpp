/// \file
/// \brief UL-SCH channel coding chain of TS 38.212 6.2: TB CRC (6.2.1), base graph selection
/// (6.2.2), code block segmentation with CB CRC (6.2.3 / 5.2.2), LDPC encoding (6.2.4 / 5.3.2),
/// rate matching with bit interleaving (6.2.5 / 5.4.2) and code block concatenation (6.2.6 / 5.5).
#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ulsch_code_block.h"
#include "airan/phy/ulsch_encoder.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace airan::phy {

namespace {

class UlschEncoderImpl final : public UlschEncoder {
public:
  void encode(std::span<const bit_t> tb_bits, const UlschCodingConfig& cfg,
              std::span<bit_t> codeword) override;

private:
  /// Grows \p buffer to at least \p size bits (never shrinks, so steady state allocates nothing).
  static std::span<bit_t> reserve(BitVector& buffer, std::size_t size) {
    if (buffer.size() < size) {
      buffer.resize(size);
    }
    return std::span<bit_t>(buffer).first(size);
  }

  CrcCalculator crc16_{CrcPolynomial::crc16};
  CrcCalculator crc24a_{CrcPolynomial::crc24a};
  std::unique_ptr<LdpcEncoder> ldpc_encoder_ = create_ldpc_encoder();
  LdpcRateMatcher rate_matcher_;
  BitVector tb_with_crc_;
  BitVector code_block_;
  BitVector encoded_;
};

void check_config(std::span<const bit_t> tb_bits, const UlschCodingConfig& cfg,
                  std::span<bit_t> codeword) {
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("UL-SCH encoder: " + what);
  };
  if (cfg.tbs > ulsch::max_supported_tbs) { // TBS + CRC below must not wrap
    fail("TBS " + std::to_string(cfg.tbs) + " is above the largest UL-SCH TB (" +
         std::to_string(ulsch::max_supported_tbs) + " bits)");
  }
  if (cfg.tbs == 0 || tb_bits.size() != cfg.tbs) {
    fail("TBS " + std::to_string(cfg.tbs) + " with " + std::to_string(tb_bits.size()) +
         " transport block bits");
  }
  if (codeword.size() != cfg.g || cfg.g == 0) {
    fail("G = " + std::to_string(cfg.g) + " with a codeword of " + std::to_string(codeword.size()) +
         " bits");
  }
  if (cfg.modulation_order == 0 || cfg.modulation_order > 10 || cfg.num_layers == 0 ||
      cfg.num_layers > 4) {
    fail("Q_m = " + std::to_string(cfg.modulation_order) +
         ", N_L = " + std::to_string(cfg.num_layers));
  }
  if (cfg.rv > 3) {
    fail("redundancy version " + std::to_string(cfg.rv));
  }
  if (cfg.g % (cfg.modulation_order * cfg.num_layers) != 0) {
    fail("G = " + std::to_string(cfg.g) + " is not a multiple of N_L Q_m");
  }
}

void UlschEncoderImpl::encode(std::span<const bit_t> tb_bits, const UlschCodingConfig& cfg,
                              std::span<bit_t> codeword) {
  check_config(tb_bits, cfg, codeword);

  // 6.2.1: transport block CRC.
  const CrcCalculator& tb_crc =
      transport_block_crc_polynomial(cfg.tbs) == CrcPolynomial::crc24a ? crc24a_ : crc16_;
  const std::span<bit_t> tb_with_crc = reserve(tb_with_crc_, cfg.tbs + tb_crc.length());
  std::memcpy(tb_with_crc.data(), tb_bits.data(), cfg.tbs);
  tb_crc.attach(tb_with_crc);

  // 6.2.2 and 5.2.2: base graph, code blocks, lifting size.
  const LdpcBaseGraph graph =
      cfg.base_graph.value_or(select_ldpc_base_graph(cfg.tbs, cfg.target_code_rate));
  const CodeBlockSegmentation seg =
      segment_code_blocks(static_cast<std::uint32_t>(tb_with_crc.size()), graph);
  const unsigned num_cbs = seg.num_code_blocks;

  LdpcRateMatchConfig rm_config;
  rm_config.code = {graph, seg.lifting_size, seg.num_info_bits};
  rm_config.n_cb = ldpc_circular_buffer_length(graph, seg.lifting_size, num_cbs, cfg.tbs_lbrm);
  rm_config.rv = cfg.rv;
  rm_config.modulation_order = cfg.modulation_order;

  const std::span<bit_t> code_block = reserve(code_block_, seg.num_info_bits);
  const std::span<bit_t> encoded = reserve(encoded_, ldpc_codeword_length(graph, seg.lifting_size));
  std::uint32_t offset = 0;
  for (unsigned r = 0; r < num_cbs; ++r) {
    const unsigned e =
        ldpc_rate_matched_length(r, num_cbs, cfg.g, cfg.num_layers, cfg.modulation_order);
    if (e == 0) {
      continue;
    }
    extract_code_block(tb_with_crc, seg, r, code_block);
    // Only the part of d that bit selection reads is encoded.
    const unsigned needed = ldpc_rate_match_input_length(rm_config, e);
    ldpc_encoder_->encode(code_block, rm_config.code, encoded.first(needed));
    rate_matcher_.rate_match(encoded.first(needed), rm_config, codeword.subspan(offset, e));
    offset += e;
  }
  if (offset != cfg.g) {
    throw std::logic_error("UL-SCH encoder: code blocks filled " + std::to_string(offset) + " of " +
                           std::to_string(cfg.g) + " bits");
  }
}

} // namespace

std::unique_ptr<UlschEncoder> create_ulsch_encoder() {
  return std::make_unique<UlschEncoderImpl>();
}

UlschCodingConfig ulsch_coding_config(const PuschConfig& pusch, std::uint32_t tbs,
                                      std::uint32_t g) {
  UlschCodingConfig coding;
  coding.tbs = tbs;
  coding.target_code_rate = pusch.code_rate_x10240() / 10240.0;
  coding.modulation_order = pusch.modulation_order();
  coding.num_layers = pusch.num_layers;
  coding.rv = pusch.rv;
  coding.g = g;
  coding.tbs_lbrm = pusch.tbs_lbrm;
  coding.base_graph = pusch.ldpc_base_graph;
  return coding;
}

} // namespace airan::phy
