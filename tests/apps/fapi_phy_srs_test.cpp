// SRS through the FAPI PHY: an accepted UL_TTI.request's SRS PDUs are measured on the slot's
// grid and answered in one SRS.indication, its refused SRS PDUs (ERROR.indication) in the same
// indication unmeasured; a slot without samples and a request refused whole (late) report their
// SRSs unmeasured too, so that the MAC never waits for an SRS report. Driven by poll_once() over
// an in-memory transport.
#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_srs_conversion.h"
#include "airan/l1/fapi_phy.h"
#include "airan/phy/awgn.h"
#include "airan/phy/srs_estimator.h"

#include "fapi_phy_requests_bench.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace airan::l1 {
namespace {

using io::FapiMessageType;
using requests_bench::RequestsBench;

/// A 1-port SRS of 16 PRBs on the last symbol (C_SRS 3), handle 40.
phy::SrsConfig srs_of_bench(const phy::CellConfig& cell) {
  phy::SrsConfig srs;
  srs.rnti = 0x4701;
  srs.handle = 40;
  srs.bwp_size = cell.num_prbs;
  srs.c_srs = 3;
  srs.frequency_shift = 4;
  srs.sequence_id = 77;
  EXPECT_EQ(srs.validate(cell), "");
  return srs;
}

/// A UL_TTI.request of SFN 0 \p slot with \p srs and a second SRS PDU that cannot be received
/// (combOffset 2 on comb 2; handle 41).
io::FapiUlTtiRequest request_with_srs(const phy::CellConfig& cell, const phy::SrsConfig& srs,
                                      std::uint16_t slot) {
  io::FapiUlTtiRequest request;
  request.slot = slot;
  request.srs[0] = io::to_fapi_srs_pdu(srs, cell);
  request.srs[1] = request.srs[0];
  request.srs[1].handle = 41;
  request.srs[1].rnti = 0x4702;
  request.srs[1].comb_offset = 2;
  request.num_srs = 2;
  return request;
}

void expect_unmeasured(const io::FapiSrsIndicationPdu& pdu, std::uint32_t handle,
                       std::uint16_t rnti) {
  EXPECT_EQ(pdu.handle, handle);
  EXPECT_EQ(pdu.rnti, rnti);
  EXPECT_EQ(pdu.num_symbols, 1U);
  EXPECT_EQ(pdu.timing_advance, io::FapiSrsIndicationPdu::invalid_timing_advance);
  EXPECT_EQ(pdu.wide_band_snr, io::FapiSrsIndicationPdu::invalid_snr);
  ASSERT_EQ(pdu.num_reported_symbols, 1U); // its symbol, without RBs
  EXPECT_EQ(pdu.reported_symbols[0].num_rbs, 0U);
}

TEST(FapiPhySrs, MeasuresTheSrsOnTheSlotsGridAndReportsTheRefusedOneUnmeasured) {
  RequestsBench bench;
  bench.start();
  const phy::SrsConfig srs = srs_of_bench(bench.cell());
  bench.deliver(bench.encode(request_with_srs(bench.cell(), srs, 1)));
  // The refused PDU: ERROR.indication MSG_SLOT_ERR at once.
  ASSERT_EQ(bench.sent_types(), std::vector{FapiMessageType::error_indication});
  EXPECT_EQ(bench.sent(0).error_indication.error_code, io::FapiErrorCode::msg_slot_err);
  bench.transport().sent.clear();
  ASSERT_TRUE(bench.samples().push_empty(0, 0, std::chrono::seconds(1)));
  bench.phy().poll_once();
  // Slot 1: the SRS on both antennas (unit channel) at 20 dB SNR.
  phy::ResourceGrid grid(RequestsBench::rx, 14, 12 * bench.cell().num_prbs);
  for (unsigned r = 0; r < RequestsBench::rx; ++r) {
    phy::write_srs(bench.cell(), 0, 1, srs, grid, r);
  }
  phy::AwgnGenerator noise(5);
  noise.add(grid, 0.01F);
  ASSERT_TRUE(bench.samples().push_grid(0, 1, grid, std::chrono::seconds(1)));
  bench.phy().poll_once();
  std::vector<FapiMessageType> types = bench.sent_types();
  std::erase(types, FapiMessageType::slot_indication);
  // A slot without TBs: no RX_DATA or CRC.indication, only SRS.indication.
  ASSERT_EQ(types, (std::vector{FapiMessageType::srs_indication}));
  io::FapiSrsIndication indication;
  for (std::size_t i = 0; i < bench.transport().sent.size(); ++i) {
    if (bench.sent(i).type == FapiMessageType::srs_indication) {
      indication = bench.sent(i).srs_indication;
    }
  }
  EXPECT_EQ(indication.sfn, 0);
  EXPECT_EQ(indication.slot, 1);
  ASSERT_EQ(indication.num_pdus, 2U);
  const io::FapiSrsIndicationPdu& measured = indication.pdus[0];
  EXPECT_EQ(measured.handle, 40U);
  EXPECT_EQ(measured.rnti, 0x4701);
  EXPECT_EQ(measured.timing_advance, 31U); // no delay: no correction
  EXPECT_NEAR(io::fapi_snr_db_from_ul_cqi(measured.wide_band_snr), 20.0, 1.0);
  ASSERT_EQ(measured.num_reported_symbols, 1U);
  const io::FapiSrsReportedSymbol& symbol = measured.reported_symbols[0];
  ASSERT_EQ(symbol.num_rbs, bench.cell().num_prbs);
  for (unsigned rb = 0; rb < symbol.num_rbs; ++rb) {
    // PRBs 4 .. 19 (n_shift 4, 16 PRBs): an SNR near 20 dB; the others none.
    if (rb >= 4 && rb < 20) {
      EXPECT_NEAR(io::fapi_snr_db_from_ul_cqi(symbol.rb_snr[rb]), 20.0, 3.0) << rb;
    } else {
      EXPECT_EQ(symbol.rb_snr[rb], io::FapiSrsIndicationPdu::invalid_snr) << rb;
    }
  }
  expect_unmeasured(indication.pdus[1], 41, 0x4702);
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.srs_processed, 1U);
  EXPECT_EQ(c.srs_reports_sent, 2U);
  EXPECT_EQ(c.pdus_rejected, 1U);
  EXPECT_EQ(c.pdus_unsupported, 0U);
}

// No samples for the slot: both SRSs reported unmeasured.
TEST(FapiPhySrs, ASlotWithoutSamplesReportsItsSrsUnmeasured) {
  RequestsBench bench;
  bench.start();
  const phy::SrsConfig srs = srs_of_bench(bench.cell());
  bench.deliver(bench.encode(request_with_srs(bench.cell(), srs, 0)));
  bench.transport().sent.clear();
  ASSERT_TRUE(bench.samples().push_empty(0, 0, std::chrono::seconds(1)));
  bench.phy().poll_once();
  std::vector<FapiMessageType> types = bench.sent_types();
  std::erase(types, FapiMessageType::slot_indication);
  // A slot without TBs: no RX_DATA or CRC.indication, only SRS.indication.
  ASSERT_EQ(types, (std::vector{FapiMessageType::srs_indication}));
  for (std::size_t i = 0; i < bench.transport().sent.size(); ++i) {
    if (bench.sent(i).type == FapiMessageType::srs_indication) {
      const io::FapiSrsIndication& indication = bench.sent(i).srs_indication;
      ASSERT_EQ(indication.num_pdus, 2U);
      expect_unmeasured(indication.pdus[0], 40, 0x4701);
      expect_unmeasured(indication.pdus[1], 41, 0x4702);
    }
  }
  EXPECT_EQ(bench.phy().counters().srs_processed, 0U);
}

// A late request: ERROR.indication, then SRS.indication with its SRSs unmeasured, stamped with
// its slot.
TEST(FapiPhySrs, ALateRequestReportsItsSrsUnmeasured) {
  RequestsBench bench;
  bench.start();
  for (std::uint16_t slot = 0; slot < 3; ++slot) {
    ASSERT_TRUE(bench.samples().push_empty(0, slot, std::chrono::seconds(1)));
    bench.phy().poll_once();
  }
  bench.transport().sent.clear();
  bench.deliver(bench.encode(request_with_srs(bench.cell(), srs_of_bench(bench.cell()), 1)));
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::srs_indication}));
  const io::FapiSrsIndication indication = bench.sent(1).srs_indication;
  EXPECT_EQ(indication.slot, 1);
  ASSERT_EQ(indication.num_pdus, 2U);
  expect_unmeasured(indication.pdus[0], 40, 0x4701);
  expect_unmeasured(indication.pdus[1], 41, 0x4702);
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.ul_tti_late, 1U);
  EXPECT_EQ(c.srs_reports_sent, 2U);
}

// Too early, and a second request for a slot: reported unmeasured at once, except the PDUs the
// slot's accepted request has (same handle and RNTI, accepted or refused there), left to it.
TEST(FapiPhySrs, TooEarlyAndDuplicateRequestsReportTheirOwnSrsUnmeasured) {
  RequestsBench bench;
  bench.start();
  const phy::SrsConfig srs = srs_of_bench(bench.cell());
  bench.deliver(bench.encode(request_with_srs(bench.cell(), srs, 19)));
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::srs_indication}));
  EXPECT_EQ(bench.sent(0).error_indication.error_code, io::FapiErrorCode::sfn_out_of_sync);
  EXPECT_EQ(bench.sent(1).srs_indication.num_pdus, 2U);
  EXPECT_EQ(bench.phy().counters().ul_tti_too_early, 1U);

  bench.deliver(bench.encode(request_with_srs(bench.cell(), srs, 2)));
  bench.transport().sent.clear();
  io::FapiUlTtiRequest duplicate = request_with_srs(bench.cell(), srs, 2);
  duplicate.srs[2] = duplicate.srs[0];
  duplicate.srs[2].handle = 42; // only this one is the duplicate's own
  duplicate.num_srs = 3;
  bench.deliver(bench.encode(duplicate));
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::srs_indication}));
  const io::FapiSrsIndication indication = bench.sent(1).srs_indication;
  EXPECT_EQ(indication.slot, 2);
  ASSERT_EQ(indication.num_pdus, 1U);
  expect_unmeasured(indication.pdus[0], 42, 0x4701);
  EXPECT_EQ(bench.phy().counters().ul_tti_duplicate, 1U);
}

// An SRS.indication larger than the transport's unit goes out as several, each within it, every
// PDU once and in order (222.10.02 lets a slot have several SRS.indications).
TEST(FapiPhySrs, AnSrsIndicationLargerThanAUnitIsSplit) {
  RequestsBench bench(20, 0.0, 1024);
  bench.start();
  phy::SrsConfig srs = srs_of_bench(bench.cell());
  srs.num_symbols = 4;
  srs.start_symbol = 10;
  io::FapiUlTtiRequest request;
  for (std::uint32_t i = 0; i < 16; ++i) {
    srs.handle = 200 + i;
    request.srs[request.num_srs++] = io::to_fapi_srs_pdu(srs, bench.cell());
  }
  bench.deliver(bench.encode(request));
  ASSERT_TRUE(bench.transport().sent.empty());
  bench.transport().sent.clear();
  // Measured on an all-zero grid: 4 symbols of 24 RBs, 115 bytes a PDU; 8 fit 1024 bytes.
  const phy::ResourceGrid zeros(RequestsBench::rx, 14, 12 * bench.cell().num_prbs);
  ASSERT_TRUE(bench.samples().push_grid(0, 0, zeros, std::chrono::seconds(1)));
  bench.phy().poll_once();
  std::vector<std::uint32_t> handles;
  unsigned messages = 0;
  for (std::size_t i = 0; i < bench.transport().sent.size(); ++i) {
    EXPECT_LE(bench.transport().sent[i].size(), 1024U);
    if (bench.sent(i).type != FapiMessageType::srs_indication) {
      continue;
    }
    ++messages;
    for (const io::FapiSrsIndicationPdu& pdu : bench.sent(i).srs_indication.entries()) {
      handles.push_back(pdu.handle);
      EXPECT_EQ(pdu.num_reported_symbols, 4U);
      EXPECT_EQ(pdu.reported_symbols[3].num_rbs, 24U);
    }
  }
  EXPECT_EQ(messages, 2U);
  ASSERT_EQ(handles.size(), 16U);
  for (std::uint32_t i = 0; i < 16; ++i) {
    EXPECT_EQ(handles[i], 200 + i);
  }
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.srs_reports_sent, 16U);
  EXPECT_EQ(c.send_failures, 0U);
}

} // namespace
} // namespace airan::l1
