// PuschReceiver's HARQ buffers when a PDU is not decoded: new data ends the process's previous
// TB even when its PDU is refused (the old soft values were combined with the new TB's
// retransmission), and a decoder that throws gives its buffer back even on a retransmission (it
// may have combined part of the transmission, which the next one would add again).
#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"

#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

namespace {

using namespace airan::phy;

constexpr unsigned harq_num_prbs = 24;

CellConfig harq_cell() {
  CellConfig cell;
  cell.num_prbs = harq_num_prbs;
  cell.numerology = 1;
  cell.n_cell_id = 77;
  return cell;
}

/// 64-QAM R 0.89 on the whole carrier: rv 0 alone fails at 14.5 dB (see pusch_receiver_test).
PuschConfig harq_pusch() {
  PuschConfig pusch;
  pusch.rnti = 0x4321;
  pusch.bwp_size = harq_num_prbs;
  pusch.prb_size = harq_num_prbs;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_scrambling_id = 77;
  pusch.data_scrambling_id = 77;
  pusch.mcs_table = McsTable::qam64;
  pusch.mcs_index = 26;
  pusch.harq_process_id = 3;
  return pusch;
}

using airan::test::random_bits;

struct HarqLink {
  CellConfig cell = harq_cell();
  PuschTransmitter transmitter{cell};
  std::mt19937_64 rng{11};
  ResourceGrid tx_grid = transmitter.make_grid();
  ResourceGrid rx_grid = transmitter.make_grid();
  FlatMimoChannel channel{1, 1, {cf32(1.0F, 0.0F)}};

  /// \p tb sent as \p pusch in \p slot at 14.5 dB, received by \p receiver.
  PuschPduResult send(PuschReceiver& receiver, const BitVector& tb, const PuschConfig& pusch,
                      unsigned slot) {
    tx_grid.fill_zero();
    transmitter.transmit(tb, pusch, slot, tx_grid);
    channel.apply(tx_grid, std::pow(10.0F, -1.45F), rng, rx_grid);
    std::vector<PuschPduResult> results;
    receiver.process_slot(rx_grid, slot, std::span(&pusch, 1), results);
    return results.at(0);
  }
};

PuschReceiverConfig one_antenna() {
  PuschReceiverConfig config;
  config.num_rx_antennas = 1;
  config.max_layers = 1;
  config.num_harq_buffers = 2;
  return config;
}

TEST(PuschReceiverHarq, NewDataEndsThePreviousTbEvenWhenItsPduIsRefused) {
  HarqLink link;
  PuschReceiver receiver(link.cell, one_antenna());
  PuschConfig pusch = harq_pusch();
  const auto first_tb = random_bits(link.transmitter.transport_block_size(pusch), link.rng);
  const auto first = link.send(receiver, first_tb, pusch, 2);
  ASSERT_TRUE(first.error.empty()) << first.error;
  ASSERT_FALSE(first.tb_crc_ok);
  EXPECT_EQ(receiver.harq_pool().num_in_use(), 1U); // kept for a retransmission

  // The MAC starts a new TB on the process, but its PDU is refused (outside the carrier).
  PuschConfig refused = pusch;
  refused.prb_start = 20;
  std::vector<PuschPduResult> results;
  receiver.process_slot(link.rx_grid, 3, std::span(&refused, 1), results);
  ASSERT_NE(results.at(0).error.find("invalid PDU"), std::string::npos);
  EXPECT_EQ(receiver.harq_pool().num_in_use(), 0U) << "the old TB's soft values are gone";

  // The new TB's retransmission is decoded alone, not combined with the old TB.
  const auto second_tb = random_bits(link.transmitter.transport_block_size(pusch), link.rng);
  pusch.rv = 2;
  pusch.new_data_indicator = false;
  const auto retransmission = link.send(receiver, second_tb, pusch, 4);
  ASSERT_TRUE(retransmission.error.empty()) << retransmission.error;
  EXPECT_EQ(retransmission.decoding.num_transmissions, 1U);
}

/// A UL-SCH decoder whose second HARQ decoding (the retransmission below) combines into its
/// buffer and then throws, as a device launch failing after the rate recovery can.
class ThrowingAfterCombiningDecoder final : public UlschDecoder {
public:
  explicit ThrowingAfterCombiningDecoder(std::uint32_t max_tbs)
      : decoder_(create_ulsch_decoder(max_tbs)) {}
  UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                            std::span<bit_t> tb_bits) override {
    return decoder_->decode(llrs, cfg, tb_bits);
  }
  UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                            HarqSoftBuffer& harq_buffer, std::span<bit_t> tb_bits) override {
    const auto result = decoder_->decode(llrs, cfg, harq_buffer, tb_bits);
    if (++harq_decodings_ == 2) {
      throw std::runtime_error("launch failed after combining");
    }
    return result;
  }

private:
  std::unique_ptr<UlschDecoder> decoder_;
  int harq_decodings_ = 0;
};

TEST(PuschReceiverHarq, ADecoderThrowingOnARetransmissionGivesItsBufferBack) {
  HarqLink link;
  PuschReceiverConfig config = one_antenna();
  config.ulsch_decoder.make = [](std::uint32_t max_tbs, const HarqBufferPool&) {
    return std::unique_ptr<UlschDecoder>(std::make_unique<ThrowingAfterCombiningDecoder>(max_tbs));
  };
  PuschReceiver receiver(link.cell, config);
  PuschConfig pusch = harq_pusch();
  const auto tb = random_bits(link.transmitter.transport_block_size(pusch), link.rng);
  ASSERT_FALSE(link.send(receiver, tb, pusch, 2).tb_crc_ok);
  ASSERT_EQ(receiver.harq_pool().num_in_use(), 1U);
  pusch.rv = 2;
  pusch.new_data_indicator = false;
  const auto failed = link.send(receiver, tb, pusch, 3);
  EXPECT_NE(failed.error.find("launch failed"), std::string::npos) << failed.error;
  EXPECT_FALSE(failed.tb_crc_ok);
  EXPECT_EQ(receiver.harq_pool().num_in_use(), 0U)
      << "a buffer half-combined with the failed transmission is not kept";
}

} // namespace
