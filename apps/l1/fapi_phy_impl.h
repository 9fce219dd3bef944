/// \file
/// \brief Private to the FAPI PHY (fapi_phy.cpp, fapi_phy_messages.cpp): the definition of
/// FapiPhy::Impl, the state behind the PHY and the helpers for sending, counting and answering
/// errors that its message handlers and its slot work both use.
#pragma once

#include "airan/l1/fapi_phy.h"

#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pusch_conversion.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace airan::l1 {

namespace fapi_phy_detail {

/// A slot's accepted UL_TTI.request, waiting for the slot's samples (used) or, once processed,
/// kept until the entry is taken for a later slot (done), so that a second request for the slot
/// is known as a duplicate and nothing of the first is reported twice.
struct PendingSlot {
  bool used = false;
  bool done = false;
  std::uint64_t absolute_slot = 0;
  io::FapiSlotRequest request;
  /// The absolute slot + 1 of a UL_TTI.request without PDUs in this entry (0: none), which a
  /// second request for that slot is a duplicate of; the entry's request is left to its slot.
  std::uint64_t blank_request = 0;
};

} // namespace fapi_phy_detail

/// FapiPhy's state: transport buffers, the pending UL_TTI work of each slot, the receiver, the
/// slot clock and the counters, with the plumbing that the message handlers and the slot work
/// share.
struct FapiPhy::Impl {
  using PendingSlot = fapi_phy_detail::PendingSlot;

  Impl(FapiPhy& owner_in, io::FapiTransport& transport_in, IqSource& samples_in,
       const FapiPhyConfig& config_in)
      : owner(owner_in), transport(transport_in), samples(samples_in), config(config_in),
        message(std::make_unique<io::FapiMessage>()),
        receive_buffer(transport_in.max_message_size()),
        send_buffer(transport_in.max_message_size()),
        crc(std::make_unique<io::FapiCrcIndication>()),
        rx_data(std::make_unique<io::FapiRxDataIndication>()),
        uci(std::make_unique<io::FapiUciIndication>()),
        srs(std::make_unique<io::FapiSrsIndication>()),
        srs_part(std::make_unique<io::FapiSrsIndication>()),
        refused(std::make_unique<io::FapiSlotRequest>()),
        pending(config_in.max_advance_slots + config_in.sample_wait_slots + 4) {
    latencies.reserve(config.max_latency_samples);
  }

  // --- plumbing ---
  void count(auto update) {
    std::lock_guard lock(stats_mutex);
    update(counters);
  }
  /// Hands \p out to the transport at once: on would_block it is dropped and counted
  /// (send_failures), so that the slot thread never waits on a full transport (SLOT, CRC,
  /// RX_DATA, UCI, SRS, RACH and ERROR.indication).
  template <typename Message> bool send(const Message& out) { return send(out, 0); }
  /// As send(), but a unit the transport refuses with would_block is tried again up to
  /// FapiPhyConfig::send_retries times, 1 ms apart: for the answers to P5 requests (PARAM and
  /// CONFIG.response, STOP.indication), which a MAC waits for and which never come per slot.
  template <typename Message> bool send_response(const Message& out) {
    return send(out, config.send_retries);
  }
  template <typename Message> bool send(const Message& out, unsigned retries) {
    std::size_t size = 0;
    if (!io::encode_single_message(out, send_buffer, size).ok()) {
      count([](L1Counters& c) { ++c.send_failures; });
      return false;
    }
    for (unsigned attempt = 0;; ++attempt) {
      const auto status = transport.send(std::span(send_buffer).first(size));
      if (status == io::FapiTransportStatus::ok) {
        return true;
      }
      if (status != io::FapiTransportStatus::would_block || attempt >= retries) {
        count([](L1Counters& c) { ++c.send_failures; });
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  /// ERROR.indication for message \p type: with send_response()'s retries when it answers a
  /// START.request or STOP.request outside the RUNNING state (a MAC waits for what becomes of
  /// those, and no slot runs), at once otherwise (the slot thread never waits while RUNNING).
  void send_error(FapiSlotAddress at, io::FapiMessageType type, io::FapiErrorCode code) {
    io::FapiErrorIndication error;
    error.sfn = at.sfn;
    error.slot = at.slot;
    error.message_id = static_cast<std::uint8_t>(static_cast<std::uint16_t>(type) & 0xFF);
    error.error_code = code;
    count([&](L1Counters& c) {
      ++c.error_indications_sent;
      ++c.errors_by_code[std::min<std::size_t>(static_cast<std::size_t>(code), 8)];
    });
    const bool answers_start_or_stop =
        type == io::FapiMessageType::start_request || type == io::FapiMessageType::stop_request;
    send(error, answers_start_or_stop && state() != PhyState::running ? config.send_retries : 0U);
  }
  /// Counts a response that carries \p code: the cause's counter and the per-code tally.
  void count_response_error(std::uint64_t L1Counters::*cause, io::FapiErrorCode code) {
    count([&](L1Counters& c) {
      ++(c.*cause);
      ++c.errors_by_code[static_cast<std::size_t>(code)];
    });
  }
  /// True in \p required; otherwise counts the message and answers MSG_INVALID_STATE.
  /// dftsOfdmSupport as PARAM announces it: the CPU front end's receivers, or a detector that
  /// mirrors it (UlSlotProcessorConfig::detector_mirrors_front_end); CONFIG refuses a receiver
  /// that does not bear this out, and UL_TTI.request takes DFT-s-OFDM PDUs exactly when it holds.
  [[nodiscard]] bool announces_dfts_ofdm() const {
    return !config.receiver.detector || config.receiver.detector_mirrors_front_end;
  }
  /// PT-RS (one port, CP-OFDM) as PARAM announces it: tracked by the CPU front end and by a
  /// detector that mirrors it (the CUDA front end on the device; one that does not track leaves
  /// them to the CPU front end): the same receivers as DFT-s-OFDM, which CONFIG checks; the
  /// neural receiver does not track phase.
  [[nodiscard]] bool announces_ptrs() const { return announces_dfts_ofdm(); }
  /// Intra-slot frequency hopping as PARAM announces it (puschFrequencyHopping): the CPU front
  /// end estimates each hop, also beside a detector that mirrors it; the neural receiver takes
  /// one allocation.
  [[nodiscard]] bool announces_frequency_hopping() const { return announces_dfts_ofdm(); }
  /// UCI on PUSCH, demultiplexed from host LLRs: not announced behind a detector that is no copy
  /// of the CPU front end and whose LLRs stay on the device of the UL-SCH decoders (the neural
  /// receiver with `--backend cuda`, whose detector hands a UCI PDU's LLRs to the host since
  /// 2026-12-06 but has not yet done so on a device).
  [[nodiscard]] bool announces_uci() const {
    return !config.receiver.detector || config.receiver.detector_mirrors_front_end ||
           !config.receiver.ulsch_decoder || config.receiver.detector_takes_uci;
  }
  bool in_state(PhyState required, FapiSlotAddress at, io::FapiMessageType type) {
    if (state() == required) {
      return true;
    }
    count([](L1Counters& c) { ++c.invalid_state; });
    send_error(at, type, io::FapiErrorCode::msg_invalid_state);
    return false;
  }
  /// Forgets every slot's pending UL_TTI work and samples (START, STOP).
  void clear_slots() {
    for (auto& slot : pending) {
      slot.used = false;
      slot.done = false; // a new session numbers its slots afresh
      slot.blank_request = 0;
    }
    samples.clear();
  }
  [[nodiscard]] FapiSlotAddress now_address() const {
    return clock ? clock->current_address() : FapiSlotAddress{};
  }
  void set_state(PhyState state) { owner.state_.store(state, std::memory_order_relaxed); }
  [[nodiscard]] PhyState state() const { return owner.state(); }

  // --- messages ---
  void receive_all();
  void dispatch(std::span<const std::uint8_t> unit);
  void handle(const io::FapiMessage& in);
  /// A CONFIG.request or PARAM.request the codec refused (\p error): answered with its response,
  /// MSG_INVALID_CONFIG (MSG_INVALID_STATE while RUNNING), CONFIG.response listing the TLV at
  /// fault (FapiError::tlv_tag) as invalid.
  void on_undecodable_p5(io::FapiMessageType type, const io::FapiError& error);
  /// A downlink request (DL_TTI, UL_DCI, TX_DATA): counted; the first of a session (since
  /// construction, then since each START) gets ERROR.indication MSG_INVALID_STATE.
  void on_downlink(io::FapiMessageType type);
  void on_param();
  void on_config(const io::FapiConfigRequest& request);
  void on_start();
  void on_stop();
  void on_ul_tti(const io::FapiUlTtiRequest& request);
  /// Why the L1 refuses \p pdu, which io::to_slot_request() accepted: a layer count no receiver
  /// has, what PARAM did not announce (DFT-s-OFDM, PT-RS, frequency hopping, UCI) or a CSI part 2
  /// sized from part 1 that CONFIG's maps cannot size (phy::validate_csi_part2_sizing()). OK
  /// when it takes the PDU.
  [[nodiscard]] io::FapiError refusal_of(const phy::PuschConfig& pdu) const;

  // --- slots ---
  void send_slot_indication();
  void advance_slots(bool current_ended);
  bool close_slot(std::uint64_t absolute_slot, bool give_up);
  void run_slot(PendingSlot& slot, const ReceivedSlot& received);
  /// A UL_TTI.request refused whole (late, too early, a duplicate), stamped with its SFN/slot
  /// and reported as an accepted request reports the PDUs it rejects: RX_DATA (empty PDUs) and
  /// CRC.indication with each PUSCH TB failed (TbCrcStatus 1, NumCb 0; counted in crc_failed),
  /// UCI.indication with each puschUci part CRC fail and each PUCCH DTX (formats 0/1) or CRC
  /// fail (2/3/4), SRS.indication with each SRS unmeasured (TimingAdvance 0xFFFF, WideBandSNR
  /// 0xFF); so that the MAC's HARQ processes, UCI and SRS do not wait for it. A late or too
  /// early request's PUSCH PDUs with new data end their processes' previous TBs (the UE moved
  /// on); a duplicate's change no HARQ state. A duplicate
  /// passes the slot's \p accepted request: PDUs of that one's (same type, handle and RNTI) are
  /// left to it.
  void report_refused_request(const io::FapiUlTtiRequest& request,
                              const io::FapiSlotRequest* accepted = nullptr);
  /// Sends *srs when it has PDUs, in as many SRS.indications as the transport's unit size needs
  /// (counted in srs_reports_sent). True when at least one left.
  bool send_srs_indication();
  /// Adds the processor's HARQ counts since the last call to \p c (under the counters' lock).
  void add_harq_counts(L1Counters& c, const HarqPoolTally& now);

  FapiPhy& owner;
  io::FapiTransport& transport;
  IqSource& samples;
  FapiPhyConfig config;
  std::unique_ptr<io::FapiMessage> message;
  std::vector<std::uint8_t> receive_buffer;
  std::vector<std::uint8_t> send_buffer;
  std::unique_ptr<io::FapiCrcIndication> crc;
  std::unique_ptr<io::FapiRxDataIndication> rx_data;
  std::unique_ptr<io::FapiUciIndication> uci;
  std::unique_ptr<io::FapiSrsIndication> srs;
  /// Part of *srs when it does not fit one transport unit (send_srs_indication()).
  std::unique_ptr<io::FapiSrsIndication> srs_part;
  /// A request refused whole, as one whose every PDU was rejected (report_refused_request()).
  std::unique_ptr<io::FapiSlotRequest> refused;
  /// The PRACH occasions of slot \p absolute_slot that completed, as RACH.indications.
  void run_prach(std::uint64_t absolute_slot, const ReceivedSlot& received);
  std::vector<PendingSlot> pending;

  phy::CellConfig cell;
  io::FapiPrachConfig prach_config; ///< CONFIG.request's PRACH TLVs.
  /// The configuration in force: the first CONFIG.request's TLVs, with those of each later one
  /// sent in the CONFIGURED state on top (io::merge_config_request()).
  std::optional<io::FapiConfigRequest> applied_config;
  /// CONFIG.request's UCI configuration (the receivers have them too).
  std::vector<phy::CsiPart2SizeMap> csi_part2_size_maps;
  unsigned num_rx_antennas = 0;
  std::unique_ptr<UlSlotProcessor> processor;
  HarqPoolTally harq_counted; ///< The processor's HARQ counts already in the counters.
  std::optional<SlotClock> clock;
  std::uint64_t next_to_close = 0; ///< Oldest slot whose work is not done.
  bool downlink_reported = false;  ///< This session's downlink request got its ERROR.indication.

  mutable std::mutex stats_mutex;
  L1Counters counters;
  std::vector<double> latencies;
};

} // namespace airan::l1
