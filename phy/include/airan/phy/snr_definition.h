/// \file
/// \brief SNR conventions of the link simulations: how an SNR or Eb/N0 in dB becomes the noise
/// variance handed to AwgnGenerator (see docs/CHANNELS.md).
///
/// Per-RE SNR. Layer symbols have unit average power (the modulation mapper's normalisation) and
/// the channel models have unit average power gain per receive antenna (TDL profiles sum to 1),
/// so the received signal power per RE and receive antenna is 1 per transmitted layer and the SNR
/// is 1 / N0: N0 = 10^(-snr_db / 10), the noise variance per RE and receive antenna in grid units.
/// In the time domain the same variance per sample gives N0 per RE after OfdmDemodulator, whose
/// FFT is scaled by 1/sqrt(N) (a unitary transform keeps white noise white with the same
/// variance). The time-domain sample SNR is therefore lower than the per-RE SNR by the occupancy
/// 12 N_grid / N (only the occupied bins carry signal); the per-RE value is the one quoted.
///
/// Eb/N0 as Sionna's ebnodb2no() defines it: N0 = E_s / (Eb/N0 * r * M), with M coded bits per
/// symbol, code rate r and the energy per data symbol E_s = 1 scaled by the transmitted energy
/// that carries no data: (all non-zero REs / data REs) for pilots (DMRS), and (1 + CP / N) for the
/// cyclic prefix. The 4-argument function leaves the CP out (Sionna with cyclic_prefix_length 0,
/// and what an uncoded AWGN check wants); the 5-argument one includes it. Both count one stream
/// (Sionna's num_streams_per_tx = 1) at unit energy; a codebook precoder, which sends a layer with
/// the energy of its column of W, scales the result by that energy (airan eval does).
#pragma once

#include "airan/phy/numerology.h"

namespace airan::phy {

/// Noise variance per RE and receive antenna for a per-RE SNR: 10^(-snr_db / 10).
/// \throws std::invalid_argument for a non-finite SNR.
float noise_variance_from_snr_db(double snr_db);

/// Noise variance for Eb/N0 = \p ebno_db: 1 / (10^(ebno_db / 10) * bits_per_symbol * code_rate
/// * data_re_fraction), where data_re_fraction = data REs / allocated (non-zero) REs. The cyclic
/// prefix is not counted.
/// \throws std::invalid_argument when bits_per_symbol is 0, code_rate not in (0, 1] or
/// data_re_fraction not in (0, 1].
float noise_variance_from_ebno_db(double ebno_db, unsigned bits_per_symbol, double code_rate,
                                  double data_re_fraction);

/// As the 4-argument form, with the energy of the cyclic prefix counted as Sionna does: the
/// result is multiplied by (1 + cyclic_prefix_overhead), cyclic_prefix_overhead = CP samples / FFT
/// samples (see cyclic_prefix_overhead()).
/// \throws std::invalid_argument as the 4-argument form, or for a negative overhead.
float noise_variance_from_ebno_db(double ebno_db, unsigned bits_per_symbol, double code_rate,
                                  double data_re_fraction, double cyclic_prefix_overhead);

/// Average CP overhead of slot \p slot: (slot samples - symbols * N) / (symbols * N); e.g.
/// 144 / 2048 = 0.0703 for a normal-CP slot without the longer first CP, exactly 1 / 14 for
/// every slot at mu = 1.
double cyclic_prefix_overhead(const Numerology& numerology, unsigned slot);

} // namespace airan::phy
