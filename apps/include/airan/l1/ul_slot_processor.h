/// \file
/// \brief One slot's uplink work inside the L1: the PUSCH PDUs accepted from UL_TTI.request
/// (io::FapiSlotRequest), the slot's received samples (ReceivedSlot) -> PuschReceiver ->
/// CRC.indication and RX_DATA.indication; its PUCCH PDUs -> UCI.indication and its SRS PDUs ->
/// SRS.indication, both from the CPU grid.
///
/// **Antenna ports per PDU.** phy::CellConfig::num_antenna_ports is a cell parameter, while a
/// FAPI PUSCH PDU carries its own nrOfLayers (non-codebook PUSCH: the UE's ports = layers), and
/// 222.10.02 CONFIG.request has no UE port count at all. The processor adapts: it builds one
/// receiver per supported layer count (1, 2 and 4 up to max_layers and the receive antennas),
/// each for the cell with num_antenna_ports = that count, and runs each PDU on the receiver of
/// its layer count. A PDU with another layer count (3, or more than max_layers) is not decoded:
/// it gets a failed CRC, and the L1 reports it (MSG_SLOT_ERR). The receivers share one HARQ pool
/// (phy::SharedHarqPool, its buffers sized for the largest layer count), so a retransmission may
/// change its layer count (rank adaptation) and still combines; until 2026-12-07 each layer count
/// had a pool of its own, and such a retransmission was decoded alone.
///
/// **HARQ bookkeeping.** A PDU with new data ends its process's previous TB, whether it is
/// decoded, refused by the FAPI conversion, of an unsupported layer count or in a slot without
/// samples: a later retransmission must never be combined with
/// the soft values of an older TB. A second PDU of the same RNTI and HARQ process in a slot is
/// refused (one buffer per process). Buffers expire: the owner moves the pools' clocks on every
/// slot (advance_harq_clock() with its absolute slot count), and a buffer whose process has had
/// no PDU for more than harq_expiry_ms is freed, so that UEs that leave with a failed TB do not
/// fill the pools (a retransmission that is not decoded, e.g. without samples, keeps its
/// process's buffer alive).
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_prach_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/fapi_srs_messages.h"
#include "airan/l1/iq_source.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/prach_receiver.h"
#include "airan/phy/pucch_receiver.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/srs_estimator.h"

#include <array>
#include <memory>
#include <utility>
#include <vector>

namespace airan::l1 {

/// Largest |RU calibration| (dBm of an RE at 0 dBFS) a UlSlotProcessor takes for dBm RSSI.
inline constexpr float max_rssi_calibration_db = 200.0F;

/// The unit of the RSSI a UlSlotProcessor reports (CONFIG.request RSSIMeasurement).
enum class RssiUnit : std::uint8_t {
  none, ///< 0: not reported (0xFFFF).
  dbm,  ///< 1: dBm at the antenna connector, from the RU's calibration.
  dbfs, ///< 2: relative to an RE at the fronthaul's full scale.
};

/// Sizes and options of a UlSlotProcessor.
struct UlSlotProcessorConfig {
  unsigned max_layers = 2;        ///< Largest nrOfLayers decoded (receivers for 1, 2, 4 up to it).
  unsigned num_threads = 1;       ///< Receiver threads (the L1's slot thread counts as one).
  unsigned num_harq_buffers = 64; ///< HARQ buffers of the receivers (RNTIs x processes waiting).
  /// A HARQ buffer whose process has not transmitted for longer than this is freed (milliseconds;
  /// 0: never). 100 ms covers the retransmissions of any HARQ process with room to spare.
  unsigned harq_expiry_ms = 100;
  /// Grid amplitude of 0 dBFS for RSSI: the fronthaul's int16 full scale
  /// (io::FronthaulConfig::full_scale) when the samples come through one; 1 otherwise.
  float full_scale = 1.0F;
  std::uint32_t max_tbs = 0; ///< Largest TB (0: the cell's largest).
  phy::PuschFrontEndOptions front_end;
  /// Set: every receiver runs this detector instead of its front end (neural receiver, CUDA
  /// front end; see phy::PuschReceiverConfig::detector).
  phy::PuschDetectorFactory detector;
  /// The detector is a device copy of the CPU front end with front_end (the CUDA front end,
  /// phy::PuschDetector::mirrors_cpu_front_end()): PARAM then announces DFT-s-OFDM, whose PDUs
  /// that detector deprecodes (or, if it does not take them, the receivers' CPU front end runs).
  /// Not set: only without a detector.
  bool detector_mirrors_front_end = false;
  /// The detectors hand a UCI PDU's LLRs to the host (phy::PuschDetector::takes_uci_on_pusch())
  /// even where the others stay on the device for ulsch_decoder (the CUDA neural receiver):
  /// PARAM then announces UCI on PUSCH behind them, and CONFIG checks that they take it.
  bool detector_takes_uci = false;
  /// Set: every receiver LDPC-decodes on batch decoders from it (see
  /// phy::PuschReceiverConfig::ldpc_batch_decoder).
  phy::LdpcBatchDecoderFactory ldpc_batch_decoder;
  /// Set: every receiver's UL-SCH decoders come from it (see
  /// phy::PuschReceiverConfig::ulsch_decoder).
  phy::UlschDecoderFactory ulsch_decoder;
  /// The cell's CSI part 2 size maps (FAPI CONFIG.request TLV 0x1036), for every receiver
  /// (phy::PuschReceiverConfig::csi_part2_size_maps).
  std::vector<phy::CsiPart2SizeMap> csi_part2_size_maps;
  /// PRACH from an O-RAN 7.2x O-RU's PRACH sections (ReceivedSlot::prach; section type 3)
  /// instead of the time-domain samples.
  bool prach_from_sections = false;
  /// With prach_from_sections: slots after an occasion's last one that its section may still
  /// arrive in; later, the occasion fails.
  unsigned prach_section_grace_slots = 1;
};

/// HARQ buffer use summed over a UlSlotProcessor's receivers (counts since construction).
struct HarqPoolTally {
  unsigned in_use = 0;         ///< Buffers held now.
  std::uint64_t expired = 0;   ///< Buffers freed because their process went quiet.
  std::uint64_t exhausted = 0; ///< TBs not decoded because every buffer was held.
};

/// Outcome of one process() call.
struct UlSlotOutcome {
  unsigned num_decoded = 0; ///< PDUs run through a receiver.
  unsigned num_crc_ok = 0;
  unsigned num_unsupported = 0; ///< PDUs with a layer count no receiver has.
  /// The slot had PDUs (PUSCH, PUCCH or SRS) but no samples: every CRC failed, every UCI and
  /// SRS was reported failed.
  bool samples_missing = false;
  unsigned num_pucch_processed = 0; ///< Accepted PUCCH PDUs run through the PUCCH receiver.
  unsigned num_pucch_dtx = 0;       ///< Of those, the ones in which nothing was detected.
  unsigned num_srs_processed = 0;   ///< Accepted SRS PDUs run through the SRS estimator.
};

/// PRACH occasions a UlSlotProcessor gathers at once: 8 FD occasions (PARAM's
/// maxPrachFdOccasionsInASlot) of up to 7 short occasions a slot, or long occasions of slots in a
/// row (a long format spans up to 4 slots). Sample buffers grow to an occasion's size when first
/// needed.
inline constexpr unsigned prach_max_pending = 64;

/// Outcome of one process_prach() call.
struct PrachOutcome {
  unsigned num_occasions = 0; ///< Occasions completed and detected.
  unsigned num_failed = 0;    ///< Occasions that lost samples (reported without preambles).
  unsigned num_preambles = 0; ///< Preambles detected.
  unsigned num_unmatched_sections = 0; ///< 7.2x PRACH sections of no pending occasion.
};

/// Runs the PUSCH PDUs of a slot. Allocates at construction; process() reuses its buffers.
class UlSlotProcessor {
public:
  /// \throws std::invalid_argument for an invalid cell or configuration.
  UlSlotProcessor(const phy::CellConfig& cell, unsigned num_rx_antennas,
                  const UlSlotProcessorConfig& config);
  ~UlSlotProcessor();
  UlSlotProcessor(const UlSlotProcessor&) = delete;
  UlSlotProcessor& operator=(const UlSlotProcessor&) = delete;

  [[nodiscard]] const phy::CellConfig& cell() const { return cell_; }
  [[nodiscard]] unsigned num_rx_antennas() const { return num_rx_antennas_; }
  /// True when PDUs with \p layers layers are decoded.
  [[nodiscard]] bool supports_layers(unsigned layers) const;
  /// True when every receiver takes DFT-s-OFDM PDUs
  /// (phy::PuschReceiver::takes_transform_precoding()).
  [[nodiscard]] bool takes_transform_precoding() const;
  /// True when every receiver takes UCI on PUSCH (phy::PuschReceiver::takes_uci()).
  [[nodiscard]] bool takes_uci() const;
  /// Samples per antenna of slot \p slot in the time domain.
  [[nodiscard]] std::size_t slot_length(unsigned slot) const;
  /// The receivers' HARQ buffers.
  [[nodiscard]] HarqPoolTally harq_tally() const;
  /// Moves the HARQ pool's clock to \p absolute_slot (a count that only grows; an earlier value
  /// is ignored), freeing the buffers that expired.
  void advance_harq_clock(std::uint64_t absolute_slot);
  /// Ends the previous TB of \p key (its PDU with new data is not decoded: a refused
  /// UL_TTI.request). Keys of processes above 31 (not NR processes) are ignored.
  void end_previous_tb(const phy::HarqProcessKey& key) { end_previous_tb(key, nullptr); }
  /// Frees every HARQ buffer and sets the clocks back to slot 0 (the cell restarts).
  void reset_harq();
  /// What CRC and RX_DATA entries carry as RSSI (CONFIG.request RSSIMeasurement): dBFS (the
  /// default), dBm = dBFS + \p dbm_at_full_scale (the RU's calibration), or nothing (0xFFFF).
  /// \throws std::invalid_argument for dBm with a calibration beyond +-max_rssi_calibration_db
  /// (or not finite).
  void set_rssi_unit(RssiUnit unit, float dbm_at_full_scale = 0.0F);
  /// The HARQ pool of the receiver for \p layers layers (every receiver's), or nullptr when no
  /// receiver decodes that many.
  [[nodiscard]] phy::HarqBufferPool* harq_pool(unsigned layers);

  /// Decodes \p request's PDUs from \p samples and fills \p crc and \p rx_data (one entry per
  /// PUSCH PDU of the UL_TTI.request, accepted or not), \p uci when given (one PDU per PUSCH PDU
  /// with UCI, then one per PUCCH PDU, accepted or not: the PUCCHs are received on the CPU from
  /// the slot's grid, demodulated here from IQ when no CPU receiver needed it) and \p srs when
  /// given (one PDU per SRS PDU: the accepted ones measured by the CPU SRS estimator on that
  /// grid, in request order, then the rejected ones, invalid). The RX_DATA payloads view buffers
  /// of this object: encode them before the next process().
  /// \throws std::invalid_argument when the samples do not have the cell's shape.
  UlSlotOutcome process(const io::FapiSlotRequest& request, const ReceivedSlot& samples,
                        io::FapiCrcIndication& crc, io::FapiRxDataIndication& rx_data,
                        io::FapiUciIndication* uci = nullptr, io::FapiSrsIndication* srs = nullptr);

  /// Registers \p request's PRACH occasions (its slot being absolute slot \p absolute_slot)
  /// with the PRACH receiver, which gathers them from the time-domain samples process_prach()
  /// feeds it, across slots for the long formats. Returns the occasions refused (more than the
  /// receiver holds pending); process_prach() reports them without preambles.
  unsigned add_prach_occasions(const io::FapiSlotRequest& request, std::uint64_t absolute_slot);
  /// True while PRACH occasions wait for samples: every slot must then go to process_prach().
  [[nodiscard]] bool prach_pending() const;
  /// Drops the PRACH occasions waiting for samples, unreported (the cell restarts: START after
  /// STOP, whose slot count starts again at 0).
  void reset_prach();
  /// Feeds absolute slot \p absolute_slot's samples to the PRACH receiver (time-domain IQ; a
  /// grid or nothing fails the occasions that need this slot; with prach_from_sections, the
  /// slot's 7.2x PRACH sections go to the occasions whose C-plane request they answer, and
  /// occasions that ended more than prach_section_grace_slots slots ago without one fail) and
  /// returns the RACH.indications of
  /// the occasions that completed, one per slot in which they started (views of this object's
  /// buffers, valid until the next call). \p outcome accumulates what happened.
  std::span<const io::FapiRachIndication>
  process_prach(std::uint64_t absolute_slot, const ReceivedSlot& samples, PrachOutcome& outcome);

private:
  struct LayerReceiver {
    unsigned layers = 0;
    std::unique_ptr<phy::PuschReceiver> receiver;
    std::vector<phy::PuschConfig> pdus;     ///< This slot's PDUs of this layer count.
    std::vector<std::size_t> request_index; ///< Their index in request.pdus().
    std::vector<phy::PuschPduResult> results;
  };
  LayerReceiver* receiver_for(unsigned layers);
  /// Ends the previous TB of \p key unless \p keep (may be null) decodes its new data, which
  /// resets the buffer itself.
  void end_previous_tb(const phy::HarqProcessKey& key, const LayerReceiver* keep);
  /// Marks \p key's buffer used now (a retransmission not decoded).
  void keep_alive(const phy::HarqProcessKey& key);
  /// A PDU before request.pdus()[index] has the same RNTI and HARQ process.
  static bool repeats_harq_process(std::span<const phy::PuschConfig> pdus, std::size_t index);
  /// Receives the request's PUCCH PDUs from \p grid (nullptr: no samples) and appends their
  /// UCI.indication PDUs (also for the rejected ones) to \p uci.
  void process_pucch(const io::FapiSlotRequest& request, const phy::ResourceGrid* grid,
                     io::FapiUciIndication& uci, UlSlotOutcome& outcome);
  /// Measures the request's SRS PDUs in \p grid (nullptr: no samples, each reported invalid)
  /// into \p srs, then the rejected ones (invalid).
  void process_srs(const io::FapiSlotRequest& request, const phy::ResourceGrid* grid,
                   io::FapiSrsIndication& srs, UlSlotOutcome& outcome);
  /// The slot's grid: \p samples.grid, or the IQ demodulated into grid_; nullptr without samples.
  const phy::ResourceGrid* cpu_grid(const ReceivedSlot& samples, unsigned slot);

  phy::CellConfig cell_;
  unsigned num_rx_antennas_;
  std::vector<LayerReceiver> receivers_;
  phy::HarqBufferPool* harq_ = nullptr; ///< The receivers' shared HARQ pool.
  phy::OfdmDemodulator demodulator_;
  phy::ResourceGrid grid_;        ///< Demodulated time-domain samples.
  bool grid_demodulated_ = false; ///< grid_ holds this slot's IQ.
  phy::PucchReceiver pucch_receiver_;
  std::vector<phy::PucchResult> pucch_results_;
  phy::SrsEstimator srs_estimator_;
  phy::SrsEstimatorResult srs_result_;
  phy::PrachReceiver prach_receiver_;
  /// The occasions registered with prach_receiver_, by tag (a count that only grows).
  struct PrachEntry {
    std::uint64_t tag = 0;
    bool used = false;
    io::FapiPrachOccasion occasion;
    unsigned cycle_slot = 0;           ///< Start slot in the fronthaul's 256-frame cycle.
    std::uint16_t section_id = 0;      ///< Its index in the request (the C-plane's sectionId).
    std::int32_t frequency_offset = 0; ///< Its 7.2x request's freqOffset.
  };
  /// Hands the slot's 7.2x PRACH sections to their occasions (prach_from_sections).
  void take_prach_sections(std::uint64_t absolute_slot, const ReceivedSlot& samples,
                           PrachOutcome& outcome);
  bool prach_from_sections_ = false;
  unsigned prach_section_grace_slots_ = 1;
  std::vector<PrachEntry> prach_entries_;
  std::uint64_t next_prach_tag_ = 0;
  std::vector<phy::PrachOccasionResult> prach_completed_;
  /// Occasions the receiver refused, reported (without preambles) by the next process_prach().
  std::vector<std::pair<phy::PrachOccasionResult, io::FapiPrachOccasion>> prach_refused_;
  std::vector<io::FapiRachIndication> rach_; ///< Built by process_prach().
  std::size_t num_rach_ = 0;

  std::vector<phy::PuschPduResult> results_; ///< In request order.
  /// Results a slot with fewer PUSCH PDUs left over, buffers kept (phy::resize_pusch_results()).
  std::vector<phy::PuschPduResult> spare_results_;
  float full_scale_;
  float rssi_scale_; ///< full_scale_, or in dBm the amplitude that reads 0 dBm.
  bool report_rssi_ = true;
};

} // namespace airan::l1
