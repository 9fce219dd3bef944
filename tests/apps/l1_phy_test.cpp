// The FAPI L1 state machine and its error handling: every message in every state, late / early /
// duplicate / invalid UL_TTI.requests, port counts and PDUs it cannot take. After each
// fault the PHY must answer with the spec's error code, count it, and still decode the next slot.
// RX_DATA it cannot send, late samples, garbage and fuzzed buffers: l1_phy_robustness_test.cpp.
#include "airan/io/fapi_srs_conversion.h"

#include "l1_phy_test_harness.h"

namespace airan::l1 {
namespace {

using io::FapiErrorCode;
using io::FapiMessageType;
using test::expect_slot_decodes;
using test::PhyHarness;

std::uint8_t id_of(FapiMessageType type) {
  return static_cast<std::uint8_t>(type);
}

/// \p unit (one UL_TTI.request without UE groups) with \p count PRACH PDUs appended, each with
/// the smallest valid body (13 bytes: NumPrachOcas 1, everything else 0, no beamforming; the codec
/// decodes it); nPDUs, RachPresent and the message length follow.
std::vector<std::uint8_t> with_prach_pdus(std::vector<std::uint8_t> unit, unsigned count) {
  // PHY header 2 + message header 6 (type u16, length u32); body: SFN 8, slot 10, nPDUs 12,
  // RachPresent 13, nULSCH 14, nULCCH 15, nGroup 16, then the PDUs.
  EXPECT_EQ(unit.at(16), 0);
  std::vector<std::uint8_t> body(13, 0);
  body[2] = 1; // NumPrachOcas
  for (unsigned i = 0; i < count; ++i) {
    const auto pdu_type = static_cast<std::uint16_t>(io::FapiUlPduType::prach);
    const auto pdu_size = static_cast<std::uint16_t>(4 + body.size());
    unit.insert(unit.end(), {static_cast<std::uint8_t>(pdu_type & 0xFF),
                             static_cast<std::uint8_t>(pdu_type >> 8),
                             static_cast<std::uint8_t>(pdu_size & 0xFF),
                             static_cast<std::uint8_t>(pdu_size >> 8)});
    unit.insert(unit.end(), body.begin(), body.end());
  }
  unit.at(12) = static_cast<std::uint8_t>(unit.at(12) + count);
  unit.at(13) = 1;
  const std::size_t length = unit.size() - 8;
  for (std::size_t b = 0; b < 4; ++b) {
    unit.at(4 + b) = static_cast<std::uint8_t>(length >> (8 * b));
  }
  return unit;
}

/// \p request with \p count SRS PDUs (handles 100, 101, ...) that the L1 cannot take: a
/// SubcarrierSpacing of 15 kHz on the harness's 30 kHz cell.
void add_refused_srs(io::FapiUlTtiRequest& request, const phy::CellConfig& cell, unsigned count) {
  phy::SrsConfig srs;
  srs.bwp_size = cell.num_prbs;
  for (unsigned i = 0; i < count; ++i) {
    srs.rnti = static_cast<std::uint16_t>(0x4800 + i);
    srs.handle = 100 + i;
    io::FapiSrsPdu& pdu = request.srs[request.num_srs++];
    pdu = io::to_fapi_srs_pdu(srs, cell);
    pdu.subcarrier_spacing = 0;
  }
}

TEST(FapiPhy, AnswersEveryMessageInEveryState) {
  PhyHarness h;
  // IDLE
  h.send(io::FapiParamRequest{});
  auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->response_code, FapiErrorCode::msg_ok);
  EXPECT_EQ(param->phy_state, 0);
  EXPECT_EQ(param->dfts_ofdm_support, 1); // the CPU front end receives DFT-s-OFDM
  for (const auto type : {FapiMessageType::start_request, FapiMessageType::stop_request}) {
    if (type == FapiMessageType::start_request) {
      h.send(io::FapiStartRequest{});
    } else {
      h.send(io::FapiStopRequest{});
    }
    const auto error = h.wait_for(FapiMessageType::error_indication);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.message_id, id_of(type));
    EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_invalid_state);
  }
  const phy::PuschConfig pusch = test::harness_pusch(1, 0);
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.message_id, id_of(FapiMessageType::ul_tti_request));
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_invalid_state);
  // CONFIG without the mandatory TLVs: refused, still IDLE.
  io::FapiConfigRequest incomplete;
  incomplete.phy_cell_id = 3;
  h.send(incomplete);
  auto config = h.wait_for(FapiMessageType::config_response);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->response_code, FapiErrorCode::msg_invalid_config);
  EXPECT_EQ(h.phy().state(), PhyState::idle);
  // CONFIG with more receive antennas than the receiver takes: refused too.
  h.send(io::to_fapi_config_request(h.cell(), 17));
  config = h.wait_for(FapiMessageType::config_response);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->response_code, FapiErrorCode::msg_invalid_config);
  EXPECT_EQ(h.phy().state(), PhyState::idle);
  // CONFIGURED, then RUNNING.
  h.configure_and_start();
  EXPECT_EQ(h.phy().state(), PhyState::running);
  h.send(io::FapiParamRequest{});
  param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->response_code, FapiErrorCode::msg_invalid_state);
  h.send(io::to_fapi_config_request(h.cell(), PhyHarness::rx));
  config = h.wait_for(FapiMessageType::config_response);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->response_code, FapiErrorCode::msg_invalid_state);
  h.send(io::FapiStartRequest{});
  error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_invalid_state);
  // A message only a PHY sends.
  h.send(io::FapiSlotIndication{});
  error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.message_id, id_of(FapiMessageType::slot_indication));
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_invalid_state);
  // Still serving slots.
  expect_slot_decodes(h, 0, 0, 77);
  h.send(io::FapiStopRequest{});
  ASSERT_TRUE(h.wait_for(FapiMessageType::stop_indication));
  EXPECT_EQ(h.phy().state(), PhyState::configured);
  // START again restarts at (0, 0).
  h.send(io::FapiStartRequest{});
  const auto slot = h.wait_for(FapiMessageType::slot_indication);
  ASSERT_TRUE(slot);
  EXPECT_EQ(slot->slot.sfn, 0);
  EXPECT_EQ(slot->slot.slot, 0);
  expect_slot_decodes(h, 0, 0, 78);

  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.invalid_state, 6U); // START, STOP, UL_TTI (idle); PARAM, CONFIG, START (running)
  EXPECT_EQ(c.config_rejected, 2U);
  EXPECT_EQ(c.unexpected_messages, 1U);
  EXPECT_EQ(c.crc_ok, 2U);
  EXPECT_EQ(c.errors_by_code[static_cast<int>(FapiErrorCode::msg_invalid_state)], 7U);
  EXPECT_EQ(c.errors_by_code[static_cast<int>(FapiErrorCode::msg_invalid_config)], 2U);
}

TEST(FapiPhy, RefusesACarrierOtherThanTheFronthaulsAndKeepsServing) {
  FapiPhyConfig config = test::harness_phy_config();
  const phy::CellConfig cell = test::harness_cell();
  config.carrier = FapiCarrier{cell.num_prbs, cell.numerology, cell.cyclic_prefix, PhyHarness::rx};
  PhyHarness h(config);
  phy::CellConfig wider = cell;
  wider.num_prbs = 25;
  phy::CellConfig faster = cell;
  faster.numerology = 0;
  const std::pair<phy::CellConfig, unsigned> refused[] = {
      {wider, PhyHarness::rx}, {faster, PhyHarness::rx}, {cell, 1}, {cell, 4}};
  for (const auto& [other, rx] : refused) {
    h.send(io::to_fapi_config_request(other, rx));
    const auto response = h.wait_for(FapiMessageType::config_response);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->response_code, FapiErrorCode::msg_invalid_config)
        << other.num_prbs << " PRB, mu " << other.numerology << ", " << rx << " rx";
    // The TLV to change is listed (the lists were empty before; a review found it).
    const std::uint16_t tag =
        rx != PhyHarness::rx ? io::fapi_config_tag::num_rx_ant : io::fapi_config_tag::ul_grid_size;
    EXPECT_EQ(response->invalid_config_tags, std::vector{tag}) << other.num_prbs << " PRB, " << rx;
    EXPECT_EQ(h.phy().state(), PhyState::idle);
  }
  EXPECT_EQ(h.phy().counters().config_rejected, 4U);
  h.configure_and_start(); // the fronthaul's own carrier is taken
  EXPECT_EQ(h.phy().state(), PhyState::running);
}

// The L1's OFDM at 384 points (FapiPhyConfig::ofdm_fft_size, the fronthaul's sample rate): a
// carrier of more than 32 PRBs does not fit it and is refused; the harness's 24 PRBs are taken.
TEST(FapiPhy, RefusesACarrierWiderThanItsFftAndKeepsServing) {
  FapiPhyConfig config = test::harness_phy_config();
  config.ofdm_fft_size = 384;
  PhyHarness h(config);
  phy::CellConfig wider = test::harness_cell();
  wider.num_prbs = 33;
  h.send(io::to_fapi_config_request(wider, PhyHarness::rx));
  const auto response = h.wait_for(FapiMessageType::config_response);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->response_code, FapiErrorCode::msg_invalid_config);
  EXPECT_EQ(response->invalid_config_tags, std::vector{io::fapi_config_tag::ul_grid_size});
  EXPECT_EQ(h.phy().state(), PhyState::idle);
  EXPECT_EQ(h.phy().counters().config_rejected, 1U);
  h.configure_and_start();
  EXPECT_EQ(h.phy().state(), PhyState::running);
  expect_slot_decodes(h, 0, 0, 5);
}

TEST(FapiPhy, LateEarlyDuplicateAndInvalidUlTti) {
  PhyHarness h;
  h.configure_and_start();
  expect_slot_decodes(h, 0, 0, 1);
  ASSERT_TRUE(h.samples().push_empty(0, 1, std::chrono::seconds(1)));
  const auto on_air = h.wait_for(FapiMessageType::slot_indication); // (0, 1) came before the CRC
  ASSERT_TRUE(on_air);
  ASSERT_EQ(on_air->slot.slot, 2); // the clock is at (0, 2)

  // Late: slot (0, 1) is over (a second request for slot (0, 0), which had one, would be a
  // duplicate).
  const phy::PuschConfig pusch = test::harness_pusch(5, 1);
  h.send(h.ul_tti(0, 1, std::span(&pusch, 1)));
  auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);
  EXPECT_EQ(error->error.slot, 1);
  // Too far ahead (more than 8 slots).
  h.send(h.ul_tti(0, 15, std::span(&pusch, 1)));
  error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::sfn_out_of_sync);
  // Slot number beyond the numerology's 20 slots per frame: the codec accepts it (<= 159).
  h.send(h.ul_tti(0, 25, std::span(&pusch, 1)));
  error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_invalid_sfn);
  // HARQ process id 16 (10.02 allows 0 .. 15): patch the byte of a valid message.
  auto bytes = h.encode(h.ul_tti(0, 2, std::span(&pusch, 1)));
  // PHY header 2 + message header 6 + UL_TTI fields 9 + pduType/pduSize 4, then offset 83.
  const std::size_t harq_offset = 2 + 6 + 9 + 4 + 83;
  ASSERT_EQ(bytes.at(harq_offset), 1); // harq_pusch has HARQ id 1
  bytes[harq_offset] = 16;
  h.send_raw(bytes);
  error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.message_id, id_of(FapiMessageType::ul_tti_request));
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);

  // Slot (0, 2): one good PDU, one with frequency hopping (refused by the conversion), one with
  // two layers (this L1 was built for one): ERROR.indication, and failed CRCs for the two.
  phy::PuschConfig good = test::harness_pusch(10, 2);
  phy::PuschConfig two_layers = test::harness_pusch(12, 4);
  two_layers.rnti = 0x4603;
  two_layers.num_layers = 2;
  two_layers.dmrs_ports = 0b11;
  two_layers.prb_start = 12;
  io::FapiUlTtiRequest request = h.ul_tti(0, 2, std::span(&good, 1));
  phy::CellConfig two_port_cell = h.cell();
  two_port_cell.num_antenna_ports = 2;
  ASSERT_TRUE(io::to_fapi_pusch_pdu(two_layers, two_port_cell, request.pusch[1]).ok());
  request.pusch[2] = request.pusch[0];
  request.pusch[2].handle = 11;
  request.pusch[2].rnti = 0x4602;
  request.pusch[2].frequency_hopping = 1;
  request.pusch_pdu_index[1] = 1;
  request.pusch_pdu_index[2] = 2;
  request.num_pusch = 3;
  h.send(request);
  error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);
  // Duplicate UL_TTI.request for slot (0, 2).
  h.send(request);
  error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);

  const auto tb = h.push_signal(0, 2, good, 99);
  const auto rx_data = h.wait_for(FapiMessageType::rx_data_indication);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(rx_data && crc);
  ASSERT_EQ(crc->crcs.size(), 3U);
  EXPECT_EQ(crc->crcs[0].handle, 10U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 0);
  EXPECT_EQ(rx_data->payloads[0], tb);
  for (int i = 1; i < 3; ++i) {
    EXPECT_EQ(crc->crcs[i].tb_crc_status, 1);
    EXPECT_TRUE(rx_data->payloads[i].empty());
  }
  EXPECT_TRUE(crc->crcs[1].handle == 11U || crc->crcs[2].handle == 11U);

  // A slot with PUSCH but no samples: every CRC fails, the PHY goes on.
  h.send(h.ul_tti(0, 3, std::span(&good, 1)));
  ASSERT_TRUE(h.samples().push_empty(0, 3, std::chrono::seconds(1)));
  const auto empty = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(empty);
  ASSERT_EQ(empty->crcs.size(), 1U);
  EXPECT_EQ(empty->crcs[0].tb_crc_status, 1);
  expect_slot_decodes(h, 0, 4, 20);

  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.ul_tti_late, 1U);
  EXPECT_EQ(c.ul_tti_too_early, 1U);
  EXPECT_EQ(c.ul_tti_duplicate, 1U);
  EXPECT_EQ(c.undecodable_messages, 1U);
  EXPECT_EQ(c.pdus_rejected, 2U);
  EXPECT_EQ(c.slots_without_samples, 1U);
  EXPECT_EQ(c.crc_ok, 3U);
  EXPECT_EQ(c.errors_by_code[static_cast<int>(FapiErrorCode::msg_slot_err)], 4U);
}

// A PRACH PDU the L1 cannot take (this CONFIG.request had no PRACH TLVs) and SRS PDUs it cannot
// take (another numerology) are counted and reported with one ERROR.indication MSG_SLOT_ERR per
// message, the SRSs in SRS.indication unmeasured; the message's PUSCH PDUs still run.
TEST(FapiPhy, CountsAndReportsPdusItCannotTake) {
  PhyHarness h;
  h.configure_and_start();
  const phy::PuschConfig pusch = test::harness_pusch(30, 3);
  io::FapiUlTtiRequest request = h.ul_tti(0, 0, std::span(&pusch, 1));
  add_refused_srs(request, h.cell(), 2);
  h.send_raw(with_prach_pdus(h.encode(request), 1));
  auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.message_id, id_of(FapiMessageType::ul_tti_request));
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);
  EXPECT_EQ(error->error.sfn, 0);
  EXPECT_EQ(error->error.slot, 0);
  const auto tb = h.push_signal(0, 0, pusch, 30);
  const auto rx_data = h.wait_for(FapiMessageType::rx_data_indication);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  auto srs = h.wait_for(FapiMessageType::srs_indication);
  ASSERT_TRUE(rx_data && crc && srs);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].handle, 30U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 0);
  ASSERT_EQ(rx_data->payloads.size(), 1U);
  EXPECT_EQ(rx_data->payloads[0], tb);
  ASSERT_EQ(srs->srs.size(), 2U);
  for (unsigned i = 0; i < 2; ++i) {
    EXPECT_EQ(srs->srs[i].handle, 100 + i);
    EXPECT_EQ(srs->srs[i].timing_advance, io::FapiSrsIndicationPdu::invalid_timing_advance);
    EXPECT_EQ(srs->srs[i].wide_band_snr, io::FapiSrsIndicationPdu::invalid_snr);
    ASSERT_EQ(srs->srs[i].num_reported_symbols, 1U); // its symbol, without RBs
    EXPECT_EQ(srs->srs[i].reported_symbols[0].num_rbs, 0U);
  }

  // SRS only: refused, reported unmeasured once the slot is over.
  io::FapiUlTtiRequest srs_only = h.ul_tti(0, 1, std::span<const phy::PuschConfig>{});
  add_refused_srs(srs_only, h.cell(), 1);
  h.send(srs_only);
  error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);
  EXPECT_EQ(error->error.slot, 1);
  ASSERT_TRUE(h.samples().push_empty(0, 1, std::chrono::seconds(1)));
  srs = h.wait_for(FapiMessageType::srs_indication);
  ASSERT_TRUE(srs);
  EXPECT_EQ(srs->slot_number, 1);
  ASSERT_EQ(srs->srs.size(), 1U);
  EXPECT_EQ(srs->srs[0].handle, 100U);
  expect_slot_decodes(h, 0, 2, 31);

  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.pdus_unsupported, 0U);
  EXPECT_EQ(c.error_indications_sent, 2U);
  EXPECT_EQ(c.errors_by_code[static_cast<int>(FapiErrorCode::msg_slot_err)], 2U);
  EXPECT_EQ(c.undecodable_messages, 0U);
  EXPECT_EQ(c.pdus_rejected, 4U); // the PRACH PDU (no PRACH configuration), the SRS PDUs
  EXPECT_EQ(c.srs_reports_sent, 3U);
  EXPECT_EQ(c.crc_ok, 2U);
}

} // namespace
} // namespace airan::l1
