#include "fapi_pusch_ptrs_conversion.h"

#include "airan/phy/ptrs_pusch.h"

#include <bit>
#include <cstdarg>
#include <cstdio>

namespace airan::io::fapi_detail {
namespace {

/// Columns of TS 38.211 Table 6.4.1.2.2.1-1 (resourceElementOffset '00' .. '11').
constexpr unsigned re_offset_columns = 4;

[[gnu::format(printf, 2, 3)]] FapiError ptrs_error(FapiStatus status, const char* format, ...);

/// A MSG_SLOT_ERR of UL_TTI.request with a printf-formatted reason (as pdu_error() of
/// fapi_pusch_conversion.cpp).
FapiError ptrs_error(FapiStatus status, const char* format, ...) {
  FapiError error;
  error.status = status;
  error.code = FapiErrorCode::msg_slot_err;
  error.message_type = FapiMessageType::ul_tti_request;
  std::va_list args;
  va_start(args, format);
  std::vsnprintf(error.reason_text.data(), error.reason_text.size(), format, args);
  va_end(args);
  return error;
}

} // namespace

FapiError check_pusch_ptrs(const FapiPuschPdu& pdu) {
  const auto& ptrs = pdu.ptrs;
  if (!ptrs) {
    return {};
  }
  if (pdu.transform_precoding == 0) {
    return ptrs_error(FapiStatus::unsupported,
                      "PT-RS with transform precoding (TS 38.211 6.4.1.2.2.2) is not supported");
  }
  if (ptrs->num_ports != 1) {
    return ptrs_error(FapiStatus::unsupported, "numPtrsPorts %u: only one PT-RS port is supported",
                      ptrs->num_ports);
  }
  if (ptrs->ul_ptrs_power > 1) {
    return ptrs_error(FapiStatus::out_of_range,
                      "ulPTRSPower %u is reserved (TS 38.214 Table 6.2.3.1-3 defines 0 and 1)",
                      ptrs->ul_ptrs_power);
  }
  return {};
}

FapiError ptrs_config_of(const FapiPuschPtrs& ptrs, phy::PuschConfig& config) {
  const FapiPtrsPort& port = ptrs.ports[0];
  if (port.dmrs_port >= 16 || ((config.dmrs_ports >> port.dmrs_port) & 1U) == 0) {
    return ptrs_error(FapiStatus::out_of_range, "PTRSDmrsPort %u is not in dmrsPorts 0x%03x",
                      port.dmrs_port, config.dmrs_ports);
  }
  const auto type = static_cast<unsigned>(config.dmrs_config_type);
  if (phy::ptrs_re_reference(config.dmrs_config_type, port.dmrs_port, 0) < 0) {
    return ptrs_error(FapiStatus::out_of_range,
                      "PTRSDmrsPort %u of DMRS type %u has no row in TS 38.211 Table "
                      "6.4.1.2.2.1-1",
                      port.dmrs_port, type);
  }
  unsigned column = 0;
  while (column < re_offset_columns &&
         phy::ptrs_re_reference(config.dmrs_config_type, port.dmrs_port, column) !=
             int{port.re_offset}) {
    ++column;
  }
  if (column == re_offset_columns) {
    return ptrs_error(FapiStatus::out_of_range,
                      "PTRSReOffset %u is not a k_ref^RE of DMRS port %u, type %u (TS 38.211 "
                      "Table 6.4.1.2.2.1-1)",
                      port.re_offset, port.dmrs_port, type);
  }
  phy::PuschPtrsConfig& out = config.ptrs;
  out.enabled = true;
  out.time_density = 1U << ptrs.time_density;
  out.frequency_density = 2U << ptrs.freq_density;
  out.re_offset = column;
  out.dmrs_port = port.dmrs_port;
  out.power = ptrs.ul_ptrs_power;
  return {};
}

FapiPuschPtrs fapi_ptrs_of(const phy::PuschConfig& pusch) {
  const phy::PuschPtrsConfig& config = pusch.ptrs;
  FapiPuschPtrs ptrs;
  ptrs.num_ports = 1;
  FapiPtrsPort& port = ptrs.ports[0];
  const auto layer =
      std::popcount(static_cast<unsigned>(pusch.dmrs_ports) & ((1U << config.dmrs_port) - 1U));
  port.port_index = static_cast<std::uint16_t>(1U << layer);
  port.dmrs_port = static_cast<std::uint8_t>(config.dmrs_port);
  port.re_offset = static_cast<std::uint8_t>(
      phy::ptrs_re_reference(pusch.dmrs_config_type, config.dmrs_port, config.re_offset));
  ptrs.time_density = static_cast<std::uint8_t>(std::countr_zero(config.time_density));
  ptrs.freq_density = config.frequency_density == 4 ? 1 : 0;
  ptrs.ul_ptrs_power = static_cast<std::uint8_t>(config.power);
  return ptrs;
}

} // namespace airan::io::fapi_detail
