/// \file
/// \brief PuschDetector: a stage that replaces channel estimation, equalization and soft
/// demapping as a whole (a neural receiver), writing the same codeword LLRs as PuschFrontEnd so
/// that descrambling, rate recovery, HARQ and LDPC decoding stay the same.
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/ulsch_decoder.h"

#include <functional>
#include <memory>
#include <optional>
#include <span>

namespace airan::phy {

/// Received grid to codeword LLRs for one PDU at a time. Not thread-safe: one per thread.
class PuschDetector {
public:
  virtual ~PuschDetector() = default;

  /// Writes the G = pusch_coded_bits(cell, pusch) LLRs of \p pusch into \p llrs, in codeword
  /// order (as PuschFrontEnd::process()), not descrambled (unless writes_descrambled_llrs()),
  /// positive favouring bit 0.
  /// \p grid is [rx antenna][symbol of the slot][subcarrier of the carrier].
  /// \return the DMRS measurements the detector made (fields it does not measure stay 0).
  /// \throws std::invalid_argument for a PDU or grid the detector cannot take.
  virtual PuschMeasurements detect(const ResourceGrid& grid, const CellConfig& cell,
                                   const PuschConfig& pusch, unsigned slot,
                                   std::span<float> llrs) = 0;

  /// Optional OFDM demodulation by the detector itself (e.g. on a GPU, so that the IQ is copied
  /// once and the grid never leaves the device). PuschReceiver::process_slot_iq() offers each
  /// slot's time-domain IQ here (antenna after antenna, \p num_rx antennas, the receiver's
  /// slot_length(slot) samples each) before the slot's PDUs. A detector that demodulates returns
  /// true and then gets detect_loaded() instead of detect() for that slot's PDUs; the default
  /// declines, and the receiver demodulates on the CPU and calls detect().
  /// \throws std::invalid_argument for IQ the detector cannot take.
  virtual bool load_slot_iq(std::span<const cf32> iq, unsigned num_rx, unsigned slot) {
    (void)iq;
    (void)num_rx;
    (void)slot;
    return false;
  }
  /// True when load_slot_iq() takes a slot's IQ (a caller holding IQ then hands it over instead
  /// of a grid it demodulated on the CPU). The default: false.
  [[nodiscard]] virtual bool demodulates_slot_iq() const { return false; }

  /// True when detect() and detect_loaded() write LLRs already descrambled (with
  /// pusch_scrambling_init(rnti, data_scrambling_id), e.g. on the device); PuschReceiver then
  /// skips its own descrambling. The default (false): scrambled LLRs, as documented above.
  [[nodiscard]] virtual bool writes_descrambled_llrs() const { return false; }

  /// Asks the detector to leave its LLRs in the memory of device \p device (for a UL-SCH decoder
  /// that reads them there, UlschDecoder::decode_device()) instead of writing them to the
  /// host. Returns true when it will: from then on detect() and detect_loaded() write nothing to
  /// their \p llrs (but for a PDU with UCI, takes_uci_on_pusch()) and device_llrs() gives the LLRs,
  /// complete when the call returns or, when it names a stream (DeviceLlrs::stream), once that
  /// stream's work is done. The default declines.
  virtual bool keep_llrs_on_device(int device) {
    (void)device;
    return false;
  }

  /// The LLRs of the last detect() or detect_loaded() after keep_llrs_on_device() was accepted
  /// (valid until the next call); {} otherwise.
  [[nodiscard]] virtual DeviceLlrs device_llrs() const { return {}; }

  /// Measurements of the last detect() or detect_loaded() that were still in flight when it
  /// returned (it then returned {} and left its LLRs on the device behind a stream, so that the
  /// decoder's work queues behind the detector's without waiting for the measurements):
  /// PuschReceiver calls this after decoding, when the device work is done or nearly so. Waits
  /// for them if needed; std::nullopt when detect() returned them itself (the default).
  virtual std::optional<PuschMeasurements> deferred_measurements() { return std::nullopt; }

  /// True when this detector computes what PuschFrontEnd computes with the receiver's own
  /// front-end options (a device copy of the classical front end): PuschReceiver then runs the
  /// PDUs such a detector does not take (UCI; DFT-s-OFDM, PT-RS and hopping unless
  /// takes_transform_precoding() and the like) through its CPU front end (the LDPC decoding stays
  /// the receiver's). The default (false, e.g. a neural receiver): they are the
  /// detector's to refuse.
  [[nodiscard]] virtual bool mirrors_cpu_front_end() const { return false; }
  /// True when a detector that mirrors the CPU front end also takes PDUs with PT-RS and tracks
  /// their phase as the CPU front end does (PuschFrontEndOptions::track_phase): PuschReceiver
  /// then gives it those PDUs instead of running them on its CPU front end. The default: false.
  [[nodiscard]] virtual bool tracks_ptrs_phase() const { return false; }
  /// True when a detector that mirrors the CPU front end also takes PDUs with intra-slot
  /// frequency hopping and estimates each hop from its own DMRS as the CPU front end does:
  /// PuschReceiver then gives it those PDUs. The default: false.
  [[nodiscard]] virtual bool takes_frequency_hopping() const { return false; }
  /// True when a detector that mirrors the CPU front end also takes transform-precoded
  /// (DFT-s-OFDM) PDUs and deprecodes them as the CPU front end does: PuschReceiver then gives it
  /// those PDUs. The default: false.
  [[nodiscard]] virtual bool takes_transform_precoding() const { return false; }
  /// True when the detector takes PDUs with UCI on PUSCH (PuschConfig::uci), whose
  /// demultiplexing needs their LLRs on the host, also while it leaves the other PDUs' LLRs on a
  /// device (keep_llrs_on_device()): it then writes such a PDU's LLRs to detect()'s host span and
  /// device_llrs() is empty after it. PuschReceiver then gives it those PDUs (a detector that
  /// mirrors the CPU front end) or no longer refuses them (one that leaves its LLRs on a device).
  /// The default: false.
  [[nodiscard]] virtual bool takes_uci_on_pusch() const { return false; }

  /// detect() on the grid that the last successful load_slot_iq() demodulated.
  /// \throws std::logic_error when the detector does not demodulate (the default).
  virtual PuschMeasurements detect_loaded(const CellConfig& cell, const PuschConfig& pusch,
                                          unsigned slot, std::span<float> llrs);
};

/// Makes a detector for PDUs within \p limits that computes on \p num_threads threads
/// (1: the caller's only). PuschReceiver calls it once per lane at construction.
using PuschDetectorFactory = std::function<std::unique_ptr<PuschDetector>(
    const PuschFrontEndLimits& limits, unsigned num_threads)>;

} // namespace airan::phy
