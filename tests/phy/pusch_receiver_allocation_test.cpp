// PuschReceiver::process_slot() allocates nothing in steady state, also when the PDU count of the
// slots changes (a slot without PUSCH between two with: the L1's PUCCH- or SRS-only slots).
// It allocated every slot (the thread pool's std::function held a 56-byte lambda), and a slot
// with fewer PDUs freed the dropped results' TB buffers, which the next slot allocated again.
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"

#include "../support/allocation_counter.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <random>
#include <span>
#include <vector>

namespace {

using namespace airan::phy;

TEST(PuschReceiverAllocations, NoneInSteadyStateWhateverThePduCountPerSlot) {
  CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  cell.n_cell_id = 21;
  std::vector<PuschConfig> pdus(2);
  for (unsigned u = 0; u < 2; ++u) {
    PuschConfig& p = pdus[u];
    p.rnti = static_cast<std::uint16_t>(0x100 + u);
    p.bwp_size = 24;
    p.prb_start = 12 * u;
    p.prb_size = 12;
    p.num_dmrs_cdm_groups_no_data = 2;
    p.mcs_index = 9;
    p.harq_process_id = u;
  }
  PuschTransmitter transmitter(cell);
  ResourceGrid grid = transmitter.make_grid();
  std::mt19937_64 rng(5);
  std::vector<BitVector> tbs;
  for (const auto& p : pdus) {
    tbs.push_back(airan::test::random_bits(transmitter.transport_block_size(p), rng));
    transmitter.transmit(tbs.back(), p, 4, grid);
  }
  PuschReceiverConfig config; // one thread, as the L1's receivers
  config.num_rx_antennas = 1;
  PuschReceiver receiver(cell, config);
  std::vector<PuschPduResult> results;
  const auto run = [&](std::span<const PuschConfig> slot_pdus) {
    receiver.process_slot(grid, 4, slot_pdus, results);
    ASSERT_EQ(results.size(), slot_pdus.size());
    for (std::size_t i = 0; i < slot_pdus.size(); ++i) {
      EXPECT_TRUE(results[i].tb_crc_ok) << i;
      EXPECT_EQ(results[i].tb_bits, tbs[i]) << i;
    }
  };
  // Warm-up: the results, the pool and the decoders reach their sizes.
  run(pdus);
  run({});
  run(pdus);
  const long before = airan::test::allocation_count();
  run(pdus);
  run({});
  run(std::span(pdus).first(1));
  run(pdus);
  EXPECT_EQ(airan::test::allocation_count() - before, 0);
}

} // namespace
