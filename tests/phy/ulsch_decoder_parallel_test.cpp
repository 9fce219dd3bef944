// Code blocks decoded in parallel on a thread pool give exactly the sequential results.
#include "../support/noisy_llrs.h"
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/thread_pool.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace {

using namespace airan::phy;

using airan::test::noisy_llrs;

TEST(UlschDecoderParallel, SameResultsAsSequentialWithAndWithoutHarq) {
  ThreadPool pool(3);
  auto sequential = create_ulsch_decoder(200000);
  auto parallel = create_ulsch_decoder(200000, &pool);
  auto encoder = create_ulsch_encoder();
  HarqBufferPool harq_a(1, 1 << 20);
  HarqBufferPool harq_b(1, 1 << 20);
  std::mt19937_64 rng(99);
  int failures_seen = 0;
  for (std::uint32_t tbs : {1672U, 9992U, 54296U, 94248U}) {
    for (float snr_db : {1.0F, 1.8F, 6.0F}) {
      UlschDecoderConfig cfg;
      cfg.coding.tbs = tbs;
      cfg.coding.target_code_rate = 0.75;
      cfg.coding.modulation_order = 2;
      cfg.coding.num_layers = 1;
      cfg.coding.g = 2 * ((tbs * 4 / 3 + 1000) / 2);
      BitVector tb(tbs);
      for (auto& bit : tb) {
        bit = static_cast<bit_t>(rng() & 1U);
      }
      BitVector codeword(cfg.coding.g);
      encoder->encode(tb, cfg.coding, codeword);
      const auto llrs = noisy_llrs(codeword, snr_db, rng);
      BitVector out_a(tbs), out_b(tbs);
      const auto a = sequential->decode(llrs, cfg, out_a);
      const auto b = parallel->decode(llrs, cfg, out_b);
      EXPECT_EQ(a.tb_crc_ok, b.tb_crc_ok) << tbs << " at " << snr_db << " dB";
      EXPECT_EQ(a.code_block_crc_ok, b.code_block_crc_ok);
      EXPECT_EQ(a.max_ldpc_iterations, b.max_ldpc_iterations);
      EXPECT_EQ(a.mean_ldpc_iterations, b.mean_ldpc_iterations);
      EXPECT_EQ(out_a, out_b);
      failures_seen += a.tb_crc_ok ? 0 : 1;
      if (snr_db > 5.0F) {
        EXPECT_TRUE(b.tb_crc_ok);
        EXPECT_EQ(out_b, tb);
      }

      const HarqProcessKey key{7, 1};
      const auto ha = sequential->decode(llrs, cfg, harq_a.acquire(key, true), out_a);
      const auto hb = parallel->decode(llrs, cfg, harq_b.acquire(key, true), out_b);
      EXPECT_EQ(ha.tb_crc_ok, hb.tb_crc_ok);
      EXPECT_EQ(ha.code_block_crc_ok, hb.code_block_crc_ok);
      EXPECT_EQ(out_a, out_b);
    }
  }
  EXPECT_GT(failures_seen, 0) << "the low SNRs should make some blocks fail";
}

} // namespace
