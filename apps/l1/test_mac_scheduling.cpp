/// \file
/// \brief The test MAC's per-slot scheduling: on each SLOT.indication it picks a HARQ process for
/// every UE the pattern schedules (a retransmission first, else a new TB), sends the slot's
/// UL_TTI.request (with the PRACH PDU of a PRACH slot, test_mac_prach.cpp) and pushes the slot's
/// generated samples to the L1: time-domain IQ in every slot a PRACH occasion covers. The slot
/// scheduled is slot_ahead slots after the one indicated; the pattern's slots count from the
/// first one scheduled. After the session's first, a SLOT.indication that is not the slot after
/// the previous one (a gap, a repeat, a jump back) is counted and a mismatch.
#include "test_mac_run.h"

#include "airan/io/fapi_pucch_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/phy/pusch_receiver.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace airan::l1::test_mac_detail {

void TestMacRun::on_slot_indication(std::uint16_t sfn, std::uint16_t slot) {
  if (!report_.first_slot) {
    // The session's first slot: its place in the SFN cycle is the count's start (SFN 0 slot 0 is
    // absolute slot 0, as the L1 numbers a session started at SFN 0).
    report_.first_slot = FapiSlotAddress{sfn, slot};
    first_slot_ = std::uint64_t{sfn} * slots_per_frame_ + slot;
    last_slot_ = first_slot_;
  } else if (const std::uint64_t next = absolute_of(sfn, slot); next != last_slot_ + 1) {
    // The L1 indicates every slot once, in order (absolute_of() counts on across the SFN wrap).
    // A gap leaves its slots unscheduled (on the real-time clock the run would pass with fewer
    // slots); a repeat or a jump back is not scheduled (its slot would be scheduled twice).
    ++report_.slot_indications_out_of_sequence;
    const FapiSlotAddress last = to_slot_address(last_slot_, slots_per_frame_);
    const std::string what =
        next == last_slot_  ? std::string("a repeat")
        : next > last_slot_ ? std::to_string(next - last_slot_ - 1) + " slot(s) never indicated"
                            : "a jump back of " + std::to_string(last_slot_ - next) + " slot(s)";
    mismatch("SLOT.indication of SFN " + std::to_string(sfn) + " slot " + std::to_string(slot) +
             " after SFN " + std::to_string(last.sfn) + " slot " + std::to_string(last.slot) +
             ": " + what);
    if (next <= last_slot_) {
      return;
    }
  }
  const std::uint64_t indicated = absolute_of(sfn, slot);
  ++report_.slots;
  last_slot_ = indicated;
  // Slots before the first SLOT.indication (the other end of the SFN cycle) are none of ours.
  const std::uint64_t pattern_slot = indicated >= first_slot_ ? indicated - first_slot_ : 0;
  on_slot(indicated + options_.slot_ahead, pattern_slot);
}

void TestMacRun::on_slot(std::uint64_t absolute_slot, std::uint64_t pattern_slot) {
  const FapiSlotAddress address = to_slot_address(absolute_slot, slots_per_frame_);
  const std::chrono::seconds push_timeout(5);
  if (!scheduling_done_ && pattern_slot >= pattern_.num_slots &&
      (all_idle() || pattern_slot >= pattern_.num_slots + pattern_.drain_slots)) {
    scheduling_done_ = true;
  }
  transmissions_.clear();
  ul_tti_->sfn = address.sfn;
  ul_tti_->slot = address.slot;
  ul_tti_->num_pusch = 0;
  ul_tti_->num_pucch = 0;
  ul_tti_->num_prach = 0;
  ul_tti_->num_srs = 0;
  ul_tti_->num_groups = 0;
  SlotRecord record;
  for (std::size_t u = 0; u < pattern_.ues.size() && !scheduling_done_; ++u) {
    const PatternUe& ue = pattern_.ues[u];
    if ((pattern_slot + ue.period_slots - ue.offset_slots % ue.period_slots) % ue.period_slots !=
        0) {
      continue;
    }
    if (ue.prach) {
      continue; // schedule_prach()
    }
    if (ue.pucch) {
      if (pattern_slot < pattern_.num_slots) {
        schedule_pucch(u);
      }
      continue;
    }
    if (ue.srs) {
      if (pattern_slot < pattern_.num_slots) {
        schedule_srs(u, address, absolute_slot);
      }
      continue;
    }
    if (!ue.pusch.ulsch) {
      if (pattern_slot < pattern_.num_slots) {
        schedule_uci_only(u);
      }
      continue;
    }
    auto& processes = ues_[u].processes;
    auto chosen = std::ranges::find_if(processes, [](const HarqProcess& p) {
      return p.state == HarqProcess::State::needs_retransmission;
    });
    if (chosen == processes.end() && pattern_slot < pattern_.num_slots) {
      chosen = std::ranges::find_if(
          processes, [](const HarqProcess& p) { return p.state == HarqProcess::State::idle; });
      if (chosen != processes.end()) {
        chosen->tb_seed = apps::derive_seed(pattern_.seed, u, ues_[u].tb_counter++, 0x7B);
        chosen->transmissions = 0;
        chosen->first_failed = false;
        chosen->expected.clear();
      }
    }
    if (chosen == processes.end()) {
      continue;
    }
    HarqProcess& process = *chosen;
    UeTransmission tx;
    tx.ue = u;
    tx.tb_seed = process.tb_seed;
    tx.pusch = ue_pusch_[u];
    tx.csi_part2_size_maps = csi_part2_maps_;
    tx.pusch.handle = next_handle_++;
    tx.uci_seed = apps::derive_seed(pattern_.seed, u, tx.pusch.handle, 0x0C1);
    tx.pusch.harq_process_id = static_cast<unsigned>(chosen - processes.begin());
    tx.pusch.rv =
        pattern_.harq.rv_sequence[process.transmissions % pattern_.harq.rv_sequence.size()];
    tx.pusch.new_data_indicator = process.transmissions == 0;
    phy::CellConfig ue_cell = pattern_.cell;
    ue_cell.num_antenna_ports = ue.pusch.num_layers;
    if (ul_tti_->num_pusch == io::fapi_max_pusch_pdus) { // the pattern reader caps the UEs
      throw std::logic_error("test MAC: more PUSCH PDUs in a slot than a UL_TTI.request holds");
    }
    const io::FapiError error =
        io::to_fapi_pusch_pdu(tx.pusch, ue_cell, ul_tti_->pusch[ul_tti_->num_pusch]);
    if (!error.ok()) {
      throw std::invalid_argument(
          "test MAC: UE " + std::to_string(ue.rnti) +
          ": PUSCH not expressible in FAPI: " + std::string(error.reason()));
    }
    ul_tti_->pusch_pdu_index[ul_tti_->num_pusch] = static_cast<std::uint8_t>(ul_tti_->num_pusch);
    ++ul_tti_->num_pusch;
    (process.transmissions == 0 ? report_.new_tbs : report_.retransmissions) += 1;
    process.state = HarqProcess::State::awaiting_crc;
    process.handle = tx.pusch.handle;
    process.rx_data_seen = false;
    ++process.transmissions;
    handles_[tx.pusch.handle] = {u, tx.pusch.harq_process_id, absolute_slot, tx.pusch.rv};
    record.outstanding.push_back(tx.pusch.handle);
    transmissions_.push_back(tx);
  }
  schedule_prach(absolute_slot, pattern_slot);
  // A slot a PRACH occasion covers needs its IQ (noise and what the occasion carries over).
  const bool prach_iq =
      ul_tti_->num_prach > 0 || absolute_slot < prach_iq_end_ || generator_.prach_pending();
  if (transmissions_.empty() && !prach_iq) {
    if (options_.ul_tti_every_slot) {
      send(*ul_tti_); // no PDUs: the L1's C-plane asks the O-RU for nothing
      samples_.ul_tti_sent(address.sfn, address.slot, 0);
    }
    samples_.push_empty(address.sfn, address.slot, push_timeout);
    return;
  }
  // PDU order: the PUSCHs, then the PUCCHs, then the PRACH, then the SRSs.
  for (std::size_t j = 0; j < ul_tti_->num_pucch; ++j) {
    ul_tti_->pucch_pdu_index[j] = static_cast<std::uint8_t>(ul_tti_->num_pusch + j);
  }
  for (std::size_t j = 0; j < ul_tti_->num_prach; ++j) {
    ul_tti_->prach_pdu_index[j] =
        static_cast<std::uint8_t>(ul_tti_->num_pusch + ul_tti_->num_pucch + j);
  }
  for (std::size_t j = 0; j < ul_tti_->num_srs; ++j) {
    ul_tti_->srs_pdu_index[j] =
        static_cast<std::uint8_t>(ul_tti_->num_pusch + ul_tti_->num_pucch + ul_tti_->num_prach + j);
  }
  // UL_TTI.request first, then the slot's samples: the slot is over when they are in. A slot
  // that only carries a PRACH occasion on gets one without PDUs (its C-plane, empty, tells an
  // in-process O-RU that nothing more is asked of it).
  const auto num_pdus = static_cast<unsigned>(ul_tti_->num_pusch + ul_tti_->num_pucch +
                                              ul_tti_->num_prach + ul_tti_->num_srs);
  if (num_pdus > 0 || prach_iq) {
    send(*ul_tti_);
    samples_.ul_tti_sent(address.sfn, address.slot, num_pdus);
  }
  report_.pdus_sent += ul_tti_->num_pusch;
  report_.pucch_sent += ul_tti_->num_pucch;
  report_.srs_sent += ul_tti_->num_srs;
  // The signal's seeds and channel time count from the session's first frame (reproducible
  // whatever SFN a live L1 started at); the slot in the frame (DMRS, CP lengths) is the L1's.
  generator_.generate(transmissions_, prach_tx_,
                      absolute_slot - (first_slot_ - first_slot_ % slots_per_frame_));
  for (std::size_t i = 0; i < transmissions_.size(); ++i) {
    if (transmissions_[i].srs) {
      continue; // recorded by schedule_srs()
    }
    if (transmissions_[i].pucch) {
      pucchs_[transmissions_[i].pucch->handle] = {absolute_slot, *transmissions_[i].pucch,
                                                  generator_.pucch_bits(i)};
      continue;
    }
    if (transmissions_[i].pusch.uci.present()) {
      ucis_[transmissions_[i].pusch.handle] = {
          absolute_slot, transmissions_[i].pusch.rnti, generator_.uci_bits(i),
          !transmissions_[i].pusch.uci.csi_part2_sizing.empty()};
    }
    if (!transmissions_[i].pusch.ulsch) {
      continue; // UCI only: no TB, no HARQ process
    }
    HarqProcess& process =
        ues_[transmissions_[i].ue].processes[transmissions_[i].pusch.harq_process_id];
    std::vector<std::uint8_t> bytes;
    phy::pack_bits_msb_first(generator_.tb_bits(i), bytes);
    if (process.expected.empty()) {
      process.expected = std::move(bytes);
    } else if (bytes != process.expected) {
      mismatch("internal: a retransmission's TB differs from its first transmission");
    }
  }
  const bool pushed =
      generator_.time_domain()
          ? samples_.push_iq(address.sfn, address.slot, generator_.iq(), push_timeout)
          : samples_.push_grid(address.sfn, address.slot, generator_.grid(), push_timeout);
  if (!pushed) {
    mismatch("the L1 did not take the samples of slot " + std::to_string(absolute_slot));
  }
  record.samples_pushed = Clock::now();
  if (!record.outstanding.empty()) { // owed CRCs (a slot of PUCCHs only gets none)
    slots_[absolute_slot] = std::move(record);
  }
}

void TestMacRun::schedule_uci_only(std::size_t u) {
  const PatternUe& ue = pattern_.ues[u];
  UeTransmission tx;
  tx.ue = u;
  tx.pusch = ue_pusch_[u];
  tx.csi_part2_size_maps = csi_part2_maps_;
  tx.pusch.handle = next_handle_++;
  tx.uci_seed = apps::derive_seed(pattern_.seed, u, tx.pusch.handle, 0x0C1);
  phy::CellConfig ue_cell = pattern_.cell;
  ue_cell.num_antenna_ports = ue.pusch.num_layers;
  if (ul_tti_->num_pusch == io::fapi_max_pusch_pdus) { // the pattern reader caps the UEs
    throw std::logic_error("test MAC: more PUSCH PDUs in a slot than a UL_TTI.request holds");
  }
  const io::FapiError error =
      io::to_fapi_pusch_pdu(tx.pusch, ue_cell, ul_tti_->pusch[ul_tti_->num_pusch]);
  if (!error.ok()) {
    throw std::invalid_argument("test MAC: UE " + std::to_string(ue.rnti) +
                                ": PUSCH not expressible in FAPI: " + std::string(error.reason()));
  }
  ul_tti_->pusch_pdu_index[ul_tti_->num_pusch] = static_cast<std::uint8_t>(ul_tti_->num_pusch);
  ++ul_tti_->num_pusch;
  ++report_.uci_only_sent;
  transmissions_.push_back(tx);
}

void TestMacRun::schedule_pucch(std::size_t u) {
  UeTransmission tx;
  tx.ue = u;
  tx.pucch = *pattern_.ues[u].pucch;
  tx.pucch->handle = next_handle_++;
  tx.uci_seed = apps::derive_seed(pattern_.seed, u, tx.pucch->handle, 0x9CC);
  if (ul_tti_->num_pucch == io::fapi_max_pucch_pdus) { // the pattern reader caps the UEs
    throw std::logic_error("test MAC: more PUCCH PDUs in a slot than a UL_TTI.request holds");
  }
  ul_tti_->pucch[ul_tti_->num_pucch++] = io::to_fapi_pucch_pdu(*tx.pucch, pattern_.cell);
  transmissions_.push_back(tx);
}

} // namespace airan::l1::test_mac_detail
