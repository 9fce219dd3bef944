/// \file
/// \brief UE-side PUSCH transmitter (CP-OFDM): transport block to resource grid, and optionally
/// to time-domain IQ per antenna port.
///
/// Chain: UL-SCH coding (create_ulsch_encoder(), TS 38.212 6.2) -> scrambling (TS 38.211 6.3.1.1,
/// c_init = n_RNTI 2^15 + n_ID) -> modulation (5.1) -> layer mapping (6.3.1.3) -> RE mapping with
/// DMRS (6.3.1.6, 6.4.1.1) -> precoding (6.3.1.5) -> OFDM (5.3.1).
#pragma once

#include "airan/phy/numerology.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <memory>
#include <span>

namespace airan::phy {

/// Construction-time options of a PuschTransmitter.
struct PuschTransmitterOptions {
  /// Largest Q_m the buffers are sized for (2..10).
  unsigned max_modulation_order = 8;
};

/// The UCI payload bits of one PUSCH (one bit per byte), as many as PuschConfig::uci says.
struct PuschUciPayload {
  std::span<const bit_t> harq_ack;
  std::span<const bit_t> csi_part1;
  std::span<const bit_t> csi_part2;
};

/// Number of coded bits G of \p pusch: data REs per layer x Q_m x layers.
/// \throws std::invalid_argument for an invalid DMRS configuration.
std::uint32_t pusch_coded_bits(const CellConfig& cell, const PuschConfig& pusch);

/// PUSCH transmitter for one carrier. Every buffer is allocated by the constructor for the
/// largest PUSCH the carrier holds (all PRBs, all symbols, as many layers as antenna ports), so
/// transmit() does not allocate; the UL-SCH encoder sizes its own work buffers on its first
/// transport block (and grows them for a larger one). Not thread-safe.
class PuschTransmitter {
public:
  /// \throws std::invalid_argument when \p cell is invalid or the options do not fit it.
  explicit PuschTransmitter(const CellConfig& cell, const PuschTransmitterOptions& options = {});
  ~PuschTransmitter();
  PuschTransmitter(const PuschTransmitter&) = delete;
  PuschTransmitter& operator=(const PuschTransmitter&) = delete;
  PuschTransmitter(PuschTransmitter&&) noexcept;
  PuschTransmitter& operator=(PuschTransmitter&&) noexcept;

  [[nodiscard]] const CellConfig& cell() const;
  /// Timing of the OFDM modulator (its FFT size, CP lengths and slot lengths).
  [[nodiscard]] const Numerology& numerology() const;

  /// A zero grid of the shape transmit() fills: antenna ports x symbols per slot x 12 N_grid.
  [[nodiscard]] ResourceGrid make_grid() const;

  /// Transport block size that transmit() expects: pusch.tb_size_bits when set, otherwise TS
  /// 38.214 5.1.3.2. \throws std::invalid_argument for an invalid configuration.
  [[nodiscard]] std::uint32_t transport_block_size(const PuschConfig& pusch) const;

  /// Transmits one transport block, and the UCI multiplexed with it (TS 38.212 6.3.2 and 6.2.7:
  /// short block codes, rate matching, multiplexing; TS 38.211 6.3.1.1 scrambling with
  /// placeholders), into \p grid. A CSI part 2 sized from part 1 (pusch.uci.csi_part2_sizing)
  /// is sent with the csi_part2_bits the UE has (0: none, as a UE whose part 1 asks for none).
  /// \throws std::invalid_argument as the overload without UCI, or when \p uci does not have the
  /// sizes of pusch.uci.
  void transmit(std::span<const bit_t> tb_bits, const PuschUciPayload& uci,
                const PuschConfig& pusch, unsigned slot, ResourceGrid& grid);

  /// transmit() with UCI followed by OFDM modulation, as the overload without UCI.
  void transmit(std::span<const bit_t> tb_bits, const PuschUciPayload& uci,
                const PuschConfig& pusch, unsigned slot, ResourceGrid& grid, std::span<cf32> iq);

  /// Transmits one transport block into \p grid (shape of make_grid()). Writes every RE of the
  /// allocation (data, DMRS, and zeros in the CDM groups without data) on every antenna port;
  /// REs outside the allocation are left as they are.
  /// \param slot Slot number in the frame (DMRS sequence).
  /// \throws std::invalid_argument for an invalid configuration, a TB of the wrong size, a slot
  /// outside the frame or a grid of the wrong shape, or when pusch.uci has payload bits (which
  /// the overload with a PuschUciPayload takes).
  void transmit(std::span<const bit_t> tb_bits, const PuschConfig& pusch, unsigned slot,
                ResourceGrid& grid);

  /// transmit() followed by OFDM modulation of every antenna port of the whole grid: \p iq holds
  /// num_antenna_ports x numerology().slot_length(slot) samples, port after port.
  /// \throws std::invalid_argument as transmit(), or when \p iq has the wrong size.
  void transmit(std::span<const bit_t> tb_bits, const PuschConfig& pusch, unsigned slot,
                ResourceGrid& grid, std::span<cf32> iq);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::phy
