/// \file
/// \brief HARQ soft-combining memory: a fixed pool of soft buffers keyed by (RNTI, HARQ process).
///
/// Every buffer is allocated when the pool is built (num_buffers x soft_bits_per_buffer floats,
/// 4 bytes per soft bit) and never again; acquiring, resetting and releasing a buffer only
/// updates bookkeeping, so the slot-by-slot path does not allocate. A buffer holds the circular
/// buffers of one transport block's code blocks (see ulsch_soft_buffer_length() for the size a TB
/// needs); what it holds and how much of it is valid is recorded in its HarqSoftBuffer::State.
///
/// **Expiry.** A UE that leaves (or a MAC that gives up a process and never reuses it) would hold
/// its buffers for good, and a pool full of them refuses every new TB. Built with an expiry, the
/// pool frees every buffer whose HARQ process has not been acquired for that many slots when its
/// clock is advanced (advance_clock(), called once per slot by the L1 with its absolute slot
/// count), the way srsRAN's receive buffer pool expires buffers.
///
/// Not thread safe: one pool per thread, or external locking.
#pragma once

#include "airan/phy/ldpc_base_graph.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace airan::phy {

/// Identifies a HARQ process: the UE (C-RNTI) and its HARQ process number.
struct HarqProcessKey {
  std::uint16_t rnti = 0;
  std::uint8_t harq_process = 0; ///< HARQ process number (0..15, or 0..31 with 32 processes).
  friend bool operator==(const HarqProcessKey&, const HarqProcessKey&) = default;
};

/// Where a pool's soft values live.
enum class HarqStorage {
  host,    ///< In the pool (HarqSoftBuffer::soft_bits()).
  external ///< Elsewhere, e.g. in a GPU's memory, indexed by HarqSoftBuffer::index(); the pool
           ///< keeps only the bookkeeping and soft_bits() is empty.
};

/// Thrown by HarqBufferPool::acquire() when every buffer is held by another HARQ process.
class HarqPoolExhaustedError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The soft-combining memory of one HARQ process. Obtained from a HarqBufferPool.
class HarqSoftBuffer {
public:
  /// What the buffer holds. Reset to all zeros on new data; maintained by the UL-SCH decoder.
  struct State {
    unsigned num_transmissions = 0; ///< Transmissions combined since the last reset.
    std::uint32_t tbs = 0;          ///< TBS of the transport block held (when transmissions > 0).
    LdpcBaseGraph base_graph = LdpcBaseGraph::bg1;
    unsigned lifting_size = 0;           ///< Z of the code blocks.
    unsigned num_code_blocks = 0;        ///< C: circular buffers stored one after another.
    unsigned circular_buffer_length = 0; ///< N_cb: values per code block (the stride).
    /// Leading values of every code block's circular buffer that hold combined LLRs; values from
    /// here to N_cb are stale and must be cleared before use (clearing is done lazily, as the
    /// retransmissions reach further, so a reset costs nothing).
    unsigned received_length = 0;
  };

  /// All soft values of the buffer (soft_bits_per_buffer of the pool); empty with
  /// HarqStorage::external.
  [[nodiscard]] std::span<float> soft_bits() { return soft_bits_; }
  [[nodiscard]] std::span<const float> soft_bits() const { return soft_bits_; }

  /// Soft values the buffer holds (soft_bits_per_buffer of the pool), wherever they live.
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  /// Position of the buffer in its pool (0 .. num_buffers - 1): where its soft values are in
  /// external storage.
  [[nodiscard]] unsigned index() const { return index_; }

  /// Bookkeeping of the content; the UL-SCH decoder reads and updates it.
  [[nodiscard]] State& state() { return state_; }
  [[nodiscard]] const State& state() const { return state_; }

  /// The HARQ process holding the buffer (meaningless while it is free).
  [[nodiscard]] const HarqProcessKey& key() const { return key_; }

private:
  friend class HarqBufferPool;
  std::span<float> soft_bits_;
  std::size_t capacity_ = 0;
  unsigned index_ = 0;
  State state_;
  HarqProcessKey key_;
  std::uint64_t last_used_slot_ = 0; ///< Pool clock at the last acquire().
  bool in_use_ = false;
};

/// A bounded set of HARQ soft buffers, looked up by HARQ process (linear search over the
/// buffers, which is cheap for the few tens of buffers a cell needs).
class HarqBufferPool {
public:
  /// Allocates \p num_buffers buffers of \p soft_bits_per_buffer soft values each (with
  /// HarqStorage::external, only their bookkeeping). \p expiry_slots: a buffer whose process
  /// has not been acquired for more than this many slots of the pool's clock is freed by
  /// advance_clock(); 0: buffers never expire.
  /// \throws std::invalid_argument when num_buffers or soft_bits_per_buffer is 0.
  HarqBufferPool(unsigned num_buffers, std::size_t soft_bits_per_buffer,
                 HarqStorage storage = HarqStorage::host, std::uint32_t expiry_slots = 0);

  HarqBufferPool(const HarqBufferPool&) = delete;
  HarqBufferPool& operator=(const HarqBufferPool&) = delete;

  /// The buffer of HARQ process \p key for a transmission. When \p new_data is true (new data
  /// indicator toggled) or the process holds no buffer yet, the buffer comes back reset (no
  /// transmission combined); a retransmission (\p new_data false) of a held process gets its
  /// buffer unchanged, to combine into.
  /// The buffer's last use becomes the pool's clock.
  /// \throws HarqPoolExhaustedError when the process holds no buffer and none is free; the pool
  ///         is then unchanged but for num_exhausted().
  HarqSoftBuffer& acquire(const HarqProcessKey& key, bool new_data);

  /// Marks the buffer of \p key used now (a transmission of the process that was not decoded,
  /// e.g. its samples never came: the process is alive). \return False when \p key held none.
  bool touch(const HarqProcessKey& key);

  /// The buffer held by \p key, or nullptr.
  [[nodiscard]] HarqSoftBuffer* find(const HarqProcessKey& key);

  /// Frees the buffer of \p key (after a successful decoding, or when the process is given up).
  /// \return False when \p key held no buffer.
  bool release(const HarqProcessKey& key);

  /// Frees every buffer of UE \p rnti (e.g. on release of the UE); returns how many were held.
  unsigned release_all(std::uint16_t rnti);

  /// Moves the pool's clock to \p now_slot (a slot count that only grows, e.g. the L1's absolute
  /// slot; an earlier value leaves the clock where it is) and, with an expiry, frees every buffer
  /// last acquired more than expiry_slots() before it.
  /// \return How many buffers expired.
  unsigned advance_clock(std::uint64_t now_slot);

  /// Frees every buffer and sets the clock back to 0 (e.g. when the cell restarts and its slot
  /// count with it); the counters are kept.
  void reset();

  [[nodiscard]] std::uint64_t clock() const { return now_slot_; }
  [[nodiscard]] std::uint32_t expiry_slots() const { return expiry_slots_; }
  /// Buffers freed by advance_clock() since construction.
  [[nodiscard]] std::uint64_t num_expired() const { return num_expired_; }
  /// acquire() calls refused with HarqPoolExhaustedError since construction.
  [[nodiscard]] std::uint64_t num_exhausted() const { return num_exhausted_; }

  [[nodiscard]] unsigned num_buffers() const { return static_cast<unsigned>(buffers_.size()); }
  [[nodiscard]] unsigned num_in_use() const { return num_in_use_; }
  [[nodiscard]] std::size_t soft_bits_per_buffer() const { return soft_bits_per_buffer_; }
  [[nodiscard]] HarqStorage storage() const { return storage_kind_; }

private:
  std::size_t soft_bits_per_buffer_;
  HarqStorage storage_kind_;
  std::vector<float> storage_;
  std::vector<HarqSoftBuffer> buffers_;
  unsigned num_in_use_ = 0;
  std::uint32_t expiry_slots_;
  std::uint64_t now_slot_ = 0;
  std::uint64_t num_expired_ = 0;
  std::uint64_t num_exhausted_ = 0;
};

} // namespace airan::phy
