/// \file
/// \brief The TB CRC contribution tables of GpuUlschDecoder in device memory, shared by every
/// decoder on a device.
#pragma once

#include "airan/gpu/device_buffer.h"

#include <cstdint>
#include <memory>

namespace airan::gpu::detail {

/// CrcCalculator::bit_contributions of CRC16 (TBs of up to 3824 bits, with their CRC) and of
/// CRC24A (TBs of up to crc24a_bits - 24 bits, with their CRC).
struct TbCrcTables {
  DeviceBuffer<std::uint32_t> crc16;
  DeviceBuffer<std::uint32_t> crc24a;
  std::uint32_t crc24a_bits = 0;
};

/// The tables of \p device for TBs of up to \p max_tbs bits: made on first use (or when a larger
/// TBS is asked for) and kept while a decoder holds them. Thread safe.
/// \throws CudaError when an allocation or copy fails.
std::shared_ptr<const TbCrcTables> tb_crc_tables(int device, std::uint32_t max_tbs);

} // namespace airan::gpu::detail
