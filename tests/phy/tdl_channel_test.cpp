// TdlChannel: measured delay spread, Doppler spectrum (autocorrelation against J0), power gain,
// antenna correlation, time-domain against frequency-domain paths (delays, timing offset, CFO,
// MIMO), determinism, no allocation per slot, argument checks.
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/tdl_channel.h"

#include "../support/allocation_counter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using cd = std::complex<double>;
constexpr double two_pi = 2.0 * std::numbers::pi;

double bessel_j0(double x) { // power series, accurate to ~1e-12 for |x| < 8
  double term = 1.0;
  double sum = 1.0;
  for (int k = 1; k < 60; ++k) {
    term *= -(x * x / 4.0) / (static_cast<double>(k) * k);
    sum += term;
  }
  return sum;
}

TdlChannelConfig make_config(const char* profile, double spread_s, unsigned num_rx = 1,
                             unsigned num_tx = 1) {
  TdlChannelConfig config;
  config.profile = make_tdl_profile(profile, spread_s);
  config.num_rx = num_rx;
  config.num_tx = num_tx;
  return config;
}

ResourceGrid random_grid(unsigned ports, unsigned symbols, unsigned subcarriers, unsigned seed) {
  ResourceGrid grid(ports, symbols, subcarriers);
  std::mt19937_64 rng(seed);
  for (cf32& v : grid.elements()) { // QPSK
    v = cf32((rng() & 1) ? 0.70710678F : -0.70710678F, (rng() & 2) ? 0.70710678F : -0.70710678F);
  }
  return grid;
}

struct Profile {
  const char* name;
  double spread_s;   // requested (0 for the fixed profiles)
  double expected_s; // configured RMS delay spread
};
constexpr Profile all_profiles[] = {{"TDL-A", 100e-9, 100e-9}, {"TDL-B", 100e-9, 100e-9},
                                    {"TDL-C", 100e-9, 100e-9}, {"TDL-D", 100e-9, 100e-9},
                                    {"TDL-E", 100e-9, 100e-9}, {"TDL-A30", 0.0, 30e-9},
                                    {"TDL-B100", 0.0, 100e-9}, {"TDL-C300", 0.0, 300e-9}};

// Average power-delay profile of the realised tap gains over 600 realisations x 2 antennas; its
// RMS spread must be within 5 % of the configured one. Also the mean power gain (~1) and the
// response's frequency correlation against sum p exp(-j 2 pi df tau).
TEST(TdlChannel, MeasuredDelaySpreadPowerAndFrequencyCorrelationMatchTheProfile) {
  const unsigned num_prbs = 52;
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, num_prbs);
  for (const Profile& p : all_profiles) {
    TdlChannel channel(make_config(p.name, p.spread_s, 2), numerology, num_prbs, 1);
    const std::size_t num_taps = channel.tap_delays_s().size();
    std::vector<cd> gains(num_taps * 2);
    std::vector<double> tap_power(num_taps, 0.0);
    const int lags[] = {1, 8, 40};
    cd correlation[3] = {};
    double response_power = 0.0;
    ChannelResponse response;
    constexpr int realisations = 600;
    for (int seed = 0; seed < realisations; ++seed) {
      channel.reseed(1000 + seed);
      channel.tap_gains(0.0, gains);
      for (std::size_t g = 0; g < gains.size(); ++g) {
        tap_power[g / 2] += std::norm(gains[g]) / (2.0 * realisations);
      }
      if (seed % 4 == 0) { // the response of every fourth realisation
        channel.frequency_response(0.0, 0, response);
        for (unsigned r = 0; r < 2; ++r) {
          const auto h = response.at(r, 0, 0);
          for (std::size_t k = 0; k + 40 < h.size(); ++k) {
            response_power += std::norm(h[k]);
            for (int i = 0; i < 3; ++i) {
              correlation[i] += cd(h[k + lags[i]]) * std::conj(cd(h[k]));
            }
          }
        }
      }
    }
    double total = 0.0, first = 0.0, second = 0.0;
    for (std::size_t n = 0; n < num_taps; ++n) {
      const double tau = channel.tap_delays_s()[n];
      total += tap_power[n];
      first += tap_power[n] * tau;
      second += tap_power[n] * tau * tau;
    }
    const double spread = std::sqrt(second / total - (first / total) * (first / total));
    std::printf("%-8s measured RMS delay spread %6.1f ns (configured %5.1f ns, %+.1f %%), "
                "power gain %.3f\n",
                p.name, spread * 1e9, p.expected_s * 1e9, 100.0 * (spread / p.expected_s - 1.0),
                total);
    EXPECT_NEAR(spread / p.expected_s, 1.0, 0.05) << p.name;
    // Mean of 1200 sums of independent taps: standard deviation below 0.02.
    EXPECT_NEAR(total, 1.0, 0.08) << p.name;
    for (int i = 0; i < 3; ++i) {
      cd theory = 0.0;
      for (const TdlTap& tap : channel.config().profile.taps) {
        theory += tap.power * std::polar(1.0, -two_pi * lags[i] * 30e3 * tap.delay_s);
      }
      EXPECT_LT(std::abs(correlation[i] / response_power - theory), 0.06) << p.name << " " << i;
    }
  }
}

// Doppler: time autocorrelation of every Rayleigh tap over a long run (2 antennas, 2
// realisations) against J0(2 pi f_d tau); f_d estimated from the first zero of the measured
// autocorrelation (J0's first zero is at 2.4048). The LOS tap of TDL-D turns at f_d cos(45 deg).
TEST(TdlChannel, DopplerAutocorrelationFollowsJakes) {
  const unsigned num_prbs = 25;
  const Numerology numerology = Numerology::for_carrier(0, CyclicPrefix::normal, num_prbs);
  for (const double doppler : {100.0, 400.0}) {
    TdlChannelConfig config = make_config("TDL-D", 100e-9, 2);
    config.max_doppler_hz = doppler;
    TdlChannel channel(config, numerology, num_prbs, 5);
    const std::size_t num_taps = channel.tap_delays_s().size();
    const double zero_s = 2.4048 / (two_pi * doppler);
    const double step_s = zero_s / 16.0;
    const int max_lag = 40;
    const int samples = static_cast<int>(250.0 / (doppler * step_s)); // 250 Doppler periods
    std::vector<cd> series(samples * num_taps * 2);
    std::vector<cd> acf(max_lag + 1, 0.0);
    double los_phase_rate = 0.0;
    for (int realisation = 0; realisation < 2; ++realisation) {
      channel.reseed(77 + realisation);
      for (int i = 0; i < samples; ++i) {
        channel.tap_gains(i * step_s,
                          std::span<cd>(series).subspan(i * num_taps * 2, num_taps * 2));
      }
      for (std::size_t g = 0; g < num_taps * 2; ++g) {
        const std::size_t tap = g / 2;
        const double power = channel.config().profile.taps[tap].power;
        for (int lag = 0; lag <= max_lag; ++lag) {
          cd sum = 0.0;
          for (int i = 0; i + lag < samples; ++i) {
            sum += series[(i + lag) * num_taps * 2 + g] * std::conj(series[i * num_taps * 2 + g]);
          }
          sum /= (samples - lag) * power;
          if (tap == 0) { // LOS: measure its phase rotation per step
            los_phase_rate += lag == 1 ? std::arg(sum) / step_s / 4.0 : 0.0;
          } else {
            acf[lag] += sum / (2.0 * 2.0 * (num_taps - 1));
          }
        }
      }
    }
    double worst = 0.0;
    double zero_lag = 0.0;
    for (int lag = 0; lag <= max_lag; ++lag) {
      worst = std::max(worst, std::abs(acf[lag] - bessel_j0(two_pi * doppler * lag * step_s)));
      if (zero_lag == 0.0 && lag > 0 && acf[lag].real() <= 0.0) {
        const double a = acf[lag - 1].real();
        zero_lag = lag - 1 + a / (a - acf[lag].real());
      }
    }
    const double estimated = 2.4048 / (two_pi * zero_lag * step_s);
    const double los_doppler = los_phase_rate / two_pi;
    std::printf("f_d %.0f Hz: estimated %.2f Hz (%+.2f %%), max |ACF - J0| %.4f, LOS %.2f Hz "
                "(expected %.2f)\n",
                doppler, estimated, 100.0 * (estimated / doppler - 1.0), worst, los_doppler,
                doppler * std::cos(std::numbers::pi / 4.0));
    EXPECT_NEAR(estimated / doppler, 1.0, 0.05);
    EXPECT_LT(worst, 0.05);
    EXPECT_NEAR(los_doppler, doppler * std::cos(std::numbers::pi / 4.0), 1e-6 * doppler);
  }
}

// The same Doppler through apply_time_domain: a constant input through a single Rayleigh tap at
// delay 0 gives the fading process itself at the sample rate.
TEST(TdlChannel, TimeDomainFadingHasTheJakesAutocorrelation) {
  const Numerology numerology(0, CyclicPrefix::normal, 128);
  TdlChannelConfig config;
  config.profile = {"one tap", {{0.0, 1.0, false}}};
  config.max_doppler_hz = 300.0;
  config.num_rx = 4;
  TdlChannel channel(config, numerology, 6, 11);
  const std::size_t samples = 1920 * 300; // 0.3 s, 90 Doppler periods
  const std::vector<cf32> ones(samples, cf32(1.0F, 0.0F));
  std::vector<cf32> out(4 * samples);
  constexpr int max_lag = 20;
  constexpr int lag_step = 160; // 83 us
  std::vector<cd> acf(max_lag + 1, 0.0);
  std::vector<double> count(max_lag + 1, 0.0);
  for (int realisation = 0; realisation < 2; ++realisation) {
    channel.reseed(31 + realisation);
    channel.apply_time_domain(ones, samples, 0.0, out);
    for (unsigned r = 0; r < 4; ++r) {
      const cf32* g = out.data() + r * samples;
      for (int lag = 0; lag <= max_lag; ++lag) {
        for (std::size_t n = 0; n + lag * lag_step < samples; n += 7) {
          acf[lag] += cd(g[n + lag * lag_step]) * std::conj(cd(g[n]));
          count[lag] += 1.0;
        }
      }
    }
  }
  double worst = 0.0;
  for (int lag = 0; lag <= max_lag; ++lag) {
    const double tau = lag * lag_step / numerology.sample_rate_hz();
    worst = std::max(worst, std::abs(acf[lag] / count[lag] - bessel_j0(two_pi * 300.0 * tau)));
  }
  std::printf("time-domain fading at 300 Hz: max |ACF - J0| %.4f\n", worst);
  EXPECT_LT(worst, 0.06);
}

// Correlation between the antennas against R_tx (x) R_rx of the level (4 rx x 2 tx): measured on
// the realised tap gains (1000 realisations x 23 taps, each tap normalised by its power) and on
// the frequency response (all subcarriers of 200 realisations; fewer independent samples, so
// checked where the correlation is large).
TEST(TdlChannel, MeasuredAntennaCorrelationMatchesTheMatrices) {
  const unsigned num_prbs = 52;
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, num_prbs);
  auto worst_deviation = [](const std::vector<cd>& sum, const std::vector<double>& expected) {
    double worst = 0.0;
    for (unsigned a = 0; a < 8; ++a) {
      for (unsigned b = 0; b < 8; ++b) {
        const double measured =
            std::abs(sum[a * 8 + b]) / std::sqrt(std::abs(sum[a * 9]) * std::abs(sum[b * 9]));
        worst = std::max(worst, std::abs(measured - expected[a * 8 + b]));
      }
    }
    return worst;
  };
  for (auto level :
       {AntennaCorrelation::low, AntennaCorrelation::medium, AntennaCorrelation::high}) {
    TdlChannelConfig config = make_config("TDL-A", 300e-9, 4, 2);
    config.correlation = level;
    TdlChannel channel(config, numerology, num_prbs, 3);
    const auto expected = spatial_correlation_matrix(level, 4, 2);
    const std::size_t num_taps = config.profile.taps.size();
    std::vector<cd> gains(num_taps * 8);
    std::vector<cd> tap_sum(64, 0.0);
    std::vector<cd> response_sum(64, 0.0);
    ChannelResponse response;
    for (int seed = 0; seed < 1000; ++seed) {
      channel.reseed(500 + seed);
      channel.tap_gains(0.0, gains);
      for (std::size_t n = 0; n < num_taps; ++n) {
        const double power = config.profile.taps[n].power;
        for (unsigned a = 0; a < 8; ++a) { // index t * 4 + r, as in the Kronecker matrix
          for (unsigned b = 0; b < 8; ++b) {
            tap_sum[a * 8 + b] += gains[n * 8 + (a % 4) * 2 + a / 4] *
                                  std::conj(gains[n * 8 + (b % 4) * 2 + b / 4]) / power;
          }
        }
      }
      if (seed % 5 != 0) {
        continue;
      }
      channel.frequency_response(0.0, 0, response);
      for (unsigned k = 0; k < response.num_subcarriers(); ++k) {
        for (unsigned a = 0; a < 8; ++a) {
          const cd ha = response.at(a % 4, a / 4, 0)[k];
          for (unsigned b = 0; b < 8; ++b) {
            response_sum[a * 8 + b] += ha * std::conj(cd(response.at(b % 4, b / 4, 0)[k]));
          }
        }
      }
    }
    const double tap_worst = worst_deviation(tap_sum, expected);
    const double response_worst = worst_deviation(response_sum, expected);
    std::printf("correlation %-6s: max |measured - R_tx (x) R_rx| = %.4f (taps), %.4f "
                "(response)\n",
                std::string(to_string(level)).c_str(), tap_worst, response_worst);
    EXPECT_LT(tap_worst, 0.03) << to_string(level);
    if (level == AntennaCorrelation::high) {
      EXPECT_LT(response_worst, 0.04);
    }
  }
}

struct TimeVsFrequency {
  double worst_db = -300.0; // worst symbol's error power relative to the signal
  double worst_phase = 0.0; // largest common phase of Y_time / Y_freq over the symbols
};

/// OFDM-modulates a random grid, passes it through both paths of the same channel and compares
/// the demodulated time-domain output with the frequency-domain output, per symbol.
TimeVsFrequency compare_paths(const TdlChannelConfig& config, unsigned mu, unsigned num_prbs,
                              unsigned slot) {
  const Numerology numerology = Numerology::for_carrier(mu, CyclicPrefix::normal, num_prbs);
  TdlChannel channel(config, numerology, num_prbs, 42);
  const unsigned symbols = numerology.symbols_per_slot();
  const ResourceGrid tx = random_grid(config.num_tx, symbols, 12 * num_prbs, 9);
  ResourceGrid rx_frequency(config.num_rx, symbols, 12 * num_prbs);
  ResourceGrid rx_time(config.num_rx, symbols, 12 * num_prbs);
  const double start_s = slot_start_time_s(numerology, slot);
  channel.apply_frequency_domain(tx, start_s, slot, rx_frequency);

  OfdmModulator modulator(numerology, num_prbs);
  OfdmDemodulator demodulator(numerology, num_prbs);
  const std::size_t length = numerology.slot_length(slot);
  std::vector<cf32> iq(config.num_tx * length);
  std::vector<cf32> out(config.num_rx * length);
  for (unsigned t = 0; t < config.num_tx; ++t) {
    modulator.modulate_slot(tx, t, slot, std::span<cf32>(iq).subspan(t * length, length));
  }
  channel.apply_time_domain(iq, length, start_s, out);
  for (unsigned r = 0; r < config.num_rx; ++r) {
    demodulator.demodulate_slot(std::span<const cf32>(out).subspan(r * length, length), slot,
                                rx_time, r);
  }
  TimeVsFrequency result;
  for (unsigned l = 0; l < symbols; ++l) {
    double error = 0.0, signal = 0.0;
    cd cross = 0.0;
    for (unsigned r = 0; r < config.num_rx; ++r) {
      for (unsigned k = 0; k < 12 * num_prbs; ++k) {
        error += std::norm(rx_time.at(r, l, k) - rx_frequency.at(r, l, k));
        signal += std::norm(rx_frequency.at(r, l, k));
        cross += cd(rx_time.at(r, l, k)) * std::conj(cd(rx_frequency.at(r, l, k)));
      }
    }
    result.worst_db = std::max(result.worst_db, 10.0 * std::log10(error / signal));
    result.worst_phase = std::max(result.worst_phase, std::abs(std::arg(cross)));
  }
  return result;
}

// Static channel, no CFO: the demodulated time-domain output equals the frequency-domain path
// up to the interpolators' error (80 dB design) and the pre-cursor of fractional delays below
// one interpolator half-length, which reaches across the end of each FFT window (-54 to -60 dB
// in these cases; whole-sample and later taps reach -80 dB and below).
TEST(TdlChannel, TimeDomainMatchesFrequencyDomain) {
  const struct {
    const char* name;
    double spread_s;
    unsigned mu, num_rx, num_tx;
    double offset_samples;
    double bound_db;
  } cases[] = {
      {"TDL-A", 100e-9, 1, 2, 1, 0.0, -50.0},  {"TDL-A", 100e-9, 1, 2, 1, 2.37, -50.0},
      {"TDL-D", 100e-9, 1, 2, 1, 5.61, -50.0}, {"TDL-B", 50e-9, 1, 4, 2, 0.0, -50.0},
      {"TDL-C300", 0.0, 0, 1, 1, 0.0, -60.0},  {"TDL-B100", 0.0, 1, 1, 1, 13.25, -55.0},
  };
  for (const auto& c : cases) {
    TdlChannelConfig config = make_config(c.name, c.spread_s, c.num_rx, c.num_tx);
    const double fs = 15e3 * (1U << c.mu) * choose_fft_size(106);
    config.timing_offset_s = c.offset_samples / fs;
    const TimeVsFrequency result = compare_paths(config, c.mu, 106, 3);
    std::printf("%-8s mu %u %ux%u offset %+.2f samples: worst symbol error %.1f dB\n", c.name, c.mu,
                c.num_rx, c.num_tx, c.offset_samples, result.worst_db);
    EXPECT_LT(result.worst_db, c.bound_db) << c.name << " offset " << c.offset_samples;
  }
  // TDL-C300 at 30 kHz: the 2.6 us tap outlasts the 2.3 us CP: genuine ISI (-35 to -47 dB
  // depending on the realisation), which the frequency-domain path does not model.
  const TimeVsFrequency long_spread = compare_paths(make_config("TDL-C300", 0.0), 1, 106, 3);
  std::printf("TDL-C300 mu 1 (delay beyond the CP): worst symbol error %.1f dB\n",
              long_spread.worst_db);
  EXPECT_LT(long_spread.worst_db, -30.0);
}

// CFO and Doppler: the frequency response carries the CFO phase of each symbol (the common phase
// of the time-domain output relative to the frequency-domain path stays near 0); what remains is
// inter-carrier interference, about (pi cfo / SCS)^2 / 3 for the CFO.
TEST(TdlChannel, CfoAndDopplerAppearAsCommonPhaseAndIci) {
  for (const double cfo : {300.0, -1234.5}) {
    TdlChannelConfig config = make_config("TDL-A", 100e-9, 2);
    config.cfo_hz = cfo;
    const TimeVsFrequency result = compare_paths(config, 1, 106, 5);
    const double epsilon = cfo / 30e3;
    const double ici_db = 10.0 * std::log10(std::pow(std::numbers::pi * epsilon, 2) / 3.0);
    std::printf("CFO %.1f Hz: worst symbol error %.1f dB (ICI theory %.1f dB), worst common "
                "phase %.2e rad\n",
                cfo, result.worst_db, ici_db, result.worst_phase);
    EXPECT_LT(result.worst_phase, 0.01);
    EXPECT_LT(result.worst_db, ici_db + 2.0);
  }
  TdlChannelConfig config = make_config("TDL-C", 100e-9, 2);
  config.max_doppler_hz = 200.0;
  const TimeVsFrequency result = compare_paths(config, 1, 106, 0);
  std::printf("Doppler 200 Hz: worst symbol error %.1f dB, worst common phase %.2e rad\n",
              result.worst_db, result.worst_phase);
  EXPECT_LT(result.worst_db, -35.0);
  EXPECT_LT(result.worst_phase, 0.01);

  // The response's phase per symbol advances by 2 pi cfo dt between symbol centres.
  const unsigned num_prbs = 24;
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, num_prbs);
  TdlChannelConfig plain = make_config("TDL-B", 100e-9);
  TdlChannelConfig shifted = plain;
  shifted.cfo_hz = 500.0;
  TdlChannel a(plain, numerology, num_prbs, 8);
  TdlChannel b(shifted, numerology, num_prbs, 8);
  ChannelResponse ha, hb;
  const double start = slot_start_time_s(numerology, 7);
  a.frequency_response(start, 7, ha);
  b.frequency_response(start, 7, hb);
  std::size_t sample = 0;
  for (unsigned l = 0; l < 14; ++l) {
    sample += numerology.cp_length(7, l);
    const double centre =
        start + (sample + (numerology.fft_size() - 1) / 2.0) / numerology.sample_rate_hz();
    sample += numerology.fft_size();
    const cd expected = std::polar(1.0, two_pi * 500.0 * centre);
    for (unsigned k = 0; k < ha.num_subcarriers(); k += 37) {
      EXPECT_LT(std::abs(cd(hb.at(0, 0, l)[k]) - cd(ha.at(0, 0, l)[k]) * expected), 1e-5);
    }
  }
}

// The response is exactly sum_n g_n(t_l) exp(-j 2 pi f_k tau_n) with the gains of tap_gains() at
// the centre of each symbol's useful part; whole-sample delays are exact in the time domain.
TEST(TdlChannel, ResponseIsTheSumOfTheTapsAtTheSymbolCentres) {
  const unsigned num_prbs = 11;
  const Numerology numerology = Numerology::for_carrier(0, CyclicPrefix::normal, num_prbs);
  TdlChannelConfig config = make_config("TDL-E", 200e-9, 2, 2);
  config.max_doppler_hz = 500.0;
  config.correlation = AntennaCorrelation::medium;
  TdlChannel channel(config, numerology, num_prbs, 4);
  ChannelResponse response;
  const double start = slot_start_time_s(numerology, 13);
  channel.frequency_response(start, 13, response);
  const std::size_t num_taps = channel.tap_delays_s().size();
  std::vector<cd> gains(num_taps * 4);
  std::size_t sample = 0;
  double worst = 0.0;
  for (unsigned l = 0; l < 14; ++l) {
    sample += numerology.cp_length(13, l);
    channel.tap_gains(
        start + (sample + (numerology.fft_size() - 1) / 2.0) / numerology.sample_rate_hz(), gains);
    sample += numerology.fft_size();
    for (unsigned pair = 0; pair < 4; ++pair) {
      for (unsigned k = 0; k < 12 * num_prbs; ++k) {
        cd h = 0.0;
        for (std::size_t n = 0; n < num_taps; ++n) {
          const double f = (k - 6.0 * num_prbs) * 15e3;
          h += gains[n * 4 + pair] * std::polar(1.0, -two_pi * f * channel.tap_delays_s()[n]);
        }
        worst = std::max(worst, std::abs(cd(response.at(pair / 2, pair % 2, l)[k]) - h));
      }
    }
  }
  EXPECT_LT(worst, 2e-6);

  TdlChannelConfig delay_only;
  delay_only.profile = {"delays",
                        {{3.0 / numerology.sample_rate_hz(), 0.5, false},
                         {10.0 / numerology.sample_rate_hz(), 0.5, false}}};
  TdlChannel integer(delay_only, numerology, num_prbs, 2);
  std::vector<cd> g(2);
  integer.tap_gains(0.0, g);
  std::vector<cf32> x(200);
  for (std::size_t n = 0; n < x.size(); ++n) {
    x[n] = cf32(std::sin(0.3F * n), std::cos(0.11F * n * n));
  }
  std::vector<cf32> y(200);
  integer.apply_time_domain(x, 200, 0.0, y);
  for (std::size_t n = 0; n < y.size(); ++n) {
    const cd expected =
        (n >= 3 ? g[0] * cd(x[n - 3]) : 0.0) + (n >= 10 ? g[1] * cd(x[n - 10]) : 0.0);
    EXPECT_LT(std::abs(cd(y[n]) - expected), 1e-6) << n;
  }
}

TEST(TdlChannel, IsDeterministicPerSeedAndAllocatesNothingPerSlot) {
  const unsigned num_prbs = 24;
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, num_prbs);
  TdlChannelConfig config = make_config("TDL-C", 300e-9, 4, 2);
  config.max_doppler_hz = 70.0;
  config.cfo_hz = 100.0;
  config.correlation = AntennaCorrelation::high;
  TdlChannel first(config, numerology, num_prbs, 123);
  TdlChannel second(config, numerology, num_prbs, 123);
  TdlChannel other(config, numerology, num_prbs, 124);
  const ResourceGrid tx = random_grid(2, 14, 12 * num_prbs, 1);
  ResourceGrid y1(4, 14, 12 * num_prbs), y2(4, 14, 12 * num_prbs), y3(4, 14, 12 * num_prbs);
  const std::size_t length = numerology.slot_length(2);
  std::vector<cf32> iq(2 * length, cf32(0.5F, -0.25F));
  std::vector<cf32> t1(4 * length), t2(4 * length), t3(4 * length);
  ChannelResponse h(4, 2, 14, 12 * num_prbs);
  const double start = slot_start_time_s(numerology, 2);

  first.apply_frequency_domain(tx, start, 2, y1);
  first.apply_time_domain(iq, length, start, t1);
  // Calls are independent of each other: a second channel with the same seed, used in another
  // order, gives the same output; another seed gives another output.
  second.apply_time_domain(iq, length, start, t2);
  second.frequency_response(0.0, 0, h);
  second.apply_frequency_domain(tx, start, 2, y2);
  other.apply_frequency_domain(tx, start, 2, y3);
  other.apply_time_domain(iq, length, start, t3);
  EXPECT_TRUE(std::equal(y1.elements().begin(), y1.elements().end(), y2.elements().begin()));
  EXPECT_EQ(t1, t2);
  EXPECT_FALSE(std::equal(y1.elements().begin(), y1.elements().end(), y3.elements().begin()));
  EXPECT_NE(t1, t3);

  const long before = airan::test::allocation_count();
  other.reseed(123); // back to the first realisation
  other.apply_frequency_domain(tx, start, 2, y3);
  other.apply_time_domain(iq, length, start, t3);
  other.frequency_response(start, 2, h);
  EXPECT_EQ(airan::test::allocation_count(), before);
  EXPECT_TRUE(std::equal(y1.elements().begin(), y1.elements().end(), y3.elements().begin()));
  EXPECT_EQ(t1, t3);
}

TEST(TdlChannel, SlotStartTimesFollowTheSampleCounts) {
  const Numerology mu1(1, CyclicPrefix::normal, 2048);
  EXPECT_EQ(slot_start_time_s(mu1, 0), 0.0);
  EXPECT_DOUBLE_EQ(slot_start_time_s(mu1, 1), mu1.slot_length(0) / mu1.sample_rate_hz());
  EXPECT_DOUBLE_EQ(slot_start_time_s(mu1, 2), 1e-3);
  EXPECT_DOUBLE_EQ(slot_start_time_s(mu1, 41), 20e-3 + mu1.slot_length(0) / mu1.sample_rate_hz());
  const Numerology mu0(0, CyclicPrefix::normal, 1024);
  EXPECT_DOUBLE_EQ(slot_start_time_s(mu0, 10), 10e-3);
}

TEST(TdlChannel, RejectsInvalidConfigurations) {
  const Numerology numerology = Numerology::for_carrier(1, CyclicPrefix::normal, 52);
  const TdlChannelConfig good = make_config("TDL-A", 100e-9, 2);
  EXPECT_NO_THROW(TdlChannel(good, numerology, 52, 0));
  auto rejects = [&](auto change) {
    TdlChannelConfig config = good;
    change(config);
    return [config, &numerology] { TdlChannel channel(config, numerology, 52, 0); };
  };
  EXPECT_THROW(rejects([](auto& c) { c.profile.taps.clear(); })(), std::invalid_argument);
  EXPECT_THROW(rejects([](auto& c) { c.num_rx = 0; })(), std::invalid_argument);
  EXPECT_THROW(rejects([](auto& c) { c.num_tx = 17; })(), std::invalid_argument);
  EXPECT_THROW(rejects([](auto& c) { c.max_doppler_hz = -1.0; })(), std::invalid_argument);
  EXPECT_THROW(rejects([](auto& c) { c.max_doppler_hz = NAN; })(), std::invalid_argument);
  EXPECT_THROW(rejects([](auto& c) { c.sinusoids_per_tap = 0; })(), std::invalid_argument);
  EXPECT_THROW(rejects([](auto& c) { c.cfo_hz = 1e9; })(), std::invalid_argument);
  EXPECT_THROW(rejects([](auto& c) { c.profile.taps[0].power = -1.0; })(), std::invalid_argument);
  EXPECT_THROW(rejects([](auto& c) { c.profile.taps[0].delay_s = NAN; })(), std::invalid_argument);
  // Timing offset: down to -CP/2 (36 samples with the 1024-point FFT of 52 PRBs).
  const double half_cp = numerology.cp_length(1, 1) / 2.0 / numerology.sample_rate_hz();
  EXPECT_NO_THROW(rejects([&](auto& c) { c.timing_offset_s = -half_cp; })());
  EXPECT_THROW(rejects([&](auto& c) { c.timing_offset_s = -1.05 * half_cp; })(),
               std::invalid_argument);
  EXPECT_THROW(TdlChannel(good, numerology, 200, 0), std::invalid_argument); // wider than the FFT
  EXPECT_THROW(TdlChannel(good, numerology, 0, 0), std::invalid_argument);

  TdlChannel channel(good, numerology, 52, 0);
  std::vector<cf32> tx(100), rx(100);
  EXPECT_THROW(channel.apply_time_domain(tx, 100, 0.0, rx), std::invalid_argument); // 2 rx
  ResourceGrid one(1, 14, 624), two(2, 14, 624);
  EXPECT_THROW(channel.apply_frequency_domain(one, 0.0, 0, one), std::invalid_argument);
  EXPECT_NO_THROW(channel.apply_frequency_domain(one, 0.0, 0, two));
  std::vector<cd> gains(3);
  EXPECT_THROW(channel.tap_gains(0.0, gains), std::invalid_argument);
}

} // namespace
