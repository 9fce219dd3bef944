/// \file
/// \brief HDF5 test vectors: one file per vector holding the cell, the channel that produced it,
/// and per slot the transmitted transport blocks with their PUSCH configurations, the received
/// time-domain IQ and/or frequency-domain grid, and the true channel.
///
/// Layout (documented with types, shapes and units in docs/TESTVECTORS.md, "HDF5 test vectors"):
/// \code
/// /                 attributes format = "airan-testvector", format_version = 1, generator, seed,
///                   snr_db, noise_variance, reference_receiver, num_rx_antennas, num_tx_antennas
/// /cell             one attribute per phy::CellConfig field
/// /channel          one attribute per TestVectorChannel field
/// /slots/0000 ...   attributes absolute_slot, slot; datasets iq (optional, attribute fft_size),
///                   grid, true_channel (optional); groups pdus/0, pdus/1, ... with one attribute
///                   per phy::PuschConfig field (UCI sizes as uci_*), expected_crc_ok, and
///                   dataset tb_bits (and uci_harq_ack, uci_csi_part1, uci_csi_part2 with UCI)
/// \endcode
/// Complex datasets use the compound type {r: float32, i: float32} (numpy complex64 in h5py).
/// The reader validates everything; any problem is a TestVectorError naming the file, the object
/// and what is wrong. libhdf5 is not thread-safe in Debian's serial build: use one reader or
/// writer per thread at a time.
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::io {

/// Value of the root attribute `format`.
inline constexpr const char* test_vector_format = "airan-testvector";
/// Value of the root attribute `format_version` that this code writes and reads.
inline constexpr unsigned test_vector_format_version = 1;

/// Error raised for a test vector that cannot be written or read; the message names the file,
/// the HDF5 object and what is wrong.
class TestVectorError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Channel that produced the vector (all descriptive; stored as attributes of /channel).
struct TestVectorChannel {
  /// "awgn", "flat", "TDL-A" .. "TDL-E", "TDL-A30", "TDL-B100", "TDL-C300" or "CDL-A" .. "CDL-E".
  std::string model = "awgn";
  double delay_spread_s = 0.0;      ///< RMS delay spread in seconds (>= 0).
  double max_doppler_hz = 0.0;      ///< Maximum Doppler shift in Hz (>= 0).
  std::string correlation = "none"; ///< Antenna correlation: none, low, medium or high.
  double cfo_hz = 0.0;              ///< Carrier frequency offset in Hz.
  double timing_offset_s = 0.0;     ///< Timing offset in seconds.
  /// "time" (channel applied to the IQ) or "frequency" (applied per RE to the grid).
  std::string domain = "time";
  /// CDL models: the base station's elements, "omni" or "38.901" (files without it: omni).
  std::string bs_antenna_pattern = "omni";
  /// CDL models: the base station's and the UE's polarisation, "V", "H", "VH" or "cross"
  /// (files without them: V).
  std::string bs_polarization = "V";
  std::string ue_polarization = "V"; ///< See bs_polarization.
  /// Oscillator phase noise: 3 dB linewidth in Hz of a Wiener phase (0: none).
  double phase_noise_linewidth_hz = 0.0;
};

/// File-level description.
struct TestVectorHeader {
  phy::CellConfig cell;
  unsigned num_rx_antennas = 1; ///< gNB receive antennas (1 .. 64).
  unsigned num_tx_antennas = 1; ///< UE antenna ports (1 .. 8).
  TestVectorChannel channel;
  double snr_db = 0.0;         ///< Per-RE SNR as defined in phy/snr_definition.h.
  float noise_variance = 0.0F; ///< Per RE and rx antenna, grid units (>= 0).
  std::uint64_t seed = 0;
  std::string generator; ///< Command line / tool version that wrote the file.
  /// Receiver that set expected_crc_ok at generation time (may be empty).
  std::string reference_receiver;
};

/// One PUSCH PDU of a slot.
struct TestVectorPdu {
  /// Every field stored (attributes of the PDU group) except uci.csi_part2_sizing: write_slot()
  /// refuses a PDU with one (give the CSI part 2 size the UE sent, csi_part2_bits).
  phy::PuschConfig config;
  phy::BitVector tb_bits;      ///< The transmitted TB (TBS bits, values 0/1).
  bool expected_crc_ok = true; ///< Whether the TB is expected to decode (set by the generator).
  /// Whether every UCI payload of the PDU is expected to come back right (the generator's
  /// reference receiver decoded and detected them all; true without UCI, and in files written
  /// before 2026-12-07).
  bool expected_uci_ok = true;
  /// UCI payloads the PDU carried (config.uci sizes; datasets uci_harq_ack, uci_csi_part1,
  /// uci_csi_part2 of the parts with bits; files written before UCI have none).
  phy::BitVector harq_ack_bits;
  phy::BitVector csi_part1_bits;
  phy::BitVector csi_part2_bits;
};

/// One slot of a vector.
struct TestVectorSlot {
  std::uint64_t absolute_slot = 0; ///< Slot index since slot 0 of frame 0 of the run.
  /// Slot number in the frame (DMRS, CP lengths): absolute_slot mod slots per frame.
  unsigned slot = 0;
  std::vector<TestVectorPdu> pdus;
  /// Time-domain IQ per receive antenna, antenna after antenna, iq_samples_per_antenna each
  /// (may be empty: then the vector is grid-only).
  std::vector<phy::cf32> iq;
  /// Samples of one slot at iq_fft_size (all symbols with their cyclic prefixes).
  std::size_t iq_samples_per_antenna = 0;
  /// FFT size of the IQ (a multiple of 128 up to 16384, at least 12 * num_prbs). read_slot() sets
  /// it (0 without IQ); write_slot() derives it from iq_samples_per_antenna when 0, and checks it
  /// otherwise.
  unsigned iq_fft_size = 0;
  /// Received frequency-domain grid (num_rx ports x symbols x 12 N_grid).
  phy::ResourceGrid grid;
  /// True channel H[rx][tx][symbol][subcarrier] (may be empty); shape in true_channel_shape.
  std::vector<phy::cf32> true_channel;
  std::array<unsigned, 4> true_channel_shape{};
};

/// The big datasets of a slot that TestVectorReader::read_slot() reads; the slot numbers and the
/// PDUs (configurations, TB and UCI bits) are always read. A reader that needs one dataset
/// skips decompressing the others (an O-RU emulator sends the grid or the IQ, a receiver checking
/// what it decoded needs the PDUs only); a part not read is left empty.
struct TestVectorSlotParts {
  bool grid = true;
  bool iq = true;
  bool true_channel = true;
  /// The PDUs alone.
  static constexpr TestVectorSlotParts pdus_only() { return {false, false, false}; }
};

/// How a writer stores the big datasets.
struct TestVectorWriteOptions {
  /// Shuffle + deflate the chunked datasets when libhdf5 has the deflate filter.
  bool compress = true;
  unsigned deflate_level = 4; ///< 1 (fast) .. 9 (small).
};

/// Writes one vector: construct with the header, then write_slot() per slot; the file is
/// complete after close() or destruction. Files are byte-for-byte reproducible (no time stamps).
class TestVectorWriter {
public:
  /// Creates (truncates) \p path and writes the header.
  /// \throws TestVectorError when the header is invalid or the file cannot be created.
  TestVectorWriter(const std::filesystem::path& path, const TestVectorHeader& header,
                   const TestVectorWriteOptions& options = {});
  /// Closes the file if close() was not called; errors are swallowed (call close() to see them).
  ~TestVectorWriter();
  TestVectorWriter(TestVectorWriter&&) noexcept;
  TestVectorWriter& operator=(TestVectorWriter&&) noexcept;
  TestVectorWriter(const TestVectorWriter&) = delete;
  TestVectorWriter& operator=(const TestVectorWriter&) = delete;

  /// Appends \p slot as /slots/NNNN. Everything is checked before anything is written, so a
  /// rejected slot leaves the file as it was.
  /// \throws TestVectorError on a shape mismatch with the header, an invalid PUSCH
  /// configuration (validate()), a TB whose length is not its TBS, or an HDF5 failure.
  void write_slot(const TestVectorSlot& slot);

  /// Slots written so far.
  [[nodiscard]] std::size_t num_slots() const;

  /// Flushes and closes the file; further write_slot() calls throw. \throws TestVectorError.
  void close();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Reads a vector, validating everything (types, shapes, ranges, config validate()); any problem
/// is a TestVectorError whose message names the file, the object path and what is wrong. Never
/// crashes on a malformed or truncated file. The file stays open while the reader lives.
class TestVectorReader {
public:
  /// Opens \p path and reads and validates the header and the slot index.
  /// \throws TestVectorError.
  explicit TestVectorReader(const std::filesystem::path& path);
  ~TestVectorReader();
  TestVectorReader(TestVectorReader&&) noexcept;
  TestVectorReader& operator=(TestVectorReader&&) noexcept;
  TestVectorReader(const TestVectorReader&) = delete;
  TestVectorReader& operator=(const TestVectorReader&) = delete;

  [[nodiscard]] const TestVectorHeader& header() const;
  [[nodiscard]] std::size_t num_slots() const;

  /// Reads slot \p index into \p slot, reusing its buffers (the grid keeps its storage when the
  /// shape fits its capacity): \p parts of its datasets, the others left empty (a grid of 0
  /// ports, no IQ, no true channel) and not checked. \throws TestVectorError when
  /// index >= num_slots() or what is read is malformed (then \p slot holds unspecified
  /// contents).
  void read_slot(std::size_t index, TestVectorSlot& slot, TestVectorSlotParts parts = {}) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::io
