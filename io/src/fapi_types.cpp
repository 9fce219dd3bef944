#include "airan/io/fapi_types.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace airan::io {

const char* fapi_message_type_name(FapiMessageType type) {
  switch (type) {
  case FapiMessageType::param_request:
    return "PARAM.request";
  case FapiMessageType::param_response:
    return "PARAM.response";
  case FapiMessageType::config_request:
    return "CONFIG.request";
  case FapiMessageType::config_response:
    return "CONFIG.response";
  case FapiMessageType::start_request:
    return "START.request";
  case FapiMessageType::stop_request:
    return "STOP.request";
  case FapiMessageType::stop_indication:
    return "STOP.indication";
  case FapiMessageType::error_indication:
    return "ERROR.indication";
  case FapiMessageType::dl_tti_request:
    return "DL_TTI.request";
  case FapiMessageType::ul_tti_request:
    return "UL_TTI.request";
  case FapiMessageType::slot_indication:
    return "SLOT.indication";
  case FapiMessageType::ul_dci_request:
    return "UL_DCI.request";
  case FapiMessageType::tx_data_request:
    return "TX_Data.request";
  case FapiMessageType::rx_data_indication:
    return "RX_DATA.indication";
  case FapiMessageType::crc_indication:
    return "CRC.indication";
  case FapiMessageType::uci_indication:
    return "UCI.indication";
  case FapiMessageType::srs_indication:
    return "SRS.indication";
  case FapiMessageType::rach_indication:
    return "RACH.indication";
  }
  return "unknown";
}

const char* fapi_error_code_name(FapiErrorCode code) {
  switch (code) {
  case FapiErrorCode::msg_ok:
    return "MSG_OK";
  case FapiErrorCode::msg_invalid_state:
    return "MSG_INVALID_STATE";
  case FapiErrorCode::msg_invalid_config:
    return "MSG_INVALID_CONFIG";
  case FapiErrorCode::sfn_out_of_sync:
    return "SFN_OUT_OF_SYNC";
  case FapiErrorCode::msg_slot_err:
    return "MSG_SLOT_ERR";
  case FapiErrorCode::msg_bch_missing:
    return "MSG_BCH_MISSING";
  case FapiErrorCode::msg_invalid_sfn:
    return "MSG_INVALID_SFN";
  case FapiErrorCode::msg_ul_dci_err:
    return "MSG_UL_DCI_ERR";
  case FapiErrorCode::msg_tx_err:
    return "MSG_TX_ERR";
  }
  return "unknown";
}

const char* fapi_status_name(FapiStatus status) {
  switch (status) {
  case FapiStatus::ok:
    return "ok";
  case FapiStatus::truncated:
    return "truncated";
  case FapiStatus::length_mismatch:
    return "length_mismatch";
  case FapiStatus::out_of_range:
    return "out_of_range";
  case FapiStatus::unknown_message_type:
    return "unknown_message_type";
  case FapiStatus::unsupported:
    return "unsupported";
  case FapiStatus::capacity_exceeded:
    return "capacity_exceeded";
  case FapiStatus::buffer_too_small:
    return "buffer_too_small";
  }
  return "unknown";
}

FapiError make_fapi_error(FapiStatus status, FapiErrorCode code, FapiMessageType message_type,
                          std::size_t offset, const char* format, ...) {
  FapiError error;
  error.status = status;
  error.code = code;
  error.message_type = message_type;
  error.offset = static_cast<std::uint32_t>(offset);
  std::va_list args;
  va_start(args, format);
  std::vsnprintf(error.reason_text.data(), error.reason_text.size(), format, args);
  va_end(args);
  return error;
}

void FapiTlvList::push(const FapiTlv& tlv) {
  if (count < capacity) {
    entries[count++] = tlv;
  } else {
    ++num_dropped;
  }
}

void FapiTlvList::push_scalar(std::uint16_t tag, std::uint32_t value, std::uint16_t size) {
  FapiTlv tlv;
  tlv.tag = tag;
  tlv.length = std::min<std::uint16_t>(size, 4);
  for (std::uint16_t i = 0; i < tlv.length; ++i) {
    tlv.value[i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  push(tlv);
}

} // namespace airan::io
