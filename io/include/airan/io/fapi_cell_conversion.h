/// \file
/// \brief Between the FAPI CONFIG.request and phy::CellConfig (plus the receive antenna count).
///
/// 222.10.02 CONFIG.request gives the uplink grid per numerology (ulGridSize), the cell id and
/// the receive antennas; the cyclic prefix, dmrs-TypeA-Position and the carrier's first CRB come
/// from airan vendor TLVs (fapi_config_tag::vendor_*) and default to normal, 2 and 0. FAPIv3's
/// UCI configuration gives the receiver's CSI part 2 size maps.
#pragma once

#include "airan/io/fapi_p5_messages.h"
#include "airan/io/fapi_types.h"
#include "airan/phy/csi_part2_sizing.h"
#include "airan/phy/pusch_config.h"

#include <vector>

namespace airan::io {

/// RSSIMeasurement values (CONFIG.request) and rssiMeasurementSupport (PARAM.response).
inline constexpr std::uint8_t fapi_rssi_not_reported = 0;
inline constexpr std::uint8_t fapi_rssi_in_dbm = 1; ///< Needs the RU's calibration.
inline constexpr std::uint8_t fapi_rssi_in_dbfs = 2;

/// The cell \p request configures. The numerology is the one with a non-zero ulGridSize (with
/// several, scsCommon picks one). Missing mandatory TLVs (ulGridSize, phyCellId, numRxAnt),
/// unsupported values (7.5 kHz shift; RSSI in dBm unless \p rssi_dbm_supported, i.e. the L1
/// knows the RU's calibration) and an invalid cell give MSG_INVALID_CONFIG;
/// when \p response is given it is filled as the CONFIG.response to send (tags listed under missing
/// or invalid_or_unsupported, error code MSG_OK or MSG_INVALID_CONFIG). \p cell and
/// \p num_rx_antennas are written only on success.
FapiError to_cell_config(const FapiConfigRequest& request, phy::CellConfig& cell,
                         unsigned& num_rx_antennas, FapiConfigResponse* response = nullptr,
                         bool rssi_dbm_supported = false);

/// The CSI part 2 size maps of \p request's UCI configuration (TLV 0x1036, FAPIv3), in the order
/// sent (the order part2SizeMapIndex numbers them; empty without the TLV), for
/// phy::PuschReceiverConfig::csi_part2_size_maps. A map that phy::CsiPart2SizeMap::validate()
/// refuses (a part 1 field of 0 bits, a size above 1706 bits) gives MSG_INVALID_CONFIG
/// (out_of_range, the map's index and the problem); when \p response is given the TLV's tag is
/// then listed under invalid_or_unsupported and its error code set to MSG_INVALID_CONFIG (it is
/// left alone otherwise, e.g. as to_cell_config() filled it). \p maps is written only on success.
FapiError to_csi_part2_size_maps(const FapiConfigRequest& request,
                                 std::vector<phy::CsiPart2SizeMap>& maps,
                                 FapiConfigResponse* response = nullptr);

/// A CONFIG.request for \p cell received on \p num_rx_antennas antennas: ulGridSize and ulk0 (0)
/// for the cell's numerology, phyCellId, numRxAnt, scsCommon (mu <= 3), the 7.5 kHz shift off,
/// RSSI in dBFS, and the vendor TLVs.
FapiConfigRequest to_fapi_config_request(const phy::CellConfig& cell, unsigned num_rx_antennas);

/// The configuration a CONFIG.request \p update sent in the CONFIGURED state leaves, on top of
/// the one \p applied (SCF 222.10 section 2.2: such a request carries only the TLVs that change):
/// each TLV \p update has replaces \p applied's, the others stay. The PRACH FD occasions are one
/// whole (any occasion TLV in \p update replaces them all), so are the UCI configuration's maps;
/// the unrecognised TLVs are \p update's.
FapiConfigRequest merge_config_request(const FapiConfigRequest& applied,
                                       const FapiConfigRequest& update);

} // namespace airan::io
