/// \file
/// \brief Intra-slot frequency hopping on the GPU front end (host side): each hop of a PDU as a
/// PUSCH of its own (phy::pusch_hop_config()), estimated from its own DMRS into its own state,
/// as the CPU front end estimates it. The hops' channel estimates go to disjoint symbol rows of
/// one H; the equalizer reads each symbol at its hop's subcarriers with its hop's noise and
/// whitening (DataGeometry::second_hop_symbol, EqualizeDemapPdu::second_state).
#pragma once

#include "front_end_kernels.h"

#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_front_end.h"

namespace airan::gpu::detail {

/// One hop's estimation: its geometry and what the device generates its DMRS from.
struct HopGeometry {
  PduGeometry g;
  DmrsGeneration generation;
};

/// The hops of a PDU with intra-slot hopping (count 2), or of one without (count 1, the PDU's
/// own geometry).
struct HopGeometries {
  unsigned count = 0;
  HopGeometry hops[2];
};

/// The estimator geometry of each hop of \p pusch in \p slot on a grid of \p grid_rx antennas and
/// \p grid_symbols symbols of \p cell (make_pdu_geometry() of each hop's PUSCH).
/// \throws std::invalid_argument for an invalid DMRS setup.
HopGeometries make_hop_geometries(const phy::CellConfig& cell, unsigned grid_rx,
                                  unsigned grid_symbols, const phy::PuschConfig& pusch,
                                  unsigned slot, const phy::PuschFrontEndOptions& options);

} // namespace airan::gpu::detail
