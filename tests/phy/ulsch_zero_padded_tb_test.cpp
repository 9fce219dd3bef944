// A TB whose code blocks are all zero past its first bits (a MAC PDU padded with zeros, TS 38.321
// 6.1.2, whenever the grant is larger than the data) decodes as a random TB does: an all-zero
// code block passes its CRC24B at once (a zero register), so early termination on the CRC stops
// on it only once every parity check holds too, as the acceptance (ulsch::accept_code_block)
// takes it; stopping at the first iteration whose CRC holds rejected such blocks at any SNR.
// The default decoder and the host lane batch decoder (the CUDA kernel's algorithm) alike.
#include "../support/noisy_llrs.h"
#include "airan/phy/ldpc_batch_decoder.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

using namespace airan::phy;

TEST(UlschZeroPaddedTb, DecodesAsARandomTbDoesWithCrcTermination) {
  const LdpcBatchDecoderFactory lanes = [](unsigned max_code_blocks) {
    return create_host_lane_ldpc_batch_decoder(max_code_blocks);
  };
  auto encoder = create_ulsch_encoder();
  UlschDecoderConfig cfg;
  cfg.coding = {30000, 0.7, 4, 1, 0, 44000, 0}; // BG1, C = 4
  cfg.max_iterations = 10;
  cfg.early_termination = true;
  for (const bool batched : {false, true}) {
    SCOPED_TRACE(batched ? "host lane batch decoder" : "default decoder");
    auto decoder =
        batched ? create_ulsch_decoder(30000, nullptr, lanes) : create_ulsch_decoder(30000);
    std::mt19937_64 rng(21);
    unsigned padded_ok = 0;
    unsigned zero_ok = 0;
    unsigned random_ok = 0;
    constexpr unsigned trials = 20;
    for (unsigned trial = 0; trial < trials; ++trial) {
      BitVector random(cfg.coding.tbs);
      for (auto& bit : random) {
        bit = static_cast<bit_t>(rng() & 1U);
      }
      BitVector padded(cfg.coding.tbs, 0);
      std::copy_n(random.begin(), 1000, padded.begin());
      BitVector zero(cfg.coding.tbs, 0);
      for (const auto& [tb, ok] : {std::pair{&random, &random_ok}, std::pair{&padded, &padded_ok},
                                   std::pair{&zero, &zero_ok}}) {
        BitVector codeword(cfg.coding.g);
        encoder->encode(*tb, cfg.coding, codeword);
        const auto llrs = airan::test::noisy_llrs(codeword, 6.0F, rng);
        BitVector decoded(cfg.coding.tbs);
        const UlschDecoderResult result = decoder->decode(llrs, cfg, decoded);
        *ok += result.tb_crc_ok && decoded == *tb ? 1 : 0;
      }
    }
    EXPECT_EQ(random_ok, trials);
    EXPECT_EQ(padded_ok, trials);
    EXPECT_EQ(zero_ok, trials);
  }
}

} // namespace
