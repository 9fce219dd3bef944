// The UL-SCH decoder with an LDPC batch decoder (every code block of a TB in one call; here the
// host lane decoder, the CUDA kernel's algorithm) gives exactly the results of the default
// per-code-block decoding: TB and code block CRCs, iteration counts and bits, with and without a
// thread pool, early termination and HARQ combining; a batch decoder that throws on a
// retransmission leaves no half-combined HARQ buffer behind.
#include "../support/noisy_llrs.h"
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/ldpc_batch_decoder.h"
#include "airan/phy/thread_pool.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace {

using namespace airan::phy;

using airan::test::noisy_llrs;

/// The host lane decoder, counting its calls and code blocks.
class CountingBatchDecoder final : public LdpcBatchDecoder {
public:
  CountingBatchDecoder(unsigned max_code_blocks, unsigned& calls, unsigned& blocks)
      : inner_(create_host_lane_ldpc_batch_decoder(max_code_blocks)), calls_(calls),
        blocks_(blocks) {}
  void decode(std::span<const LdpcBatchJob> jobs, std::span<LdpcDecoderResult> results) override {
    ++calls_;
    blocks_ += static_cast<unsigned>(jobs.size());
    inner_->decode(jobs, results);
  }
  [[nodiscard]] unsigned max_code_blocks() const override { return inner_->max_code_blocks(); }
  [[nodiscard]] std::string description() const override { return inner_->description(); }

private:
  std::unique_ptr<LdpcBatchDecoder> inner_;
  unsigned& calls_;
  unsigned& blocks_;
};

void expect_same_decoding(const UlschDecoderResult& a, const UlschDecoderResult& b) {
  EXPECT_EQ(a.tb_crc_ok, b.tb_crc_ok);
  EXPECT_EQ(a.num_code_blocks, b.num_code_blocks);
  EXPECT_EQ(a.code_block_crc_ok, b.code_block_crc_ok);
  EXPECT_EQ(a.max_ldpc_iterations, b.max_ldpc_iterations);
  EXPECT_EQ(a.mean_ldpc_iterations, b.mean_ldpc_iterations);
  EXPECT_EQ(a.num_transmissions, b.num_transmissions);
}

TEST(UlschDecoderBatch, SameResultsAsPerCodeBlockDecoding) {
  ThreadPool pool(2);
  unsigned calls = 0;
  unsigned blocks = 0;
  const LdpcBatchDecoderFactory factory = [&](unsigned max_code_blocks) {
    return std::make_unique<CountingBatchDecoder>(max_code_blocks, calls, blocks);
  };
  auto reference = create_ulsch_decoder(100000);
  auto batched = create_ulsch_decoder(100000, nullptr, factory);
  auto batched_on_pool = create_ulsch_decoder(100000, &pool, factory);
  auto encoder = create_ulsch_encoder();
  HarqBufferPool harq_reference(1, 1 << 20);
  HarqBufferPool harq_batched(1, 1 << 20);
  std::mt19937_64 rng(5);
  unsigned failures = 0;
  unsigned expected_calls = 0;
  unsigned expected_blocks = 0;
  for (const std::uint32_t tbs : {200U, 1672U, 9992U, 54296U}) {
    for (const float snr_db : {0.8F, 1.8F, 6.0F}) {
      for (const bool early_termination : {true, false}) {
        SCOPED_TRACE("TBS " + std::to_string(tbs) + " at " + std::to_string(snr_db) + " dB");
        UlschDecoderConfig cfg;
        cfg.coding.tbs = tbs;
        cfg.coding.target_code_rate = 0.75;
        cfg.coding.modulation_order = 2;
        cfg.coding.num_layers = 1;
        cfg.coding.g = 2 * ((tbs * 4 / 3 + 600) / 2);
        cfg.early_termination = early_termination;
        BitVector tb(tbs);
        for (auto& bit : tb) {
          bit = static_cast<bit_t>(rng() & 1U);
        }
        BitVector codeword(cfg.coding.g);
        encoder->encode(tb, cfg.coding, codeword);
        const auto llrs = noisy_llrs(codeword, snr_db, rng);
        BitVector out_reference(tbs);
        BitVector out_batched(tbs);
        BitVector out_pool(tbs);
        const auto a = reference->decode(llrs, cfg, out_reference);
        const auto b = batched->decode(llrs, cfg, out_batched);
        const auto c = batched_on_pool->decode(llrs, cfg, out_pool);
        expect_same_decoding(a, b);
        expect_same_decoding(a, c);
        EXPECT_EQ(out_reference, out_batched);
        EXPECT_EQ(out_reference, out_pool);
        failures += a.tb_crc_ok ? 0 : 1;
        expected_calls += 2;
        expected_blocks += 2 * a.num_code_blocks;

        // HARQ: the same transmission twice (rv 0), combined.
        const HarqProcessKey key{3, 2};
        for (int transmission = 0; transmission < 2; ++transmission) {
          const auto ha = reference->decode(
              llrs, cfg, harq_reference.acquire(key, transmission == 0), out_reference);
          const auto hb =
              batched->decode(llrs, cfg, harq_batched.acquire(key, transmission == 0), out_batched);
          expect_same_decoding(ha, hb);
          EXPECT_EQ(out_reference, out_batched);
          expected_calls += 1;
          expected_blocks += ha.num_code_blocks;
        }
        harq_reference.release(key);
        harq_batched.release(key);
      }
    }
  }
  EXPECT_GT(failures, 2U);            // the low SNRs fail some TBs
  EXPECT_EQ(calls, expected_calls);   // one batch per TB ...
  EXPECT_EQ(blocks, expected_blocks); // ... holding every code block
}

/// The host lane decoder that throws (as a device would fail) on call number \p failing_call.
class FailingBatchDecoder final : public LdpcBatchDecoder {
public:
  FailingBatchDecoder(unsigned max_code_blocks, unsigned failing_call)
      : inner_(create_host_lane_ldpc_batch_decoder(max_code_blocks)), failing_call_(failing_call) {}
  void decode(std::span<const LdpcBatchJob> jobs, std::span<LdpcDecoderResult> results) override {
    if (++calls_ == failing_call_) {
      throw std::runtime_error("device lost");
    }
    inner_->decode(jobs, results);
  }
  [[nodiscard]] unsigned max_code_blocks() const override { return inner_->max_code_blocks(); }
  [[nodiscard]] std::string description() const override { return inner_->description(); }

private:
  std::unique_ptr<LdpcBatchDecoder> inner_;
  unsigned failing_call_;
  unsigned calls_ = 0;
};

// A retransmission whose batch decoding throws after its code blocks were combined into the
// HARQ buffer: decode_ulsch_with_harq gives the buffer back (its soft values hold part of this
// transmission, its state only the earlier ones), and a later new transmission starts clean.
TEST(UlschDecoderBatch, AFailedRetransmissionGivesItsHarqBufferBack) {
  const LdpcBatchDecoderFactory failing_second = [](unsigned max_code_blocks) {
    return std::make_unique<FailingBatchDecoder>(max_code_blocks, 2);
  };
  auto decoder = create_ulsch_decoder(30000, nullptr, failing_second);
  auto encoder = create_ulsch_encoder();
  HarqBufferPool pool(2, 1 << 20);
  UlschDecoderConfig cfg;
  cfg.coding = {30000, 0.7, 4, 1, 0, 44000, 0};
  std::mt19937_64 rng(8);
  BitVector tb(cfg.coding.tbs);
  for (auto& bit : tb) {
    bit = static_cast<bit_t>(rng() & 1U);
  }
  BitVector codeword(cfg.coding.g);
  encoder->encode(tb, cfg.coding, codeword);
  const auto weak = noisy_llrs(codeword, -3.0F, rng); // fails: kept for a retransmission
  BitVector decoded(cfg.coding.tbs);
  const HarqProcessKey key{7, 1};
  const UlschDecoderResult first =
      decode_ulsch_with_harq(*decoder, weak, cfg, pool, key, true, decoded);
  ASSERT_FALSE(first.tb_crc_ok);
  EXPECT_EQ(pool.num_in_use(), 1U);
  EXPECT_THROW(decode_ulsch_with_harq(*decoder, weak, cfg, pool, key, false, decoded),
               std::runtime_error);
  EXPECT_EQ(pool.num_in_use(), 0U);
  EXPECT_FALSE(pool.release(key)) << "the buffer was kept";
  const auto clean = noisy_llrs(codeword, 6.0F, rng);
  EXPECT_TRUE(decode_ulsch_with_harq(*decoder, clean, cfg, pool, key, true, decoded).tb_crc_ok);
  EXPECT_EQ(decoded, tb);
}

TEST(UlschDecoderBatch, ABatchDecoderTooSmallForTheLargestTbIsRejected) {
  const LdpcBatchDecoderFactory small = [](unsigned) {
    return create_host_lane_ldpc_batch_decoder(1);
  };
  EXPECT_THROW(create_ulsch_decoder(100000, nullptr, small), std::invalid_argument);
  EXPECT_NO_THROW(create_ulsch_decoder(3000, nullptr, small)); // a single code block
}

} // namespace
