// UCI on PUSCH end to end: the transmitter multiplexes HARQ-ACK and CSI with the UL-SCH (TS 38.212
// 6.3.2, 6.2.7), and the receiver returns both the transport block and the UCI payloads; the
// placeholders of a 1-bit HARQ-ACK land on outer constellation points; a receiver that ignores the
// UCI loses the transport block; invalid UCI is refused with a reason.
#include "../support/iq_detector.h"
#include "airan/phy/awgn.h"
#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/uci_coded_sizes.h"
#include "airan/phy/uci_short_block_code.h"
#include "airan/phy/ulsch_uci_multiplexer.h"

#include "../support/pusch_uci_link.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace {

using namespace airan::phy;
using airan::test::random_bits;

using airan::test::Link;
using airan::test::Payload;
using airan::test::random_payload;
constexpr unsigned slot_number = airan::test::uci_slot_number;

CellConfig uci_cell(unsigned ports) {
  return airan::test::make_uci_cell(ports);
}

PuschConfig uci_pusch(unsigned layers, McsTable table, unsigned mcs) {
  return airan::test::make_uci_pusch(layers, table, mcs);
}

TEST(PuschUci, HarqAckAndCsiDecodeWithTheTransportBlockAcrossModulationsAndLayers) {
  std::mt19937_64 rng(17);
  struct Case {
    unsigned layers;
    McsTable table;
    unsigned mcs;
    PuschUciConfig uci;
  };
  const std::vector<Case> cases = {
      {1, McsTable::qam64, 5, {1, 0, 0, 3, 5, 0, 0}},      // QPSK, 1-bit HARQ-ACK
      {1, McsTable::qam64, 12, {2, 4, 0, 2, 7, 8, 0}},     // 16-QAM, 2 bits + CSI part 1
      {1, McsTable::qam64, 20, {5, 6, 3, 3, 9, 10, 12}},   // 64-QAM, every part
      {2, McsTable::qam64, 14, {1, 7, 2, 1, 11, 12, 14}},  // 2 layers, 1-bit over CSI part 2
      {2, McsTable::qam256, 22, {11, 11, 11, 3, 6, 6, 6}}, // 256-QAM, 11-bit payloads
      {1, McsTable::qam256, 10, {0, 9, 0, 3, 0, 9, 0}},    // CSI part 1 alone
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("layers " + std::to_string(c.layers) + " mcs " + std::to_string(c.mcs) + " ack " +
                 std::to_string(c.uci.harq_ack_bits));
    Link link(uci_cell(c.layers));
    PuschConfig pusch = uci_pusch(c.layers, c.table, c.mcs);
    pusch.uci = c.uci;
    ASSERT_EQ(pusch.validate(link.cell), "");
    for (int trial = 0; trial < 3; ++trial) {
      const Payload payload = random_payload(pusch.uci, rng);
      const BitVector tb = random_bits(link.transmitter.transport_block_size(pusch), rng);
      const PuschPduResult r = link.run(pusch, payload, tb, 32.0F, rng);
      ASSERT_EQ(r.error, "");
      EXPECT_TRUE(r.tb_crc_ok);
      EXPECT_EQ(r.tb_bits, tb);
      ASSERT_TRUE(r.uci.decoded);
      EXPECT_EQ(r.uci.harq_ack, payload.ack);
      EXPECT_EQ(r.uci.csi_part1, payload.csi1);
      EXPECT_EQ(r.uci.csi_part2, payload.csi2);
      for (const auto& [bits, corr] :
           {std::pair{c.uci.harq_ack_bits, r.uci.harq_ack_correlation},
            std::pair{c.uci.csi_part1_bits, r.uci.csi_part1_correlation},
            std::pair{c.uci.csi_part2_bits, r.uci.csi_part2_correlation}}) {
        if (bits != 0) {
          EXPECT_GT(corr, 0.95);
        }
      }
    }
  }
}

TEST(PuschUci, DftsOfdmCarriesUciWithPi2BpskAndQpsk) {
  std::mt19937_64 rng(23);
  for (const bool pi2bpsk : {true, false}) {
    Link link(uci_cell(1), 2);
    PuschConfig pusch = uci_pusch(1, McsTable::transform_precoding_qam64, pi2bpsk ? 1 : 4);
    pusch.prb_size = 20;
    pusch.num_dmrs_cdm_groups_no_data = 2;
    pusch.transform_precoding = true;
    pusch.tp_pi2bpsk = pi2bpsk;
    pusch.pusch_identity = 41;
    pusch.uci = {1, 5, 0, 3, 4, 6, 0};
    ASSERT_EQ(pusch.validate(link.cell), "");
    ASSERT_EQ(pusch.modulation_order(), pi2bpsk ? 1U : 2U);
    const Payload payload = random_payload(pusch.uci, rng);
    const BitVector tb = random_bits(link.transmitter.transport_block_size(pusch), rng);
    const PuschPduResult r = link.run(pusch, payload, tb, 25.0F, rng);
    ASSERT_EQ(r.error, "");
    EXPECT_TRUE(r.tb_crc_ok) << pi2bpsk;
    EXPECT_EQ(r.uci.harq_ack, payload.ack);
    EXPECT_EQ(r.uci.csi_part1, payload.csi1);
  }
}

TEST(PuschUci, OneBitHarqAckSitsOnOuterCornersOf16Qam) {
  // [c0, y, x, x]: the two "x" send 1 (amplitude 3 on both axes) and "y" repeats the scrambled
  // c0, so I and Q have the same sign: (+-3 +-3j) / sqrt(10) with equal signs.
  const CellConfig cell = uci_cell(1);
  PuschTransmitter transmitter(cell);
  PuschConfig pusch = uci_pusch(1, McsTable::qam64, 12);
  pusch.uci = {1, 0, 0, 3, 8, 0, 0};
  ASSERT_EQ(pusch.modulation_order(), 4U);
  std::mt19937_64 rng(2);
  const BitVector ack = {1};
  const BitVector tb = random_bits(transmitter.transport_block_size(pusch), rng);
  ResourceGrid grid = transmitter.make_grid();
  transmitter.transmit(tb, PuschUciPayload{ack, {}, {}}, pusch, slot_number, grid);

  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  const UciCodedSizes sizes = pusch_coded_sizes(cell, pusch, static_cast<std::uint32_t>(tb.size()));
  UlschUciMultiplexer mux(mapping.num_data_res());
  mux.plan(mapping, sizes, 1, 1, 4);
  const PuschDataLayout layout = make_pusch_data_layout(mapping);
  const float corner = 3.0F / std::sqrt(10.0F);
  unsigned checked = 0;
  for (std::size_t re = 0; re < mapping.num_data_res(); ++re) {
    if (!mux.punctured_by_harq_ack(re)) {
      continue;
    }
    unsigned symbol = 0;
    unsigned k = 0;
    locate_data_re(layout, static_cast<unsigned>(re), symbol, k);
    const cf32 v = grid.symbol(0, symbol)[mapping.first_subcarrier + k];
    EXPECT_NEAR(std::abs(v.real()), corner, 1e-5F);
    EXPECT_NEAR(std::abs(v.imag()), corner, 1e-5F);
    EXPECT_EQ(v.real() > 0, v.imag() > 0);
    ++checked;
  }
  EXPECT_EQ(checked * 4, sizes.harq_ack);
  EXPECT_GT(checked, 0U);
}

TEST(PuschUci, AReceiverThatIgnoresTheUciLosesTheTransportBlock) {
  std::mt19937_64 rng(31);
  Link link(uci_cell(1));
  PuschConfig pusch = uci_pusch(1, McsTable::qam64, 16);
  pusch.uci = {6, 11, 8, 3, 15, 18, 18}; // large offsets: many REs taken from the UL-SCH
  ASSERT_EQ(pusch.validate(link.cell), "");
  const Payload payload = random_payload(pusch.uci, rng);
  const BitVector tb = random_bits(link.transmitter.transport_block_size(pusch), rng);
  PuschConfig unaware = pusch;
  unaware.uci = {};
  const PuschPduResult lost = link.run(pusch, payload, tb, 32.0F, rng, &unaware);
  EXPECT_FALSE(lost.tb_crc_ok);
  EXPECT_FALSE(lost.uci.decoded);
  const PuschPduResult found = link.run(pusch, payload, tb, 32.0F, rng);
  EXPECT_TRUE(found.tb_crc_ok);
  EXPECT_EQ(found.uci.csi_part2, payload.csi2);
}

TEST(PuschUci, BesideADetectorUciPdusDecodeFromHostLlrs) {
  // A detector that mirrors the CPU front end but does not take UCI PDUs leaves the UCI PDU to
  // the CPU front end; one that takes them, and any other detector (the neural receiver), detects
  // it and the receiver demultiplexes its LLRs on the host. All decode the UCI and both TBs, from
  // time-domain IQ.
  const CellConfig cell = uci_cell(1);
  constexpr unsigned num_rx = 2;
  PuschTransmitter transmitter(cell);
  std::mt19937_64 rng(41);
  PuschConfig with_uci = uci_pusch(1, McsTable::qam64, 11);
  with_uci.prb_size = 10;
  with_uci.uci = {2, 6, 0, 3, 8, 9, 0};
  PuschConfig plain = uci_pusch(1, McsTable::qam64, 15);
  plain.rnti = 0x77;
  plain.prb_start = 12;
  plain.prb_size = 10;
  const std::vector<PuschConfig> pdus = {with_uci, plain};
  const Payload payload = random_payload(with_uci.uci, rng);
  std::vector<BitVector> tbs;
  ResourceGrid tx = transmitter.make_grid();
  for (const PuschConfig& pdu : pdus) {
    tbs.push_back(random_bits(transmitter.transport_block_size(pdu), rng));
    transmitter.transmit(tbs.back(), pdu.uci.present() ? payload.view() : PuschUciPayload{}, pdu,
                         slot_number, tx);
  }
  ResourceGrid rx(num_rx, tx.num_symbols(), tx.num_subcarriers());
  FlatMimoChannel::random_unitary(num_rx, 1, 3).apply(tx, 1e-3F, rng, rx);
  const Numerology numerology = carrier_numerology(cell);
  OfdmModulator modulator(numerology, cell.num_prbs);
  const std::size_t samples = numerology.slot_length(slot_number);
  std::vector<cf32> iq(num_rx * samples);
  for (unsigned r = 0; r < num_rx; ++r) {
    modulator.modulate_slot(rx, r, slot_number, std::span(iq).subspan(r * samples, samples));
  }
  // A mirroring detector that takes UCI PDUs itself (as the CUDA front end since 2026-12-06,
  // PuschDetector::takes_uci_on_pusch()) gets them, their LLRs on the host.
  for (const int mode : {0, 1, 2}) {
    const bool mirrors = mode != 2;
    const bool takes_uci = mode == 1;
    SCOPED_TRACE(mode == 0 ? "mirroring detector" : mode == 1 ? "mirroring, takes UCI" : "other");
    std::atomic<unsigned> loads{0};
    std::atomic<unsigned> grid_calls{0};
    std::atomic<unsigned> loaded_calls{0};
    PuschReceiverConfig config;
    config.num_rx_antennas = num_rx;
    config.max_layers = 1;
    config.detector = [&](const PuschFrontEndLimits& limits, unsigned) {
      return std::unique_ptr<PuschDetector>(std::make_unique<airan::test::IqDetector>(
          cell, num_rx, limits, loads, grid_calls, loaded_calls, true, mirrors, takes_uci));
    };
    PuschReceiver receiver(cell, config);
    std::vector<PuschPduResult> results;
    receiver.process_slot_iq(iq, slot_number, pdus, results);
    ASSERT_EQ(results.size(), 2U);
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(results[i].error, "");
      EXPECT_TRUE(results[i].tb_crc_ok) << i;
      EXPECT_EQ(results[i].tb_bits, tbs[i]);
    }
    EXPECT_TRUE(results[0].uci.decoded);
    EXPECT_EQ(results[0].uci.harq_ack, payload.ack);
    EXPECT_EQ(results[0].uci.csi_part1, payload.csi1);
    EXPECT_FALSE(results[1].uci.decoded);
    EXPECT_EQ(loaded_calls.load(), mirrors && !takes_uci ? 1U : 2U);
  }
}

TEST(PuschUci, ANoiseOnlySlotIsNotTakenForUci) {
  // The UE sent nothing (it missed its grant): the TB fails, and the CSI parts of 3 .. 11 bits
  // read as noise (not detected) while the 1-bit HARQ-ACK cannot be told from it. Sent, the same
  // PDU's parts are all detected.
  std::mt19937_64 rng(55);
  Link link(uci_cell(1));
  PuschConfig pusch = uci_pusch(1, McsTable::qam64, 9);
  pusch.uci = {1, 7, 11, 3, 9, 9, 9};
  const Payload payload = random_payload(pusch.uci, rng);
  const BitVector tb = random_bits(link.transmitter.transport_block_size(pusch), rng);
  unsigned csi_detected_in_noise = 0;
  for (int trial = 0; trial < 20; ++trial) {
    link.rx.fill_zero();
    AwgnGenerator noise(rng());
    noise.add(link.rx, 1.0F);
    std::vector<PuschPduResult> results;
    link.receiver->process_slot(link.rx, slot_number, std::span(&pusch, 1), results);
    const PuschPduResult& r = results.at(0);
    ASSERT_TRUE(r.uci.decoded);
    EXPECT_FALSE(r.tb_crc_ok);
    EXPECT_TRUE(r.uci.harq_ack_detected);
    csi_detected_in_noise +=
        (r.uci.csi_part1_detected ? 1 : 0) + (r.uci.csi_part2_detected ? 1 : 0);
  }
  EXPECT_LE(csi_detected_in_noise, 2U) << "of 40 noise-only CSI parts (1% designed)";
  const PuschPduResult sent = link.run(pusch, payload, tb, 10.0F, rng);
  EXPECT_TRUE(sent.uci.harq_ack_detected && sent.uci.csi_part1_detected &&
              sent.uci.csi_part2_detected);
  EXPECT_EQ(sent.uci.csi_part2, payload.csi2);
}

TEST(PuschUci, AShortBlockItsCodedBitsCannotResolveIsNotDetected) {
  // 11 HARQ-ACK bits on 16 coded bits (beta offset index 0 at 256-QAM MCS 27): the first 16 rows
  // of TS 38.212 Table 5.3.3.3-1 have rank 10, so pairs of payloads share a code word and the TB's
  // CRC cannot vouch for the decision: the part is reported ambiguous, not detected, while the TB
  // decodes. A larger beta offset gives the part the coded bits to resolve it.
  std::mt19937_64 rng(91);
  Link link(uci_cell(1));
  PuschConfig pusch = uci_pusch(1, McsTable::qam256, 27);
  pusch.uci = {11, 0, 0, 0, 0, 0, 3};
  ASSERT_EQ(pusch.validate(link.cell), "");
  const UciCodedSizes sizes =
      pusch_coded_sizes(link.cell, pusch, link.transmitter.transport_block_size(pusch));
  ASSERT_LT(sizes.harq_ack, 17U);
  EXPECT_LT(uci_short_block_rank(11, sizes.harq_ack), 11U);
  for (int trial = 0; trial < 4; ++trial) {
    const Payload payload = random_payload(pusch.uci, rng);
    const BitVector tb = random_bits(link.transmitter.transport_block_size(pusch), rng);
    const PuschPduResult r = link.run(pusch, payload, tb, 40.0F, rng);
    ASSERT_EQ(r.error, "");
    EXPECT_TRUE(r.tb_crc_ok);
    ASSERT_TRUE(r.uci.decoded);
    EXPECT_EQ(r.uci.ambiguous_parts, 1U);
    EXPECT_FALSE(r.uci.harq_ack_detected);
  }
  pusch.uci.beta_offset_harq_ack = 9;
  ASSERT_EQ(pusch.validate(link.cell), "");
  const Payload payload = random_payload(pusch.uci, rng);
  const BitVector tb = random_bits(link.transmitter.transport_block_size(pusch), rng);
  const PuschPduResult r = link.run(pusch, payload, tb, 40.0F, rng);
  EXPECT_TRUE(r.tb_crc_ok);
  EXPECT_EQ(r.uci.ambiguous_parts, 0U);
  EXPECT_TRUE(r.uci.harq_ack_detected);
  EXPECT_EQ(r.uci.harq_ack, payload.ack);
}

TEST(PuschUci, InvalidUciIsRefusedWithAReason) {
  const CellConfig cell = uci_cell(1);
  PuschConfig pusch = uci_pusch(1, McsTable::qam64, 9);
  pusch.uci.harq_ack_bits = 1707;
  EXPECT_NE(pusch.validate(cell).find("longer than a UCI payload"), std::string::npos);
  pusch.uci = {};
  pusch.uci.csi_part2_bits = 3;
  EXPECT_NE(pusch.validate(cell).find("needs CSI part 1"), std::string::npos);
  pusch.uci = {2, 0, 0, 4, 0, 0, 0};
  EXPECT_NE(pusch.validate(cell).find("alpha"), std::string::npos);
  pusch.uci = {2, 0, 0, 3, 16, 0, 0};
  EXPECT_NE(pusch.validate(cell).find("0..15"), std::string::npos);
  // No symbol without DMRS after the first DMRS: nowhere for the HARQ-ACK.
  pusch.uci = {2, 0, 0, 3, 0, 0, 0};
  pusch.num_symbols = 4; // DMRS on symbols 2 and 3 (double symbol), nothing after them
  pusch.dmrs_length = 2;
  pusch.dmrs_additional_position = 0;
  EXPECT_NE(pusch.validate(cell).find("no RE is left for HARQ-ACK"), std::string::npos)
      << pusch.validate(cell);
  // The transmitter wants the payload the PDU announces.
  PuschTransmitter transmitter(cell);
  PuschConfig ok = uci_pusch(1, McsTable::qam64, 9);
  ok.uci = {2, 0, 0, 3, 0, 0, 0};
  ResourceGrid grid = transmitter.make_grid();
  const BitVector tb(transmitter.transport_block_size(ok), 0);
  EXPECT_THROW(transmitter.transmit(tb, ok, slot_number, grid), std::invalid_argument);
  const BitVector one = {1};
  EXPECT_THROW(transmitter.transmit(tb, PuschUciPayload{one, {}, {}}, ok, slot_number, grid),
               std::invalid_argument);
}

} // namespace
