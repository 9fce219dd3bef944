/// \file
/// \brief The L1 behind the FAPI interface: a SCF 222.10.02 PHY for one uplink cell.
///
/// States (222.10.02 section 2.2): IDLE -> CONFIG.request -> CONFIGURED -> START.request ->
/// RUNNING -> STOP.request -> CONFIGURED. What each message does in each state:
///
/// | message | IDLE | CONFIGURED | RUNNING |
/// |---|---|---|---|
/// | PARAM.request | PARAM.response | PARAM.response | PARAM.response, MSG_INVALID_STATE |
/// | CONFIG.request | CONFIG.response; CONFIGURED when valid | CONFIG.response (reconfigures) |
/// CONFIG.response, MSG_INVALID_STATE | | START.request | ERROR.indication MSG_INVALID_STATE |
/// RUNNING, SLOT.indications | ERROR.indication MSG_INVALID_STATE | | STOP.request |
/// ERROR.indication MSG_INVALID_STATE | ERROR.indication MSG_INVALID_STATE | STOP.indication,
/// CONFIGURED | | UL_TTI.request | ERROR.indication MSG_INVALID_STATE | ERROR.indication
/// MSG_INVALID_STATE | receiver work (below) |
///
/// CONFIG.request's UCI configuration (TLV 0x1036: the CSI part 2 size maps) is checked with
/// io::to_csi_part2_size_maps() (an invalid map: CONFIG.response MSG_INVALID_CONFIG) and kept; a
/// PUSCH PDU whose CSI part 2 is sized from part 1 by maps it cannot be sized with is refused as
/// below.
///
/// A message the codec refuses (garbage, truncated, out-of-range fields such as a HARQ process
/// id above 15) gets ERROR.indication with the codec's code (MSG_INVALID_CONFIG, MSG_SLOT_ERR,
/// MSG_INVALID_SFN or MSG_INVALID_STATE for an unhandled type); a message a PHY never receives
/// (an indication, a response) gets MSG_INVALID_STATE. The PHY counts each case and keeps running.
/// But a CONFIG.request the codec refuses gets CONFIG.response MSG_INVALID_CONFIG (while RUNNING
/// MSG_INVALID_STATE) listing the TLV at fault as invalid, and a PARAM.request with a body
/// PARAM.response MSG_INVALID_CONFIG: a MAC waits for those responses. Downlink requests
/// (DL_TTI, UL_DCI, TX_DATA) are counted (L1Counters::downlink_messages_ignored); only the first
/// of a session (since construction, then since each START) gets ERROR.indication
/// MSG_INVALID_STATE.
///
/// While RUNNING it sends SLOT.indication at the start of every slot (SlotClock). The
/// UL_TTI.request of slot N must arrive before slot N is over; one that arrives later gets
/// ERROR.indication MSG_SLOT_ERR (late), one more than max_advance_slots ahead gets
/// SFN_OUT_OF_SYNC, a second one for the same slot MSG_SLOT_ERR; each of these also gets a
/// CRC.indication (its SFN/slot) failing its PUSCH TBs. An accepted one's PUSCH PDUs go through
/// io::to_slot_request(); PDUs refused there (unsupported or invalid fields) or with a layer
/// count no receiver has are reported with one ERROR.indication MSG_SLOT_ERR for the message and
/// a failed CRC each; PRACH, PUCCH and SRS PDUs (skipped by the codec) are counted
/// (pdus_unsupported) and reported with one ERROR.indication MSG_SLOT_ERR per message (the same
/// one). Once slot N is over and its samples are in the IqSource, the
/// UlSlotProcessor decodes it and the PHY sends RX_DATA.indication then CRC.indication for N.
/// Latency is measured from ReceivedSlot::available_at to the moment the CRC.indication is
/// handed to the transport. Closed slots are marked in the IqSource (close_before()), which refuses
/// and counts samples that come for them later (L1Counters::late_samples).
#pragma once

#include "airan/io/fapi_transport.h"
#include "airan/io/fronthaul_config.h"
#include "airan/l1/iq_source.h"
#include "airan/l1/l1_counters.h"
#include "airan/l1/slot_clock.h"
#include "airan/l1/ul_slot_processor.h"
#include "airan/l1/uplink_cplane_sender.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace airan::l1 {

/// FAPI PHY states (222.10.02 section 2.2).
enum class PhyState : std::uint8_t { idle = 0, configured = 1, running = 2 };

/// Name of \p state ("RUNNING").
const char* phy_state_name(PhyState state);

/// The carrier a stand-alone L1's fronthaul was set up for (as an M-plane sets an O-RU's).
struct FapiCarrier {
  unsigned num_prbs = 0;
  unsigned numerology = 0;
  phy::CyclicPrefix cyclic_prefix = phy::CyclicPrefix::normal;
  unsigned num_rx_antennas = 0;
};

/// Options of a FapiPhy.
struct FapiPhyConfig {
  SlotClockMode clock_mode = SlotClockMode::stepped;
  double period_scale = 1.0; ///< real_time: slot period multiplier.
  /// real_time on a live fronthaul: slots counted from this timeline's epoch (SlotClock::
  /// start_on(): the SFN and slot of the O-RU's frames at the same time), its scale
  /// period_scale. nullopt: SFN 0 at START.
  std::optional<io::AirTimeline> slot_timeline;
  UlSlotProcessorConfig receiver;
  /// UL_TTI.request may name a slot at most this many slots after the one on air.
  unsigned max_advance_slots = 8;
  /// real_time: slots to wait, after a slot is over, for its samples before failing its PDUs.
  unsigned sample_wait_slots = 8;
  /// real_time: slots a slot without work waits, after it is over, for its samples before it is
  /// closed (its samples refused and counted late from then): on a live fronthaul, long enough
  /// for its last frames' Ta4 window and slot deadline (live_workless_wait_slots()). 0: closed
  /// when it is over.
  unsigned workless_sample_wait_slots = 0;
  /// How long one loop iteration waits for samples or messages.
  std::chrono::microseconds poll_interval{50};
  /// stepped: a slot whose samples have not come while a later slot's have been in the source
  /// this long ends without them (L1Counters::slots_passed_without_samples; its PDUs fail as
  /// without samples): every frame of it lost, a slot whose C-plane was never sent (its
  /// UL_TTI.request refused), a stream that jumped ahead. The stepped clock waited for it for
  /// ever. Longer than the fronthaul link's 200 ms quiet flush, which hands a partly received slot
  /// over (FronthaulLinkReceiver): such a slot is not passed before its samples come. 0: wait for
  /// ever.
  std::chrono::milliseconds stepped_gap_timeout{500};
  /// Tries (1 ms apart) to hand a P5 response (PARAM, CONFIG.response, STOP.indication) to a
  /// transport that reports would_block. The slot thread's indications (SLOT, CRC, RX_DATA, UCI,
  /// RACH, ERROR) are never retried: dropped and counted in L1Counters::send_failures at once.
  unsigned send_retries = 20;
  /// Fronthaul on: the uplink C-plane of every accepted UL_TTI.request goes here (not owned;
  /// must outlive the PHY). nullptr: no C-plane.
  UplinkCplaneSender* cplane = nullptr;
  /// Called on the PHY's thread when a STOP.request ends a session, after STOP.indication is
  /// sent and before any later message is handled: what follows the sessions outside the PHY
  /// (the fronthaul's slot count) is reset there, also when a START comes in the same poll.
  std::function<void()> on_session_stopped;
  /// Largest latency samples kept (the first ones).
  std::size_t max_latency_samples = 1U << 16;
  /// The RU's calibration: the power in dBm, at the antenna connector, of an RE at the
  /// fronthaul's full scale (0 dBFS). Set: a CONFIG.request may ask for RSSI in dBm
  /// (RSSIMeasurement 1, which OAI's MAC always sends); unset: such a CONFIG is refused. Within
  /// +-max_rssi_calibration_db.
  std::optional<float> rssi_dbm_at_full_scale;
  /// Set (`airan l1`): a CONFIG.request for another carrier size, numerology, cyclic prefix or
  /// receive antenna count is refused (MSG_INVALID_CONFIG): the sample path cannot take it.
  std::optional<FapiCarrier> carrier;
  /// FFT size of the time-domain samples (the fronthaul's or radio's sample rate over the
  /// subcarrier spacing), set on the cell of every CONFIG.request (FAPI carries none): a
  /// multiple of 128 (phy::CellConfig::fft_size). 0: phy::choose_fft_size() of the carrier.
  unsigned ofdm_fft_size = 0;
};

/// The workless_sample_wait_slots of a live fronthaul: a slot's last frames may come up to the
/// later of \p config's Ta4 window end and slot deadline after its end, one more slot to spare.
unsigned live_workless_wait_slots(const io::FronthaulConfig& config, unsigned numerology);

/// A FAPI PHY on one transport and one sample source. run() is its slot thread.
class FapiPhy {
public:
  /// \p transport and \p samples must outlive the PHY.
  /// \throws std::invalid_argument for a calibration that is not finite or out of range.
  FapiPhy(io::FapiTransport& transport, IqSource& samples, const FapiPhyConfig& config = {});
  ~FapiPhy();
  FapiPhy(const FapiPhy&) = delete;
  FapiPhy& operator=(const FapiPhy&) = delete;

  /// Serves messages and slots until request_stop(). Never throws: a failure inside a slot is
  /// counted, reported as failed CRCs, and the PHY carries on.
  void run();
  /// One loop iteration (wait for a message or samples at most poll_interval, handle them).
  void poll_once();
  /// Makes run() return (any thread).
  void request_stop() { stop_requested_.store(true, std::memory_order_relaxed); }

  [[nodiscard]] PhyState state() const { return state_.load(std::memory_order_relaxed); }
  /// START.requests accepted so far (any thread): a caller that watches state() for the end of
  /// a session sees from it that one ended and another began between two looks (a STOP and a
  /// START handled in one poll).
  [[nodiscard]] std::uint64_t sessions_started() const {
    return sessions_started_.load(std::memory_order_relaxed);
  }
  /// Snapshot of the counters (any thread).
  [[nodiscard]] L1Counters counters() const;
  /// Latencies (us) from a slot's last sample to its CRC.indication leaving (any thread).
  [[nodiscard]] std::vector<double> latencies_us() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<PhyState> state_{PhyState::idle};
  std::atomic<std::uint64_t> sessions_started_{0};
};

} // namespace airan::l1
