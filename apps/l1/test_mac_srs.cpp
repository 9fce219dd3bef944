/// \file
/// \brief The test MAC's SRS: the SRS PDUs of SRS UEs (their T_offset from the slot they go in,
/// so that the L1 and the UE count the same hopping counter) and the checks of SRS.indication:
/// each PDU answers an SRS sent (handle, RNTI, NumSymbols), carries valid measurements (a
/// TimingAdvance and a WideBandSNR other than invalid, every symbol reported), reports each SRS
/// symbol with a valid RB SNR exactly on the PRBs the SRS occupied then (and invalid on the
/// others); anything else is a mismatch. TimingAdvance is scored against 31 (SRS UEs are
/// simulated without delay; within the channel's spread, a decoding outcome under
/// judge_decoding()'s budget). The SNR values themselves, wideband or per RB, are not judged:
/// WideBandSNR is only summed for the summary's mean.
#include "test_mac_run.h"

#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_srs_conversion.h"
#include "airan/l1/uplink_prach.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace airan::l1::test_mac_detail {

void TestMacRun::schedule_srs(std::size_t u, FapiSlotAddress address, std::uint64_t absolute_slot) {
  UeTransmission tx;
  tx.ue = u;
  tx.sfn = address.sfn;
  tx.srs = *pattern_.ues[u].srs;
  phy::SrsConfig& srs = *tx.srs;
  srs.handle = next_handle_++;
  if (srs.resource_type != phy::SrsResourceType::aperiodic) {
    // An occasion of the resource in this slot: (N_slot^frame SFN + slot - T_offset) mod T_SRS
    // is 0.
    srs.slot_offset = static_cast<unsigned>(
        (std::uint64_t{slots_per_frame_} * address.sfn + address.slot) % srs.periodicity);
  }
  ul_tti_->srs[ul_tti_->num_srs++] = io::to_fapi_srs_pdu(srs, pattern_.cell);
  srs_[srs.handle] = {absolute_slot, address.sfn, address.slot, srs};
  transmissions_.push_back(tx);
}

void TestMacRun::on_srs(const io::FapiSrsIndication& indication) {
  const std::uint64_t slot = absolute_of(indication.sfn, indication.slot);
  const double unit = prach_timing_advance_unit_s(pattern_.cell.numerology);
  // The channel's paths arrive up to its last one late: T_A within [31 - 1, 31 + that + 1].
  const double spread = prach_channel_spread_s(pattern_.channel, pattern_.num_rx_antennas);
  for (const io::FapiSrsIndicationPdu& pdu : indication.entries()) {
    const auto found = srs_.find(pdu.handle);
    if (found == srs_.end()) {
      mismatch("SRS.indication for handle " + std::to_string(pdu.handle) +
               " that is no SRS sent (or reported twice)");
      continue;
    }
    const ExpectedSrs expected = found->second;
    srs_.erase(found);
    ++report_.srs_reports;
    const phy::SrsConfig& srs = expected.config;
    const std::string who = "SRS of handle " + std::to_string(pdu.handle);
    if (expected.slot != slot || pdu.rnti != srs.rnti || pdu.num_symbols != srs.num_symbols) {
      mismatch(who + ": slot " + std::to_string(slot) + ", RNTI " + std::to_string(pdu.rnti) +
               ", NumSymbols " + std::to_string(pdu.num_symbols) + "; sent in slot " +
               std::to_string(expected.slot) + " for RNTI " + std::to_string(srs.rnti) + " with " +
               std::to_string(srs.num_symbols) + " symbols");
    }
    if (pdu.timing_advance == io::FapiSrsIndicationPdu::invalid_timing_advance ||
        pdu.wide_band_snr == io::FapiSrsIndicationPdu::invalid_snr ||
        pdu.num_reported_symbols != srs.num_symbols) {
      mismatch(who + ": not measured (TimingAdvance " + std::to_string(pdu.timing_advance) +
               ", WideBandSNR " + std::to_string(pdu.wide_band_snr) + ", " +
               std::to_string(pdu.num_reported_symbols) + " symbols reported)");
      continue;
    }
    const double snr_db = io::fapi_snr_db_from_ul_cqi(pdu.wide_band_snr);
    report_.srs_snr_db_sum += snr_db;
    const double ta_error = static_cast<double>(pdu.timing_advance) - 31.0;
    report_.srs_ta_error_max = std::max(report_.srs_ta_error_max, std::abs(ta_error));
    if (ta_error < -1.0 || ta_error > std::ceil(spread / unit) + 1.0) {
      ++report_.srs_wrong_ta;
    }
    // Each symbol's RB SNRs: valid exactly on the PRBs of the BWP the SRS occupied.
    const unsigned bwp_offset = srs.bwp_start - pattern_.cell.grid_start_crb;
    for (unsigned l = 0; l < pdu.num_reported_symbols; ++l) {
      const io::FapiSrsReportedSymbol& symbol = pdu.reported_symbols[l];
      const unsigned first =
          phy::srs_first_subcarrier(srs, pattern_.cell, 0,
                                    phy::srs_hopping_counter(srs, slots_per_frame_, expected.sfn,
                                                             expected.slot_in_frame, l)) /
              12 -
          bwp_offset;
      bool right =
          symbol.num_rbs == std::min<unsigned>(srs.bwp_size, io::fapi_max_srs_reported_rbs);
      for (unsigned rb = 0; right && rb < symbol.num_rbs; ++rb) {
        const bool occupied = rb >= first && rb < first + srs.num_prbs();
        right = occupied == (symbol.rb_snr[rb] != io::FapiSrsIndicationPdu::invalid_snr);
      }
      if (!right) {
        mismatch(who + ": symbol " + std::to_string(l) + " reports " +
                 std::to_string(symbol.num_rbs) + " RBs whose SNRs are not those of PRBs " +
                 std::to_string(first) + " .. " + std::to_string(first + srs.num_prbs() - 1) +
                 " of the BWP");
        break;
      }
    }
  }
  expire_srs(slot);
}

void TestMacRun::expire_srs(std::uint64_t slot) {
  for (auto it = srs_.begin(); it != srs_.end();) {
    if (it->second.slot < slot) {
      mismatch("no SRS.indication for the SRS of handle " + std::to_string(it->first) +
               " of slot " + std::to_string(it->second.slot));
      it = srs_.erase(it);
    } else {
      ++it;
    }
  }
}

} // namespace airan::l1::test_mac_detail
