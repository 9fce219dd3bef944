#include "fapi_shm_layout.h"

#include <bit>
#include <cstring>
#include <new>

namespace airan::io::fapi_detail {

namespace {

constexpr std::size_t align_up(std::size_t value) {
  return (value + cache_line_size - 1) / cache_line_size * cache_line_size;
}

constexpr std::uint32_t max_ring_capacity = 1U << 20;
constexpr std::uint32_t max_buffer_size = 1U << 30;
constexpr std::uint32_t max_payload_buffers = 1U << 16;
constexpr std::size_t max_segment_size = std::size_t{64} << 30;

} // namespace

const char* check_shm_config(const FapiShmConfig& config) {
  if (config.ring_capacity < 2 || config.ring_capacity > max_ring_capacity ||
      !std::has_single_bit(config.ring_capacity)) {
    return "ring_capacity must be a power of two in 2..2^20";
  }
  if (config.message_slot_size < 1 || config.message_slot_size > max_buffer_size) {
    return "message_slot_size must be 1..2^30";
  }
  if (config.payload_buffer_count > max_payload_buffers ||
      (config.payload_buffer_count > 0 &&
       (config.payload_buffer_size < 1 || config.payload_buffer_size > max_buffer_size))) {
    return "payload buffers: at most 2^16 of 1..2^30 bytes";
  }
  if (shm_segment_size(config) > max_segment_size) {
    return "the segment would exceed 64 GiB";
  }
  return "";
}

ShmDirectionLayout shm_direction_layout(const FapiShmConfig& config) {
  ShmDirectionLayout layout;
  layout.descriptors = align_up(sizeof(ShmRingIndices));
  layout.message_slots =
      layout.descriptors + align_up(std::size_t{config.ring_capacity} * sizeof(ShmDescriptor));
  layout.slot_stride = align_up(config.message_slot_size);
  layout.free_list = layout.message_slots + std::size_t{config.ring_capacity} * layout.slot_stride;
  layout.payload_buffers =
      layout.free_list + align_up(std::size_t{config.payload_buffer_count} * sizeof(std::uint32_t));
  layout.buffer_stride = config.payload_buffer_count > 0 ? align_up(config.payload_buffer_size) : 0;
  layout.size = layout.payload_buffers + config.payload_buffer_count * layout.buffer_stride;
  return layout;
}

std::size_t shm_segment_size(const FapiShmConfig& config) {
  return align_up(sizeof(ShmSegmentHeader)) + 2 * shm_direction_layout(config).size;
}

ShmRing::ShmRing(std::uint8_t* base, const FapiShmConfig& config)
    : base_(base), indices_(std::launder(reinterpret_cast<ShmRingIndices*>(base))), config_(config),
      layout_(shm_direction_layout(config)) {}

void ShmRing::initialise() {
  indices_ = new (base_) ShmRingIndices{};
  for (std::uint32_t i = 0; i < config_.payload_buffer_count; ++i) {
    free_list()[i] = i;
  }
  indices_->free_head.store(config_.payload_buffer_count, std::memory_order_release);
}

ShmDescriptor* ShmRing::descriptors() const {
  return reinterpret_cast<ShmDescriptor*>(base_ + layout_.descriptors);
}
std::uint8_t* ShmRing::slot(std::uint64_t index) const {
  return base_ + layout_.message_slots +
         (index & (config_.ring_capacity - 1)) * layout_.slot_stride;
}
std::uint32_t* ShmRing::free_list() const {
  return reinterpret_cast<std::uint32_t*>(base_ + layout_.free_list);
}
std::uint8_t* ShmRing::buffer(std::uint32_t index) const {
  return base_ + layout_.payload_buffers + std::size_t{index} * layout_.buffer_stride;
}

FapiTransportStatus ShmRing::push(std::span<const std::uint8_t> unit) {
  const std::uint64_t head = indices_->head.load(std::memory_order_relaxed);
  const std::uint64_t tail = indices_->tail.load(std::memory_order_acquire);
  if (head - tail >= config_.ring_capacity) {
    return FapiTransportStatus::would_block;
  }
  ShmDescriptor descriptor;
  descriptor.length = static_cast<std::uint32_t>(unit.size());
  std::uint8_t* destination = nullptr;
  if (unit.size() <= config_.message_slot_size) {
    destination = slot(head);
  } else if (config_.payload_buffer_count > 0 && unit.size() <= config_.payload_buffer_size) {
    const std::uint64_t taken = indices_->free_tail.load(std::memory_order_relaxed);
    const std::uint64_t returned = indices_->free_head.load(std::memory_order_acquire);
    if (taken == returned) {
      return FapiTransportStatus::would_block; // every payload buffer is in flight
    }
    descriptor.payload_index = free_list()[taken % config_.payload_buffer_count];
    if (descriptor.payload_index >= config_.payload_buffer_count) {
      return FapiTransportStatus::error; // the peer corrupted the free list
    }
    indices_->free_tail.store(taken + 1, std::memory_order_release);
    destination = buffer(descriptor.payload_index);
  } else {
    return FapiTransportStatus::too_large;
  }
  if (!unit.empty()) {
    std::memcpy(destination, unit.data(), unit.size());
  }
  descriptors()[head & (config_.ring_capacity - 1)] = descriptor;
  indices_->head.store(head + 1, std::memory_order_release);
  return FapiTransportStatus::ok;
}

ShmRing::PopResult ShmRing::pop(std::span<std::uint8_t> out, std::size_t& size) {
  const std::uint64_t tail = indices_->tail.load(std::memory_order_relaxed);
  const std::uint64_t head = indices_->head.load(std::memory_order_acquire);
  if (head == tail) {
    return PopResult::empty;
  }
  if (head - tail > config_.ring_capacity) {
    // The producer's head is not within one ring of this tail (rewound or overwritten): no
    // descriptor between them can be trusted. Skip to it, follow none, return no buffer.
    indices_->tail.store(head, std::memory_order_release);
    return PopResult::malformed;
  }
  const ShmDescriptor descriptor = descriptors()[tail & (config_.ring_capacity - 1)];
  const bool in_slot = descriptor.payload_index == in_message_slot;
  PopResult result = PopResult::ok;
  const std::uint8_t* source = nullptr;
  if (in_slot ? descriptor.length > config_.message_slot_size
              : descriptor.payload_index >= config_.payload_buffer_count ||
                    descriptor.length > config_.payload_buffer_size) {
    result = PopResult::malformed; // never follow a descriptor outside the segment
  } else if (descriptor.length > out.size()) {
    result = PopResult::too_large;
  } else {
    source = in_slot ? slot(tail) : buffer(descriptor.payload_index);
    if (descriptor.length != 0) {
      std::memcpy(out.data(), source, descriptor.length);
    }
    size = descriptor.length;
  }
  // The descriptor is consumed before its buffer goes back: a consumer that dies between the
  // two loses the buffer; the other order would leave the descriptor for the next consumer
  // (attach() drains it) to return the buffer a second time, and two later units would share it.
  indices_->tail.store(tail + 1, std::memory_order_release);
  if (!in_slot && descriptor.payload_index < config_.payload_buffer_count) {
    const std::uint64_t returned = indices_->free_head.load(std::memory_order_relaxed);
    free_list()[returned % config_.payload_buffer_count] = descriptor.payload_index;
    indices_->free_head.store(returned + 1, std::memory_order_release);
  }
  return result;
}

} // namespace airan::io::fapi_detail
