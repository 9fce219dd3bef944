/// \file
/// \brief FapiPhy's slot side and public interface: SLOT.indication, closing each slot that is
/// over once its samples are in (running its PUSCH work and sending RX_DATA and CRC), the poll
/// loop, and the counters and latencies read from other threads.
#include "airan/l1/fapi_phy.h"

#include "fapi_phy_impl.h"

#include "airan/io/fapi_messages.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

namespace airan::l1 {

const char* phy_state_name(PhyState state) {
  switch (state) {
  case PhyState::idle:
    return "IDLE";
  case PhyState::configured:
    return "CONFIGURED";
  case PhyState::running:
    return "RUNNING";
  }
  return "unknown";
}

void FapiPhy::Impl::send_slot_indication() {
  const FapiSlotAddress address = clock->current_address();
  io::FapiSlotIndication indication;
  indication.sfn = address.sfn;
  indication.slot = address.slot;
  if (send(indication)) {
    count([](L1Counters& c) { ++c.slot_indications_sent; });
  }
}

void FapiPhy::Impl::add_harq_counts(L1Counters& c, const HarqPoolTally& now) {
  c.harq_buffers_expired += now.expired - harq_counted.expired;
  c.harq_pool_exhausted += now.exhausted - harq_counted.exhausted;
  c.harq_buffers_in_use = now.in_use;
  harq_counted = now;
}

void FapiPhy::Impl::run_slot(PendingSlot& slot, const ReceivedSlot& received) {
  UlSlotOutcome outcome;
  try {
    outcome = processor->process(slot.request, received, *crc, *rx_data, uci.get(), srs.get());
  } catch (const std::exception&) {
    // Samples of the wrong shape: report every PDU as failed and carry on.
    outcome =
        processor->process(slot.request, ReceivedSlot{}, *crc, *rx_data, uci.get(), srs.get());
  }
  const HarqPoolTally harq = processor->harq_tally();
  std::uint64_t failed = 0;
  for (const auto& entry : crc->entries()) {
    failed += entry.tb_crc_status != 0 ? 1U : 0U;
  }
  // Counted before the indications leave, so that a MAC reading the counters after it got them
  // sees them.
  count([&](L1Counters& c) {
    ++c.slots_processed;
    c.slots_without_samples += outcome.samples_missing ? 1U : 0U;
    c.pdus_decoded += outcome.num_decoded;
    c.pucch_processed += outcome.num_pucch_processed;
    c.pucch_dtx += outcome.num_pucch_dtx;
    c.srs_processed += outcome.num_srs_processed;
    c.crc_ok += crc->num_crcs - failed;
    c.crc_failed += failed;
    add_harq_counts(c, harq);
  });
  // RX_DATA and CRC.indication only for a slot with TBs (222.10: one per slot of PUSCH data); a
  // slot of PUCCH, SRS or UCI-only PUSCH gets only its UCI or SRS.indication.
  const bool has_tbs = crc->num_crcs != 0;
  if (has_tbs && !send(*rx_data)) {
    // The TBs never reached the MAC: a CRC that passed would tell it they had, and it would not
    // retransmit them. Report them failed instead (counted as undelivered).
    std::uint64_t undelivered = 0;
    for (std::size_t i = 0; i < crc->num_crcs; ++i) {
      if (crc->crcs[i].tb_crc_status == 0) {
        crc->crcs[i].tb_crc_status = 1;
        ++undelivered;
      }
    }
    count([&](L1Counters& c) { c.tbs_undelivered += undelivered; });
  }
  // The slot's latency ends when its CRC.indication leaves, or (a slot without TBs) its first
  // UCI or SRS.indication.
  bool sent = has_tbs && send(*crc);
  auto left = SteadyClock::now();
  const auto mark_sent = [&](bool now_sent) {
    if (now_sent && !sent) {
      sent = true;
      left = SteadyClock::now();
    }
  };
  if (const std::size_t ucis = uci->num_ucis(); ucis != 0) {
    // Counted before it leaves (a MAC reading the counters once it has the message sees it), and
    // taken back if the transport refuses it.
    count([&](L1Counters& c) { c.uci_reports_sent += ucis; });
    const bool uci_sent = send(*uci);
    if (!uci_sent) {
      count([&](L1Counters& c) { c.uci_reports_sent -= ucis; });
    }
    mark_sent(uci_sent);
  }
  mark_sent(send_srs_indication());
  if (sent && received.has_samples()) {
    std::lock_guard lock(stats_mutex);
    if (latencies.size() < config.max_latency_samples) {
      latencies.push_back(
          std::chrono::duration<double, std::micro>(left - received.available_at).count());
    }
  }
}

bool FapiPhy::Impl::send_srs_indication() {
  // As many SRS.indications as the transport's unit size takes (222.10.02 lets a slot have
  // several): 64 PDUs of 4 symbols of 272 RBs need 71 kB, a shared-memory slot may hold 16 kB.
  // Each is counted before it leaves and taken back if the transport refuses it.
  bool any_sent = false;
  const auto send_counted = [&](const io::FapiSrsIndication& message) {
    const std::size_t reports = message.num_pdus;
    count([&](L1Counters& c) { c.srs_reports_sent += reports; });
    if (send(message)) {
      any_sent = true;
    } else {
      count([&](L1Counters& c) { c.srs_reports_sent -= reports; });
    }
  };
  const std::size_t limit = send_buffer.size();
  std::size_t size = io::fapi_srs_indication_unit_overhead;
  for (const io::FapiSrsIndicationPdu& pdu : srs->entries()) {
    size += io::fapi_srs_indication_pdu_size(pdu);
  }
  if (srs->num_pdus == 0 || size <= limit) {
    if (srs->num_pdus != 0) {
      send_counted(*srs);
    }
    return any_sent;
  }
  io::FapiSrsIndication& part = *srs_part;
  part.sfn = srs->sfn;
  part.slot = srs->slot;
  part.num_pdus = 0;
  size = io::fapi_srs_indication_unit_overhead;
  for (const io::FapiSrsIndicationPdu& pdu : srs->entries()) {
    const std::size_t pdu_size = io::fapi_srs_indication_pdu_size(pdu);
    if (part.num_pdus > 0 && size + pdu_size > limit) {
      send_counted(part);
      part.num_pdus = 0;
      size = io::fapi_srs_indication_unit_overhead;
    }
    part.pdus[part.num_pdus++] = pdu; // alone too large: refused by the send, counted there
    size += pdu_size;
  }
  send_counted(part);
  return any_sent;
}

void FapiPhy::Impl::run_prach(std::uint64_t absolute_slot, const ReceivedSlot& received) {
  PrachOutcome outcome;
  std::span<const io::FapiRachIndication> indications;
  try {
    indications = processor->process_prach(absolute_slot, received, outcome);
  } catch (const std::exception&) {
    // Samples of the wrong shape: the occasions waiting for them fail, reported as such.
    indications = processor->process_prach(absolute_slot, ReceivedSlot{}, outcome);
  }
  count([&](L1Counters& c) {
    c.prach_occasions += outcome.num_occasions;
    c.prach_failed += outcome.num_failed;
    c.prach_preambles += outcome.num_preambles;
    c.prach_sections_unmatched += outcome.num_unmatched_sections;
  });
  for (const io::FapiRachIndication& indication : indications) {
    // Counted before it leaves (a MAC reading the counters once it has the message sees it), and
    // taken back if the transport refuses it.
    count([](L1Counters& c) { ++c.rach_indications_sent; });
    if (!send(indication)) {
      count([](L1Counters& c) { --c.rach_indications_sent; });
    }
  }
}

bool FapiPhy::Impl::close_slot(std::uint64_t absolute_slot, bool give_up) {
  const FapiSlotAddress address = to_slot_address(absolute_slot, clock->slots_per_frame());
  PendingSlot& slot = pending[absolute_slot % pending.size()];
  const bool has_work = slot.used && slot.absolute_slot == absolute_slot;
  processor->advance_harq_clock(absolute_slot); // every slot, busy or not: buffers age
  if (!has_work) {
    const HarqPoolTally harq = processor->harq_tally();
    count([&](L1Counters& c) { add_harq_counts(c, harq); });
  }
  ReceivedSlot received;
  const bool got = samples.try_acquire(address.sfn, address.slot, received);
  // PRACH occasions spanning slots need the samples of slots without other work too.
  if ((has_work || processor->prach_pending()) && !got && !give_up) {
    return false;
  }
  // On a live fronthaul a slot's last frames come after its end: one without work waits for
  // them a while, so that a live O-RU's slots are not taken as late samples; but not once the
  // next slot's samples are in (the O-RU sends in time order): the slots after it go on.
  if (!got && !give_up && clock->current() - absolute_slot <= config.workless_sample_wait_slots) {
    const FapiSlotAddress next = to_slot_address(absolute_slot + 1, clock->slots_per_frame());
    if (!samples.wait_for(next.sfn, next.slot, std::chrono::microseconds(0))) {
      return false;
    }
  }
  if (has_work) {
    const unsigned refused = processor->add_prach_occasions(slot.request, absolute_slot);
    if (refused > 0) {
      count([&](L1Counters& c) { c.prach_refused += refused; });
    }
    run_slot(slot, got ? received : ReceivedSlot{});
    slot.used = false;
    slot.done = true;
  }
  // Also 7.2x PRACH sections with nothing pending: late or unasked for, they are counted.
  if (processor->prach_pending() || (got && !received.prach.empty())) {
    run_prach(absolute_slot, got ? received : ReceivedSlot{});
  }
  if (got) {
    samples.release(address.sfn, address.slot);
  }
  return true;
}

void FapiPhy::Impl::advance_slots(bool current_ended) {
  if (current_ended) {
    clock->advance();
    send_slot_indication();
  }
  // Close every slot that is over, in order.
  const std::uint64_t first = next_to_close;
  while (next_to_close < clock->current()) {
    const bool give_up = clock->mode() == SlotClockMode::stepped ||
                         clock->current() - next_to_close > config.sample_wait_slots;
    if (!close_slot(next_to_close, give_up)) {
      break;
    }
    ++next_to_close;
  }
  if (next_to_close != first) {
    // Samples that come for a closed slot from now on are refused (and counted) by the source,
    // and any that came in after close_slot() looked are dropped: nothing would ever take them,
    // and left in the source they would fill it and stall every later slot.
    samples.close_before(next_to_close, clock->slots_per_frame());
  }
}

unsigned live_workless_wait_slots(const io::FronthaulConfig& config, unsigned numerology) {
  const std::int64_t slot_ns = std::int64_t{1'000'000} >> numerology;
  const std::int64_t late = std::max(config.ta4_max_ns, config.slot_deadline_ns);
  return static_cast<unsigned>((late + slot_ns - 1) / slot_ns) + 1;
}

FapiPhy::FapiPhy(io::FapiTransport& transport, IqSource& samples, const FapiPhyConfig& config) {
  if (config.rssi_dbm_at_full_scale &&
      !(std::abs(*config.rssi_dbm_at_full_scale) <= max_rssi_calibration_db)) {
    throw std::invalid_argument("FapiPhy: rssi_dbm_at_full_scale must be finite, within +-" +
                                std::to_string(int(max_rssi_calibration_db)) + " dB");
  }
  if (config.slot_timeline && (config.clock_mode != SlotClockMode::real_time ||
                               config.slot_timeline->scale != config.period_scale)) {
    throw std::invalid_argument("FapiPhy: a slot timeline needs the real-time clock with the "
                                "timeline's scale as its period scale");
  }
  if (config.slot_timeline && !config.slot_timeline->validate().empty()) {
    throw std::invalid_argument("FapiPhy: " + config.slot_timeline->validate());
  }
  impl_ = std::make_unique<Impl>(*this, transport, samples, config);
}

FapiPhy::~FapiPhy() = default;

void FapiPhy::poll_once() {
  Impl& s = *impl_;
  const bool running = state() == PhyState::running;
  bool ended = false;
  if (running && s.clock->mode() == SlotClockMode::stepped) {
    // Wait for the samples that end the slot on air. Whether it ended is decided before the
    // messages are drained, so that a UL_TTI.request sent before the samples is never late.
    const FapiSlotAddress address = s.clock->current_address();
    ended = s.samples.wait_for(address.sfn, address.slot, s.config.poll_interval);
    if (!ended && s.config.stepped_gap_timeout.count() > 0) {
      // Later slots' samples are in and this one's are not: after a while, it goes on without
      // them rather than waiting for samples that may never come.
      const auto later =
          s.samples.later_slot_available_since(s.clock->current(), s.clock->slots_per_frame());
      if (later && SteadyClock::now() - *later >= s.config.stepped_gap_timeout) {
        ended = true;
        s.count([](L1Counters& c) { ++c.slots_passed_without_samples; });
      }
    }
  } else if (running) {
    const auto now = SteadyClock::now();
    const auto end = s.clock->current_slot_end();
    if (end > now) {
      std::this_thread::sleep_for(
          std::min<SteadyClock::duration>(end - now, s.config.poll_interval));
    }
    ended = s.clock->current_slot_ended(SteadyClock::now(), s.samples);
  } else {
    const auto result = s.transport.receive(s.receive_buffer, std::chrono::milliseconds(1));
    if (result.status == io::FapiTransportStatus::ok) {
      s.dispatch(std::span(s.receive_buffer).first(result.size));
    }
  }
  const std::uint64_t session = sessions_started();
  s.receive_all();
  if (state() == PhyState::running) {
    // A STOP and START among the messages: the slot that ended was the old session's.
    s.advance_slots(ended && running && sessions_started() == session);
  }
}

void FapiPhy::run() {
  while (!stop_requested_.load(std::memory_order_relaxed)) {
    try {
      poll_once();
    } catch (const std::exception&) {
      // Nothing in a slot may stop the PHY; what failed was counted where it failed.
      impl_->count([](L1Counters& c) { ++c.internal_errors; });
    }
  }
}

L1Counters FapiPhy::counters() const {
  L1Counters snapshot;
  {
    std::lock_guard lock(impl_->stats_mutex);
    snapshot = impl_->counters;
  }
  snapshot.late_samples = impl_->samples.num_late_samples();
  return snapshot;
}

std::vector<double> FapiPhy::latencies_us() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->latencies;
}

} // namespace airan::l1
