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
#include "fapi_phy_requests_bench.h"

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
using requests_bench::RequestsBench;

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

// The ERROR.indication refusing a START.request or STOP.request (a MAC waits for what becomes
// of them) gets the P5 responses' retries.
TEST(FapiPhyRequests, StartAndStopRefusalsAreTriedAgain) {
  RequestsBench bench(1000);
  bench.transport().would_block = 3;
  bench.deliver(bench.encode(io::FapiStartRequest{})); // IDLE: MSG_INVALID_STATE
  ASSERT_EQ(bench.sent_types(), std::vector{FapiMessageType::error_indication});
  EXPECT_EQ(bench.sent(0).error_indication.message_id,
            static_cast<std::uint8_t>(FapiMessageType::start_request));
  EXPECT_EQ(bench.transport().attempts, 4U);
  bench.transport().sent.clear();
  bench.transport().would_block = 2;
  bench.deliver(bench.encode(io::FapiStopRequest{}));
  ASSERT_EQ(bench.sent_types(), std::vector{FapiMessageType::error_indication});
  EXPECT_EQ(bench.transport().attempts, 7U);
  EXPECT_EQ(bench.phy().counters().send_failures, 0U);
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

} // namespace
} // namespace airan::l1
