/// \file
/// \brief The channel-model options shared by `airan gen` and `airan eval` (--channel,
/// --delay-spread, --doppler, --correlation, --cfo, --phase-noise, --timing-offset, --domain)
/// and their
/// conversion to an apps::ChannelSpec.
#pragma once

#include "airan/apps/link_simulation.h"

#include <CLI/CLI.hpp>

#include <string>

namespace airan::cli {

/// Channel options as typed on the command line (nanoseconds, names).
struct ChannelOptions {
  std::string channel = "awgn";
  double delay_spread_ns = 0.0;
  double doppler_hz = 0.0;
  std::string correlation = "none";
  double cfo_hz = 0.0;
  double phase_noise_linewidth_hz = 0.0; ///< --phase-noise: 3 dB linewidth (0: none).
  double timing_offset_ns = 0.0;
  std::string domain = "time";
  std::string bs_antenna_pattern = "omni"; ///< CDL: the base station's elements.
  std::string bs_polarization = "V";       ///< CDL: V, H, VH or cross.
  std::string ue_polarization = "V";       ///< CDL: V, H, VH or cross.
};

/// Registers the channel options on \p app, bound to \p options (whose values are the defaults
/// shown in --help).
void add_channel_options(CLI::App& app, ChannelOptions& options);

/// The channel of \p options. \throws std::invalid_argument for an unknown correlation or domain.
apps::ChannelSpec to_channel_spec(const ChannelOptions& options);

/// For a command whose defaults are a fading channel's (Doppler, correlation): when the channel
/// is awgn, the defaults that \p app was not given are dropped (0 Hz, none), so that `--channel
/// awgn` alone is a valid channel; a value given explicitly is kept (and refused).
void drop_fading_defaults_for_awgn(const CLI::App& app, ChannelOptions& options);

} // namespace airan::cli
