/// \file
/// \brief CPU reference PUSCH receiver for one cell: a whole slot with several PUSCH PDUs
/// (different RNTIs, PRBs, MCS, layers), from time-domain IQ or from the frequency-domain
/// resource grid, to transport blocks with CRC status and measurements.
///
/// Per PDU: DMRS channel estimation -> equalization -> soft demapping (PuschFrontEnd) ->
/// descrambling -> UCI demultiplexing and decoding when the PDU carries UCI -> rate recovery +
/// HARQ combining -> LDPC decoding -> CB/TB CRC (UlschDecoder).
/// PDUs run in parallel on a thread pool; each lane owns its own stage objects, so nothing is
/// shared but the HARQ pool (locked only to look buffers up). A slot with fewer PDUs than
/// threads runs its PDUs one after the other, each with its front end and its code blocks
/// spread over every thread.
#pragma once

#include "airan/phy/channel_response.h"
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"
#include "airan/phy/ulsch_decoder.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace airan::phy {

/// A HARQ pool that several PuschReceivers share, with the mutex that guards it while they run:
/// the L1's receivers of each layer count, so that a TB retransmitted with another number of
/// layers combines with its earlier transmissions (the soft values of a code block do not depend
/// on the layers, TS 38.212 5.4.2.1).
struct SharedHarqPool {
  /// A pool as HarqBufferPool's constructor makes it.
  SharedHarqPool(unsigned num_buffers, std::size_t soft_bits_per_buffer, HarqStorage storage,
                 std::uint32_t expiry_slots)
      : pool(num_buffers, soft_bits_per_buffer, storage, expiry_slots) {}
  HarqBufferPool pool;
  std::mutex mutex; ///< Held by a receiver around each use of the pool.
};

/// Construction-time sizes and defaults of a PuschReceiver.
struct PuschReceiverConfig {
  unsigned num_rx_antennas = 1;   ///< Receive antennas of the cell (1 .. 16).
  unsigned max_layers = 4;        ///< Largest layer count of a PDU (1 .. 4).
  unsigned num_threads = 1;       ///< Threads that process PDUs (the caller's counts as one).
  unsigned num_harq_buffers = 16; ///< HARQ processes that can wait for a retransmission at once.
  /// A HARQ buffer not used for more than this many slots of the pool's clock is freed when the
  /// clock advances (harq_pool().advance_clock(), which the caller drives); 0: never.
  std::uint32_t harq_expiry_slots = 0;
  /// When set, the receiver's HARQ buffers are this pool's, shared with other receivers (the
  /// pool's size and expiry then hold, not num_harq_buffers and harq_expiry_slots): its buffers
  /// must hold pusch_receiver_harq_buffer_length() soft values and its storage be
  /// pusch_receiver_harq_storage() (\throws std::invalid_argument from the constructor
  /// otherwise).
  std::shared_ptr<SharedHarqPool> shared_harq;
  /// Largest TB a PDU may carry (sizes decoder and HARQ buffers); 0: the largest TBS the cell's
  /// PRBs allow with max_layers and 256-QAM.
  std::uint32_t max_tbs = 0;
  PuschFrontEndOptions front_end; ///< Channel estimation and equalization.
  /// When set, a detector (e.g. the neural receiver, phy/nn/neural_pusch_detector.h) replaces
  /// channel estimation, equalization and demapping; front_end then serves only the PDUs that a
  /// detector mirroring the CPU front end (PuschDetector::mirrors_cpu_front_end()) leaves to it
  /// (UCI; DFT-s-OFDM, hopping and PT-RS unless the detector takes them,
  /// PuschDetector::takes_transform_precoding() and the like), and must be
  /// the options that detector was made with.
  PuschDetectorFactory detector;
  /// When set, each UL-SCH decoder LDPC-decodes the code blocks of a TB in one batch on a decoder
  /// from this factory (the CUDA decoder with `--backend cuda`); results are identical.
  LdpcBatchDecoderFactory ldpc_batch_decoder;
  /// When set, makes the UL-SCH decoders (rate recovery, HARQ combining, LDPC, CRCs) instead of
  /// create_ulsch_decoder(), e.g. on a GPU with `--backend cuda`; ldpc_batch_decoder is then
  /// unused. A decoder and detector on the same device pass the LLRs in device memory.
  UlschDecoderFactory ulsch_decoder;
  /// The cell's CSI part 2 size maps (FAPI CONFIG.request UCI configuration), by which a PDU
  /// whose CSI part 2 is sized from part 1 (PuschUciConfig::csi_part2_sizing) learns its size.
  std::vector<CsiPart2SizeMap> csi_part2_size_maps;
  unsigned ldpc_max_iterations = 6; ///< LDPC iterations per code block at most.
  bool ldpc_early_termination = true;
};

/// Wall-clock time of each stage for one PDU, in microseconds.
struct PuschStageTimes {
  double channel_estimation_us = 0;
  double equalization_us = 0;
  double demapping_us = 0;
  double descrambling_us = 0;
  double decoding_us = 0; ///< Rate recovery, HARQ combining, LDPC and CRCs.
  /// A PuschDetector's whole time (instead of the first three, which stay 0). A detector whose
  /// LLRs stay on a device behind a stream (DeviceLlrs::stream) returns once its work is
  /// enqueued: its device time then counts in decoding_us, which waits for it.
  double detection_us = 0;

  /// The PDU's whole time: every stage above (a detector's included).
  [[nodiscard]] double total_us() const {
    return channel_estimation_us + equalization_us + demapping_us + descrambling_us + decoding_us +
           detection_us;
  }
};

/// The UCI decoded from one PUSCH PDU (the content of a FAPI UCI.indication PUSCH PDU). Payloads
/// of up to 11 bits carry no CRC; each comes with the share of its soft evidence that agrees with
/// the decoded codeword (decode_uci_short_block(): 1 for a clean codeword, well below for noise).
/// Payloads of 12 or more bits are polar coded with a CRC (uci_polar_code.h).
struct PuschUciResult {
  BitVector harq_ack;               ///< O_ACK bits as decoded (empty when the PDU has none).
  BitVector csi_part1;              ///< O_CSI-1 bits.
  BitVector csi_part2;              ///< O_CSI-2 bits.
  double harq_ack_correlation = 0;  ///< Short blocks only (0 for a polar-coded part).
  double csi_part1_correlation = 0; ///< Short blocks only.
  double csi_part2_correlation = 0; ///< Short blocks only.
  /// Per part (HARQ-ACK, CSI part 1, CSI part 2). A polar-coded part: true when the CRC of each
  /// of its code blocks holds. A short block: false when the part looks like noise alone
  /// (discontinuous transmission: the UE sent nothing), so its bits are not to be trusted:
  /// uci_short_block_detected() says so for a payload of 3 to 11 bits whose TB failed its CRC.
  /// A TB that passed shows the UE sent; 1 and 2 bits cannot be told from noise.
  bool harq_ack_detected = false;
  bool csi_part1_detected = false;
  bool csi_part2_detected = false;
  /// Bit p set (1 HARQ-ACK, 2 CSI part 1, 4 CSI part 2): a short block of 3 to 11 bits whose E
  /// coded bits do not tell every payload apart (the first min(E, 32) rows of TS 38.212 Table
  /// 5.3.3.3-1 have a rank below the payload's bits; 11 bits on E = 16 have rank 10). Its bits
  /// are one of several payloads that give the same code word, so the part is reported not
  /// detected whatever the TB's CRC (PUCCH refuses such a resource; a PUSCH PDU keeps its TB).
  unsigned ambiguous_parts = 0;
  /// True when the PDU carried UCI and it was decoded (false when the PDU failed before).
  bool decoded = false;
};

/// What the receiver reports for one PUSCH PDU (the content of FAPI CRC and RX_DATA indications).
struct PuschPduResult {
  std::uint32_t handle = 0;
  std::uint16_t rnti = 0;
  unsigned harq_process_id = 0;
  bool tb_crc_ok = false; ///< False also when the PDU could not be processed (see error).
  /// Empty, or why the PDU was not decoded (bad config, HARQ full), or a failure after its TB
  /// was decoded (a device fault while its measurements were read): then tb_crc_ok and
  /// tb_bytes are the TB's own, and the measurements are not.
  std::string error;
  BitVector tb_bits;                  ///< TBS bits (valid when tb_crc_ok).
  std::vector<std::uint8_t> tb_bytes; ///< tb_bits packed MSB first, as the MAC receives them.
  UlschDecoderResult decoding;
  PuschUciResult uci; ///< HARQ-ACK and CSI multiplexed on the PUSCH (PuschConfig::uci).
  PuschMeasurements measurements;
  PuschStageTimes times;
};

/// Genie knowledge for a perfect-CSI receiver (evaluation only): the true channel of the slot and
/// the true noise variance replace DMRS channel estimation for every PDU of the slot.
struct PerfectCsi {
  const ChannelResponse* channel = nullptr; ///< H[rx][port][symbol][carrier subcarrier].
  float noise_variance = 0.0F;              ///< Per RE and receive antenna, grid units.
};

/// PUSCH receiver of one cell. Allocates everything at construction for the cell's largest PDU;
/// process_slot() does not allocate once its result objects have reached their sizes. One slot
/// at a time (not thread-safe itself; it uses its own threads inside).
class PuschReceiver {
public:
  /// \throws std::invalid_argument for an invalid cell or configuration.
  PuschReceiver(const CellConfig& cell, const PuschReceiverConfig& config);
  ~PuschReceiver();
  PuschReceiver(const PuschReceiver&) = delete;
  PuschReceiver& operator=(const PuschReceiver&) = delete;

  [[nodiscard]] const CellConfig& cell() const;
  [[nodiscard]] const PuschReceiverConfig& config() const;

  /// A zero received grid of the cell's shape: rx antennas x symbols per slot x 12 N_grid.
  [[nodiscard]] ResourceGrid make_grid() const;

  /// Samples of one antenna for slot \p slot (all symbols with their CPs) at the FFT size that
  /// process_slot_iq() uses.
  [[nodiscard]] std::size_t slot_length(unsigned slot) const;

  /// Decodes every PDU of \p pdus from the received grid \p grid ([rx antenna][symbol]
  /// [subcarrier]). \p results is resized to pdus.size(); result i belongs to pdus[i]. A PDU
  /// with an invalid configuration, or whose HARQ process finds no free buffer, gets
  /// tb_crc_ok = false and an error text; the other PDUs are still decoded. A PDU's
  /// new_data_indicator (FAPI: 1 new data, 0 retransmission) decides whether its HARQ buffer is
  /// reset or combined into; a TB that passes its CRC frees the buffer.
  /// \param perfect_csi nullptr: DMRS channel estimation (the product). Otherwise the true
  /// channel replaces the estimate (PuschFrontEnd::use_true_channel) for every PDU; a receiver
  /// with a detector then reports an error for every PDU (a detector takes no genie).
  /// \throws std::invalid_argument when the grid does not have the cell's shape.
  void process_slot(const ResourceGrid& grid, unsigned slot, std::span<const PuschConfig> pdus,
                    std::vector<PuschPduResult>& results, const PerfectCsi* perfect_csi = nullptr);

  /// OFDM-demodulates \p iq (antenna after antenna, slot_length(slot) samples each) into the
  /// receiver's own grid, then runs process_slot(). When the configured detectors demodulate
  /// themselves (PuschDetector::load_slot_iq(), e.g. the CUDA detector), they get the IQ
  /// instead and the CPU does no OFDM, unless a PDU of the slot is for the CPU front end (see
  /// PuschReceiverConfig::detector): then the CPU demodulates the slot too, for that PDU.
  /// \throws std::invalid_argument when iq has the wrong size.
  void process_slot_iq(std::span<const cf32> iq, unsigned slot, std::span<const PuschConfig> pdus,
                       std::vector<PuschPduResult>& results,
                       const PerfectCsi* perfect_csi = nullptr);
  /// True when the receiver takes DFT-s-OFDM (transform-precoded) PDUs: with its CPU front end,
  /// or beside detectors that are device copies of it (PuschDetector::mirrors_cpu_front_end(),
  /// the CUDA front end), which deprecode them themselves
  /// (PuschDetector::takes_transform_precoding()) or leave them to the CPU front end (from IQ, a
  /// slot with one is then demodulated on the CPU as well as by the detectors). False behind
  /// other detectors (the neural receiver), which refuse them.
  [[nodiscard]] bool takes_transform_precoding() const;
  /// True when the receiver takes UCI on PUSCH (PuschConfig::uci), whose demultiplexing needs
  /// the LLRs on the host: false only behind a detector that is not a copy of the CPU front end,
  /// leaves its LLRs on a device for the UL-SCH decoders and does not hand a UCI PDU's LLRs to the
  /// host instead (PuschDetector::takes_uci_on_pusch()), which refuses such PDUs.
  [[nodiscard]] bool takes_uci() const;
  /// True when the configured detectors demodulate IQ themselves
  /// (PuschDetector::demodulates_slot_iq()): a caller with time-domain IQ should then call
  /// process_slot_iq() rather than demodulate on the CPU for process_slot().
  [[nodiscard]] bool detectors_demodulate_iq() const;

  /// The HARQ buffers (e.g. to give up a process, or to inspect occupancy).
  [[nodiscard]] HarqBufferPool& harq_pool();
  [[nodiscard]] const HarqBufferPool& harq_pool() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Soft values a HARQ buffer of a PuschReceiver made with \p config on \p cell holds: TBs up to
/// its max_tbs (or the cell's largest for max_layers) with either base graph.
std::size_t pusch_receiver_harq_buffer_length(const CellConfig& cell,
                                              const PuschReceiverConfig& config);

/// Where the HARQ soft values of a PuschReceiver made with \p config live: on the host, or where
/// its UL-SCH decoder factory keeps them (UlschDecoderFactory::harq_storage).
HarqStorage pusch_receiver_harq_storage(const PuschReceiverConfig& config);

/// Readies \p result, an object reused from PDU to PDU, for \p pdu: its handle, RNTI and HARQ
/// process, everything else cleared (vectors keep their storage) but tb_bits, which the decoder
/// sizes and writes whole (clear it too where the PDU is not decoded). A result keeps nothing of
/// its last PDU: an undecoded PDU once reported another UE's CSI part 2 length.
void reset_pusch_pdu_result(PuschPduResult& result, const PuschConfig& pdu);

/// Sizes \p results to \p size PDUs without freeing the buffers (TB bits and bytes, UCI
/// payloads) of the results it drops: they wait in \p spare for a slot with more PDUs (a slot
/// with fewer PDUs, e.g. PUCCH only, used to free them and the next one to allocate them again).
/// Allocates only while the two outgrow their capacities.
void resize_pusch_results(std::vector<PuschPduResult>& results, std::size_t size,
                          std::vector<PuschPduResult>& spare);

/// Packs bits MSB first into bytes (a last partial byte is padded with zeros).
void pack_bits_msb_first(std::span<const bit_t> bits, std::vector<std::uint8_t>& bytes);

} // namespace airan::phy
