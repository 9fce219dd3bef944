// FapiPhy's answers to requests a MAC sends besides the uplink ones it serves: a CONFIG.request or
// PARAM.request the codec refuses still gets its response (a MAC waits for it before START),
// downlink requests of a full-stack MAC get one ERROR.indication per session, not one each, and
// the slot thread never waits on a transport that would block. Driven by poll_once() on one
// thread, over an in-memory transport, with a stepped clock.
#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pucch_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/fapi_transport.h"
#include "airan/l1/fapi_phy.h"

#include "../support/fapi_units.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

namespace airan::l1 {
namespace {

using io::FapiMessageType;

/// A transport in memory: the MAC's units queued for the PHY, and what the PHY sent.
class MemoryTransport final : public io::FapiTransport {
public:
  io::FapiTransportStatus send(std::span<const std::uint8_t> unit) override {
    ++attempts;
    if (would_block > 0) {
      --would_block;
      return io::FapiTransportStatus::would_block;
    }
    sent.emplace_back(unit.begin(), unit.end());
    return io::FapiTransportStatus::ok;
  }
  io::FapiReceiveResult receive(std::span<std::uint8_t> buffer,
                                std::chrono::microseconds /*timeout*/) override {
    if (inbound.empty()) {
      return {};
    }
    const std::vector<std::uint8_t> unit = std::move(inbound.front());
    inbound.pop_front();
    std::copy(unit.begin(), unit.end(), buffer.begin());
    return {io::FapiTransportStatus::ok, unit.size()};
  }
  [[nodiscard]] std::size_t max_message_size() const override { return 1 << 20; }
  [[nodiscard]] io::FapiTransportCounters counters() const override { return {}; }

  std::deque<std::vector<std::uint8_t>> inbound{};
  std::vector<std::vector<std::uint8_t>> sent{};
  unsigned would_block = 0; ///< The next this many sends report would_block.
  unsigned attempts = 0;    ///< send() calls.
};

/// A FapiPhy (stepped clock, 1 layer, 2 rx) on a MemoryTransport, polled from the test.
class RequestsBench {
public:
  static constexpr unsigned rx = 2;

  explicit RequestsBench(unsigned send_retries = 20)
      : samples_(InMemoryIqSourceConfig{4, rx, 14, 12 * 24, 0}),
        message_(std::make_unique<io::FapiMessage>()) {
    cell_.num_prbs = 24;
    cell_.numerology = 1;
    cell_.n_cell_id = 3;
    FapiPhyConfig config;
    config.receiver.max_layers = 1;
    config.send_retries = send_retries;
    phy_ = std::make_unique<FapiPhy>(transport_, samples_, config);
  }

  template <typename Message> std::vector<std::uint8_t> encode(const Message& message) {
    std::vector<std::uint8_t> unit(1 << 20);
    std::size_t size = 0;
    EXPECT_TRUE(io::encode_single_message(message, unit, size).ok());
    unit.resize(size);
    return unit;
  }
  io::FapiConfigRequest config_request() const { return io::to_fapi_config_request(cell_, rx); }
  const phy::CellConfig& cell() const { return cell_; }
  /// Queues \p unit for the PHY and polls once.
  void deliver(std::vector<std::uint8_t> unit) {
    transport_.inbound.push_back(std::move(unit));
    phy_->poll_once();
  }
  /// CONFIG and START; clears what was sent.
  void start() {
    deliver(encode(config_request()));
    deliver(encode(io::FapiStartRequest{}));
    ASSERT_EQ(phy_->state(), PhyState::running);
    transport_.sent.clear();
  }
  /// Decodes sent unit \p i (one message each) into the returned message.
  const io::FapiMessage& sent(std::size_t i) {
    EXPECT_TRUE(io::decode_single_message(transport_.sent.at(i), *message_).ok());
    return *message_;
  }
  /// The types of every unit sent so far.
  std::vector<FapiMessageType> sent_types() {
    std::vector<FapiMessageType> types;
    for (std::size_t i = 0; i < transport_.sent.size(); ++i) {
      types.push_back(sent(i).type);
    }
    return types;
  }

  FapiPhy& phy() { return *phy_; }
  MemoryTransport& transport() { return transport_; }
  InMemoryIqSource& samples() { return samples_; }

private:
  phy::CellConfig cell_;
  MemoryTransport transport_;
  InMemoryIqSource samples_;
  std::unique_ptr<FapiPhy> phy_;
  std::unique_ptr<io::FapiMessage> message_;
};

// A CONFIG.request with phyCellId 2000 (out of range, refused by the codec) is answered with
// CONFIG.response MSG_INVALID_CONFIG listing phyCellId, and no ERROR.indication.
TEST(FapiPhyRequests, UndecodableConfigRequestGetsConfigResponse) {
  RequestsBench bench;
  std::vector<std::uint8_t> unit = bench.encode(bench.config_request());
  // phyCellId (tag 0x100C, length 2, value 3): the value made 2000.
  const std::uint8_t tlv[] = {0x0C, 0x10, 2, 0, 3, 0};
  const auto at = std::search(unit.begin(), unit.end(), std::begin(tlv), std::end(tlv));
  ASSERT_NE(at, unit.end());
  at[4] = 0xD0;
  at[5] = 0x07;
  bench.deliver(unit);
  ASSERT_EQ(bench.transport().sent.size(), 1U);
  const io::FapiMessage& response = bench.sent(0);
  ASSERT_EQ(response.type, FapiMessageType::config_response);
  EXPECT_EQ(response.config_response.error_code, io::FapiErrorCode::msg_invalid_config);
  ASSERT_EQ(response.config_response.invalid_or_unsupported.count, 1U);
  EXPECT_EQ(response.config_response.invalid_or_unsupported.entries[0].tag, 0x100C);
  EXPECT_EQ(bench.phy().state(), PhyState::idle);
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.config_rejected, 1U);
  EXPECT_EQ(c.error_indications_sent, 0U);
}

// In the CONFIGURED state a CONFIG.request carries only the TLVs that change (SCF 222.10 section
// 2.2): one with phyCellId alone is taken, on top of the configuration in force; in IDLE it lacks
// the carrier TLVs. A partial one that makes the configuration invalid leaves it as it was.
TEST(FapiPhyRequests, InConfiguredAConfigRequestCarriesOnlyWhatChanges) {
  RequestsBench bench;
  io::FapiConfigRequest cell_id_only;
  cell_id_only.phy_cell_id = 7;
  const auto response_to = [&](const io::FapiConfigRequest& request) {
    bench.transport().sent.clear();
    bench.deliver(bench.encode(request));
    EXPECT_EQ(bench.transport().sent.size(), 1U);
    return bench.sent(0).config_response;
  };
  io::FapiConfigResponse response = response_to(cell_id_only);
  EXPECT_EQ(response.error_code, io::FapiErrorCode::msg_invalid_config);
  EXPECT_GT(response.missing.count, 0U);
  EXPECT_EQ(bench.phy().state(), PhyState::idle);

  EXPECT_EQ(response_to(bench.config_request()).error_code, io::FapiErrorCode::msg_ok);
  response = response_to(cell_id_only);
  EXPECT_EQ(response.error_code, io::FapiErrorCode::msg_ok);
  EXPECT_EQ(response.missing.count, 0U);
  io::FapiConfigRequest no_grid; // no numerology with a grid
  no_grid.ul_grid_size = std::array<std::uint16_t, io::fapi_num_numerologies>{};
  EXPECT_EQ(response_to(no_grid).error_code, io::FapiErrorCode::msg_invalid_config);
  EXPECT_EQ(bench.phy().state(), PhyState::configured);

  // Still the 24-PRB carrier: START, and a PUSCH on it is taken (no ERROR.indication).
  bench.deliver(bench.encode(io::FapiStartRequest{}));
  ASSERT_EQ(bench.phy().state(), PhyState::running);
  phy::PuschConfig pusch;
  pusch.bwp_size = 24;
  pusch.prb_size = 24;
  pusch.mcs_index = 5;
  io::FapiUlTtiRequest request;
  request.slot = 1;
  ASSERT_TRUE(io::to_fapi_pusch_pdu(pusch, bench.cell(), request.pusch[0]).ok());
  request.num_pusch = 1;
  bench.transport().sent.clear();
  bench.deliver(bench.encode(request));
  EXPECT_TRUE(bench.transport().sent.empty());
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.config_rejected, 2U);
  EXPECT_EQ(c.error_indications_sent, 0U);
}

TEST(FapiPhyRequests, ParamRequestWithABodyGetsParamResponse) {
  RequestsBench bench;
  const std::uint8_t body[] = {0, 0, 0, 0};
  bench.deliver(airan::test::fapi_unit(FapiMessageType::param_request, body));
  ASSERT_EQ(bench.transport().sent.size(), 1U);
  const io::FapiMessage& response = bench.sent(0);
  ASSERT_EQ(response.type, FapiMessageType::param_response);
  EXPECT_EQ(response.param_response.error_code, io::FapiErrorCode::msg_invalid_config);
  EXPECT_EQ(bench.phy().counters().error_indications_sent, 0U);
}

// A full-stack MAC's DL_TTI.request every slot: one ERROR.indication for the session, every one
// counted, and a SLOT.indication for every slot.
TEST(FapiPhyRequests, DownlinkRequestsGetOneErrorIndicationPerSession) {
  RequestsBench bench;
  bench.start();
  const std::uint8_t body[] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (std::uint64_t n = 0; n < 100; ++n) {
    const FapiSlotAddress at = to_slot_address(n, 20);
    ASSERT_TRUE(bench.samples().push_empty(at.sfn, at.slot, std::chrono::seconds(1)));
    bench.deliver(airan::test::fapi_unit(FapiMessageType::dl_tti_request, body));
  }
  std::size_t errors = 0;
  std::uint64_t next_slot = 1; // SLOT.indication (0, 0) left at START
  for (std::size_t i = 0; i < bench.transport().sent.size(); ++i) {
    const io::FapiMessage& m = bench.sent(i);
    if (m.type == FapiMessageType::error_indication) {
      ++errors;
      EXPECT_EQ(m.error_indication.message_id, 0x80);
      EXPECT_EQ(m.error_indication.error_code, io::FapiErrorCode::msg_invalid_state);
    } else if (m.type == FapiMessageType::slot_indication) {
      const FapiSlotAddress want = to_slot_address(next_slot++, 20);
      EXPECT_EQ(m.slot_indication.sfn, want.sfn);
      EXPECT_EQ(m.slot_indication.slot, want.slot);
    }
  }
  EXPECT_EQ(errors, 1U);
  EXPECT_EQ(next_slot, 101U);
  L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.downlink_messages_ignored, 100U);
  EXPECT_EQ(c.error_indications_sent, 1U);
  // STOP and START: a new session, whose first downlink request is reported again.
  bench.deliver(bench.encode(io::FapiStopRequest{}));
  bench.deliver(bench.encode(io::FapiStartRequest{}));
  bench.deliver(airan::test::fapi_unit(FapiMessageType::tx_data_request, body));
  bench.deliver(airan::test::fapi_unit(FapiMessageType::ul_dci_request, body));
  c = bench.phy().counters();
  EXPECT_EQ(c.downlink_messages_ignored, 102U);
  EXPECT_EQ(c.error_indications_sent, 2U);
}

// SLOT.indications the transport refuses with would_block are dropped at once (one attempt
// each, counted); P5 responses are tried again.
TEST(FapiPhyRequests, SlotThreadNeverRetriesWouldBlock) {
  RequestsBench bench(1000);
  bench.transport().would_block = 3; // CONFIG.response: 3 refusals, then sent
  bench.deliver(bench.encode(bench.config_request()));
  ASSERT_EQ(bench.transport().sent.size(), 1U);
  EXPECT_EQ(bench.transport().attempts, 4U);
  bench.deliver(bench.encode(io::FapiStartRequest{}));
  ASSERT_EQ(bench.phy().state(), PhyState::running);
  const L1Counters before = bench.phy().counters();
  const unsigned attempts = bench.transport().attempts;
  bench.transport().would_block = 10;
  for (std::uint64_t n = 0; n < 10; ++n) {
    const FapiSlotAddress at = to_slot_address(n, 20);
    ASSERT_TRUE(bench.samples().push_empty(at.sfn, at.slot, std::chrono::seconds(1)));
    bench.phy().poll_once();
  }
  EXPECT_EQ(bench.transport().attempts - attempts, 10U);
  const L1Counters after = bench.phy().counters();
  EXPECT_EQ(after.send_failures - before.send_failures, 10U);
  EXPECT_EQ(after.slot_indications_sent, before.slot_indications_sent);
}

/// A UL_TTI.request for \p slot of SFN 0: a PUSCH with a TB and UCI (2 HARQ-ACK, 6 CSI part 1
/// bits; handle 17, HARQ process 5), a PUCCH format 1 (1 HARQ-ACK bit and an SR occasion; handle
/// 18) and a PUCCH format 2 (4 HARQ-ACK bits; handle 19).
io::FapiUlTtiRequest request_with_every_report(const phy::CellConfig& cell, std::uint16_t slot) {
  phy::PuschConfig pusch;
  pusch.rnti = 0x4601;
  pusch.handle = 17;
  pusch.bwp_size = 24;
  pusch.prb_size = 12;
  pusch.mcs_index = 9;
  pusch.harq_process_id = 5;
  pusch.uci.harq_ack_bits = 2;
  pusch.uci.csi_part1_bits = 6;
  io::FapiUlTtiRequest request;
  request.sfn = 0;
  request.slot = slot;
  EXPECT_TRUE(io::to_fapi_pusch_pdu(pusch, cell, request.pusch[0]).ok());
  request.num_pusch = 1;
  phy::PucchConfig f1;
  f1.rnti = 0x4602;
  f1.handle = 18;
  f1.bwp_size = 24;
  f1.prb_start = 20;
  f1.harq_bits = 1;
  f1.sr_bits = 1;
  phy::PucchConfig f2 = f1;
  f2.rnti = 0x4603;
  f2.handle = 19;
  f2.format = phy::PucchFormat::format2;
  f2.prb_start = 22;
  f2.start_symbol = 12;
  f2.num_symbols = 2;
  f2.harq_bits = 4;
  f2.sr_bits = 0;
  EXPECT_EQ(f1.validate(cell), "");
  EXPECT_EQ(f2.validate(cell), "");
  request.pucch[0] = io::to_fapi_pucch_pdu(f1, cell);
  request.pucch[1] = io::to_fapi_pucch_pdu(f2, cell);
  request.num_pucch = 2;
  return request;
}

/// \p bench sent, after an ERROR.indication, what a request_with_every_report() for SFN 0
/// \p slot refused whole is owed: RX_DATA and CRC.indication with the TB failed, UCI.indication
/// with the PUSCH's UCI parts failed, the format 1 PUCCH DTX and the format 2 one failed.
void expect_every_report_failed(RequestsBench& bench, std::uint16_t slot) {
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::rx_data_indication,
                         FapiMessageType::crc_indication, FapiMessageType::uci_indication}));
  const io::FapiRxDataIndication rx_data = bench.sent(1).rx_data_indication;
  EXPECT_EQ(rx_data.slot, slot);
  ASSERT_EQ(rx_data.num_pdus, 1U);
  EXPECT_EQ(rx_data.pdus[0].handle, 17U);
  EXPECT_TRUE(rx_data.pdus[0].payload.empty());
  const io::FapiCrcIndication crc = bench.sent(2).crc_indication;
  EXPECT_EQ(crc.sfn, 0);
  EXPECT_EQ(crc.slot, slot);
  ASSERT_EQ(crc.num_crcs, 1U);
  EXPECT_EQ(crc.crcs[0].handle, 17U);
  EXPECT_EQ(crc.crcs[0].rnti, 0x4601);
  EXPECT_EQ(crc.crcs[0].harq_id, 5);
  EXPECT_EQ(crc.crcs[0].tb_crc_status, 1);
  const io::FapiUciIndication uci = bench.sent(3).uci_indication;
  EXPECT_EQ(uci.slot, slot);
  ASSERT_EQ(uci.num_pdus, 1U);
  EXPECT_EQ(uci.pdus[0].handle, 17U);
  ASSERT_TRUE(uci.pdus[0].harq && uci.pdus[0].csi_part1);
  EXPECT_EQ(uci.pdus[0].harq->crc, io::FapiUciPart::crc_fail);
  EXPECT_EQ(uci.pdus[0].harq->bit_length, 2U);
  EXPECT_EQ(uci.pdus[0].csi_part1->crc, io::FapiUciPart::crc_fail);
  EXPECT_EQ(uci.pdus[0].csi_part1->bit_length, 6U);
  EXPECT_FALSE(uci.pdus[0].csi_part2);
  ASSERT_EQ(uci.num_pucch_f01, 1U);
  EXPECT_EQ(uci.pucch_f01[0].handle, 18U);
  ASSERT_TRUE(uci.pucch_f01[0].harq && uci.pucch_f01[0].sr);
  EXPECT_EQ(uci.pucch_f01[0].harq->values[0], io::FapiUciHarqFormat01::dtx);
  EXPECT_EQ(uci.pucch_f01[0].sr->sr_indication, 0);
  ASSERT_EQ(uci.num_pucch_f234, 1U);
  EXPECT_EQ(uci.pucch_f234[0].handle, 19U);
  ASSERT_TRUE(uci.pucch_f234[0].harq);
  EXPECT_EQ(uci.pucch_f234[0].harq->crc, io::FapiUciPart::crc_fail);
  EXPECT_EQ(uci.pucch_f234[0].harq->bit_length, 4U);
}

// A UL_TTI.request that comes a slot late: besides its ERROR.indication, indications stamped
// with its SFN/slot report its PUSCH TB failed (RX_DATA, CRC), its UCI on PUSCH failed and its
// PUCCHs DTX or failed (UCI.indication), so that neither the MAC's HARQ nor its UCI waits.
TEST(FapiPhyRequests, LateUlTtiRequestFailsItsTbsAndUci) {
  RequestsBench bench;
  bench.start();
  for (std::uint16_t slot = 0; slot < 3; ++slot) {
    ASSERT_TRUE(bench.samples().push_empty(0, slot, std::chrono::seconds(1)));
    bench.phy().poll_once();
  }
  bench.transport().sent.clear();
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 1)));
  expect_every_report_failed(bench, 1);
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.ul_tti_late, 1U);
  EXPECT_EQ(c.crc_failed, 1U);
  EXPECT_EQ(c.uci_reports_sent, 3U);
}

// Too early (more than max_advance_slots ahead) and a duplicate of a slot's request: the same
// reports; the duplicate's PDUs with the accepted request's handles are left to that request.
TEST(FapiPhyRequests, TooEarlyAndDuplicateUlTtiRequestsFailTheirTbsAndUci) {
  RequestsBench bench;
  bench.start();
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 19)));
  expect_every_report_failed(bench, 19);
  EXPECT_EQ(bench.phy().counters().ul_tti_too_early, 1U);

  bench.transport().sent.clear();
  io::FapiUlTtiRequest accepted = request_with_every_report(bench.cell(), 1);
  accepted.num_pucch = 1; // the PUSCH and the format 1 PUCCH
  bench.deliver(bench.encode(accepted));
  ASSERT_TRUE(bench.transport().sent.empty());
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 1)));
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::uci_indication}));
  const io::FapiUciIndication uci = bench.sent(1).uci_indication;
  EXPECT_EQ(uci.num_pdus + uci.num_pucch_f01, 0U);
  ASSERT_EQ(uci.num_pucch_f234, 1U);
  EXPECT_EQ(uci.pucch_f234[0].handle, 19U);
  EXPECT_EQ(bench.phy().counters().ul_tti_duplicate, 1U);
}

} // namespace
} // namespace airan::l1
