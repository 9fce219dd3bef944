// UL-SCH decoder: noise-free round trips through the encoder (both base graphs, one and many code
// blocks, every rv, Q_m, layers, LBRM, repetition), the tb/ conformance codewords, failures that
// must be reported as such (wrong TB CRC with valid code blocks, a corrupted code block, nothing
// received), HARQ combining of rv 0 and rv 2 over AWGN, and argument checks.
#include "../support/conformance_dirs.h"
#include "airan/io/npy.h"
#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

using namespace airan::phy;
namespace fs = std::filesystem;

namespace {

using airan::test::random_tb_bits;

/// LLRs of a noise-free codeword: +magnitude for 0, -magnitude for 1.
std::vector<float> hard_llrs(const BitVector& codeword, float magnitude = 8.0f) {
  std::vector<float> llrs(codeword.size());
  for (std::size_t i = 0; i < codeword.size(); ++i) {
    llrs[i] = codeword[i] == 0 ? magnitude : -magnitude;
  }
  return llrs;
}

/// BPSK over AWGN: y = (1 - 2 b) + n with n ~ N(0, sigma^2), LLR = 2 y / sigma^2.
std::vector<float> awgn_llrs(const BitVector& codeword, double snr_db, std::mt19937& rng) {
  const double sigma2 = std::pow(10.0, -snr_db / 10.0);
  std::normal_distribution<double> noise(0.0, std::sqrt(sigma2));
  std::vector<float> llrs(codeword.size());
  for (std::size_t i = 0; i < codeword.size(); ++i) {
    const double y = (codeword[i] == 0 ? 1.0 : -1.0) + noise(rng);
    llrs[i] = static_cast<float>(2.0 * y / sigma2);
  }
  return llrs;
}

UlschDecoderConfig decoder_config(const UlschCodingConfig& coding, unsigned iterations = 6) {
  UlschDecoderConfig cfg;
  cfg.coding = coding;
  cfg.max_iterations = iterations;
  return cfg;
}

unsigned num_code_blocks(const UlschCodingConfig& coding) {
  const unsigned tb_crc = crc_length(transport_block_crc_polynomial(coding.tbs));
  return segment_code_blocks(coding.tbs + tb_crc,
                             select_ldpc_base_graph(coding.tbs, coding.target_code_rate))
      .num_code_blocks;
}

TEST(UlschDecoder, NoiseFreeRoundTrip) {
  // {TBS, R, Q_m, N_L, rv, G, TBS_LBRM}. rv 1..3 get enough bits to wrap around the circular
  // buffer (a noise-free block without its systematic bits is not decodable by min-sum).
  const UlschCodingConfig cases[] = {
      {24, 0.3, 2, 1, 0, 120, 0},         // BG2, smallest TB, CRC16
      {112, 0.3, 2, 1, 3, 624, 0},        // BG2, repetition, rv 3
      {500, 0.4, 1, 1, 0, 1300, 0},       // Q_m 1
      {1000, 0.5, 4, 2, 1, 6400, 0},      // BG2 rv 1
      {3824, 0.3, 2, 1, 2, 20000, 0},     // BG2 rv 2, largest CRC16 TB
      {8000, 0.8, 2, 1, 1, 30000, 0},     // BG1, C = 1, rv 1
      {8000, 0.9, 6, 3, 0, 9000, 0},      // BG1, C = 1, high rate, 3 layers
      {9992, 0.5, 4, 1, 2, 30000, 0},     // BG1, C = 2, rv 2
      {9992, 0.5, 6, 1, 3, 20004, 8000},  // BG1, LBRM, rv 3
      {19992, 0.2, 2, 2, 0, 60000, 0},    // BG2, C = 6
      {60000, 0.9, 8, 4, 0, 67200, 0},    // BG1, C = 8, high rate
      {20496, 0.85, 10, 2, 0, 24000, 0},  // Q_m 10
      {40016, 0.6, 6, 2, 0, 67200, 30000} // BG1, C = 5, LBRM
  };
  std::mt19937 rng(17);
  auto encoder = create_ulsch_encoder();
  auto decoder = create_ulsch_decoder(60000);
  bool seen[2][2] = {}; // [BG1/BG2][C = 1 / C > 1]
  for (const auto& coding : cases) {
    const BitVector tb = random_tb_bits(coding.tbs, rng);
    BitVector codeword(coding.g);
    encoder->encode(tb, coding, codeword);
    BitVector decoded(coding.tbs, 0);
    const auto result = decoder->decode(hard_llrs(codeword), decoder_config(coding), decoded);
    const unsigned c = num_code_blocks(coding);
    SCOPED_TRACE("TBS " + std::to_string(coding.tbs) + ", G " + std::to_string(coding.g) + ", rv " +
                 std::to_string(coding.rv));
    EXPECT_TRUE(result.tb_crc_ok);
    EXPECT_EQ(decoded, tb);
    EXPECT_EQ(result.num_code_blocks, c);
    EXPECT_EQ(result.num_code_blocks_ok, c);
    EXPECT_EQ(result.code_block_crc_ok.count(), c);
    EXPECT_GE(result.mean_ldpc_iterations, 1.0f);
    EXPECT_LE(result.max_ldpc_iterations, 6u);
    EXPECT_EQ(result.num_transmissions, 1u);
    const bool bg2 =
        select_ldpc_base_graph(coding.tbs, coding.target_code_rate) == LdpcBaseGraph::bg2;
    seen[bg2 ? 1 : 0][c > 1 ? 1 : 0] = true;
  }
  EXPECT_TRUE(seen[0][0] && seen[0][1] && seen[1][0] && seen[1][1]);
}

TEST(UlschDecoder, ReusedDecoderGivesTheSameResults) {
  std::mt19937 rng(2);
  auto encoder = create_ulsch_encoder();
  auto decoder = create_ulsch_decoder(99996);
  const UlschCodingConfig big{99996, 0.7, 6, 2, 0, 150000, 0};
  const UlschCodingConfig small{200, 0.3, 2, 1, 0, 800, 0};
  for (int round = 0; round < 2; ++round) {
    for (const auto& coding : {big, small}) {
      const BitVector tb = random_tb_bits(coding.tbs, rng);
      BitVector codeword(coding.g);
      encoder->encode(tb, coding, codeword);
      BitVector decoded(coding.tbs);
      EXPECT_TRUE(decoder->decode(hard_llrs(codeword), decoder_config(coding), decoded).tb_crc_ok);
      EXPECT_EQ(decoded, tb);
    }
  }
}

TEST(UlschDecoder, WithoutEarlyTerminationRunsEveryIteration) {
  std::mt19937 rng(4);
  const UlschCodingConfig coding{30000, 0.7, 4, 1, 0, 44000, 0};
  const BitVector tb = random_tb_bits(coding.tbs, rng);
  BitVector codeword(coding.g);
  create_ulsch_encoder()->encode(tb, coding, codeword);
  auto cfg = decoder_config(coding, 5);
  cfg.early_termination = false;
  BitVector decoded(coding.tbs);
  const auto result = create_ulsch_decoder(coding.tbs)->decode(hard_llrs(codeword), cfg, decoded);
  EXPECT_TRUE(result.tb_crc_ok);
  EXPECT_EQ(result.max_ldpc_iterations, 5u);
  EXPECT_EQ(result.mean_ldpc_iterations, 5.0f);
  cfg.early_termination = true;
  const auto early = create_ulsch_decoder(coding.tbs)->decode(hard_llrs(codeword), cfg, decoded);
  EXPECT_TRUE(early.tb_crc_ok);
  EXPECT_LT(early.mean_ldpc_iterations, 5.0f);
}

/// Decodes every tb/tb_testcase_N of \p dir from hard scrambled LLRs; returns the case count.
unsigned decode_conformance_cases(const fs::path& dir) {
  unsigned count = 0;
  if (!fs::is_directory(dir)) {
    return 0;
  }
  auto decoder = create_ulsch_decoder(1300000);
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("tb_testcase_", 0) != 0) {
      continue;
    }
    SCOPED_TRACE(entry.path().string());
    std::ifstream params_file(entry.path() / "params.json");
    const auto params = nlohmann::json::parse(params_file);
    const BitVector tb = airan::io::read_npy_bits(entry.path() / "tb_bits.npy");
    const BitVector scrambled = airan::io::read_npy_bits(entry.path() / "codeword_scrambled.npy");
    UlschCodingConfig coding;
    coding.tbs = static_cast<std::uint32_t>(tb.size());
    coding.target_code_rate = params["coderate"].get<double>();
    coding.modulation_order = params["num_bits_per_symbol"].get<unsigned>();
    coding.num_layers = params["num_layers"].get<unsigned>();
    coding.g = static_cast<std::uint32_t>(scrambled.size());
    std::vector<float> llrs = hard_llrs(scrambled);
    descramble_llrs(llrs, pusch_scrambling_init(params["n_rnti"].get<std::uint16_t>(),
                                                params["n_id"].get<std::uint16_t>()));
    BitVector decoded(coding.tbs);
    const auto result = decoder->decode(llrs, decoder_config(coding), decoded);
    EXPECT_TRUE(result.tb_crc_ok);
    EXPECT_EQ(result.num_code_blocks_ok, result.num_code_blocks);
    EXPECT_EQ(decoded, tb);
    ++count;
  }
  return count;
}

TEST(UlschDecoder, DecodesTheCommittedConformanceCodewords) {
  using airan::test::ConformanceSet;
  const fs::path dir = airan::test::conformance_dir(ConformanceSet::committed, "tb");
  AIRAN_REQUIRE_CONFORMANCE_DIR(ConformanceSet::committed, dir);
  EXPECT_GT(decode_conformance_cases(dir), 0u);
}

TEST(UlschDecoder, DecodesTheSharedConformanceCodewords) {
  using airan::test::ConformanceSet;
  const fs::path dir = airan::test::conformance_dir(ConformanceSet::shared, "tb");
  AIRAN_REQUIRE_CONFORMANCE_DIR(ConformanceSet::shared, dir);
  EXPECT_GT(decode_conformance_cases(dir), 0u);
}

/// TS 38.212 6.2 from the public stages, with TB CRC bit \p flipped_crc_bit inverted before
/// segmentation (so the code block CRCs and LDPC codewords are valid); -1 flips nothing.
BitVector encode_with_tb_crc_error(const BitVector& tb, const UlschCodingConfig& coding,
                                   int flipped_crc_bit) {
  const CrcCalculator tb_crc(transport_block_crc_polynomial(coding.tbs));
  BitVector b(tb);
  b.resize(tb.size() + tb_crc.length());
  tb_crc.attach(b);
  if (flipped_crc_bit >= 0) {
    b[tb.size() + static_cast<unsigned>(flipped_crc_bit)] ^= 1U;
  }
  const auto graph = select_ldpc_base_graph(coding.tbs, coding.target_code_rate);
  const auto seg = segment_code_blocks(static_cast<std::uint32_t>(b.size()), graph);
  const unsigned c = seg.num_code_blocks;
  LdpcRateMatchConfig rm{{graph, seg.lifting_size, seg.num_info_bits},
                         ldpc_circular_buffer_length(graph, seg.lifting_size, c, coding.tbs_lbrm),
                         coding.rv,
                         coding.modulation_order};
  auto encoder = create_ldpc_encoder();
  LdpcRateMatcher matcher;
  BitVector codeword;
  for (unsigned r = 0; r < c; ++r) {
    BitVector block(seg.num_info_bits);
    extract_code_block(b, seg, r, block);
    BitVector d(ldpc_codeword_length(graph, seg.lifting_size));
    encoder->encode(block, rm.code, d);
    BitVector f(
        ldpc_rate_matched_length(r, c, coding.g, coding.num_layers, coding.modulation_order));
    matcher.rate_match(d, rm, f);
    codeword.insert(codeword.end(), f.begin(), f.end());
  }
  return codeword;
}

TEST(UlschDecoder, ReportsAWrongTransportBlockCrcAsFailure) {
  std::mt19937 rng(8);
  auto ulsch_encoder = create_ulsch_encoder();
  auto decoder = create_ulsch_decoder(20496);
  for (const UlschCodingConfig coding : {UlschCodingConfig{3000, 0.5, 4, 1, 0, 6000, 0},
                                         UlschCodingConfig{20496, 0.6, 4, 2, 0, 34000, 0}}) {
    const unsigned c = num_code_blocks(coding);
    const BitVector tb = random_tb_bits(coding.tbs, rng);
    BitVector reference(coding.g);
    ulsch_encoder->encode(tb, coding, reference);
    ASSERT_EQ(encode_with_tb_crc_error(tb, coding, -1), reference);

    const BitVector broken = encode_with_tb_crc_error(tb, coding, 5);
    BitVector decoded(coding.tbs);
    const auto result = decoder->decode(hard_llrs(broken), decoder_config(coding), decoded);
    EXPECT_FALSE(result.tb_crc_ok) << "TBS " << coding.tbs;
    // The code blocks themselves are fine: LDPC converges and, when C > 1, every CB CRC holds.
    EXPECT_EQ(result.num_code_blocks_ok, c > 1 ? c : 0u);
    EXPECT_EQ(decoded, tb);
  }
}

TEST(UlschDecoder, ReportsACorruptedCodeBlockAndNothingReceivedAsFailure) {
  std::mt19937 rng(9);
  const UlschCodingConfig coding{30000, 0.7, 4, 1, 0, 44000, 0};
  const unsigned c = num_code_blocks(coding);
  ASSERT_EQ(c, 4u);
  const BitVector tb = random_tb_bits(coding.tbs, rng);
  BitVector codeword(coding.g);
  create_ulsch_encoder()->encode(tb, coding, codeword);
  auto decoder = create_ulsch_decoder(coding.tbs);
  BitVector decoded(coding.tbs);

  // Code block 2's LLRs replaced by noise.
  std::vector<float> llrs = hard_llrs(codeword);
  const std::uint32_t begin = ldpc_code_block_offset(2, c, coding.g, 1, 4);
  const std::uint32_t end = ldpc_code_block_offset(3, c, coding.g, 1, 4);
  std::normal_distribution<float> noise(0.0f, 8.0f);
  for (std::uint32_t i = begin; i < end; ++i) {
    llrs[i] = noise(rng);
  }
  auto result = decoder->decode(llrs, decoder_config(coding), decoded);
  EXPECT_FALSE(result.tb_crc_ok);
  EXPECT_EQ(result.num_code_blocks_ok, c - 1);
  EXPECT_FALSE(result.code_block_crc_ok.test(2));
  EXPECT_TRUE(result.code_block_crc_ok.test(0) && result.code_block_crc_ok.test(3));
  EXPECT_EQ(result.max_ldpc_iterations, 6u);

  // Nothing received: zero LLRs would decode to the all-zero TB, whose CRCs hold.
  for (const UlschCodingConfig& zero_coding :
       {coding, UlschCodingConfig{1000, 0.5, 2, 1, 0, 2400, 0}}) {
    const std::vector<float> zeros(zero_coding.g, 0.0f);
    BitVector zero_decoded(zero_coding.tbs);
    result = decoder->decode(zeros, decoder_config(zero_coding), zero_decoded);
    EXPECT_FALSE(result.tb_crc_ok);
    EXPECT_EQ(result.num_code_blocks_ok, 0u);
    EXPECT_EQ(result.mean_ldpc_iterations, 0.0f);
  }
  // A genuine all-zero TB is still decoded.
  const BitVector zero_tb(coding.tbs, 0);
  create_ulsch_encoder()->encode(zero_tb, coding, codeword);
  EXPECT_TRUE(decoder->decode(hard_llrs(codeword), decoder_config(coding), decoded).tb_crc_ok);
  EXPECT_EQ(decoded, zero_tb);
}

/// Rate-0.9 TBs over BPSK AWGN at SNR 1/sigma^2 = 3 dB. With 10 iterations rv 0 alone needs about
/// 6.5 dB (measured over 100 TBs: none decodes at 6 dB, all at 7 dB) and rv 2 alone (parity only)
/// never decodes, while rv 0 + rv 2 combined (rate ~0.45, twice the energy) decodes from 1 dB on
/// (100/100 TBs at 1 dB): a margin of 2 to 3 dB each way.
TEST(UlschDecoder, HarqCombiningOfRv0AndRv2Succeeds) {
  const double snr_db = 3.0;
  std::mt19937 rng(2024);
  auto encoder = create_ulsch_encoder();
  auto decoder = create_ulsch_decoder(20496);
  const UlschCodingConfig configs[] = {{3816, 0.9, 2, 1, 0, 4240, 0},    // BG1, C = 1
                                       {20496, 0.9, 2, 1, 0, 22776, 0}}; // BG1, C = 3
  HarqBufferPool pool(2, ulsch_soft_buffer_length(configs[1]));
  for (const auto& initial : configs) {
    for (unsigned trial = 0; trial < 3; ++trial) {
      SCOPED_TRACE("TBS " + std::to_string(initial.tbs) + ", trial " + std::to_string(trial));
      const BitVector tb = random_tb_bits(initial.tbs, rng);
      UlschCodingConfig retransmission = initial;
      retransmission.rv = 2;
      BitVector rv0(initial.g);
      BitVector rv2(initial.g);
      encoder->encode(tb, initial, rv0);
      encoder->encode(tb, retransmission, rv2);
      const std::vector<float> rv0_llrs = awgn_llrs(rv0, snr_db, rng);
      const std::vector<float> rv2_llrs = awgn_llrs(rv2, snr_db, rng);
      BitVector decoded(initial.tbs);
      const HarqProcessKey key{0x4601, static_cast<std::uint8_t>(trial)};

      // Alone, neither transmission decodes (rv 2 alone is sent as new data).
      EXPECT_FALSE(decoder->decode(rv0_llrs, decoder_config(initial, 10), decoded).tb_crc_ok);
      auto first = decode_ulsch_with_harq(*decoder, rv0_llrs, decoder_config(initial, 10), pool,
                                          key, true, decoded);
      EXPECT_FALSE(first.tb_crc_ok);
      EXPECT_EQ(first.num_transmissions, 1u);
      ASSERT_NE(pool.find(key), nullptr); // kept for the retransmission
      auto reset = decode_ulsch_with_harq(*decoder, rv2_llrs, decoder_config(retransmission, 10),
                                          pool, key, true, decoded);
      EXPECT_FALSE(reset.tb_crc_ok);
      EXPECT_EQ(reset.num_transmissions, 1u);

      // rv 0 then rv 2 combined.
      decode_ulsch_with_harq(*decoder, rv0_llrs, decoder_config(initial, 10), pool, key, true,
                             decoded);
      const auto combined = decode_ulsch_with_harq(
          *decoder, rv2_llrs, decoder_config(retransmission, 10), pool, key, false, decoded);
      EXPECT_TRUE(combined.tb_crc_ok);
      EXPECT_EQ(combined.num_transmissions, 2u);
      EXPECT_EQ(decoded, tb);
      EXPECT_EQ(pool.find(key), nullptr); // released on success
      EXPECT_EQ(pool.num_in_use(), 0u);
    }
  }
}

/// Chase combining: two rv 0 copies of a rate-0.9 TB at 5 dB. One copy needs about 6.5 dB (none
/// of 100 TBs decodes at 6 dB); two add up to about 8 dB (measured: 100/100 from 4 dB on).
TEST(UlschDecoder, HarqChaseCombiningOfTwoRv0Copies) {
  const double snr_db = 5.0;
  std::mt19937 rng(77);
  auto encoder = create_ulsch_encoder();
  auto decoder = create_ulsch_decoder(20496);
  const UlschCodingConfig configs[] = {{3816, 0.9, 2, 1, 0, 4240, 0},
                                       {20496, 0.9, 2, 1, 0, 22776, 0}};
  HarqBufferPool pool(1, ulsch_soft_buffer_length(configs[1]));
  for (const auto& coding : configs) {
    for (unsigned trial = 0; trial < 3; ++trial) {
      SCOPED_TRACE("TBS " + std::to_string(coding.tbs) + ", trial " + std::to_string(trial));
      const BitVector tb = random_tb_bits(coding.tbs, rng);
      BitVector codeword(coding.g);
      encoder->encode(tb, coding, codeword);
      BitVector decoded(coding.tbs);
      const auto cfg = decoder_config(coding, 10);
      const auto first = decode_ulsch_with_harq(*decoder, awgn_llrs(codeword, snr_db, rng), cfg,
                                                pool, {7, 1}, true, decoded);
      EXPECT_FALSE(first.tb_crc_ok);
      const auto second = decode_ulsch_with_harq(*decoder, awgn_llrs(codeword, snr_db, rng), cfg,
                                                 pool, {7, 1}, false, decoded);
      EXPECT_TRUE(second.tb_crc_ok);
      EXPECT_EQ(second.num_transmissions, 2u);
      EXPECT_EQ(decoded, tb);
      pool.release({7, 1}); // in case the expectations failed
    }
  }
}

TEST(UlschDecoder, RejectsInconsistentArguments) {
  EXPECT_THROW(create_ulsch_decoder(0), std::invalid_argument);
  EXPECT_THROW(create_ulsch_decoder(3'000'000), std::invalid_argument);
  auto decoder = create_ulsch_decoder(5000);
  const UlschCodingConfig good{1000, 0.5, 4, 2, 0, 2400, 0};
  std::vector<float> llrs(good.g, 1.0f);
  BitVector tb(good.tbs);
  EXPECT_NO_THROW(decoder->decode(llrs, decoder_config(good), tb));
  auto with = [&](auto change) {
    UlschDecoderConfig cfg = decoder_config(good);
    change(cfg);
    return cfg;
  };
  EXPECT_THROW(decoder->decode(std::span<const float>(llrs).first(2392), decoder_config(good), tb),
               std::invalid_argument);
  EXPECT_THROW(decoder->decode(llrs, decoder_config(good), std::span<bit_t>(tb).first(999)),
               std::invalid_argument);
  BitVector big_tb(6000);
  EXPECT_THROW(decoder->decode(llrs, with([](auto& c) { c.coding.tbs = 6000; }), big_tb),
               std::invalid_argument);
  EXPECT_THROW(decoder->decode(llrs, with([](auto& c) { c.coding.rv = 4; }), tb),
               std::invalid_argument);
  EXPECT_THROW(decoder->decode(llrs, with([](auto& c) { c.coding.modulation_order = 0; }), tb),
               std::invalid_argument);
  std::vector<float> odd_llrs(2402, 1.0f);
  EXPECT_THROW(decoder->decode(odd_llrs, with([](auto& c) { c.coding.g = 2402; }), tb),
               std::invalid_argument); // G not a multiple of N_L Q_m
  EXPECT_THROW(decoder->decode(llrs, with([](auto& c) { c.max_iterations = 0; }), tb),
               std::invalid_argument);
  EXPECT_THROW(decoder->decode(llrs, with([](auto& c) { c.llr_scale = 0.0f; }), tb),
               std::invalid_argument);
  EXPECT_THROW(decoder->decode(llrs, with([](auto& c) { c.min_sum_scaling_factor = 1.5f; }), tb),
               std::invalid_argument);
}

} // namespace
