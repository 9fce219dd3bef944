/// \file
/// \brief HARQ soft buffer pool: preallocated buffers handed out by HARQ process.
#include "airan/phy/harq_buffer_pool.h"

#include <algorithm>
#include <string>

namespace airan::phy {

HarqBufferPool::HarqBufferPool(unsigned num_buffers, std::size_t soft_bits_per_buffer,
                               HarqStorage storage, std::uint32_t expiry_slots)
    : soft_bits_per_buffer_(soft_bits_per_buffer), storage_kind_(storage),
      expiry_slots_(expiry_slots) {
  if (num_buffers == 0 || soft_bits_per_buffer == 0) {
    throw std::invalid_argument("HARQ buffer pool: " + std::to_string(num_buffers) +
                                " buffers of " + std::to_string(soft_bits_per_buffer) +
                                " soft bits");
  }
  if (storage == HarqStorage::host) {
    storage_.assign(std::size_t{num_buffers} * soft_bits_per_buffer, 0.0f);
  }
  buffers_.resize(num_buffers);
  for (unsigned b = 0; b < num_buffers; ++b) {
    if (storage == HarqStorage::host) {
      buffers_[b].soft_bits_ = std::span<float>(storage_).subspan(
          std::size_t{b} * soft_bits_per_buffer, soft_bits_per_buffer);
    }
    buffers_[b].capacity_ = soft_bits_per_buffer;
    buffers_[b].index_ = b;
  }
}

HarqSoftBuffer* HarqBufferPool::find(const HarqProcessKey& key) {
  for (auto& buffer : buffers_) {
    if (buffer.in_use_ && buffer.key_ == key) {
      return &buffer;
    }
  }
  return nullptr;
}

HarqSoftBuffer& HarqBufferPool::acquire(const HarqProcessKey& key, bool new_data) {
  HarqSoftBuffer* held = find(key);
  if (held == nullptr) {
    for (auto& buffer : buffers_) {
      if (!buffer.in_use_) {
        held = &buffer;
        break;
      }
    }
    if (held == nullptr) {
      ++num_exhausted_;
      throw HarqPoolExhaustedError("HARQ buffer pool: all " + std::to_string(buffers_.size()) +
                                   " buffers are in use (RNTI " + std::to_string(key.rnti) +
                                   ", HARQ process " + std::to_string(key.harq_process) + ")");
    }
    held->in_use_ = true;
    held->key_ = key;
    ++num_in_use_;
    new_data = true;
  }
  if (new_data) {
    held->state_ = HarqSoftBuffer::State{};
  }
  held->last_used_slot_ = now_slot_;
  return *held;
}

bool HarqBufferPool::touch(const HarqProcessKey& key) {
  HarqSoftBuffer* held = find(key);
  if (held == nullptr) {
    return false;
  }
  held->last_used_slot_ = now_slot_;
  return true;
}

bool HarqBufferPool::release(const HarqProcessKey& key) {
  HarqSoftBuffer* held = find(key);
  if (held == nullptr) {
    return false;
  }
  held->in_use_ = false;
  held->state_ = HarqSoftBuffer::State{};
  --num_in_use_;
  return true;
}

unsigned HarqBufferPool::advance_clock(std::uint64_t now_slot) {
  now_slot_ = std::max(now_slot_, now_slot);
  if (expiry_slots_ == 0) {
    return 0;
  }
  unsigned expired = 0;
  for (auto& buffer : buffers_) {
    if (buffer.in_use_ && now_slot_ - buffer.last_used_slot_ > expiry_slots_) {
      buffer.in_use_ = false;
      buffer.state_ = HarqSoftBuffer::State{};
      ++expired;
    }
  }
  num_in_use_ -= expired;
  num_expired_ += expired;
  return expired;
}

void HarqBufferPool::reset() {
  for (auto& buffer : buffers_) {
    buffer.in_use_ = false;
    buffer.state_ = HarqSoftBuffer::State{};
  }
  num_in_use_ = 0;
  now_slot_ = 0;
}

unsigned HarqBufferPool::release_all(std::uint16_t rnti) {
  unsigned released = 0;
  for (auto& buffer : buffers_) {
    if (buffer.in_use_ && buffer.key_.rnti == rnti) {
      buffer.in_use_ = false;
      buffer.state_ = HarqSoftBuffer::State{};
      ++released;
    }
  }
  num_in_use_ -= released;
  return released;
}

} // namespace airan::phy
