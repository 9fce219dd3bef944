// FapiPhy's slot bookkeeping at the edges a MAC can reach: a STOP.request and a START.request in
// one unit start the new session at slot 0 (the old session's ended slot does not advance the
// new one); a UL_TTI.request for a slot that already had one without PDUs is a duplicate; a
// second PUSCH PDU of one RNTI and HARQ process is refused with ERROR.indication; a slot of PUCCH
// without samples counts as a slot without samples; PARAM.response says skipBlankULConfig 0 where
// a skipped blank request would leave the L1 waiting (stepped clock with C-plane). Driven by
// poll_once() over an in-memory transport.
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pucch_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/l1/fapi_phy.h"

#include "fapi_phy_requests_bench.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace airan::l1 {
namespace {

using io::FapiMessageType;
using requests_bench::RequestsBench;

/// A PUSCH with a TB on 12 PRBs of the bench's 24 (\p handle, \p rnti, HARQ process \p harq).
phy::PuschConfig bench_pusch(std::uint32_t handle, std::uint16_t rnti, unsigned harq) {
  phy::PuschConfig pusch;
  pusch.rnti = rnti;
  pusch.handle = handle;
  pusch.bwp_size = 24;
  pusch.prb_size = 12;
  pusch.mcs_index = 9;
  pusch.harq_process_id = harq;
  return pusch;
}

/// A UL_TTI.request for SFN 0 \p slot with \p pdus.
io::FapiUlTtiRequest request_with(const phy::CellConfig& cell, std::uint16_t slot,
                                  std::initializer_list<phy::PuschConfig> pdus) {
  io::FapiUlTtiRequest request;
  request.sfn = 0;
  request.slot = slot;
  for (const phy::PuschConfig& pdu : pdus) {
    EXPECT_TRUE(io::to_fapi_pusch_pdu(pdu, cell, request.pusch[request.num_pusch]).ok());
    ++request.num_pusch;
  }
  return request;
}

/// One unit holding the messages of \p first and \p second (each a unit of one message).
std::vector<std::uint8_t> one_unit(const std::vector<std::uint8_t>& first,
                                   const std::vector<std::uint8_t>& second) {
  std::vector<std::uint8_t> unit(first);
  unit[0] = 2; // the PHY API header's number of messages; then each message's own header
  unit.insert(unit.end(), second.begin() + 2, second.end());
  return unit;
}

/// The SLOT.indications \p bench sent, as (SFN, slot).
std::vector<std::pair<unsigned, unsigned>> slot_indications(RequestsBench& bench) {
  std::vector<std::pair<unsigned, unsigned>> slots;
  for (std::size_t i = 0; i < bench.transport().sent.size(); ++i) {
    const io::FapiMessage& message = bench.sent(i);
    if (message.type == FapiMessageType::slot_indication) {
      slots.emplace_back(message.slot_indication.sfn, message.slot_indication.slot);
    }
  }
  return slots;
}

// Slot 0's samples are in when STOP and START arrive together: the session's end is handed out
// (on_session_stopped) after STOP.indication and before the START is handled, the new session
// starts at slot 0 (one SLOT.indication (0, 0)), and its UL_TTI.request for slot 0 is on time.
TEST(FapiPhySlotRequests, StopAndStartInOneUnitRestartAtSlotZero) {
  std::vector<std::size_t> sent_at_stop; // units sent when each session ended
  RequestsBench* bench_seen = nullptr;
  RequestsBench bench(20, 0.0, std::size_t{1} << 20, nullptr,
                      [&] { sent_at_stop.push_back(bench_seen->transport().sent.size()); });
  bench_seen = &bench;
  bench.start();
  ASSERT_TRUE(bench.samples().push_empty(0, 0, std::chrono::seconds(1)));
  bench.deliver(
      one_unit(bench.encode(io::FapiStopRequest{}), bench.encode(io::FapiStartRequest{})));
  EXPECT_EQ(bench.phy().state(), PhyState::running);
  EXPECT_EQ(slot_indications(bench), (std::vector<std::pair<unsigned, unsigned>>{{0, 0}}));
  ASSERT_EQ(sent_at_stop, std::vector<std::size_t>{1}); // STOP.indication, not SLOT.indication
  EXPECT_EQ(bench.sent(0).type, FapiMessageType::stop_indication);
  bench.deliver(bench.encode(request_with(bench.cell(), 0, {bench_pusch(1, 0x4601, 0)})));
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.ul_tti_late, 0U);
  EXPECT_EQ(c.error_indications_sent, 0U);
}

// A request without PDUs for slot 1 (its empty C-plane tells the O-RU nothing is asked of it),
// then one with a PUSCH for the same slot: a duplicate, MSG_SLOT_ERR, its TB reported failed.
TEST(FapiPhySlotRequests, ARequestAfterABlankOneForTheSlotIsADuplicate) {
  RequestsBench bench;
  bench.start();
  bench.deliver(bench.encode(request_with(bench.cell(), 1, {})));
  EXPECT_TRUE(bench.transport().sent.empty());
  bench.deliver(bench.encode(request_with(bench.cell(), 1, {bench_pusch(7, 0x4601, 2)})));
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::rx_data_indication,
                         FapiMessageType::crc_indication}));
  EXPECT_EQ(bench.sent(0).error_indication.error_code, io::FapiErrorCode::msg_slot_err);
  const io::FapiCrcIndication crc = bench.sent(2).crc_indication;
  ASSERT_EQ(crc.num_crcs, 1U);
  EXPECT_EQ(crc.crcs[0].handle, 7U);
  EXPECT_EQ(crc.crcs[0].tb_crc_status, 1);
  EXPECT_EQ(bench.phy().counters().ul_tti_duplicate, 1U);
  // A blank request for another slot is no duplicate of it.
  bench.transport().sent.clear();
  bench.deliver(bench.encode(request_with(bench.cell(), 2, {bench_pusch(8, 0x4601, 2)})));
  EXPECT_TRUE(bench.transport().sent.empty());
  EXPECT_EQ(bench.phy().counters().ul_tti_duplicate, 1U);
}

// Two PUSCH PDUs of one RNTI and HARQ process: the second is refused (ERROR.indication
// MSG_SLOT_ERR, counted), the first goes on; both get their CRC when the slot ends. A UCI-only
// PDU of the same RNTI and HARQ id has no process and is taken.
TEST(FapiPhySlotRequests, ASecondPduOfOneHarqProcessIsRefused) {
  RequestsBench bench;
  bench.start();
  phy::PuschConfig uci_only = bench_pusch(23, 0x4601, 3);
  uci_only.ulsch = false;
  uci_only.uci.csi_part1_bits = 6;
  bench.deliver(bench.encode(request_with(bench.cell(), 0,
                                          {bench_pusch(21, 0x4601, 3), bench_pusch(22, 0x4601, 3),
                                           bench_pusch(24, 0x4602, 3), uci_only})));
  ASSERT_EQ(bench.sent_types(), std::vector{FapiMessageType::error_indication});
  EXPECT_EQ(bench.sent(0).error_indication.error_code, io::FapiErrorCode::msg_slot_err);
  EXPECT_EQ(bench.phy().counters().pdus_rejected, 1U);
  bench.transport().sent.clear();
  ASSERT_TRUE(bench.samples().push_empty(0, 0, std::chrono::seconds(1)));
  bench.phy().poll_once();
  bool crc_seen = false;
  for (std::size_t i = 0; i < bench.transport().sent.size(); ++i) {
    const io::FapiMessage& message = bench.sent(i);
    if (message.type != FapiMessageType::crc_indication) {
      continue;
    }
    crc_seen = true;
    ASSERT_EQ(message.crc_indication.num_crcs, 3U);
    std::vector<std::uint32_t> handles;
    for (std::size_t k = 0; k < 3; ++k) {
      handles.push_back(message.crc_indication.crcs[k].handle);
    }
    std::sort(handles.begin(), handles.end());
    EXPECT_EQ(handles, (std::vector<std::uint32_t>{21, 22, 24}));
  }
  EXPECT_TRUE(crc_seen);
}

// A slot of one PUCCH and no samples: its UCI reported DTX, the slot counted without samples.
TEST(FapiPhySlotRequests, APucchSlotWithoutSamplesCountsAsOne) {
  RequestsBench bench;
  bench.start();
  phy::PucchConfig f1;
  f1.rnti = 0x4602;
  f1.handle = 18;
  f1.bwp_size = 24;
  f1.prb_start = 20;
  f1.harq_bits = 1;
  ASSERT_EQ(f1.validate(bench.cell()), "");
  io::FapiUlTtiRequest request = request_with(bench.cell(), 0, {});
  request.pucch[0] = io::to_fapi_pucch_pdu(f1, bench.cell());
  request.num_pucch = 1;
  bench.deliver(bench.encode(request));
  ASSERT_TRUE(bench.samples().push_empty(0, 0, std::chrono::seconds(1)));
  bench.phy().poll_once();
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.slots_processed, 1U);
  EXPECT_EQ(c.slots_without_samples, 1U);
  EXPECT_EQ(c.uci_reports_sent, 1U);
}

/// Counts the slots whose C-plane it was given.
class CountingCplane final : public UplinkCplaneSender {
public:
  void send_slot(std::uint16_t, std::uint16_t, std::span<const phy::PuschConfig>,
                 std::span<const phy::PucchConfig>, std::span<const io::FapiPrachOccasion>,
                 std::span<const phy::SrsConfig>) override {
    ++slots;
  }
  unsigned slots = 0;
};

/// skipBlankULConfig of \p bench's PARAM.response.
std::optional<std::uint8_t> skip_blank_ul_config(RequestsBench& bench) {
  bench.deliver(bench.encode(io::FapiParamRequest{}));
  EXPECT_EQ(bench.transport().sent.size(), 1U);
  return bench.sent(0).param_response.capabilities.skip_blank_ul_config;
}

// Stepped clock with C-plane: a slot ends when its samples are in, which the fronthaul knows are
// none only from the slot's C-plane, so blank requests may not be skipped. Elsewhere they may.
TEST(FapiPhySlotRequests, BlankRequestsMayBeSkippedButOnTheSteppedClockWithCplane) {
  CountingCplane cplane;
  RequestsBench stepped_cplane(20, 0.0, std::size_t{1} << 20, &cplane);
  EXPECT_EQ(skip_blank_ul_config(stepped_cplane), 0);
  RequestsBench real_time_cplane(20, 1.0, std::size_t{1} << 20, &cplane);
  EXPECT_EQ(skip_blank_ul_config(real_time_cplane), 1);
  RequestsBench stepped;
  EXPECT_EQ(skip_blank_ul_config(stepped), 1);
  // The C-plane of a blank request still goes out.
  stepped_cplane.start();
  stepped_cplane.deliver(stepped_cplane.encode(request_with(stepped_cplane.cell(), 1, {})));
  EXPECT_EQ(cplane.slots, 1U);
}

} // namespace
} // namespace airan::l1
