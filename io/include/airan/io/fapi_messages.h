/// \file
/// \brief Every SCF 222.10.02 message the airan FAPI codec handles, and FapiMessage: one
/// preallocated holder that any of them decodes into (see fapi_codec.h).
#pragma once

#include "airan/io/fapi_p5_messages.h"
#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_types.h"

namespace airan::io {

/// Holder for one decoded message of any handled type: `type` says which member is valid.
/// About 250 kB (the P7 messages have fixed capacities): allocate it once (e.g. with
/// std::make_unique) and reuse it for every message.
struct FapiMessage {
  FapiMessageType type = FapiMessageType::param_request;
  FapiParamRequest param_request;
  FapiParamResponse param_response;
  FapiConfigRequest config_request;
  FapiConfigResponse config_response;
  FapiStartRequest start_request;
  FapiStopRequest stop_request;
  FapiStopIndication stop_indication;
  FapiErrorIndication error_indication;
  FapiSlotIndication slot_indication;
  FapiUlTtiRequest ul_tti_request;
  FapiCrcIndication crc_indication;
  FapiRxDataIndication rx_data_indication;
  FapiUciIndication uci_indication;
  FapiRachIndication rach_indication;
  FapiSrsIndication srs_indication;
};

/// True when the codec decodes and encodes messages of type \p type.
constexpr bool fapi_codec_handles(FapiMessageType type) {
  switch (type) {
  case FapiMessageType::param_request:
  case FapiMessageType::param_response:
  case FapiMessageType::config_request:
  case FapiMessageType::config_response:
  case FapiMessageType::start_request:
  case FapiMessageType::stop_request:
  case FapiMessageType::stop_indication:
  case FapiMessageType::error_indication:
  case FapiMessageType::slot_indication:
  case FapiMessageType::ul_tti_request:
  case FapiMessageType::crc_indication:
  case FapiMessageType::rx_data_indication:
  case FapiMessageType::uci_indication:
  case FapiMessageType::rach_indication:
  case FapiMessageType::srs_indication:
    return true;
  default:
    return false;
  }
}

} // namespace airan::io
