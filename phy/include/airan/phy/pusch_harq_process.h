/// \file
/// \brief What a PUSCH PDU does to its HARQ process's soft buffer when it is not decoded: the one
/// rule that PuschReceiver and gpu::GpuCellGroup both follow.
///
/// A PDU with new data (NDI toggled) ends its process's previous TB whether or not it is decoded:
/// a receiver that refuses it (invalid, unsupported, too large) or fails before its decoding takes
/// a buffer frees the process's buffer, so that a later retransmission of the new TB starts from
/// an empty buffer instead of combining the old TB's soft values into the new one. A refused
/// retransmission keeps the buffer for the next one. A second PDU of the same process in a slot
/// (duplicate_harq_process()) leaves it alone: the first PDU owns the buffer in the slot.
#pragma once

#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/pusch_config.h"

#include <cstddef>
#include <optional>
#include <span>

namespace airan::phy {

/// The HARQ process of \p pdu's TB, or none: a PUSCH without UL-SCH has no HARQ process, and a
/// process number beyond 8 bits would alias another one.
[[nodiscard]] std::optional<HarqProcessKey> pusch_harq_process(const PuschConfig& pdu);

/// True when PDU \p index of \p pdus carries UL-SCH for the same RNTI and HARQ process as an
/// earlier UL-SCH PDU of \p pdus (the slot's PDUs): the receiver refuses it and leaves the
/// process's buffer to the earlier PDU.
[[nodiscard]] bool duplicate_harq_process(std::span<const PuschConfig> pdus, std::size_t index);

/// Applies the rule to \p pdu, a PDU that is not decoded (refused, or failed before its decoding
/// took a buffer) and not a duplicate (duplicate_harq_process()): with new data its process's
/// buffer in \p pool is freed. \p buffer_in_flight: the process's buffer is being decoded for an
/// earlier slot still in flight (a receiver with several slots in flight), so it is left to that
/// decoding. \return True when a buffer was freed.
bool end_previous_transport_block(HarqBufferPool& pool, const PuschConfig& pdu,
                                  bool buffer_in_flight = false);

} // namespace airan::phy
