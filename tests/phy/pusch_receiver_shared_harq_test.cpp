// PuschReceivers sharing one HARQ pool (SharedHarqPool, as the L1's receivers of each layer count
// do): a TB first sent with one layer and retransmitted with two combines with the first
// transmission on the other receiver (rank adaptation between transmissions); each receiver with
// a pool of its own decodes the retransmission alone. A pool whose buffers are too small for a
// receiver, or of other storage, is refused when the receiver is made.
#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"

#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <stdexcept>

namespace pusch_receiver_shared_harq_test {
namespace {

using namespace airan::phy;
using airan::test::random_bits;

constexpr unsigned num_rx = 2;

CellConfig cell_with_ports(unsigned ports) {
  CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  cell.n_cell_id = 9;
  cell.num_antenna_ports = ports;
  return cell;
}

PuschConfig pusch_with_layers(unsigned layers) {
  PuschConfig pusch;
  pusch.rnti = 0x4444;
  pusch.bwp_size = 24;
  pusch.prb_size = 24;
  pusch.num_layers = layers;
  pusch.dmrs_ports = layers == 1 ? 0b1 : 0b11;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_scrambling_id = 9;
  pusch.data_scrambling_id = 9;
  pusch.mcs_table = McsTable::qam64;
  pusch.mcs_index = 26;
  pusch.harq_process_id = 6;
  return pusch;
}

PuschReceiverConfig receiver_config(unsigned layers, std::shared_ptr<SharedHarqPool> shared) {
  PuschReceiverConfig config;
  config.num_rx_antennas = num_rx;
  config.max_layers = layers;
  config.num_harq_buffers = 4;
  config.shared_harq = std::move(shared);
  return config;
}

/// \p pusch carrying \p tb sent at \p snr_db through a random unitary channel, then received.
PuschPduResult send(PuschReceiver& receiver, const BitVector& tb, const PuschConfig& pusch,
                    float snr_db, std::mt19937_64& rng) {
  const CellConfig cell = cell_with_ports(pusch.num_layers);
  PuschTransmitter transmitter(cell);
  ResourceGrid tx = transmitter.make_grid();
  ResourceGrid rx(num_rx, tx.num_symbols(), tx.num_subcarriers());
  transmitter.transmit(tb, pusch, 4, tx);
  FlatMimoChannel::random_unitary(num_rx, pusch.num_layers, rng())
      .apply(tx, std::pow(10.0F, -snr_db / 10.0F), rng, rx);
  std::vector<PuschPduResult> results;
  receiver.process_slot(rx, 4, std::span(&pusch, 1), results);
  return results.at(0);
}

struct RankChange {
  PuschConfig first = pusch_with_layers(1);
  PuschConfig second = pusch_with_layers(2);
  BitVector tb;

  explicit RankChange(std::mt19937_64& rng) {
    const std::uint32_t tbs = PuschTransmitter(cell_with_ports(1)).transport_block_size(first);
    tb = random_bits(tbs, rng);
    second.tb_size_bits = tbs; // the same TB on twice the REs
    second.rv = 2;
    second.new_data_indicator = false;
  }
};

TEST(PuschReceiverSharedHarq, ARetransmissionWithAnotherLayerCountCombines) {
  std::mt19937_64 rng(5);
  const CellConfig one = cell_with_ports(1);
  const CellConfig two = cell_with_ports(2);
  const std::size_t length =
      std::max(pusch_receiver_harq_buffer_length(one, receiver_config(1, {})),
               pusch_receiver_harq_buffer_length(two, receiver_config(2, {})));
  auto shared = std::make_shared<SharedHarqPool>(4, length, HarqStorage::host, 0);
  PuschReceiver one_layer(one, receiver_config(1, shared));
  PuschReceiver two_layers(two, receiver_config(2, shared));
  EXPECT_EQ(&one_layer.harq_pool(), &two_layers.harq_pool());
  RankChange change(rng);

  const PuschPduResult lost = send(one_layer, change.tb, change.first, -5.0F, rng);
  ASSERT_EQ(lost.error, "");
  ASSERT_FALSE(lost.tb_crc_ok);
  EXPECT_EQ(shared->pool.num_in_use(), 1U);
  const PuschPduResult combined = send(two_layers, change.tb, change.second, 30.0F, rng);
  ASSERT_EQ(combined.error, "");
  EXPECT_EQ(combined.decoding.num_transmissions, 2U);
  EXPECT_TRUE(combined.tb_crc_ok);
  EXPECT_EQ(combined.tb_bits, change.tb);
  EXPECT_EQ(shared->pool.num_in_use(), 0U);

  // Pools of their own: the retransmission finds nothing to combine with.
  PuschReceiver alone_one(one, receiver_config(1, {}));
  PuschReceiver alone_two(two, receiver_config(2, {}));
  ASSERT_FALSE(send(alone_one, change.tb, change.first, -5.0F, rng).tb_crc_ok);
  EXPECT_EQ(send(alone_two, change.tb, change.second, 30.0F, rng).decoding.num_transmissions, 1U);
}

TEST(PuschReceiverSharedHarq, APoolThatDoesNotFitTheReceiverIsRefused) {
  const CellConfig two = cell_with_ports(2);
  const std::size_t length = pusch_receiver_harq_buffer_length(two, receiver_config(2, {}));
  auto small = std::make_shared<SharedHarqPool>(4, length - 1, HarqStorage::host, 0);
  EXPECT_THROW(PuschReceiver(two, receiver_config(2, small)), std::invalid_argument);
  auto external = std::make_shared<SharedHarqPool>(4, length, HarqStorage::external, 0);
  EXPECT_THROW(PuschReceiver(two, receiver_config(2, external)), std::invalid_argument);
  auto fits = std::make_shared<SharedHarqPool>(4, length, HarqStorage::host, 0);
  EXPECT_NO_THROW(PuschReceiver(two, receiver_config(2, fits)));
}

} // namespace
} // namespace pusch_receiver_shared_harq_test
