// GpuLdpcDecoder against the CPU decoder, bit for bit (message bits, iteration counts, parity
// and CRC outcomes, CRC24B termination included): 1000 random noisy code blocks of both base
// graphs and many lifting sizes in batches that mix codes (messages in device memory; one or two
// threads per check node, each layer's edges kept between its passes or not), 300
// smaller ones (messages in shared memory); two code blocks per thread block (pairs of one
// code whose rows and outcomes differ, and blocks paired with themselves); argument errors.
// Skipped without a CUDA device.
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_ldpc_decoder.h"
#if defined(AIRAN_HAVE_CUDA)
#include "airan/gpu/launch_profiler.h"
#endif

#include "../support/ldpc_test_cases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace airan::phy;
using airan::gpu::GpuLdpcDecoder;
using airan::gpu::GpuLdpcJob;

bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

/// Decodes \p cases on the GPU in one batch and compares every output with the CPU decoder's;
/// returns how many blocks decoded to their message.
unsigned expect_batch_matches_cpu(GpuLdpcDecoder& gpu, LdpcDecoder& cpu,
                                  const std::vector<airan::test::LdpcTestCase>& cases) {
  std::vector<BitVector> gpu_bits;
  std::vector<GpuLdpcJob> jobs;
  gpu_bits.reserve(cases.size());
  jobs.reserve(cases.size());
  for (const auto& c : cases) {
    gpu_bits.emplace_back(c.message.size(), bit_t{7});
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    jobs.push_back({cases[i].config, cases[i].llrs, gpu_bits[i], cases[i].crc});
  }
  std::vector<LdpcDecoderResult> results(jobs.size());
  gpu.decode(jobs, results);
  EXPECT_GT(gpu.last_kernel_us(), 0.0f);
  unsigned decoded_ok = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i) + ", Z " +
                 std::to_string(cases[i].config.lifting_size));
    BitVector expected(cases[i].message.size());
    const auto reference =
        cpu.decode(cases[i].llrs, cases[i].config, expected, cases[i].crc_check());
    EXPECT_EQ(gpu_bits[i], expected);
    EXPECT_EQ(results[i].iterations, reference.iterations);
    EXPECT_EQ(results[i].parity_ok, reference.parity_ok);
    EXPECT_EQ(results[i].crc_ok, reference.crc_ok);
    decoded_ok += expected == cases[i].message ? 1 : 0;
  }
  return decoded_ok;
}

// Batches of 100 mixed codes; each holds low-rate blocks at Z = 384, too large for the messages
// to stay in shared memory (they go to device memory). With the kernel's two threads per check
// node and with one, each with the edges kept from a layer's first pass for its second (a
// launch of 100 blocks, at most one per SM, keeps them by default) and never kept.
TEST(GpuLdpcDecoder, MatchesTheCpuDecoderBitForBit) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  constexpr unsigned batch_size = 100;
  using airan::gpu::GpuLdpcEdgeKeeping;
  for (const auto& [threads_per_check_node, keeping] :
       {std::pair{0U, GpuLdpcEdgeKeeping::always}, std::pair{0U, GpuLdpcEdgeKeeping::never},
        std::pair{1U, GpuLdpcEdgeKeeping::always}, std::pair{1U, GpuLdpcEdgeKeeping::never}}) {
    SCOPED_TRACE(std::to_string(threads_per_check_node) + " threads per check node (0: auto), " +
                 (keeping == GpuLdpcEdgeKeeping::always ? "edges kept" : "edges not kept"));
    GpuLdpcDecoder gpu(batch_size, 0, threads_per_check_node);
    gpu.set_edge_keeping(keeping);
    auto cpu = create_ldpc_decoder();
    unsigned decoded_ok = 0;
    for (unsigned batch = 0; batch < 10; ++batch) {
      std::vector<airan::test::LdpcTestCase> cases;
      for (unsigned i = 0; i < batch_size; ++i) {
        cases.push_back(airan::test::make_ldpc_test_case(23, batch * batch_size + i));
      }
      decoded_ok += expect_batch_matches_cpu(gpu, *cpu, cases);
    }
    EXPECT_GT(decoded_ok, 300u); // the cases include decodable blocks, not only failures
  }
}

// Two code blocks per thread block (set_code_block_pairs): batches of 101 blocks, each case
// followed by a partner of its code (another message, noise and received length, so other rows,
// iterations and outcomes) and, every fifth case, by an unrelated case, so that blocks pair with
// the next, with a partner whose rows differ and with themselves (the odd last one too). The
// first four batches keep their messages in device memory (their low-rate Z = 384 pairs do not
// fit in shared memory), the last two, of Z <= 128 only, in shared memory.
TEST(GpuLdpcDecoder, PairsMatchTheCpuDecoderBitForBit) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  constexpr unsigned batch_size = 101;
  for (const unsigned threads_per_check_node : {0U, 1U}) {
    SCOPED_TRACE(std::to_string(threads_per_check_node) + " threads per check node (0: auto)");
    GpuLdpcDecoder gpu(batch_size, 0, threads_per_check_node);
    gpu.set_code_block_pairs(true);
    auto cpu = create_ldpc_decoder();
    unsigned decoded_ok = 0;
    unsigned index = 0;
    for (unsigned batch = 0; batch < 6; ++batch) {
      std::vector<airan::test::LdpcTestCase> cases;
      while (cases.size() < batch_size) {
        auto c = airan::test::make_ldpc_test_case(37, index);
        if (batch >= 4 && c.config.lifting_size > 128) { // messages in shared memory
          ++index;
          continue;
        }
        cases.push_back(std::move(c));
        if (index % 5 != 4 && cases.size() < batch_size) {
          cases.push_back(airan::test::make_ldpc_partner_case(cases.back(), index));
        }
        ++index;
      }
#if defined(AIRAN_HAVE_CUDA) // (skipped without a device, so a CUDA build runs this)
      if (batch == 0) {      // the pair kernel ran, not the single one
        airan::gpu::LaunchProfiler profiler;
        decoded_ok += expect_batch_matches_cpu(gpu, *cpu, cases);
        const auto launches = profiler.collect();
        const auto named = [&](const std::string& name) {
          return std::count_if(launches.begin(), launches.end(),
                               [&](const auto& launch) { return launch.name == name; });
        };
        EXPECT_EQ(named("ldpc_decode_pairs_kernel"), 1);
        EXPECT_EQ(named("ldpc_decode_kernel") + named("ldpc_decode_kernel+kept"), 0);
        continue;
      }
#endif
      decoded_ok += expect_batch_matches_cpu(gpu, *cpu, cases);
    }
    EXPECT_GT(decoded_ok, 150u);
  }
}

// Batches of codes with Z <= 128 only: their messages fit in shared memory.
TEST(GpuLdpcDecoder, MatchesTheCpuDecoderWithMessagesInSharedMemory) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  GpuLdpcDecoder gpu(100, 0);
  auto cpu = create_ldpc_decoder();
  unsigned decoded_ok = 0;
  unsigned index = 0;
  for (unsigned batch = 0; batch < 3; ++batch) {
    std::vector<airan::test::LdpcTestCase> cases;
    while (cases.size() < 100) {
      auto c = airan::test::make_ldpc_test_case(31, index++);
      if (c.config.lifting_size <= 128) {
        cases.push_back(std::move(c));
      }
    }
    decoded_ok += expect_batch_matches_cpu(gpu, *cpu, cases);
  }
  EXPECT_GT(decoded_ok, 100u);
}

TEST(GpuLdpcDecoder, RejectsBadJobsBeforeLaunching) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  GpuLdpcDecoder gpu(2, 0);
  auto c = airan::test::make_ldpc_test_case(5, 1);
  BitVector bits(c.message.size());
  std::vector<LdpcDecoderResult> results(3);
  std::vector<GpuLdpcJob> jobs(3, GpuLdpcJob{c.config, c.llrs, bits, c.crc});
  EXPECT_THROW(gpu.decode(jobs, results), std::invalid_argument); // 3 > 2 code blocks
  jobs.resize(1);
  results.resize(1);
  jobs[0].config.early_termination = LdpcEarlyTermination::crc_check;
  jobs[0].crc.reset();
  EXPECT_THROW(gpu.decode(jobs, results), std::invalid_argument); // no CRC to stop on
  jobs[0].config = c.config;
  jobs[0].config.lifting_size = 17;
  EXPECT_THROW(gpu.decode(jobs, results), std::invalid_argument);
  jobs[0].config = c.config;
  EXPECT_NO_THROW(gpu.decode(jobs, results));
  EXPECT_THROW(GpuLdpcDecoder(2, 0, 3), std::invalid_argument); // 1 or 2 threads per check node
}

TEST(GpuLdpcDecoderWithoutDevice, ConstructionFailsWithAReason) {
  std::string status;
  if (have_device(status)) {
    GTEST_SKIP() << "a CUDA device is present";
  }
  try {
    GpuLdpcDecoder gpu(4, 0);
    FAIL() << "constructed without a device";
  } catch (const std::runtime_error& error) {
    EXPECT_FALSE(std::string(error.what()).empty());
  }
}

} // namespace
