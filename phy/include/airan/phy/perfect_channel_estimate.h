/// \file
/// \brief Perfect channel state information (genie): fills a ChannelEstimate from the true
/// channel of a channel model instead of estimating it from the DMRS. This is the upper bound
/// that evaluation compares estimators against (Sionna's `perfect_csi`).
///
/// The estimate of layer l is the effective channel sum_p H(rx, p) W(p, l) with W the PDU's
/// precoding matrix (identity for non-codebook transmission, layer l on port l), exactly what the
/// DMRS-based estimator estimates. The noise variance is the true one; measurements are derived
/// from the true channel (RSRP, SNR); CFO, delay and delay spread are not measured (0 / empty).
/// For MMSE-IRC the covariance is the white-noise covariance N0 I (one group).
#pragma once
#include "airan/phy/channel_estimate.h"
#include "airan/phy/channel_response.h"
#include "airan/phy/pusch_config.h"

namespace airan::phy {

/// Writes the true effective channel of \p pusch into \p estimate (reshaped to num_rx x
/// num_layers x prb_size) for every symbol of the slot, and its measurements.
/// \param true_channel H[rx][port][symbol][carrier subcarrier], num_tx = cell.num_antenna_ports
/// (or num_layers with non-codebook precoding), 12 cell.num_prbs subcarriers.
/// \param noise_variance True noise variance per RE and receive antenna.
/// \throws std::invalid_argument when the true channel's shape does not fit the cell and PDU,
/// and std::length_error when the PDU exceeds the estimate's maxima.
void fill_perfect_channel_estimate(ChannelEstimate& estimate, const ChannelResponse& true_channel,
                                   const CellConfig& cell, const PuschConfig& pusch,
                                   float noise_variance);

} // namespace airan::phy
