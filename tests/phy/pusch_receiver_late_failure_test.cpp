// PuschReceiver when its detector fails after the TB was decoded (a device fault that surfaces
// when the measurements are synchronised): the TB stays decoded with its own bytes and the error
// is reported beside it. The result object is reused from slot to slot, and the bytes of the TB
// it held before passed for the new PDU's, with the CRC reported good.
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace {

using namespace airan::phy;

/// The CPU front end behind the detector interface, whose deferred measurements fail for one RNTI.
class LateFailingDetector final : public PuschDetector {
public:
  LateFailingDetector(const PuschFrontEndLimits& limits, std::uint16_t failing_rnti)
      : front_end_(limits), failing_rnti_(failing_rnti) {}
  PuschMeasurements detect(const ResourceGrid& grid, const CellConfig& cell,
                           const PuschConfig& pusch, unsigned slot,
                           std::span<float> llrs) override {
    last_rnti_ = pusch.rnti;
    return front_end_.process(grid, cell, pusch, slot, {}, llrs);
  }
  std::optional<PuschMeasurements> deferred_measurements() override {
    if (last_rnti_ == failing_rnti_) {
      throw std::runtime_error("device fault while the measurements were read");
    }
    return std::nullopt;
  }

private:
  PuschFrontEnd front_end_;
  std::uint16_t failing_rnti_;
  std::uint16_t last_rnti_ = 0;
};

PuschConfig test_pusch(std::uint16_t rnti) {
  PuschConfig pusch;
  pusch.rnti = rnti;
  pusch.bwp_size = 52;
  pusch.prb_size = 24;
  pusch.mcs_index = 10;
  pusch.data_scrambling_id = 5;
  pusch.dmrs_scrambling_id = 5;
  return pusch;
}

/// A noise-free slot of \p pusch carrying random bits (returned in \p tb).
ResourceGrid transmit(const CellConfig& cell, const PuschConfig& pusch, unsigned seed,
                      BitVector& tb) {
  PuschTransmitter transmitter(cell);
  ResourceGrid grid = transmitter.make_grid();
  tb.assign(transmitter.transport_block_size(pusch), 0);
  std::mt19937 rng(seed);
  for (auto& bit : tb) {
    bit = static_cast<bit_t>(rng() & 1U);
  }
  transmitter.transmit(tb, pusch, 4, grid);
  return grid;
}

std::vector<std::uint8_t> packed(const BitVector& bits) {
  std::vector<std::uint8_t> bytes;
  pack_bits_msb_first(bits, bytes);
  return bytes;
}

TEST(PuschReceiverLateFailure, ADecodedTbKeepsItsOwnBytesWhenTheMeasurementsFail) {
  CellConfig cell = airan::test::detector_test_cell();
  cell.num_antenna_ports = 1;
  PuschReceiverConfig config;
  config.num_rx_antennas = 1;
  config.max_layers = 1;
  config.detector = [](const PuschFrontEndLimits& limits, unsigned) {
    return std::unique_ptr<PuschDetector>(std::make_unique<LateFailingDetector>(limits, 0xBAD));
  };
  PuschReceiver receiver(cell, config);
  std::vector<PuschPduResult> results;

  BitVector first_tb;
  const PuschConfig first = test_pusch(1);
  receiver.process_slot(transmit(cell, first, 1, first_tb), 4, std::span(&first, 1), results);
  ASSERT_EQ(results.size(), 1U);
  ASSERT_TRUE(results[0].tb_crc_ok) << results[0].error;
  EXPECT_EQ(results[0].tb_bytes, packed(first_tb));

  BitVector second_tb;
  const PuschConfig second = test_pusch(0xBAD);
  receiver.process_slot(transmit(cell, second, 2, second_tb), 4, std::span(&second, 1), results);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_NE(results[0].error.find("device fault"), std::string::npos) << results[0].error;
  EXPECT_TRUE(results[0].tb_crc_ok);
  EXPECT_EQ(results[0].tb_bits, second_tb);
  EXPECT_EQ(results[0].tb_bytes, packed(second_tb)); // not the first TB's
  EXPECT_NE(results[0].tb_bytes, packed(first_tb));
}

} // namespace
