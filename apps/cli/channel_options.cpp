#include "channel_options.h"

#include "airan/phy/antenna_correlation.h"
#include "airan/phy/cdl_channel.h"

namespace airan::cli {

void add_channel_options(CLI::App& app, ChannelOptions& options) {
  app.add_option("--channel", options.channel,
                 "awgn, TDL-A..E, TDL-A30, TDL-B100, TDL-C300, CDL-A..E")
      ->capture_default_str();
  app.add_option("--delay-spread", options.delay_spread_ns,
                 "RMS delay spread in ns (TDL-A..E, CDL-A..E)");
  app.add_option("--doppler", options.doppler_hz, "Maximum Doppler shift in Hz")
      ->capture_default_str();
  app.add_option("--correlation", options.correlation, "Antenna correlation: none|low|medium|high")
      ->capture_default_str();
  app.add_option("--cfo", options.cfo_hz, "Carrier frequency offset in Hz");
  app.add_option("--phase-noise", options.phase_noise_linewidth_hz,
                 "Oscillator phase noise of each UE's link (its transmitter's and the receiver's "
                 "together, independent per UE): 3 dB linewidth in Hz of a Wiener (random-walk) "
                 "phase, 0 .. the subcarrier spacing (TDL/CDL models; 0: none)");
  app.add_option("--timing-offset", options.timing_offset_ns,
                 "Timing offset in ns (from -CP/2; below 0 the UE arrives early, which in the time "
                 "domain leaks the next symbol into the FFT window)");
  app.add_option("--bs-antenna-pattern", options.bs_antenna_pattern,
                 "CDL: the base station's elements, omni or 38.901 (TR 38.901 Table 7.3-1, facing "
                 "the array's broadside)")
      ->capture_default_str();
  app.add_option("--bs-polarization", options.bs_polarization,
                 "CDL: the base station's elements, V, H, VH or cross (VH, cross: antennas 2k and "
                 "2k+1 share a position, slants 0/90 or -45/+45 degrees)")
      ->capture_default_str();
  app.add_option("--ue-polarization", options.ue_polarization,
                 "CDL: the UE's elements, V, H, VH or cross (dual needs an even number of ports)")
      ->capture_default_str();
  app.add_option("--domain", options.domain,
                 "Apply the channel to IQ (time, with ICI) or per RE (frequency, fast)")
      ->capture_default_str();
}

apps::ChannelSpec to_channel_spec(const ChannelOptions& options) {
  apps::ChannelSpec channel;
  channel.model = apps::canonical_channel_model(options.channel); // as test vectors store it
  channel.delay_spread_s = options.delay_spread_ns * 1e-9;
  channel.max_doppler_hz = options.doppler_hz;
  channel.correlation = phy::parse_antenna_correlation(options.correlation);
  channel.cfo_hz = options.cfo_hz;
  channel.phase_noise_linewidth_hz = options.phase_noise_linewidth_hz;
  channel.timing_offset_s = options.timing_offset_ns * 1e-9;
  channel.domain = apps::parse_channel_domain(options.domain);
  channel.bs_antenna_pattern = phy::parse_cdl_element_pattern(options.bs_antenna_pattern);
  channel.bs_polarization = phy::parse_cdl_polarization(options.bs_polarization);
  channel.ue_polarization = phy::parse_cdl_polarization(options.ue_polarization);
  return channel;
}

void drop_fading_defaults_for_awgn(const CLI::App& app, ChannelOptions& options) {
  if (apps::canonical_channel_model(options.channel) != "awgn") {
    return;
  }
  if (app.count("--doppler") == 0) {
    options.doppler_hz = 0.0;
  }
  if (app.count("--correlation") == 0) {
    options.correlation = "none";
  }
}

} // namespace airan::cli
