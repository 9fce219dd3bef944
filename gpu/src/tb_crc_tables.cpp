/// \file
/// \brief TB CRC tables per device, computed on the host once and shared.
#include "tb_crc_tables.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/phy/crc_calculator.h"

#include <mutex>
#include <utility>
#include <vector>

namespace airan::gpu::detail {

std::shared_ptr<const TbCrcTables> tb_crc_tables(int device, std::uint32_t max_tbs) {
  static std::mutex mutex;
  static std::vector<std::pair<int, std::weak_ptr<const TbCrcTables>>> made;
  const std::lock_guard lock(mutex);
  for (const auto& [made_device, weak] : made) {
    if (made_device == device) {
      if (auto tables = weak.lock(); tables && tables->crc24a_bits >= max_tbs + 24) {
        return tables;
      }
    }
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device));
  const auto crc16 = phy::CrcCalculator(phy::CrcPolynomial::crc16).bit_contributions(3824 + 16);
  const auto crc24a =
      phy::CrcCalculator(phy::CrcPolynomial::crc24a).bit_contributions(max_tbs + 24);
  auto tables = std::make_shared<TbCrcTables>();
  tables->crc16 = DeviceBuffer<std::uint32_t>(crc16.size());
  tables->crc24a = DeviceBuffer<std::uint32_t>(crc24a.size());
  tables->crc24a_bits = max_tbs + 24;
  CudaStream stream;
  tables->crc16.copy_from_host(crc16, stream.get());
  tables->crc24a.copy_from_host(crc24a, stream.get());
  stream.synchronize();
  std::erase_if(made, [](const auto& entry) { return entry.second.expired(); });
  made.emplace_back(device, tables);
  return tables;
}

} // namespace airan::gpu::detail
