// The GPU benchmarks' reference slot (gpu/bench/peak_slot.h) decodes with the CPU reference
// receiver as bench_gpu_cells configures it: the benchmarks time a slot whose TBs pass their CRC
// (a failing TB runs every LDPC iteration and would make the decoder look slower than it is, and
// "TBs decoded 0/N" would measure nothing). Runs on the CPU, with or without a device.
#include "peak_slot.h"

#include "airan/phy/pusch_receiver.h"

#include <gtest/gtest.h>

#include <span>
#include <vector>

namespace {

TEST(PeakSlot, TheCpuReceiverDecodesIt) {
  const airan::bench::PeakSlot peak;
  airan::phy::PuschReceiverConfig config;
  config.num_rx_antennas = airan::bench::peak_rx;
  config.max_layers = airan::bench::peak_layers;
  airan::phy::PuschReceiver receiver(peak.scenario.cell, config);
  std::vector<airan::phy::PuschPduResult> results;
  receiver.process_slot_iq(peak.simulator->received_iq(), peak.simulator->slot_number(),
                           std::span(&peak.pusch, 1), results);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_TRUE(results[0].tb_crc_ok) << results[0].error;
  EXPECT_EQ(results[0].tb_bits, peak.simulator->tb_bits(0));
  EXPECT_LE(results[0].decoding.mean_ldpc_iterations, 4.0F)
      << "the slot is meant to decode with margin";
}

} // namespace
