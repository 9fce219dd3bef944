/// \file
/// \brief The HARQ buffer rule for PUSCH PDUs that are not decoded.
#include "airan/phy/pusch_harq_process.h"

#include <cstdint>

namespace airan::phy {

std::optional<HarqProcessKey> pusch_harq_process(const PuschConfig& pdu) {
  if (!pdu.ulsch || pdu.harq_process_id > UINT8_MAX) {
    return std::nullopt;
  }
  return HarqProcessKey{pdu.rnti, static_cast<std::uint8_t>(pdu.harq_process_id)};
}

bool duplicate_harq_process(std::span<const PuschConfig> pdus, std::size_t index) {
  const PuschConfig& pdu = pdus[index];
  if (!pdu.ulsch) {
    return false; // UCI only: no HARQ process
  }
  for (std::size_t j = 0; j < index; ++j) {
    if (pdus[j].ulsch && pdus[j].rnti == pdu.rnti &&
        pdus[j].harq_process_id == pdu.harq_process_id) {
      return true;
    }
  }
  return false;
}

bool end_previous_transport_block(HarqBufferPool& pool, const PuschConfig& pdu,
                                  bool buffer_in_flight) {
  const std::optional<HarqProcessKey> key = pusch_harq_process(pdu);
  if (!key || !pdu.new_data_indicator || buffer_in_flight) {
    return false;
  }
  return pool.release(*key);
}

} // namespace airan::phy
