// PuschReceiver end to end: the project's own transmitter, a flat MIMO channel with AWGN, and
// the receiver must return the transmitted transport blocks.
#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/ldpc_batch_decoder.h"
#include "airan/phy/mcs_table.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"

#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>

namespace {

using namespace airan::phy;

CellConfig receiver_cell(unsigned num_prbs, unsigned ports) {
  CellConfig cell;
  cell.num_prbs = num_prbs;
  cell.numerology = 1;
  cell.n_cell_id = 77;
  cell.num_antenna_ports = ports;
  return cell;
}

PuschConfig receiver_pusch(unsigned num_prbs, unsigned layers, McsTable table, unsigned mcs,
                           DmrsConfigType dmrs_type) {
  PuschConfig pusch;
  pusch.rnti = 0x4321;
  pusch.bwp_size = num_prbs;
  pusch.prb_size = num_prbs;
  pusch.dmrs_config_type = dmrs_type;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1U);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_scrambling_id = 77;
  pusch.data_scrambling_id = 77;
  pusch.num_layers = layers;
  pusch.mcs_table = table;
  pusch.mcs_index = mcs;
  return pusch;
}

const FlatMimoChannel identity_channel(1, 1, {cf32(1.0F, 0.0F)});

using airan::test::random_bits;

// Every MCS of tables 1 and 2, 1-4 layers, both DMRS types, 4 receive antennas, AWGN at 35 dB
// SNR per receive antenna behind a random unitary mixing of the ports.
TEST(PuschReceiver, RoundTripEveryMcsLayerCountAndDmrsTypeWithoutErrors) {
  constexpr unsigned num_prbs = 12;
  constexpr unsigned num_rx = 4;
  std::mt19937_64 rng(2024);
  int decoded = 0;
  for (unsigned layers = 1; layers <= 4; ++layers) {
    // 3 layers go through a 4-port UE with codebook precoding (TPMI 0); the others map layer i
    // to port i.
    const unsigned ports = layers == 3 ? 4 : layers;
    const CellConfig cell = receiver_cell(num_prbs, ports);
    PuschTransmitter transmitter(cell);
    PuschReceiverConfig config;
    config.num_rx_antennas = num_rx;
    config.max_layers = layers;
    PuschReceiver receiver(cell, config);
    auto tx_grid = transmitter.make_grid();
    auto rx_grid = receiver.make_grid();
    std::vector<PuschPduResult> results;
    for (McsTable table : {McsTable::qam64, McsTable::qam256}) {
      for (unsigned mcs = 0; mcs < num_mcs_indices; ++mcs) {
        if (mcs_entry(table, mcs).reserved) {
          continue;
        }
        for (DmrsConfigType dmrs : {DmrsConfigType::type1, DmrsConfigType::type2}) {
          PuschConfig pusch = receiver_pusch(num_prbs, layers, table, mcs, dmrs);
          pusch.harq_process_id = mcs % 16;
          if (ports != layers) {
            pusch.precoding = PuschPrecoding::codebook;
            pusch.tpmi = 0;
          }
          const auto tb = random_bits(transmitter.transport_block_size(pusch), rng);
          tx_grid.fill_zero();
          transmitter.transmit(tb, pusch, 5, tx_grid);
          FlatMimoChannel::random_unitary(num_rx, ports, rng())
              .apply(tx_grid, std::pow(10.0F, -3.5F), rng, rx_grid);
          receiver.process_slot(rx_grid, 5, std::span(&pusch, 1), results);
          const auto& r = results[0];
          ASSERT_TRUE(r.error.empty()) << r.error;
          ASSERT_TRUE(r.tb_crc_ok) << "layers " << layers << " table " << static_cast<int>(table)
                                   << " mcs " << mcs << " dmrs type " << static_cast<int>(dmrs);
          ASSERT_EQ(r.tb_bits, tb);
          ++decoded;
        }
      }
    }
  }
  EXPECT_EQ(decoded, 4 * (29 + 28) * 2);
}

TEST(PuschReceiver, TimeDomainIqInputDecodesSeveralPdusInOneSlot) {
  const CellConfig cell = receiver_cell(52, 1);
  PuschTransmitter transmitter(cell);
  PuschReceiverConfig config;
  config.num_rx_antennas = 1;
  config.max_layers = 1;
  config.num_threads = 2;
  PuschReceiver receiver(cell, config);
  std::mt19937_64 rng(7);

  std::vector<PuschConfig> pdus;
  for (unsigned i = 0; i < 3; ++i) {
    PuschConfig p = receiver_pusch(52, 1, McsTable::qam64, 4 + 8 * i, DmrsConfigType::type1);
    p.rnti = static_cast<std::uint16_t>(100 + i);
    p.handle = 1000 + i;
    p.prb_start = 16 * i;
    p.prb_size = 16;
    pdus.push_back(p);
  }
  auto grid = transmitter.make_grid();
  std::vector<BitVector> tbs;
  for (const auto& p : pdus) {
    tbs.push_back(random_bits(transmitter.transport_block_size(p), rng));
    transmitter.transmit(tbs.back(), p, 9, grid);
  }
  OfdmModulator modulator(transmitter.numerology(), cell.num_prbs);
  std::vector<cf32> iq(receiver.slot_length(9));
  ASSERT_EQ(iq.size(), transmitter.numerology().slot_length(9));
  modulator.modulate_slot(grid, 0, 9, iq);

  std::vector<PuschPduResult> results;
  receiver.process_slot_iq(iq, 9, pdus, results);
  ASSERT_EQ(results.size(), 3U);
  for (unsigned i = 0; i < 3; ++i) {
    EXPECT_TRUE(results[i].tb_crc_ok) << i << " " << results[i].error;
    EXPECT_EQ(results[i].tb_bits, tbs[i]);
    EXPECT_EQ(results[i].handle, 1000 + i);
    EXPECT_EQ(results[i].rnti, 100 + i);
    EXPECT_EQ(results[i].tb_bytes.size(), (tbs[i].size() + 7) / 8);
    EXPECT_GT(results[i].measurements.post_eq_sinr_db, 40.0F);
  }
  EXPECT_THROW(receiver.process_slot_iq(std::span(iq).first(iq.size() - 1), 9, pdus, results),
               std::invalid_argument);
}

TEST(PuschReceiver, CorruptedSlotReportsCrcFailureNeverOk) {
  const CellConfig cell = receiver_cell(24, 1);
  PuschTransmitter transmitter(cell);
  PuschReceiver receiver(cell, PuschReceiverConfig{});
  std::mt19937_64 rng(3);
  const PuschConfig pusch = receiver_pusch(24, 1, McsTable::qam64, 16, DmrsConfigType::type1);
  const auto tb = random_bits(transmitter.transport_block_size(pusch), rng);
  auto tx_grid = transmitter.make_grid();
  transmitter.transmit(tb, pusch, 0, tx_grid);
  auto rx_grid = receiver.make_grid();
  // Noise 6 dB above the signal: the TB cannot be decoded.
  identity_channel.apply(tx_grid, 4.0F, rng, rx_grid);
  std::vector<PuschPduResult> results;
  receiver.process_slot(rx_grid, 0, std::span(&pusch, 1), results);
  EXPECT_FALSE(results[0].tb_crc_ok);
  EXPECT_TRUE(results[0].tb_bytes.empty());
  EXPECT_TRUE(results[0].error.empty()) << results[0].error;
}

// HARQ: at this SNR rv 0 alone fails, and rv 0 + rv 2 soft-combined decode.
TEST(PuschReceiver, HarqCombiningOfRv0AndRv2SucceedsWhereRv0AloneFails) {
  const CellConfig cell = receiver_cell(24, 1);
  PuschTransmitter transmitter(cell);
  PuschReceiverConfig config;
  config.num_rx_antennas = 1;
  config.max_layers = 1;
  config.num_harq_buffers = 2;
  PuschReceiver receiver(cell, config);
  std::mt19937_64 rng(11);
  PuschConfig pusch =
      receiver_pusch(24, 1, McsTable::qam64, 26, DmrsConfigType::type1); // 64QAM R 0.89
  pusch.harq_process_id = 3;
  const auto tb = random_bits(transmitter.transport_block_size(pusch), rng);
  auto tx_grid = transmitter.make_grid();
  auto rx_grid = receiver.make_grid();
  std::vector<PuschPduResult> results;
  const float noise_variance = std::pow(10.0F, -1.45F); // SNR 14.5 dB

  pusch.rv = 0;
  pusch.new_data_indicator = true;
  transmitter.transmit(tb, pusch, 2, tx_grid);
  identity_channel.apply(tx_grid, noise_variance, rng, rx_grid);
  receiver.process_slot(rx_grid, 2, std::span(&pusch, 1), results);
  ASSERT_TRUE(results[0].error.empty()) << results[0].error;
  EXPECT_FALSE(results[0].tb_crc_ok) << "rv 0 alone should fail at this SNR";
  EXPECT_EQ(receiver.harq_pool().num_in_use(), 1U);

  pusch.rv = 2;
  pusch.new_data_indicator = false;
  tx_grid.fill_zero();
  transmitter.transmit(tb, pusch, 3, tx_grid);
  identity_channel.apply(tx_grid, noise_variance, rng, rx_grid);
  receiver.process_slot(rx_grid, 3, std::span(&pusch, 1), results);
  ASSERT_TRUE(results[0].error.empty()) << results[0].error;
  EXPECT_TRUE(results[0].tb_crc_ok) << "rv 0 + rv 2 combined should decode";
  EXPECT_EQ(results[0].decoding.num_transmissions, 2U);
  EXPECT_EQ(results[0].tb_bits, tb);
  EXPECT_EQ(receiver.harq_pool().num_in_use(), 0U) << "a decoded TB frees its HARQ buffer";

  // Control: the same rv 2 alone, as new data, fails.
  pusch.new_data_indicator = true;
  identity_channel.apply(tx_grid, noise_variance, rng, rx_grid);
  receiver.process_slot(rx_grid, 3, std::span(&pusch, 1), results);
  EXPECT_FALSE(results[0].tb_crc_ok) << "rv 2 alone should fail at this SNR";
}

TEST(PuschReceiver, BadPdusAreReportedAndTheOthersStillDecode) {
  const CellConfig cell = receiver_cell(24, 1);
  PuschTransmitter transmitter(cell);
  PuschReceiverConfig config;
  config.num_harq_buffers = 1;
  PuschReceiver receiver(cell, config);
  std::mt19937_64 rng(5);
  PuschConfig good = receiver_pusch(24, 1, McsTable::qam64, 10, DmrsConfigType::type1);
  good.prb_size = 12;
  const auto tb = random_bits(transmitter.transport_block_size(good), rng);
  auto grid = transmitter.make_grid();
  transmitter.transmit(tb, good, 1, grid);

  PuschConfig outside = good;
  outside.prb_start = 20; // 20 + 12 > 24 PRBs
  outside.rnti = 9;
  PuschConfig duplicate = good; // same RNTI and HARQ process as `good`
  PuschConfig no_buffer = good; // the only HARQ buffer is taken by `good`
  no_buffer.rnti = 10;
  no_buffer.prb_start = 12;
  const std::vector<PuschConfig> pdus = {good, outside, duplicate, no_buffer};
  std::vector<PuschPduResult> results;
  receiver.process_slot(grid, 1, pdus, results);
  ASSERT_EQ(results.size(), 4U);
  EXPECT_TRUE(results[0].tb_crc_ok) << results[0].error;
  EXPECT_EQ(results[0].tb_bits, tb);
  EXPECT_NE(results[1].error.find("invalid PDU"), std::string::npos) << results[1].error;
  EXPECT_NE(results[2].error.find("same RNTI and HARQ process"), std::string::npos);
  // no_buffer decodes zeros (nothing sent there) and keeps failing; with one buffer in use by
  // `good` (released only after its CRC passed) it either gets it afterwards or reports HARQ.
  EXPECT_FALSE(results[3].tb_crc_ok);
  EXPECT_THROW(receiver.process_slot(ResourceGrid(2, 14, 24 * 12), 1, pdus, results),
               std::invalid_argument);
}

/// A UL-SCH decoder whose next \p failures HARQ decodings fail (as a device's launch can).
class FailingUlschDecoder final : public UlschDecoder {
public:
  FailingUlschDecoder(std::uint32_t max_tbs, int* failures)
      : decoder_(create_ulsch_decoder(max_tbs)), failures_(failures) {}
  UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                            std::span<bit_t> tb_bits) override {
    return decoder_->decode(llrs, cfg, tb_bits);
  }
  UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                            HarqSoftBuffer& harq_buffer, std::span<bit_t> tb_bits) override {
    if (*failures_ > 0) {
      --*failures_;
      throw std::runtime_error("decoder failure");
    }
    return decoder_->decode(llrs, cfg, harq_buffer, tb_bits);
  }

private:
  std::unique_ptr<UlschDecoder> decoder_;
  int* failures_;
};

// A decoder that throws reports the PDU's error, and gives back the HARQ buffer it was given for
// a new TB: with a single buffer, the next UE still gets it and decodes.
TEST(PuschReceiver, AFailedDecodingGivesItsNewHarqBufferBack) {
  const CellConfig cell = receiver_cell(24, 1);
  PuschTransmitter transmitter(cell);
  int failures = 1; // the first UE's
  PuschReceiverConfig config;
  config.num_harq_buffers = 1;
  config.ulsch_decoder.make = [&failures](std::uint32_t max_tbs, const HarqBufferPool&) {
    return std::unique_ptr<UlschDecoder>(std::make_unique<FailingUlschDecoder>(max_tbs, &failures));
  };
  PuschReceiver receiver(cell, config);
  std::mt19937_64 rng(8);
  PuschConfig first = receiver_pusch(24, 1, McsTable::qam64, 10, DmrsConfigType::type1);
  PuschConfig second = first;
  second.rnti = 0x4322;
  std::vector<PuschPduResult> results;
  for (const PuschConfig& pdu : {first, second}) {
    const auto tb = random_bits(transmitter.transport_block_size(pdu), rng);
    auto grid = transmitter.make_grid();
    transmitter.transmit(tb, pdu, 1, grid);
    receiver.process_slot(grid, 1, std::span(&pdu, 1), results);
    ASSERT_EQ(results.size(), 1U);
    if (pdu.rnti == first.rnti) {
      EXPECT_FALSE(results[0].tb_crc_ok);
      EXPECT_NE(results[0].error.find("decoder failure"), std::string::npos) << results[0].error;
    } else {
      EXPECT_TRUE(results[0].tb_crc_ok) << results[0].error;
      EXPECT_EQ(results[0].tb_bits, tb);
    }
  }
}

/// One 106-PRB, 2-layer, 256-QAM MCS 20 PDU with many code blocks, transmitted in slot 4, and
/// the receiver configuration (2 Rx, 2 layers) its tests start from.
struct ManyCodeBlockSlot {
  explicit ManyCodeBlockSlot(std::uint64_t seed)
      : cell(receiver_cell(106, 2)), transmitter(cell), rng(seed),
        pusch(receiver_pusch(106, 2, McsTable::qam256, 20, DmrsConfigType::type1)),
        tb(random_bits(transmitter.transport_block_size(pusch), rng)),
        tx_grid(transmitter.make_grid()) {
    transmitter.transmit(tb, pusch, 4, tx_grid);
    config.num_rx_antennas = 2;
    config.max_layers = 2;
  }
  /// The received grid at \p snr_db behind a fixed unitary mixing.
  ResourceGrid receive(float snr_db) {
    ResourceGrid rx_grid(2, tx_grid.num_symbols(), tx_grid.num_subcarriers());
    FlatMimoChannel::random_unitary(2, 2, 5).apply(tx_grid, std::pow(10.0F, -snr_db / 10.0F), rng,
                                                   rx_grid);
    return rx_grid;
  }

  CellConfig cell;
  PuschTransmitter transmitter;
  std::mt19937_64 rng;
  PuschConfig pusch;
  BitVector tb;
  ResourceGrid tx_grid;
  PuschReceiverConfig config;
};

// One PDU with many code blocks on 3 threads (code blocks decoded in parallel) gives the same
// answer as one thread, at an SNR where some code blocks need many iterations.
TEST(PuschReceiver, SinglePduOnSeveralThreadsMatchesOneThread) {
  ManyCodeBlockSlot s(21);
  const PuschConfig& pusch = s.pusch;
  PuschReceiver one_thread(s.cell, s.config);
  s.config.num_threads = 3;
  PuschReceiver three_threads(s.cell, s.config);
  const ResourceGrid rx_grid = s.receive(22.0F);
  std::vector<PuschPduResult> a, b;
  one_thread.process_slot(rx_grid, 4, std::span(&pusch, 1), a);
  three_threads.process_slot(rx_grid, 4, std::span(&pusch, 1), b);
  ASSERT_GT(a[0].decoding.num_code_blocks, 3U);
  EXPECT_TRUE(a[0].tb_crc_ok);
  EXPECT_EQ(a[0].tb_crc_ok, b[0].tb_crc_ok);
  EXPECT_EQ(a[0].decoding.code_block_crc_ok, b[0].decoding.code_block_crc_ok);
  EXPECT_EQ(a[0].decoding.mean_ldpc_iterations, b[0].decoding.mean_ldpc_iterations);
  EXPECT_EQ(a[0].tb_bits, b[0].tb_bits);
  EXPECT_EQ(b[0].tb_bits, s.tb);
}

// With an LDPC batch decoder (the host lane decoder: the CUDA kernel's algorithm), on one and
// on three threads, every PDU result equals the default decoding, including at an SNR where
// some code blocks fail.
TEST(PuschReceiver, LdpcBatchDecoderGivesTheSameResults) {
  ManyCodeBlockSlot s(8);
  const PuschConfig& pusch = s.pusch;
  PuschReceiver reference(s.cell, s.config);
  s.config.ldpc_batch_decoder = create_host_lane_ldpc_batch_decoder;
  PuschReceiver batched(s.cell, s.config);
  s.config.num_threads = 3;
  PuschReceiver batched_threads(s.cell, s.config);
  bool some_failed = false;
  for (const float snr_db : {22.0F, 19.0F}) {
    const ResourceGrid rx_grid = s.receive(snr_db);
    std::vector<PuschPduResult> a, b, c;
    reference.process_slot(rx_grid, 4, std::span(&pusch, 1), a);
    batched.process_slot(rx_grid, 4, std::span(&pusch, 1), b);
    batched_threads.process_slot(rx_grid, 4, std::span(&pusch, 1), c);
    for (const auto* other : {&b, &c}) {
      EXPECT_EQ(a[0].tb_crc_ok, (*other)[0].tb_crc_ok);
      EXPECT_EQ(a[0].decoding.code_block_crc_ok, (*other)[0].decoding.code_block_crc_ok);
      EXPECT_EQ(a[0].decoding.mean_ldpc_iterations, (*other)[0].decoding.mean_ldpc_iterations);
      EXPECT_EQ(a[0].tb_bits, (*other)[0].tb_bits);
    }
    some_failed = some_failed || a[0].decoding.num_code_blocks_ok < a[0].decoding.num_code_blocks;
    if (snr_db > 20.0F) {
      EXPECT_TRUE(b[0].tb_crc_ok);
      EXPECT_EQ(b[0].tb_bits, s.tb);
    }
  }
  EXPECT_TRUE(some_failed) << "the low SNR should fail some code blocks";
}

TEST(PuschReceiver, PacksTransportBlockBitsMsbFirst) {
  std::vector<std::uint8_t> bytes;
  pack_bits_msb_first(BitVector{1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0}, bytes);
  EXPECT_EQ(bytes, (std::vector<std::uint8_t>{0x81, 0xC0}));
  pack_bits_msb_first(BitVector{}, bytes);
  EXPECT_TRUE(bytes.empty());
  pack_bits_msb_first(BitVector{0, 1, 1, 1, 1, 1, 1, 1}, bytes);
  EXPECT_EQ(bytes, (std::vector<std::uint8_t>{0x7F}));
}

} // namespace
