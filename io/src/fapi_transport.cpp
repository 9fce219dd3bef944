#include "airan/io/fapi_transport.h"

namespace airan::io {

const char* fapi_transport_status_name(FapiTransportStatus status) {
  switch (status) {
  case FapiTransportStatus::ok:
    return "ok";
  case FapiTransportStatus::would_block:
    return "would_block";
  case FapiTransportStatus::timeout:
    return "timeout";
  case FapiTransportStatus::too_large:
    return "too_large";
  case FapiTransportStatus::error:
    return "error";
  }
  return "unknown";
}

} // namespace airan::io
