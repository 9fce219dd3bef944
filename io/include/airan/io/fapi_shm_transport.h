/// \file
/// \brief FAPI over POSIX shared memory: one segment (shm_open + mmap) holding two lock-free
/// single-producer / single-consumer rings, PHY -> MAC and MAC -> PHY.
///
/// Each direction has a ring of descriptors with one message slot per descriptor (the message
/// pool, for units up to message_slot_size bytes) and a payload pool of larger buffers (for units
/// up to payload_buffer_size bytes, e.g. RX_DATA.indication with its TBs) whose free list is a
/// second SPSC ring running the other way. Head and tail indices sit on their own cache lines
/// and are published with release stores and read with acquire loads. The PHY creates the
/// segment (and unlinks it when destroyed); the MAC attaches to it by name. Layout:
/// docs/FAPI.md.
///
/// A full ring or an empty payload pool makes send() return would_block (back-pressure: the
/// sender decides to retry or drop). receive() polls the ring, spinning briefly, then yielding,
/// then sleeping in short steps until its timeout.
#pragma once

#include "airan/io/fapi_transport.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace airan::io {

/// Version of the segment layout; an attacher with another version is refused.
inline constexpr std::uint32_t fapi_shm_layout_version = 1;

/// Sizes of a segment (both directions alike), chosen by its creator.
struct FapiShmConfig {
  std::uint32_t ring_capacity = 256;          ///< Descriptors per ring (power of two).
  std::uint32_t message_slot_size = 16384;    ///< Bytes per message slot.
  std::uint32_t payload_buffer_count = 32;    ///< Large buffers per direction (0: none).
  std::uint32_t payload_buffer_size = 524288; ///< Bytes per large buffer.
};

/// Which end of the link a FapiShmTransport is.
enum class FapiShmRole : std::uint8_t {
  phy, ///< Creates the segment; sends PHY -> MAC, receives MAC -> PHY.
  mac, ///< Attaches to it; sends MAC -> PHY, receives PHY -> MAC.
};

/// One end of a FAPI shared-memory link. Not copyable; one sending and one receiving thread.
class FapiShmTransport final : public FapiTransport {
public:
  /// Creates (replacing a stale one) and initialises segment \p name ("/airan_fapi", see
  /// shm_open) as the PHY end. \throws FapiTransportError when it cannot.
  static std::unique_ptr<FapiShmTransport> create(const std::string& name,
                                                  const FapiShmConfig& config = {});

  /// Attaches to segment \p name as the MAC end. \throws FapiTransportError when the segment
  /// does not exist, is not an airan FAPI segment, has another layout version, has a size that
  /// disagrees with its header, or already has a live MAC attached. Units the PHY sent to an
  /// earlier MAC and that it left unread are dropped (discard_received()).
  static std::unique_ptr<FapiShmTransport> attach(const std::string& name);

  /// Drops the units now waiting in this end's receive ring, unread (counted in
  /// dropped_stale; at most a ring's worth, so a peer that keeps sending cannot hold the caller
  /// here); returns how many. attach() does this to what a previous MAC left unread;
  /// a PHY that gave up on a MAC that went silent does it to that MAC's last requests.
  std::size_t discard_received();

  ~FapiShmTransport() override;
  FapiShmTransport(const FapiShmTransport&) = delete;
  FapiShmTransport& operator=(const FapiShmTransport&) = delete;

  [[nodiscard]] FapiShmRole role() const;
  /// The segment's sizes (as created).
  [[nodiscard]] FapiShmConfig config() const;
  /// Bytes of the whole segment.
  [[nodiscard]] std::size_t segment_size() const;

  FapiTransportStatus send(std::span<const std::uint8_t> unit) override;
  FapiReceiveResult receive(std::span<std::uint8_t> buffer,
                            std::chrono::microseconds timeout) override;
  /// max(message_slot_size, payload_buffer_size when the pool has buffers).
  [[nodiscard]] std::size_t max_message_size() const override;
  [[nodiscard]] FapiTransportCounters counters() const override;

private:
  struct Impl;
  explicit FapiShmTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::io
