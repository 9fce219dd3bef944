/// \file
/// \brief An emulated O-RU's PRACH stream (O-RAN 7.2x, section type 3; conventions in
/// oran_prach.h): the DU's type 3 requests, the carrier's time-domain IQ slot by slot, and for
/// each request whose window is complete the U-plane frames of its REs (one FFT per sequence
/// period at the carrier's sample rate, the section's numPrbc PRBs, compressed as configured).
///
/// A request's window may span several slots (long formats): its samples are gathered as the
/// slots arrive, and it is sent from the slot that completes it. Per request, per period, the
/// section's PRBs are cut into U-plane messages of at most max_frame_size bytes of Ethernet
/// payload (several sections of the request's sectionId when one does not fit), on the PRACH
/// eAxC of the antenna (RU port FronthaulConfig::prach_first_ru_port() + antenna), with the
/// request's filterIndex and timing fields and symbolId = startSymbolId + period. ecpriSeqid
/// counts per PRACH eAxC. Frames are sent at the window's nominal end + ru_tx_offset_ns.
/// Everything is allocated at construction; add_request() and add_slot() never allocate (but
/// for the message of a refused request or the exception of a misuse).
#pragma once

#include "airan/io/bfp_compression.h"
#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/oran_prach.h"
#include "airan/io/ru_cplane_requests.h"
#include "airan/io/ru_emulator.h"
#include "airan/phy/fft_plan.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_config.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace airan::io {

/// Totals of an RuPrachEmulator.
struct RuPrachCounters {
  std::uint64_t requests = 0;         ///< Requests taken.
  std::uint64_t requests_refused = 0; ///< Not servable (oran_prach_window()), or no room.
  std::uint64_t occasions_sent = 0;   ///< Requests whose REs were sent.
  std::uint64_t occasions_lost = 0;   ///< Requests dropped: a slot of the window never came.
  std::uint64_t frames = 0;           ///< U-plane frames sent.
};

/// The PRACH side of an emulated O-RU for one carrier (see the file comment).
class RuPrachEmulator {
public:
  /// \p max_pending: requests (one per antenna and occasion) held at once, each with room for
  /// the longest window of the formats the carrier can carry (oran_prach_sizing(): a slot where
  /// only the short formats are, up to oran_prach_max_window_s where the long ones are).
  /// \throws std::invalid_argument for an invalid cell or configuration, 0 or more than 16
  /// antennas, PRACH RU ports that do not fit the RU port field or overlap the PUSCH ones
  /// (FronthaulConfig::check_prach_ru_ports_apart()), a max_frame_size that cannot
  /// hold one PRB, or max_pending 0.
  RuPrachEmulator(const phy::CellConfig& cell, unsigned num_rx_antennas,
                  const FronthaulConfig& config, unsigned max_pending = 64);
  ~RuPrachEmulator();
  RuPrachEmulator(const RuPrachEmulator&) = delete;
  RuPrachEmulator& operator=(const RuPrachEmulator&) = delete;

  /// Takes a request for absolute slot \p absolute_slot (the slot of its timing header). Returns
  /// why it is refused (oran_prach_window()'s error, an antenna beyond the receive antennas, a
  /// timing header of another slot, a slot already fed, a period length other than the
  /// carrier's sample rate / 1250, / 5000 or / its subcarrier spacing, no room), or an empty
  /// string.
  std::string add_request(std::int64_t absolute_slot, const RuPrachRequest& request);

  /// Feeds the time-domain IQ of absolute slot \p absolute_slot (antenna after antenna,
  /// carrier_numerology()'s slot_length() samples each) on the clock anchored at
  /// \p epoch_ns, and sends the U-plane frames of every request this slot completes. A pending
  /// request whose window began before a slot that was skipped is dropped (occasions_lost).
  /// Slots must come in increasing order. Returns the number of frames sent.
  /// \throws std::invalid_argument for IQ of another size or a slot not after the last one fed.
  std::size_t add_slot(std::int64_t absolute_slot, std::int64_t epoch_ns,
                       std::span<const phy::cf32> iq, const FronthaulFrameSink& sink);

  /// Requests waiting for samples.
  [[nodiscard]] std::size_t num_pending() const;
  /// Samples each pending request has room for (window_capacity() x max_pending reserved).
  [[nodiscard]] std::size_t window_capacity() const { return window_capacity_; }
  [[nodiscard]] const RuPrachCounters& counters() const { return counters_; }
  /// The carrier this O-RU serves, with its PRACH ports (for take_cplane_frame()).
  [[nodiscard]] RuCplaneScope cplane_scope() const;

private:
  struct Pending;
  /// Moves \p pending on to \p absolute_slot over the slots skipped since the last one fed;
  /// false when one of them held samples of its window.
  bool skip_to(Pending& pending, std::int64_t absolute_slot) const;
  /// Sends every period of a complete window; returns the number of frames.
  std::size_t send(Pending& pending, std::int64_t epoch_ns, const FronthaulFrameSink& sink);
  /// Sends the REs in res_ of one period as U-plane frames; returns the number of frames.
  std::size_t send_period(const Pending& pending, unsigned period, std::int64_t tx_ns,
                          const FronthaulFrameSink& sink);

  phy::CellConfig cell_;
  unsigned num_rx_;
  FronthaulConfig config_;
  FronthaulSlotClock clock_;
  phy::Numerology numerology_;
  unsigned prach_first_ru_port_ = 0;
  std::unique_ptr<IqCompressor> compressor_;
  std::size_t prb_bytes_ = 0;            ///< One compressed PRB.
  std::size_t section_header_bytes_ = 0; ///< With udCompHdr when it is dynamic.
  std::size_t window_capacity_ = 0;      ///< Samples a pending request can hold.
  std::vector<Pending> pending_;         ///< The pool, max_pending entries.
  std::vector<phy::FftPlan> plans_;      ///< One per period length the carrier can have.
  std::vector<phy::cf32> res_;           ///< One period's section REs.
  std::vector<std::uint8_t> frame_;
  std::vector<std::uint8_t> sequence_ids_; ///< Next ecpriSeqid per PRACH eAxC (antenna).
  bool fed_ = false;                       ///< Whether a slot was fed.
  std::int64_t newest_slot_ = 0;           ///< The last slot fed, when fed_.
  RuPrachCounters counters_;
};

} // namespace airan::io
