/// \file
/// \brief Memory layout of a FAPI shared-memory segment (fapi_shm_transport.h) and the
/// single-producer / single-consumer ring operations on one direction of it.
///
/// Segment: ShmSegmentHeader, then direction 0 (PHY -> MAC), then direction 1 (MAC -> PHY).
/// Direction: ShmRingIndices (four indices, one cache line each), descriptors[ring_capacity],
/// message slots[ring_capacity][slot stride], free list[payload_buffer_count] (uint32 buffer
/// indices), payload buffers[payload_buffer_count][buffer stride]; every part starts on a
/// cache line. Indices count up forever (uint64) and are reduced modulo the sizes.
#pragma once

#include "airan/io/fapi_shm_transport.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::io::fapi_detail {

inline constexpr std::size_t cache_line_size = 64;
/// "AIRAFAPI" as little-endian bytes.
inline constexpr std::uint64_t shm_magic = 0x4950414641524941ULL;
/// Descriptor payload_index of a unit held in the descriptor's own message slot.
inline constexpr std::uint32_t in_message_slot = 0xFFFFFFFFU;

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::int32_t>::is_always_lock_free);

/// Start of the segment. Written by the creator before `ready` is set (release).
struct alignas(cache_line_size) ShmSegmentHeader {
  std::uint64_t magic = 0;
  std::uint32_t version = 0;
  std::uint32_t header_size = 0;
  std::uint64_t segment_size = 0;
  std::uint32_t ring_capacity = 0;
  std::uint32_t message_slot_size = 0;
  std::uint32_t payload_buffer_count = 0;
  std::uint32_t payload_buffer_size = 0;
  std::uint64_t direction_offset[2] = {0, 0};
  alignas(cache_line_size) std::atomic<std::uint32_t> ready{0};
  std::atomic<std::int32_t> mac_pid{0}; ///< Process id of the attached MAC, 0 when none.
};

/// The four indices of one direction, each on its own cache line.
struct ShmRingIndices {
  alignas(cache_line_size) std::atomic<std::uint64_t> head{0};      ///< Written by the producer.
  alignas(cache_line_size) std::atomic<std::uint64_t> tail{0};      ///< Written by the consumer.
  alignas(cache_line_size) std::atomic<std::uint64_t> free_head{0}; ///< Buffers returned (cons.).
  alignas(cache_line_size) std::atomic<std::uint64_t> free_tail{0}; ///< Buffers taken (prod.).
};

/// One ring entry: the unit's length and where it is.
struct ShmDescriptor {
  std::uint32_t length = 0;
  std::uint32_t payload_index = in_message_slot;
};

/// Offsets (from the start of a direction) and sizes of one direction.
struct ShmDirectionLayout {
  std::size_t descriptors = 0;
  std::size_t message_slots = 0;
  std::size_t slot_stride = 0;
  std::size_t free_list = 0;
  std::size_t payload_buffers = 0;
  std::size_t buffer_stride = 0;
  std::size_t size = 0; ///< Bytes of the direction, a multiple of the cache line.
};

/// Empty when \p config is usable, otherwise why not.
const char* check_shm_config(const FapiShmConfig& config);

/// Layout of one direction for \p config (which check_shm_config() accepted).
ShmDirectionLayout shm_direction_layout(const FapiShmConfig& config);

/// Bytes of a whole segment for \p config.
std::size_t shm_segment_size(const FapiShmConfig& config);

/// One direction of a mapped segment, seen by its producer or its consumer.
class ShmRing {
public:
  ShmRing() = default;
  ShmRing(std::uint8_t* base, const FapiShmConfig& config);

  /// Initialises indices and the free list (creator only, before `ready`).
  void initialise();

  /// Producer: copies \p unit in. would_block when the ring or the pool is full, too_large when
  /// it fits neither a slot nor a buffer.
  FapiTransportStatus push(std::span<const std::uint8_t> unit);

  enum class PopResult : std::uint8_t { empty, ok, malformed, too_large };
  /// Consumer: copies the oldest unit into \p buffer (size in \p size) and frees its place.
  /// malformed also when the producer's head is more than a ring ahead of the tail (or behind
  /// it): the consumer then skips to that head.
  PopResult pop(std::span<std::uint8_t> buffer, std::size_t& size);

private:
  [[nodiscard]] ShmDescriptor* descriptors() const;
  [[nodiscard]] std::uint8_t* slot(std::uint64_t index) const;
  [[nodiscard]] std::uint32_t* free_list() const;
  [[nodiscard]] std::uint8_t* buffer(std::uint32_t index) const;

  std::uint8_t* base_ = nullptr;
  ShmRingIndices* indices_ = nullptr;
  FapiShmConfig config_;
  ShmDirectionLayout layout_;
};

} // namespace airan::io::fapi_detail
