// GpuUlschDecoder against the CPU UL-SCH decoder, bit for bit: results, TB bits and the combined
// HARQ soft values in device memory, over HARQ sequences (rv 0, 2, 3, 1) of the TBs of
// tests/support/ulsch_test_cases.h, from host LLRs and from LLRs already in device memory, with
// the rate recovery in the LDPC kernel and in a kernel of its own, the outputs written into host
// memory by the kernels or copied after them, one or two code blocks per LDPC thread block;
// single transmissions without HARQ; the factory's shared HARQ memory; argument errors.
// Skipped without a CUDA device.
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include "../support/noisy_llrs.h"
#include "../support/ulsch_test_cases.h"
#include "device_llr_copy.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using airan::gpu::GpuHarqSoftMemory;
using airan::gpu::GpuUlschDecoder;

bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

void expect_same(const UlschDecoderResult& got, const UlschDecoderResult& expected) {
  EXPECT_EQ(got.tb_crc_ok, expected.tb_crc_ok);
  EXPECT_EQ(got.num_code_blocks, expected.num_code_blocks);
  EXPECT_EQ(got.code_block_crc_ok, expected.code_block_crc_ok);
  EXPECT_EQ(got.max_ldpc_iterations, expected.max_ldpc_iterations);
  EXPECT_EQ(got.mean_ldpc_iterations, expected.mean_ldpc_iterations);
  EXPECT_EQ(got.num_transmissions, expected.num_transmissions);
}

using airan::test::DeviceLlrCopy;

TEST(GpuUlschDecoder, HarqSequencesMatchTheCpuBitForBit) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  auto cpu = create_ulsch_decoder(200000);
  auto encoder = create_ulsch_encoder();
  std::mt19937_64 rng(21);
  unsigned decoded = 0;
  unsigned failed = 0;
  for (const auto& c : airan::test::ulsch_test_cases) {
    UlschDecoderConfig cfg;
    cfg.coding = c.coding(0);
    const std::size_t soft_bits = ulsch_soft_buffer_length(cfg.coding);
    HarqBufferPool host_pool(2, soft_bits);
    HarqBufferPool device_pool(2, soft_bits, HarqStorage::external);
    auto memory = std::make_shared<GpuHarqSoftMemory>(2, soft_bits, 0);
    GpuUlschDecoder gpu(200000, memory, 0);
    for (unsigned repetition = 0; repetition < 4; ++repetition) {
      BitVector tb(c.tbs);
      for (auto& bit : tb) {
        bit = static_cast<bit_t>(rng() & 1U);
      }
      const bool from_device = repetition % 2 == 1;
      // Repetitions 0 and 1 with the rate recovery in the LDPC kernel, 2 and 3 in a kernel of
      // its own.
      const bool in_ldpc = repetition < 2;
      gpu.set_rate_recovery_in_ldpc(in_ldpc);
      // Repetition 1 with the outputs copied to the host after the kernels, the others with the
      // kernels writing them into host memory.
      const bool outputs_in_host = repetition != 1;
      gpu.set_outputs_in_host_memory(outputs_in_host);
      // Repetitions 0 and 3 with two code blocks per LDPC thread block.
      const bool pairs = repetition == 0 || repetition == 3;
      gpu.set_code_block_pairs(pairs);
      const HarqProcessKey key{5, static_cast<std::uint8_t>(repetition % 2)};
      for (const unsigned rv : {0U, 2U, 3U, 1U}) {
        SCOPED_TRACE("TBS " + std::to_string(c.tbs) + ", G " + std::to_string(c.g) + ", rv " +
                     std::to_string(rv) + (from_device ? ", device LLRs" : ", host LLRs") +
                     (in_ldpc ? ", rate recovery in the LDPC kernel" : ", rate recovery kernel") +
                     (outputs_in_host ? "" : ", outputs copied") +
                     (pairs ? ", code block pairs" : ""));
        cfg.coding.rv = rv;
        BitVector codeword(c.g);
        encoder->encode(tb, cfg.coding, codeword);
        const auto llrs = airan::test::noisy_llrs(codeword, c.snr_db, rng);
        HarqSoftBuffer& host = host_pool.acquire(key, rv == 0);
        HarqSoftBuffer& device = device_pool.acquire(key, rv == 0);
        BitVector cpu_bits(c.tbs);
        BitVector gpu_bits(c.tbs, bit_t{7});
        const auto expected = cpu->decode(llrs, cfg, host, cpu_bits);
        UlschDecoderResult got;
        if (from_device) {
          const DeviceLlrCopy copy(llrs);
          got = gpu.decode_device(copy.llrs(), cfg, device, gpu_bits);
        } else {
          got = gpu.decode(llrs, cfg, device, gpu_bits);
        }
        expect_same(got, expected);
        EXPECT_EQ(gpu_bits, cpu_bits);
        EXPECT_GT(gpu.last_times().ldpc_us, 0.0F);
        // The combined soft values, code block by code block.
        const HarqSoftBuffer::State& state = host.state();
        std::vector<float> on_device(soft_bits);
        memory->download(device.index(), on_device);
        for (unsigned r = 0; r < state.num_code_blocks; ++r) {
          const std::size_t base = std::size_t{r} * state.circular_buffer_length;
          for (unsigned p = 0; p < state.received_length; ++p) {
            ASSERT_EQ(on_device[base + p], host.soft_bits()[base + p])
                << "code block " << r << " position " << p;
          }
        }
        if (expected.tb_crc_ok) {
          ++decoded;
          break;
        }
        ++failed;
      }
      host_pool.release(key);
      device_pool.release(key);
    }
  }
  EXPECT_GE(decoded, 8U);
  EXPECT_GE(failed, 8U);
}

TEST(GpuUlschDecoder, SingleTransmissionsMatchTheCpu) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  auto cpu = create_ulsch_decoder(200000);
  auto encoder = create_ulsch_encoder();
  GpuUlschDecoder gpu(200000, nullptr, 0);
  std::mt19937_64 rng(22);
  for (const auto& c : airan::test::ulsch_test_cases) {
    for (const float extra_db : {0.0F, 3.0F}) {
      UlschDecoderConfig cfg;
      cfg.coding = c.coding(0);
      BitVector tb(c.tbs);
      for (auto& bit : tb) {
        bit = static_cast<bit_t>(rng() & 1U);
      }
      BitVector codeword(c.g);
      encoder->encode(tb, cfg.coding, codeword);
      const auto llrs = airan::test::noisy_llrs(codeword, c.snr_db + extra_db, rng);
      BitVector cpu_bits(c.tbs);
      BitVector gpu_bits(c.tbs);
      const bool in_ldpc = extra_db == 0.0F;
      gpu.set_rate_recovery_in_ldpc(in_ldpc);
      gpu.set_code_block_pairs(c.tbs % 2 == 0); // two code blocks per LDPC thread block
      expect_same(gpu.decode(llrs, cfg, gpu_bits), cpu->decode(llrs, cfg, cpu_bits));
      EXPECT_EQ(gpu_bits, cpu_bits) << "TBS " << c.tbs << (in_ldpc ? ", in LDPC" : ", separate");
    }
  }
}

TEST(GpuUlschDecoder, TheFactorySharesHarqMemoryPerPoolAndChecksBuffers) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const auto factory = airan::gpu::make_gpu_ulsch_decoder_factory(0);
  EXPECT_EQ(factory.harq_storage, HarqStorage::external);
  HarqBufferPool pool(3, 100000, HarqStorage::external);
  auto a = factory.make(50000, pool);
  auto b = factory.make(50000, pool);
  EXPECT_EQ(a->llr_device(), 0);
  HarqBufferPool host_pool(3, 100000);
  EXPECT_THROW((void)factory.make(50000, host_pool), std::invalid_argument);

  // Decoding into a buffer of one decoder's pool, then retransmitting through the other decoder
  // of the same pool: the soft values are shared.
  auto cpu = create_ulsch_decoder(50000);
  auto encoder = create_ulsch_encoder();
  HarqBufferPool cpu_pool(3, 100000);
  const auto& c = airan::test::ulsch_test_cases[2];
  UlschDecoderConfig cfg;
  cfg.coding = c.coding(0);
  std::mt19937_64 rng(23);
  BitVector tb(c.tbs, 1);
  BitVector codeword(c.g);
  BitVector bits(c.tbs);
  BitVector cpu_bits(c.tbs);
  for (const unsigned rv : {0U, 2U}) {
    cfg.coding.rv = rv;
    encoder->encode(tb, cfg.coding, codeword);
    const auto llrs = airan::test::noisy_llrs(codeword, c.snr_db - 1.0F, rng);
    auto& decoder = rv == 0 ? *a : *b;
    expect_same(decoder.decode(llrs, cfg, pool.acquire({1, 1}, rv == 0), bits),
                cpu->decode(llrs, cfg, cpu_pool.acquire({1, 1}, rv == 0), cpu_bits));
    EXPECT_EQ(bits, cpu_bits);
  }

  // A host buffer, or one past the memory, is a clear error.
  const auto llrs = std::vector<float>(c.g, 1.0F);
  EXPECT_THROW(a->decode(llrs, cfg, host_pool.acquire({2, 0}, true), bits), std::invalid_argument);
  HarqBufferPool bigger(8, 100000, HarqStorage::external);
  for (std::uint8_t h = 0; h < 8; ++h) {
    (void)bigger.acquire({3, h}, true);
  }
  EXPECT_THROW(a->decode(llrs, cfg, *bigger.find({3, 7}), bits), std::invalid_argument);
  EXPECT_THROW(
      a->decode_device({llrs.data(), llrs.size(), 1}, cfg, pool.acquire({2, 0}, true), bits),
      std::invalid_argument);
}

TEST(GpuUlschDecoder, WithoutADeviceTheConstructorThrows) {
  std::string status;
  if (have_device(status)) {
    GTEST_SKIP() << "a device is present";
  }
  EXPECT_THROW(GpuUlschDecoder(1000, nullptr, 0), std::runtime_error);
  EXPECT_THROW(GpuHarqSoftMemory(2, 100, 0), std::runtime_error);
}

} // namespace
