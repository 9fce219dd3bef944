// The FAPI L1's PRACH: CONFIG.request PRACH TLVs and UL_TTI PRACH PDUs in, preambles detected in
// the slots' time-domain samples (across slots for the long formats), RACH.indication out.
#include "l1_phy_test_harness.h"

#include "airan/io/fapi_prach_conversion.h"
#include "airan/phy/prach_modulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace airan::l1::test {
namespace {

using io::FapiMessageType;

const phy::Numerology& harness_numerology() {
  static const phy::Numerology numerology = phy::Numerology::for_carrier(
      harness_cell().numerology, phy::CyclicPrefix::normal, harness_cell().num_prbs);
  return numerology;
}

/// Time-domain IQ of consecutive slots from \p first_slot, every antenna, with noise.
class PrachIq {
public:
  PrachIq(unsigned first_slot, unsigned num_slots) : first_slot_(first_slot) {
    const auto& numerology = harness_numerology();
    for (unsigned s = 0; s < num_slots; ++s) {
      offsets_.push_back(total_);
      total_ += numerology.slot_length(first_slot + s);
    }
    stream_.resize(std::size_t{PhyHarness::rx} * total_);
    std::mt19937 rng(5);
    std::normal_distribution<float> gauss(0.0F, 0.05F);
    for (auto& sample : stream_) {
      sample = phy::cf32(gauss(rng), gauss(rng));
    }
  }
  /// Preamble \p preamble of \p prach (its occasion in the first slot), \p delay samples late.
  void add(const phy::PrachConfig& prach, unsigned preamble, unsigned delay) {
    phy::PrachModulator modulator(prach, harness_numerology(), harness_cell().num_prbs);
    const auto layout = modulator.layout(first_slot_);
    std::vector<phy::cf32> samples(layout.length());
    modulator.modulate(first_slot_, preamble, 1.0F, samples);
    for (unsigned a = 0; a < PhyHarness::rx; ++a) {
      for (std::size_t n = 0; n < samples.size(); ++n) {
        stream_[a * total_ + layout.start + delay + n] += samples[n];
      }
    }
  }
  /// Slot \p index (from the first) pushed into the PHY's source as (0, first_slot + index).
  void push(PhyHarness& h, unsigned index) {
    const std::size_t length = harness_numerology().slot_length(first_slot_ + index);
    std::vector<phy::cf32> slot(length * PhyHarness::rx);
    for (unsigned a = 0; a < PhyHarness::rx; ++a) {
      std::copy_n(stream_.begin() + static_cast<std::ptrdiff_t>(a * total_ + offsets_[index]),
                  length, slot.begin() + static_cast<std::ptrdiff_t>(a * length));
    }
    ASSERT_TRUE(h.samples().push_iq(0, static_cast<std::uint16_t>(first_slot_ + index), slot,
                                    std::chrono::seconds(5)));
  }

private:
  unsigned first_slot_;
  std::size_t total_ = 0;
  std::vector<std::size_t> offsets_;
  std::vector<phy::cf32> stream_;
};

std::size_t harness_iq_capacity() {
  return std::size_t{harness_numerology().slot_length(0)} * PhyHarness::rx;
}

io::FapiUlTtiRequest prach_request(std::uint16_t slot, const phy::PrachConfig& prach,
                                   std::uint8_t occasions) {
  io::FapiUlTtiRequest request;
  request.sfn = 0;
  request.slot = slot;
  request.prach[0] = io::to_fapi_prach_pdu(prach, 0, occasions, harness_cell().n_cell_id);
  request.num_prach = 1;
  request.prach_pdu_index[0] = 0;
  return request;
}

TEST(FapiPhyPrach, DetectsALongPreambleAcrossTwoSlots) {
  PhyHarness h(harness_phy_config(), harness_iq_capacity());
  phy::PrachConfig prach; // format 0 (1.1 ms: two 30 kHz slots), N_CS 13
  prach.root_sequence_index = 22;
  prach.first_prb = 4;
  io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
  config.prach = io::to_fapi_prach_config(prach);
  h.configure_and_start(config);
  h.send_received(prach_request(2, prach, 1));
  ASSERT_TRUE(h.samples().push_empty(0, 0, std::chrono::seconds(1)));
  ASSERT_TRUE(h.samples().push_empty(0, 1, std::chrono::seconds(1)));
  PrachIq iq(2, 2);
  const unsigned delay = 40; // 2.6 us at 15.36 MHz: T_A 10 (0.26 us units at 30 kHz)
  iq.add(prach, 17, delay);
  iq.push(h, 0);
  iq.push(h, 1);
  const auto rach = h.wait_for(FapiMessageType::rach_indication);
  ASSERT_TRUE(rach);
  EXPECT_EQ(rach->sfn, 0);
  EXPECT_EQ(rach->slot_number, 2);
  ASSERT_EQ(rach->rach.size(), 1U);
  const io::FapiRachPdu& pdu = rach->rach[0];
  EXPECT_EQ(pdu.phys_cell_id, h.cell().n_cell_id);
  EXPECT_EQ(pdu.slot_index, 2);
  EXPECT_EQ(pdu.symbol_index, 0);
  EXPECT_EQ(pdu.freq_index, 0);
  ASSERT_EQ(pdu.num_preambles, 1);
  EXPECT_EQ(pdu.preambles[0].preamble_index, 17);
  const double delay_s = delay / harness_numerology().sample_rate_hz();
  EXPECT_EQ(pdu.preambles[0].timing_advance,
            static_cast<unsigned>(std::lround(delay_s / (16.0 * 64 / (480e3 * 4096) / 2))));
  EXPECT_NE(pdu.preambles[0].preamble_power, io::FapiRachPreamble::invalid_preamble_power);
  EXPECT_NE(pdu.avg_snr, io::FapiRachPdu::invalid_u8);
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.prach_occasions, 1U);
  EXPECT_EQ(c.prach_preambles, 1U);
  EXPECT_EQ(c.rach_indications_sent, 1U);
  EXPECT_EQ(c.pdus_rejected, 0U);
}

TEST(FapiPhyPrach, ShortOccasionsOfASlotAndASlotWithoutSamples) {
  PhyHarness h(harness_phy_config(), harness_iq_capacity());
  phy::PrachConfig prach; // A1 at 30 kHz: three occasions on symbols 0, 2 and 4
  prach.format = phy::PrachFormat::a1;
  prach.short_format_numerology = 1;
  prach.cyclic_shift_length = 15;
  prach.root_sequence_index = 5;
  prach.first_prb = 6;
  io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
  config.prach = io::to_fapi_prach_config(prach);
  h.configure_and_start(config);
  h.send_received(prach_request(1, prach, 3));
  h.send_received(prach_request(2, prach, 1));
  ASSERT_TRUE(h.samples().push_empty(0, 0, std::chrono::seconds(1)));
  PrachIq iq(1, 1);
  phy::PrachConfig second = prach;
  second.start_symbol = 2;
  iq.add(second, 40, 3); // a preamble in the second occasion only
  iq.push(h, 0);
  auto rach = h.wait_for(FapiMessageType::rach_indication);
  ASSERT_TRUE(rach);
  EXPECT_EQ(rach->slot_number, 1);
  ASSERT_EQ(rach->rach.size(), 3U);
  for (unsigned i = 0; i < 3; ++i) {
    EXPECT_EQ(rach->rach[i].symbol_index, 2 * i);
    EXPECT_EQ(rach->rach[i].num_preambles, i == 1 ? 1 : 0) << i;
  }
  EXPECT_EQ(rach->rach[1].preambles[0].preamble_index, 40);
  // Slot 2 comes without samples: its occasion is reported, without preambles.
  ASSERT_TRUE(h.samples().push_empty(0, 2, std::chrono::seconds(1)));
  rach = h.wait_for(FapiMessageType::rach_indication);
  ASSERT_TRUE(rach);
  EXPECT_EQ(rach->slot_number, 2);
  ASSERT_EQ(rach->rach.size(), 1U);
  EXPECT_EQ(rach->rach[0].num_preambles, 0);
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.prach_occasions, 3U);
  EXPECT_EQ(c.prach_failed, 1U);
  EXPECT_EQ(c.prach_preambles, 1U);
}

TEST(FapiPhyPrach, DetectsAgainAfterStopAndStart) {
  // START after STOP restarts the slot count: occasions of the new run's slots are taken.
  PhyHarness h(harness_phy_config(), harness_iq_capacity());
  phy::PrachConfig prach;
  prach.format = phy::PrachFormat::a1;
  prach.short_format_numerology = 1;
  prach.cyclic_shift_length = 15;
  prach.first_prb = 6;
  io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
  config.prach = io::to_fapi_prach_config(prach);
  for (int run = 0; run < 2; ++run) {
    if (run == 0) {
      h.configure_and_start(config);
    } else {
      h.send(io::FapiStopRequest{});
      ASSERT_TRUE(h.wait_for(FapiMessageType::stop_indication));
      h.send(io::FapiStartRequest{});
      ASSERT_TRUE(h.wait_for(FapiMessageType::slot_indication));
    }
    h.send_received(prach_request(1, prach, 1));
    ASSERT_TRUE(h.samples().push_empty(0, 0, std::chrono::seconds(1)));
    PrachIq iq(1, 1);
    iq.add(prach, 9 + run, 2);
    iq.push(h, 0);
    const auto rach = h.wait_for(FapiMessageType::rach_indication);
    ASSERT_TRUE(rach) << run;
    ASSERT_EQ(rach->rach.size(), 1U);
    ASSERT_EQ(rach->rach[0].num_preambles, 1) << run;
    EXPECT_EQ(rach->rach[0].preambles[0].preamble_index, 9 + run);
  }
  EXPECT_EQ(h.phy().counters().prach_failed, 0U);
}

TEST(FapiPhyPrach, ParamAnnouncesThePrachItReceives) {
  PhyHarness h;
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->capabilities.prach_long_formats, 0x0F);
  EXPECT_EQ(param->capabilities.prach_short_formats, 0x01FF);
  EXPECT_EQ(param->capabilities.prach_restricted_sets, 0);
  EXPECT_EQ(param->capabilities.max_prach_fd_occasions_in_a_slot, 3); // 8 FD occasions
}

TEST(FapiPhyPrach, RefusesWhatItCannotReceive) {
  PhyHarness h(harness_phy_config(), harness_iq_capacity());
  phy::PrachConfig prach;
  io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
  config.prach = io::to_fapi_prach_config(prach);
  config.prach.restricted_set_config = 1; // high-speed set A
  h.configure_and_start(config);
  h.send_received(prach_request(1, prach, 1));
  const auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, io::FapiErrorCode::msg_slot_err);
  EXPECT_EQ(error->error.slot, 1);
  EXPECT_EQ(h.phy().counters().pdus_rejected, 1U);
}

// 7.2x PRACH (occasions from the O-RU's section type 3 streams): each C-plane message names the
// FFT size in a code table of powers of two, 1536 and 3072. An L1 at 384 points refuses a
// CONFIG.request with PRACH, rather than failing every occasion; without PRACH, or at 512, it
// takes it.
TEST(FapiPhyPrach, OverSevenTwoXTheFftSizeNeedsAFrameStructureCode) {
  FapiPhyConfig phy_config = harness_phy_config();
  phy_config.receiver.prach_from_sections = true;
  phy_config.ofdm_fft_size = 384;
  PhyHarness h(phy_config);
  io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
  config.prach = io::to_fapi_prach_config(phy::PrachConfig{});
  h.send(config);
  auto response = h.wait_for(FapiMessageType::config_response);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->response_code, io::FapiErrorCode::msg_invalid_config);
  EXPECT_EQ(h.phy().state(), PhyState::idle);
  h.send(io::to_fapi_config_request(h.cell(), PhyHarness::rx)); // no PRACH
  response = h.wait_for(FapiMessageType::config_response);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->response_code, io::FapiErrorCode::msg_ok);

  phy_config.ofdm_fft_size = 512; // code 9
  PhyHarness power_of_two(phy_config);
  power_of_two.send(config);
  response = power_of_two.wait_for(FapiMessageType::config_response);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->response_code, io::FapiErrorCode::msg_ok);
}

} // namespace
} // namespace airan::l1::test
