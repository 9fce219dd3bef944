// GpuUlschDecoder::prepare_device_bytes() and enqueue_prepared(): the TBs of 42 decoders (the
// byte-aligned TBs of tests/support/ulsch_test_cases.h, six of each: more than the 32 of one
// launch) decoded as launch sets, over HARQ retransmissions (rv 0, 2, 3, 1) with the rate
// recovery in the LDPC kernel and in a kernel of its own, each with one code block per LDPC
// thread block and with two (set_code_block_pairs), against the CPU decoder bit for bit:
// results, TB bytes and the combined soft values in device memory. Then the misuses that must be
// clear errors. Half the TBs decode from the decoder's own copy of their LLRs (keep_device_llrs),
// the originals freed and replaced by zeros before the launch; every third decoder has its
// outputs copied to the host by a kernel after the TB assembly, the others' kernels write them
// into host memory. Skipped without a CUDA device.
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#if defined(AIRAN_HAVE_CUDA)
#include "airan/gpu/launch_profiler.h"
#endif
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include "../support/noisy_llrs.h"
#include "../support/ulsch_test_cases.h"
#include "device_llr_copy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

using namespace airan::phy;
using airan::gpu::GpuHarqSoftMemory;
using airan::gpu::GpuUlschDecoder;
using airan::test::DeviceLlrCopy;

bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

/// The TB bits as bytes, MSB first.
std::vector<std::uint8_t> to_bytes(const BitVector& bits) {
  std::vector<std::uint8_t> bytes(bits.size() / 8, 0);
  for (std::size_t i = 0; i < bytes.size() * 8; ++i) {
    bytes[i / 8] = static_cast<std::uint8_t>(bytes[i / 8] | (bits[i] << (7 - i % 8)));
  }
  return bytes;
}

/// One TB of the batch: its case, its data and its state on both sides.
struct BatchTb {
  const airan::test::UlschTestCase* test_case = nullptr;
  BitVector tb;
  bool done = false;
};

/// (rate recovery in the LDPC kernel, two code blocks per LDPC thread block).
class GpuUlschDecoderBatch : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(GpuUlschDecoderBatch, PreparedTbsMatchTheCpuWithHarq) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const auto [in_ldpc, pairs] = GetParam();
  std::vector<BatchTb> tbs;
  std::mt19937_64 rng(31);
  std::size_t soft_bits = 0;
  for (unsigned copy = 0; copy < 6; ++copy) {
    for (const auto& c : airan::test::ulsch_test_cases) {
      if (c.tbs % 8 != 0) {
        continue; // the bytes path needs whole bytes (a clear error below)
      }
      BatchTb tb;
      tb.test_case = &c;
      tb.tb.resize(c.tbs);
      for (auto& bit : tb.tb) {
        bit = static_cast<bit_t>(rng() & 1U);
      }
      tbs.push_back(std::move(tb));
      soft_bits = std::max(soft_bits, ulsch_soft_buffer_length(c.coding(0)));
    }
  }
  ASSERT_EQ(tbs.size(), 42U);
  const auto count = static_cast<unsigned>(tbs.size());
  HarqBufferPool host_pool(count, soft_bits);
  HarqBufferPool device_pool(count, soft_bits, HarqStorage::external);
  auto memory = std::make_shared<GpuHarqSoftMemory>(count, soft_bits, 0);
  std::vector<std::unique_ptr<GpuUlschDecoder>> decoders;
  for (unsigned i = 0; i < count; ++i) {
    decoders.push_back(std::make_unique<GpuUlschDecoder>(200000, memory, 0));
    decoders.back()->set_rate_recovery_in_ldpc(in_ldpc);
    decoders.back()->set_code_block_pairs(pairs);
    // Every third decoder's outputs copied after the kernels (one copy kernel for those).
    decoders.back()->set_outputs_in_host_memory(i % 3 != 0);
  }
  auto cpu = create_ulsch_decoder(200000);
  auto encoder = create_ulsch_encoder();
  unsigned decoded = 0;
  unsigned failed = 0;
  for (const unsigned rv : {0U, 2U, 3U, 1U}) {
    std::vector<GpuUlschDecoder*> batch;
    std::vector<std::unique_ptr<DeviceLlrCopy>> llrs(count);
    std::vector<std::vector<std::uint8_t>> bytes(count);
    std::vector<UlschDecoderResult> expected(count);
    std::vector<BitVector> cpu_bits(count);
    for (unsigned i = 0; i < count; ++i) {
      if (tbs[i].done) {
        continue;
      }
      const auto& c = *tbs[i].test_case;
      UlschDecoderConfig cfg;
      cfg.coding = c.coding(rv);
      BitVector codeword(c.g);
      encoder->encode(tbs[i].tb, cfg.coding, codeword);
      const auto noisy = airan::test::noisy_llrs(codeword, c.snr_db, rng);
      const HarqProcessKey key{static_cast<std::uint16_t>(i + 1), 0};
      cpu_bits[i].assign(c.tbs, 0);
      expected[i] = cpu->decode(noisy, cfg, host_pool.acquire(key, rv == 0), cpu_bits[i]);
      llrs[i] = std::make_unique<DeviceLlrCopy>(noisy);
      bytes[i].assign(c.tbs / 8, 0xA5);
      DeviceLlrs device_llrs = llrs[i]->llrs();
      if (i % 2 == 1) {
        // The decoder's own copy, the original overwritten before the launch (as a front end's
        // next PDU would): the TB must decode from the copy.
        device_llrs = decoders[i]->keep_device_llrs(device_llrs, nullptr);
        const std::vector<float> zeros(noisy.size(), 0.0F);
        llrs[i] = std::make_unique<DeviceLlrCopy>(zeros); // waits for the device: the copy is done
      }
      decoders[i]->prepare_device_bytes(device_llrs, cfg, device_pool.acquire(key, rv == 0),
                                        bytes[i]);
      EXPECT_TRUE(decoders[i]->has_enqueued_tb());
      batch.push_back(decoders[i].get());
    }
    if (batch.empty()) {
      break;
    }
#if defined(AIRAN_HAVE_CUDA) // (skipped without a device, so a CUDA build runs this)
    if (rv == 0) {           // the LDPC kernel of the setting ran
      airan::gpu::LaunchProfiler profiler;
      GpuUlschDecoder::enqueue_prepared(batch, nullptr);
      const auto launches = profiler.collect();
      const auto named = [&](const std::string& name) {
        return std::count_if(launches.begin(), launches.end(),
                             [&](const auto& launch) { return launch.name == name; });
      };
      const std::string prefix = in_ldpc ? "rate_recovery+" : "";
      const auto launched = pairs ? named(prefix + "ldpc_decode_tb_pairs_kernel")
                                  : named(prefix + "ldpc_decode_batches_kernel") +
                                        named(prefix + "ldpc_decode_batches_kernel+kept");
      EXPECT_EQ(launched, 2) << "42 TBs: two launch sets of up to 32"
                             << (pairs ? ", pairs" : ", one code block per thread block");
    } else {
      GpuUlschDecoder::enqueue_prepared(batch, nullptr);
    }
#else
    GpuUlschDecoder::enqueue_prepared(batch, nullptr);
#endif
    for (unsigned i = 0; i < count; ++i) {
      if (tbs[i].done) {
        continue;
      }
      SCOPED_TRACE("TB " + std::to_string(i) + ", TBS " + std::to_string(tbs[i].tb.size()) +
                   ", rv " + std::to_string(rv));
      const UlschDecoderResult got = decoders[i]->finish();
      EXPECT_EQ(got.tb_crc_ok, expected[i].tb_crc_ok);
      EXPECT_EQ(got.code_block_crc_ok, expected[i].code_block_crc_ok);
      EXPECT_EQ(got.max_ldpc_iterations, expected[i].max_ldpc_iterations);
      EXPECT_EQ(got.mean_ldpc_iterations, expected[i].mean_ldpc_iterations);
      EXPECT_EQ(got.num_transmissions, expected[i].num_transmissions);
      if (expected[i].tb_crc_ok) {
        EXPECT_EQ(bytes[i], to_bytes(cpu_bits[i]));
      }
      const HarqProcessKey key{static_cast<std::uint16_t>(i + 1), 0};
      const HarqSoftBuffer& host = *host_pool.find(key);
      const HarqSoftBuffer::State& state = host.state();
      std::vector<float> on_device(soft_bits);
      memory->download(device_pool.find(key)->index(), on_device);
      for (unsigned r = 0; r < state.num_code_blocks; ++r) {
        const std::size_t base = std::size_t{r} * state.circular_buffer_length;
        for (unsigned p = 0; p < state.received_length; ++p) {
          ASSERT_EQ(on_device[base + p], host.soft_bits()[base + p])
              << "code block " << r << " position " << p;
        }
      }
      if (expected[i].tb_crc_ok) {
        ++decoded;
        tbs[i].done = true;
        host_pool.release(key);
        device_pool.release(key);
      } else {
        ++failed;
      }
    }
    EXPECT_GT(decoders.front()->last_times().ldpc_us, 0.0F);
  }
  EXPECT_GE(decoded, 30U);
  EXPECT_GE(failed, 20U) << "the SNRs make HARQ combining matter";
}

INSTANTIATE_TEST_SUITE_P(RateRecovery, GpuUlschDecoderBatch,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<bool, bool>>& info) {
                           return std::string(std::get<0>(info.param) ? "InTheLdpcKernel"
                                                                      : "KernelOfItsOwn") +
                                  (std::get<1>(info.param) ? "CodeBlockPairs" : "");
                         });

TEST(GpuUlschDecoderBatchErrors, MisuseIsAClearError) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const auto& c = airan::test::ulsch_test_cases[2];
  UlschDecoderConfig cfg;
  cfg.coding = c.coding(0);
  const std::size_t soft_bits = ulsch_soft_buffer_length(cfg.coding);
  HarqBufferPool pool(2, soft_bits, HarqStorage::external);
  auto memory = std::make_shared<GpuHarqSoftMemory>(2, soft_bits, 0);
  GpuUlschDecoder a(200000, memory, 0);
  GpuUlschDecoder b(200000, memory, 0);
  b.set_outputs_in_host_memory(false); // its outputs copied (gpu-check's sanitizers run this)
  const std::vector<float> ones(c.g, 1.0F);
  const DeviceLlrCopy llrs(ones);
  std::vector<std::uint8_t> bytes_a(c.tbs / 8);
  std::vector<std::uint8_t> bytes_b(c.tbs / 8);
  std::vector<GpuUlschDecoder*> both{&a, &b};

  GpuUlschDecoder::enqueue_prepared({}, nullptr); // nothing to do
  EXPECT_THROW(GpuUlschDecoder::enqueue_prepared(both, nullptr), std::logic_error);
  a.prepare_device_bytes(llrs.llrs(), cfg, pool.acquire({1, 0}, true), bytes_a);
  EXPECT_THROW((void)a.finish(), std::logic_error) << "prepared, not enqueued";
  EXPECT_TRUE(a.has_enqueued_tb());
  const std::vector<GpuUlschDecoder*> twice{&a, &a};
  EXPECT_THROW(GpuUlschDecoder::enqueue_prepared(twice, nullptr), std::logic_error)
      << "a decoder twice in the batch (its TB would be combined twice)";
  EXPECT_TRUE(a.has_enqueued_tb()) << "still prepared";
  b.set_rate_recovery_in_ldpc(false);
  b.prepare_device_bytes(llrs.llrs(), cfg, pool.acquire({2, 0}, true), bytes_b);
  EXPECT_THROW(GpuUlschDecoder::enqueue_prepared(both, nullptr), std::logic_error)
      << "different rate recovery settings";
  EXPECT_THROW(a.prepare_device_bytes(llrs.llrs(), cfg, *pool.find({1, 0}), bytes_a),
               std::logic_error)
      << "a TB is prepared already";
  EXPECT_THROW(a.set_code_block_pairs(true), std::logic_error) << "a TB is prepared";
  b.cancel();
  b.set_rate_recovery_in_ldpc(true);
  b.set_code_block_pairs(true);
  b.prepare_device_bytes(llrs.llrs(), cfg, *pool.find({2, 0}), bytes_b);
  EXPECT_THROW(GpuUlschDecoder::enqueue_prepared(both, nullptr), std::logic_error)
      << "different code block pair settings";
  a.cancel();
  b.cancel();
  b.set_code_block_pairs(false);
  EXPECT_FALSE(a.has_enqueued_tb());
  EXPECT_EQ(pool.find({1, 0})->state().num_transmissions, 0U) << "a cancelled TB combined nothing";

  // A TBS that is not whole bytes, and too few bytes.
  const auto& odd = airan::test::ulsch_test_cases[7];
  UlschDecoderConfig odd_cfg;
  odd_cfg.coding = odd.coding(0);
  std::vector<std::uint8_t> odd_bytes(odd.tbs / 8);
  EXPECT_THROW(a.prepare_device_bytes(llrs.llrs(), odd_cfg, *pool.find({1, 0}), odd_bytes),
               std::invalid_argument);
  EXPECT_THROW(
      a.prepare_device_bytes(llrs.llrs(), cfg, *pool.find({1, 0}), std::span(bytes_a).first(3)),
      std::invalid_argument);
  // More LLRs than the decoder holds, or LLRs of another device.
  GpuUlschDecoder small(200000, memory, 0, 1000);
  EXPECT_THROW((void)small.keep_device_llrs(llrs.llrs(), nullptr), std::invalid_argument);
  EXPECT_THROW((void)a.keep_device_llrs({ones.data(), ones.size(), 1}, nullptr),
               std::invalid_argument);

  // After all that, the two decode together.
  const auto decode_both = [&]() {
    a.prepare_device_bytes(llrs.llrs(), cfg, *pool.find({1, 0}), bytes_a);
    b.prepare_device_bytes(llrs.llrs(), cfg, *pool.find({2, 0}), bytes_b);
    GpuUlschDecoder::enqueue_prepared(both, nullptr);
    const UlschDecoderResult first = a.finish();
    return std::pair{first, b.finish()};
  };
  const auto [result_a, result_b] = decode_both();
  EXPECT_EQ(result_a.tb_crc_ok, result_b.tb_crc_ok);
  EXPECT_EQ(bytes_a, bytes_b);
  EXPECT_EQ(result_a.num_transmissions, 1U);

  // The batch is timed by its first decoder's events: b cannot be finished once a has been
  // enqueued again (a clear error, the TB dropped, rather than a wait on the wrong event).
  a.prepare_device_bytes(llrs.llrs(), cfg, *pool.find({1, 0}), bytes_a);
  b.prepare_device_bytes(llrs.llrs(), cfg, *pool.find({2, 0}), bytes_b);
  GpuUlschDecoder::enqueue_prepared(both, nullptr);
  (void)a.finish();
  a.prepare_device_bytes(llrs.llrs(), cfg, *pool.find({1, 0}), bytes_a);
  GpuUlschDecoder::enqueue_prepared(std::span(both).first(1), nullptr);
  EXPECT_THROW((void)b.finish(), std::logic_error);
  EXPECT_FALSE(b.has_enqueued_tb());
  (void)a.finish();

  // The two as pairs of code blocks, so that gpu-check's sanitizer runs cover the pair kernel
  // too: the all-one LLRs are the all-zero codeword, whose CRCs hold on an all-zero message, so
  // both halves run the final parity check (LdpcLaneCode::parity_only_for_zero_message).
  const std::vector<std::uint8_t> single_bytes = bytes_a;
  a.set_code_block_pairs(true);
  b.set_code_block_pairs(true);
  const auto [paired_a, paired_b] = decode_both();
  EXPECT_EQ(paired_a.tb_crc_ok, result_a.tb_crc_ok);
  EXPECT_EQ(paired_b.tb_crc_ok, result_a.tb_crc_ok);
  EXPECT_EQ(bytes_a, single_bytes);
  EXPECT_EQ(bytes_b, single_bytes);
}

} // namespace
