// UL-SCH decoding in the formulation of the CUDA decoder (gpu::GpuUlschDecoder), run on the host:
// the device's rate recovery step recover_rate_item() (GatherRateRecovery::soft_value() per
// (code block, position) with the HARQ soft values in external memory, quantize_ldpc_llr() per
// value) over each code block's work items in the LDPC kernel's thread order, a code block
// decoded only when one of its decoder LLRs is nonzero, ldpc_decode_lanes_on_host() per block, the
// shared acceptance from the message's nonzero flag, the TB bytes and TB CRC register a byte at a
// time (transport_block_byte()), the result from the register. Against create_ulsch_decoder() with
// a host HARQ pool: every result, every TB bit and every combined soft value equal, over HARQ
// sequences (rv 0, 2, 3, 1) of TBs with one and many code blocks, short and long E_r, repetition (E
// > N_cb), LBRM and code blocks that receive nothing.
#include "airan/phy/crc_calculator.h"
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/ldpc_lane_decoder.h"
#include "airan/phy/ulsch_code_block.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include "rate_recovery_launch.h" // gpu/src: the device's per-item step

#include "../support/noisy_llrs.h"
#include "../support/ulsch_test_cases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
namespace ulsch = airan::phy::ulsch;

/// GpuUlschDecoder's steps with loops for its kernels; \p harq_memory plays its device memory.
UlschDecoderResult decode_as_on_the_gpu(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                                        HarqSoftBuffer& buffer, std::vector<float>& harq_memory,
                                        std::span<bit_t> tb_bits) {
  const auto layout = ulsch::check_decoding(llrs.size(), cfg, tb_bits.size(), 200000);
  const ulsch::HarqCombining combining = ulsch::begin_harq_combining(buffer, layout, cfg.coding);
  const ulsch::GatherRateRecovery plan = ulsch::gather_rate_recovery(layout, cfg.coding, combining);
  const CodeBlockSegmentation& seg = layout.seg;
  const unsigned n_cb = layout.rate_match.n_cb;
  const bool has_cb_crc = seg.num_code_blocks > 1;
  std::vector<unsigned> iterations(seg.num_code_blocks);
  std::array<bool, ulsch_max_code_blocks> accepted{};
  BitVector messages(std::size_t{seg.num_code_blocks} * seg.num_info_bits, 0);
  // The device's rate recovery step (recover_rate_item()) with the kernel's parameters.
  constexpr std::size_t ldpc_stride = 26112; // N_cb of BG1 at Z = 384, padded
  std::vector<std::int8_t> all_ldpc_llrs(std::size_t{seg.num_code_blocks} * ldpc_stride, 99);
  airan::gpu::detail::RateRecoveryLaunch launch;
  launch.recovery = plan;
  launch.num_code_blocks = seg.num_code_blocks;
  launch.llrs = llrs.data();
  launch.harq = harq_memory.data() + std::size_t{buffer.index()} * buffer.capacity();
  launch.harq_stride = n_cb;
  launch.llr_scale = cfg.llr_scale;
  launch.ldpc_llrs = all_ldpc_llrs.data();
  launch.ldpc_stride = ldpc_stride;
  for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
    const unsigned received = plan.received_length(r);
    // The LDPC kernel's thread block of code block r recovers it first: thread t takes items
    // t, t + threads, ... (768 threads at Z = 384), and the block decodes when any thread saw a
    // nonzero LLR (__syncthreads_or).
    constexpr unsigned threads = 768;
    bool active = false;
    for (unsigned t = 0; t < threads; ++t) {
      for (unsigned item = t; item < plan.num_items(r); item += threads) {
        active = airan::gpu::detail::recover_rate_item(launch, r, item) || active;
      }
    }
    const std::span<const std::int8_t> ldpc_llrs =
        std::span<const std::int8_t>(all_ldpc_llrs).subspan(std::size_t{r} * ldpc_stride, received);
    const std::span<bit_t> message =
        std::span(messages).subspan(std::size_t{r} * seg.num_info_bits, seg.num_info_bits);
    if (active) {
      const LdpcLaneResult lane = ldpc_decode_lanes_on_host(
          ldpc_llrs, ulsch::code_block_ldpc_config(layout, cfg, received), message,
          has_cb_crc ? std::optional(CrcPolynomial::crc24b) : std::nullopt);
      iterations[r] = lane.iterations;
      const bool nonzero =
          std::any_of(message.begin(), message.end(), [](bit_t bit) { return bit != 0; });
      accepted[r] = ulsch::accept_code_block(
          nonzero, {lane.iterations, lane.parity_ok, lane.crc_ok}, has_cb_crc);
    }
  }
  // The TB bytes and CRC register, a byte per thread; the bits unpacked from the bytes.
  const auto contributions = CrcCalculator(layout.tb_crc).bit_contributions(seg.input_length);
  std::uint32_t crc_register = 0;
  for (std::uint32_t j = 0; j < (seg.input_length + 7) / 8; ++j) {
    const std::uint8_t byte =
        ulsch::transport_block_byte(messages.data(), seg.num_info_bits, seg.num_payload_bits(),
                                    seg.input_length, contributions.data(), j, crc_register);
    for (unsigned k = 0; k < 8 && 8 * j + k < tb_bits.size(); ++k) {
      tb_bits[8 * j + k] = static_cast<bit_t>((byte >> (7 - k)) & 1U);
    }
  }
  UlschDecoderResult result = ulsch::finish_transport_block(
      layout, iterations, std::span<const bool>(accepted).first(seg.num_code_blocks),
      crc_register == 0);
  result.num_transmissions = ulsch::end_harq_combining(buffer, combining);
  return result;
}

TEST(UlschGatherRecovery, TheCudaFormulationEqualsTheCpuDecoderBitForBit) {
  auto cpu = create_ulsch_decoder(200000);
  auto encoder = create_ulsch_encoder();
  std::mt19937_64 rng(11);
  unsigned decoded_first = 0;
  unsigned decoded_later = 0;
  unsigned failed = 0;
  for (const auto& c : airan::test::ulsch_test_cases) {
    UlschDecoderConfig cfg;
    cfg.coding = c.coding(0);
    const std::size_t soft_bits = ulsch_soft_buffer_length(cfg.coding);
    HarqBufferPool host_pool(2, soft_bits);
    HarqBufferPool external_pool(2, soft_bits, HarqStorage::external);
    std::vector<float> memory(2 * soft_bits, -99.0F); // stale values must never be read
    for (unsigned repetition = 0; repetition < 3; ++repetition) {
      BitVector tb(c.tbs);
      for (auto& bit : tb) {
        bit = static_cast<bit_t>(rng() & 1U);
      }
      const HarqProcessKey key{17, static_cast<std::uint8_t>(repetition % 2)};
      for (const unsigned rv : {0U, 2U, 3U, 1U}) {
        SCOPED_TRACE("TBS " + std::to_string(c.tbs) + ", G " + std::to_string(c.g) + ", rv " +
                     std::to_string(rv));
        cfg.coding.rv = rv;
        BitVector codeword(c.g);
        encoder->encode(tb, cfg.coding, codeword);
        const auto llrs = airan::test::noisy_llrs(codeword, c.snr_db, rng);
        HarqSoftBuffer& host = host_pool.acquire(key, rv == 0);
        HarqSoftBuffer& external = external_pool.acquire(key, rv == 0);
        BitVector cpu_bits(c.tbs);
        BitVector gather_bits(c.tbs);
        const auto expected = cpu->decode(llrs, cfg, host, cpu_bits);
        const auto got = decode_as_on_the_gpu(llrs, cfg, external, memory, gather_bits);
        ASSERT_EQ(got.tb_crc_ok, expected.tb_crc_ok);
        ASSERT_EQ(got.code_block_crc_ok, expected.code_block_crc_ok);
        ASSERT_EQ(got.num_code_blocks, expected.num_code_blocks);
        ASSERT_EQ(got.max_ldpc_iterations, expected.max_ldpc_iterations);
        ASSERT_EQ(got.mean_ldpc_iterations, expected.mean_ldpc_iterations);
        ASSERT_EQ(got.num_transmissions, expected.num_transmissions);
        ASSERT_EQ(gather_bits, cpu_bits);
        const HarqSoftBuffer::State& state = host.state();
        ASSERT_EQ(external.state().received_length, state.received_length);
        for (unsigned r = 0; r < state.num_code_blocks; ++r) {
          const std::size_t base = std::size_t{r} * state.circular_buffer_length;
          for (unsigned p = 0; p < state.received_length; ++p) {
            ASSERT_EQ(memory[std::size_t{external.index()} * soft_bits + base + p],
                      host.soft_bits()[base + p])
                << "code block " << r << " position " << p;
          }
        }
        if (expected.tb_crc_ok) {
          (rv == 0 ? decoded_first : decoded_later) += 1;
          EXPECT_EQ(cpu_bits, tb);
          host_pool.release(key);
          external_pool.release(key);
          break;
        }
        ++failed;
      }
      host_pool.release(key);
      external_pool.release(key);
    }
  }
  // The SNRs are set so that HARQ combining matters: first transmissions fail and later ones
  // decode.
  EXPECT_GE(decoded_first, 3U);
  EXPECT_GE(decoded_later, 3U);
  EXPECT_GE(failed, 8U);
}

// The kernel's work items (GatherRateRecovery::item_position()) cover every circular-buffer
// position of every code block exactly once, for each modulation order, short and long E_r,
// repetition beyond the period, filler bits and a block that receives nothing (E_r = 0).
TEST(UlschGatherRecovery, WorkItemsCoverEveryPositionOnce) {
  for (const unsigned qm : {1U, 2U, 4U, 6U, 8U}) {
    for (const unsigned e : {0U, 48U * qm, 1000U * qm, 7000U * qm}) {
      for (const unsigned filler : {0U, 200U}) {
        ulsch::GatherRateRecovery plan;
        plan.modulation_order = qm;
        plan.sizes = {1, e, qm}; // block 0: E_r = e; block 1: e + Q_m
        plan.map.n_cb = 10000 + filler;
        plan.map.filler_begin = 3000;
        plan.map.filler_count = filler;
        plan.map.period = 10000;
        plan.map.start = 4321;
        for (unsigned r = 0; r < 2; ++r) {
          std::vector<unsigned> covered(plan.map.n_cb, 0);
          for (unsigned item = 0; item < plan.num_items(r); ++item) {
            const unsigned position = plan.item_position(r, item);
            if (position != ~0U) {
              ASSERT_LT(position, plan.map.n_cb) << "item " << item;
              ++covered[position];
            }
          }
          const std::string what = "Qm " + std::to_string(qm) + " E " +
                                   std::to_string(plan.sizes.length(r)) + " filler " +
                                   std::to_string(filler);
          EXPECT_EQ(std::count(covered.begin(), covered.end(), 1U),
                    static_cast<std::ptrdiff_t>(plan.map.n_cb))
              << what;
        }
      }
    }
  }
}

TEST(UlschGatherRecovery, CodeBlockSizesAreTheRateMatchedLengthsAndOffsets) {
  for (const std::uint32_t g : {2U, 120U, 13320U, 27776U, 100008U}) {
    for (const unsigned c : {1U, 2U, 3U, 7U}) {
      const UlschCodingConfig coding{1000, 0.5, 2, 1, 0, g, 0};
      const ulsch::CodeBlockSizes sizes = ulsch::code_block_sizes(coding, c);
      for (unsigned r = 0; r < c; ++r) {
        EXPECT_EQ(sizes.length(r), ldpc_rate_matched_length(r, c, g, 1, 2)) << g << " " << c;
        EXPECT_EQ(sizes.offset(r), ldpc_code_block_offset(r, c, g, 1, 2)) << g << " " << c;
      }
    }
  }
}

} // namespace
