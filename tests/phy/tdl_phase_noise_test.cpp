// Oscillator phase noise of the channel models (phase_noise.h, TdlChannelConfig::
// phase_noise_linewidth_hz): the Wiener process's increments and jumps, the time-domain path as a
// random walk shared by the receive antennas and continued across slots, no effect at linewidth
// 0, determinism and reseeding, the frequency-domain path's common phase error against the time
// path's symbol means and against the demodulated time-domain output, argument checks.
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/phase_noise.h"
#include "airan/phy/tdl_channel.h"

#include "../support/allocation_counter.h"
#include "../support/tdl_test_helpers.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::make_tdl_config;
using airan::test::random_qpsk_grid;
using airan::test::two_pi;
using cd = std::complex<double>;
constexpr unsigned num_prbs = 52; // 1024-point FFT: 30.72 MHz at 30 kHz

Numerology numerology_mu1() {
  return Numerology::for_carrier(1, CyclicPrefix::normal, num_prbs);
}

/// One Rayleigh tap at delay 0 without Doppler: a constant gain per antenna pair.
TdlChannelConfig flat_config(double linewidth_hz, unsigned num_rx = 1) {
  TdlChannelConfig config;
  config.profile = {"flat", {{0.0, 1.0, false}}};
  config.num_rx = num_rx;
  config.phase_noise_linewidth_hz = linewidth_hz;
  return config;
}

/// The gain of receive antenna \p rx of a flat channel (Doppler 0: the same at every time).
cd flat_gain(const TdlChannel& channel, unsigned rx) {
  std::vector<cd> gains(channel.config().num_rx);
  channel.tap_gains(0.0, gains);
  return gains[rx];
}

/// Slots \p first .. first + count - 1 of all-ones IQ through the time-domain path, one call per
/// slot, the outputs of each antenna one after the other (antenna-major over the whole run).
std::vector<cf32> ones_through(TdlChannel& channel, unsigned first, unsigned count) {
  const Numerology& numerology = channel.numerology();
  const unsigned num_rx = channel.config().num_rx;
  std::size_t total = 0;
  for (unsigned s = first; s < first + count; ++s) {
    total += numerology.slot_length(s % numerology.slots_per_frame());
  }
  std::vector<cf32> out(num_rx * total);
  std::size_t offset = 0;
  for (unsigned s = first; s < first + count; ++s) {
    const std::size_t length = numerology.slot_length(s % numerology.slots_per_frame());
    const std::vector<cf32> tx(length, cf32(1.0F));
    std::vector<cf32> rx(num_rx * length);
    channel.apply_time_domain(tx, length, slot_start_time_s(numerology, s), rx);
    for (unsigned r = 0; r < num_rx; ++r) {
      std::copy_n(rx.begin() + static_cast<std::ptrdiff_t>(r * length), length,
                  out.begin() + static_cast<std::ptrdiff_t>(r * total + offset));
    }
    offset += length;
  }
  return out;
}

TEST(WienerPhaseNoise, IncrementsAndJumpsHaveTheWienerVariance) {
  const double fs = 30.72e6;
  const double linewidth = 1000.0;
  const double sigma2 = two_pi * linewidth / fs;
  WienerPhaseNoise noise(linewidth, fs, 7);
  EXPECT_DOUBLE_EQ(noise.increment_variance(), sigma2);
  // Per-sample increments: variance sigma^2, mean 0, uncorrelated.
  const std::size_t n = 200000;
  std::vector<std::complex<float>> phasors(n + 1);
  noise.generate(phasors);
  double sum = 0.0, sum2 = 0.0, lag1 = 0.0, previous = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = std::arg(cd(phasors[i + 1]) * std::conj(cd(phasors[i])));
    sum += d;
    sum2 += d * d;
    lag1 += d * previous;
    previous = d;
  }
  const double variance = sum2 / n;
  std::printf("increment variance %.4e (expected %.4e), mean %.2e, lag-1 correlation %.4f\n",
              variance, sigma2, sum / n, lag1 / sum2);
  EXPECT_NEAR(variance / sigma2, 1.0, 0.03); // sampling spread 0.3%
  EXPECT_LT(std::abs(sum / n), 5.0 * std::sqrt(sigma2 / n));
  EXPECT_LT(std::abs(lag1 / sum2), 0.015);
  EXPECT_EQ(noise.position(), static_cast<std::int64_t>(n + 1));

  // A jump over a gap of G samples: phi(G) ~ N(0, G sigma^2) over realisations.
  const std::int64_t gap = 300000;
  double jump2 = 0.0;
  const unsigned seeds = 4000;
  for (unsigned s = 0; s < seeds; ++s) {
    noise.reseed(s);
    noise.seek(gap);
    jump2 += noise.phase() * noise.phase();
  }
  std::printf("jump variance %.4f (expected %.4f)\n", jump2 / seeds, gap * sigma2);
  EXPECT_NEAR(jump2 / seeds / (gap * sigma2), 1.0, 0.1); // sampling spread 2.2%
}

TEST(WienerPhaseNoise, SeekReplaysFromTheLastSeekAndRestartsBeforeIt) {
  WienerPhaseNoise noise(500.0, 30.72e6, 3);
  std::vector<std::complex<float>> a(1000), b(1000), c(1000), d(1000);
  noise.seek(50000);
  noise.generate(a);
  noise.seek(50000); // the replay point: the same values
  noise.generate(b);
  EXPECT_EQ(a, b);
  noise.seek(51000); // continues where it stands: no jump
  noise.generate(c);
  noise.seek(10000); // before the replay point: restart from phi(0) = 0, then jump
  noise.seek(50000); // a new jump from 10000: other values
  noise.generate(d);
  EXPECT_NE(a, d);
  WienerPhaseNoise fresh(500.0, 30.72e6, 3);
  fresh.seek(50000);
  std::vector<std::complex<float>> e(2000);
  fresh.generate(e);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), e.begin()));
  EXPECT_TRUE(std::equal(c.begin(), c.end(), e.begin() + 1000)) << "continuation";
  // Off: every phasor 1.
  WienerPhaseNoise off(0.0, 30.72e6, 3);
  EXPECT_FALSE(off.enabled());
  off.generate(a);
  EXPECT_EQ(a, std::vector<std::complex<float>>(1000, 1.0F));
}

// Time domain, flat channel, no thermal noise: rx(r, n) = g_r exp(j phi(n)). The phase of
// rx / g is a random walk with increment variance 2 pi B / fs; both receive antennas see the same
// phase; the walk continues across the slot boundaries of one realisation.
TEST(TdlPhaseNoise, TimeDomainPhaseIsARandomWalkSharedByTheAntennas) {
  const double linewidth = 2000.0;
  const Numerology numerology = numerology_mu1();
  TdlChannel channel(flat_config(linewidth, 2), numerology, num_prbs, 11);
  const double sigma2 = two_pi * linewidth / numerology.sample_rate_hz();
  const unsigned slots = 8;
  const std::vector<cf32> rx = ones_through(channel, 4, slots);
  const std::size_t total = rx.size() / 2;
  const cd g0 = flat_gain(channel, 0);
  const cd g1 = flat_gain(channel, 1);
  double sum2 = 0.0, lag1 = 0.0, previous = 0.0, worst_boundary = 0.0, worst_common = 0.0;
  double window_sum = 0.0, window_sum2 = 0.0;
  const std::size_t window = 512;
  std::size_t windows = 0;
  const std::size_t slot_length = numerology.slot_length(0);
  for (std::size_t i = 0; i + 1 < total; ++i) {
    const cd now = cd(rx[i + 1]) / g0;
    const double d = std::arg(now * std::conj(cd(rx[i]) / g0));
    sum2 += d * d;
    lag1 += d * previous;
    previous = d;
    window_sum += d;
    if ((i + 1) % window == 0) {
      window_sum2 += window_sum * window_sum;
      window_sum = 0.0;
      ++windows;
    }
    if ((i + 1) % slot_length == 0) {
      worst_boundary = std::max(worst_boundary, std::abs(d));
    }
    // Antenna 1: the same phase.
    const cd other = cd(rx[total + i + 1]) / g1;
    worst_common = std::max(worst_common, std::abs(std::arg(other * std::conj(now))));
  }
  const double variance = sum2 / static_cast<double>(total - 1);
  const double window_variance = window_sum2 / static_cast<double>(windows);
  std::printf("increment variance %.4e (expected %.4e), lag-1 correlation %.4f, %zu-sample "
              "windows %.4e (expected %.4e), largest step at a slot boundary %.4f rad\n",
              variance, sigma2, lag1 / sum2, window, window_variance, window * sigma2,
              worst_boundary);
  EXPECT_NEAR(variance / sigma2, 1.0, 0.03); // sampling spread 0.3%
  EXPECT_LT(std::abs(lag1 / sum2), 0.015);
  EXPECT_NEAR(window_variance / (window * sigma2), 1.0, 0.25); // 240 windows: spread 9%
  EXPECT_LT(worst_boundary, 6.0 * std::sqrt(sigma2)) << "the walk restarted at a slot";
  EXPECT_LT(worst_common, 1e-4) << "the receive antennas' phases differ";
  EXPECT_NEAR(std::abs(cd(rx[total / 2]) / g0), 1.0, 1e-5) << "a pure rotation";
}

// Linewidth 0 is no phase noise at all: the flat channel's output is exactly g x in float (the
// time path's arithmetic), and on a faded MIMO channel with Doppler and CFO phase noise only
// multiplies every antenna's output by the same exp(j phi(n)) (the fading is drawn as before).
TEST(TdlPhaseNoise, LinewidthZeroLeavesTheChannelUnchanged) {
  const Numerology numerology = numerology_mu1();
  TdlChannel off(flat_config(0.0), numerology, num_prbs, 5);
  const std::vector<cf32> rx = ones_through(off, 0, 2);
  const cd g = flat_gain(off, 0);
  const float gr = static_cast<float>(g.real());
  const float gi = static_cast<float>(g.imag());
  for (const cf32& v : rx) {
    ASSERT_EQ(v, cf32(0.0F + (gr * 1.0F - gi * 0.0F), 0.0F + (gr * 0.0F + gi * 1.0F)));
  }

  TdlChannelConfig faded = make_tdl_config("TDL-C", 300e-9, 2, 2);
  faded.max_doppler_hz = 100.0;
  faded.cfo_hz = 250.0;
  TdlChannel plain(faded, numerology, num_prbs, 8);
  faded.phase_noise_linewidth_hz = 1000.0;
  TdlChannel noisy(faded, numerology, num_prbs, 8);
  TdlChannel oscillator(flat_config(1000.0), numerology, num_prbs, 8); // the same process
  const std::size_t length = numerology.slot_length(3);
  const ResourceGrid grid = random_qpsk_grid(2, 14, 12 * num_prbs, 4);
  OfdmModulator modulator(numerology, num_prbs);
  std::vector<cf32> tx(2 * length), a(2 * length), b(2 * length), ones(length, cf32(1.0F)),
      phasor(length);
  for (unsigned t = 0; t < 2; ++t) {
    modulator.modulate_slot(grid, t, 3, std::span<cf32>(tx).subspan(t * length, length));
  }
  const double start = slot_start_time_s(numerology, 3);
  plain.apply_time_domain(tx, length, start, a);
  noisy.apply_time_domain(tx, length, start, b);
  oscillator.apply_time_domain(ones, length, start, phasor);
  const cd oscillator_gain = flat_gain(oscillator, 0);
  double error = 0.0, power = 0.0, moved = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const cd expected = cd(a[i]) * cd(phasor[i % length]) / oscillator_gain;
    error += std::norm(cd(b[i]) - expected);
    moved += std::norm(cd(b[i]) - cd(a[i]));
    power += std::norm(cd(a[i]));
  }
  std::printf("phase noise as a common rotation: error %.1f dB, change %.1f dB\n",
              10.0 * std::log10(error / power), 10.0 * std::log10(moved / power));
  EXPECT_LT(error / power, 1e-9);
  EXPECT_GT(moved / power, 1e-3) << "the phase noise changed nothing";
}

TEST(TdlPhaseNoise, SameSeedSameOutputAndReseedRestarts) {
  const Numerology numerology = numerology_mu1();
  TdlChannelConfig config = make_tdl_config("TDL-A", 100e-9, 2);
  config.phase_noise_linewidth_hz = 500.0;
  TdlChannel first(config, numerology, num_prbs, 21);
  TdlChannel second(config, numerology, num_prbs, 21);
  const std::vector<cf32> a = ones_through(first, 2, 3);
  EXPECT_EQ(a, ones_through(second, 2, 3));
  first.reseed(21); // the realisation from its start again
  EXPECT_EQ(a, ones_through(first, 2, 3));
  first.reseed(22);
  EXPECT_NE(a, ones_through(first, 2, 3));
  // The frequency path: the slot's response twice, and the grid, see the same common phase
  // errors; the next slot continues the process without allocating.
  ChannelResponse h1, h2;
  second.reseed(21);
  second.frequency_response(slot_start_time_s(numerology, 6), 6, h1);
  const ResourceGrid tx = random_qpsk_grid(1, 14, 12 * num_prbs, 2);
  ResourceGrid rx(2, 14, 12 * num_prbs);
  second.apply_frequency_domain(tx, slot_start_time_s(numerology, 6), 6, rx);
  second.frequency_response(slot_start_time_s(numerology, 6), 6, h2);
  EXPECT_TRUE(std::equal(h1.at(1, 0, 9).begin(), h1.at(1, 0, 9).end(), h2.at(1, 0, 9).begin()));
  for (unsigned k = 0; k < 12 * num_prbs; k += 37) {
    EXPECT_LT(std::abs(rx.at(1, 9, k) - h1.at(1, 0, 9)[k] * tx.at(0, 9, k)), 1e-5F);
  }
  const std::size_t length = numerology.slot_length(8);
  const std::vector<cf32> iq_in(length, cf32(1.0F));
  std::vector<cf32> iq_out(2 * length);
  const long before = airan::test::allocation_count();
  second.frequency_response(slot_start_time_s(numerology, 7), 7, h2);
  second.apply_frequency_domain(tx, slot_start_time_s(numerology, 7), 7, rx);
  second.apply_time_domain(iq_in, length, slot_start_time_s(numerology, 8), iq_out);
  EXPECT_EQ(airan::test::allocation_count(), before) << "a slot allocated";
}

// The frequency path's symbol l carries the common phase error (1/N) sum exp(j phi(n)) over its
// FFT window: for the same seed it equals the mean of the time path's output over that window
// (flat channel), and the demodulated time-domain output of a TDL channel matches the frequency
// path up to the inter-carrier interference phase noise adds (1 - E|CPE|^2, about
// 2 pi B / (6 SCS) of the power for a Wiener phase: E exp(j (phi(m) - phi(n))) =
// exp(-sigma^2 |m - n| / 2) averaged over the window's pairs, |m - n| = N / 3 on average).
// Without the CPE the two would differ by the full phase error (a radian or more by slot 3 at
// 300 Hz).
TEST(TdlPhaseNoise, FrequencyPathAppliesEachSymbolsCommonPhaseError) {
  const Numerology numerology = numerology_mu1();
  const unsigned slot = 3;
  const double start = slot_start_time_s(numerology, slot);
  const unsigned n_fft = numerology.fft_size();
  for (const double linewidth : {300.0, 3000.0}) {
    TdlChannel frequency(flat_config(linewidth), numerology, num_prbs, 13);
    TdlChannel time(flat_config(linewidth), numerology, num_prbs, 13);
    ChannelResponse h;
    frequency.frequency_response(start, slot, h);
    const std::size_t length = numerology.slot_length(slot);
    const std::vector<cf32> ones(length, cf32(1.0F));
    std::vector<cf32> rx(length);
    time.apply_time_domain(ones, length, start, rx);
    const cd g = flat_gain(time, 0);
    std::size_t sample = 0;
    double worst = 0.0, mean_magnitude = 0.0;
    for (unsigned l = 0; l < 14; ++l) {
      sample += numerology.cp_length(slot, l);
      cd mean = 0.0;
      for (unsigned i = 0; i < n_fft; ++i) {
        mean += cd(rx[sample + i]);
      }
      sample += n_fft;
      const cd expected = mean / static_cast<double>(n_fft) / g;
      const cd cpe = cd(h.at(0, 0, l)[100]) / g;
      worst = std::max(worst, std::abs(cpe - expected));
      mean_magnitude += std::abs(cpe) / 14.0;
      EXPECT_EQ(h.at(0, 0, l)[100], h.at(0, 0, l)[500]) << "one phase for all subcarriers";
    }
    std::printf("%.0f Hz: CPE against the time path's symbol means: worst |difference| %.2e, "
                "mean |CPE| %.4f\n",
                linewidth, worst, mean_magnitude);
    EXPECT_LT(worst, 1e-5);
    EXPECT_LT(mean_magnitude, 1.0 - 1e-3 * linewidth / 300.0) << "no ICI power loss";
  }

  // A TDL channel through OFDM: time-domain output against the frequency path.
  TdlChannelConfig config = make_tdl_config("TDL-A", 30e-9, 2);
  config.phase_noise_linewidth_hz = 300.0;
  TdlChannel channel(config, numerology, num_prbs, 17);
  TdlChannelConfig without = config;
  without.phase_noise_linewidth_hz = 0.0;
  TdlChannel reference(without, numerology, num_prbs, 17);
  const ResourceGrid tx = random_qpsk_grid(1, 14, 12 * num_prbs, 9);
  ResourceGrid rx_frequency(2, 14, 12 * num_prbs), rx_plain(2, 14, 12 * num_prbs),
      rx_time(2, 14, 12 * num_prbs);
  channel.apply_frequency_domain(tx, start, slot, rx_frequency);
  reference.apply_frequency_domain(tx, start, slot, rx_plain);
  OfdmModulator modulator(numerology, num_prbs);
  OfdmDemodulator demodulator(numerology, num_prbs);
  const std::size_t length = numerology.slot_length(slot);
  std::vector<cf32> iq(length), out(2 * length);
  modulator.modulate_slot(tx, 0, slot, iq);
  channel.apply_time_domain(iq, length, start, out);
  for (unsigned r = 0; r < 2; ++r) {
    demodulator.demodulate_slot(std::span<const cf32>(out).subspan(r * length, length), slot,
                                rx_time, r);
  }
  double total_error = 0.0, total_plain = 0.0, total_signal = 0.0;
  for (unsigned r = 0; r < 2; ++r) {
    for (unsigned l = 0; l < 14; ++l) {
      for (unsigned k = 0; k < 12 * num_prbs; ++k) {
        total_error += std::norm(rx_time.at(r, l, k) - rx_frequency.at(r, l, k));
        total_plain += std::norm(rx_time.at(r, l, k) - rx_plain.at(r, l, k));
        total_signal += std::norm(rx_frequency.at(r, l, k));
      }
    }
  }
  const double ici_db = 10.0 * std::log10(two_pi * 300.0 / (6.0 * 30e3));
  const double error_db = 10.0 * std::log10(total_error / total_signal);
  const double plain_db = 10.0 * std::log10(total_plain / total_signal);
  std::printf("300 Hz, TDL-A: time vs frequency path %.1f dB (expected ICI %.1f dB); without the "
              "CPE %.1f dB\n",
              error_db, ici_db, plain_db);
  EXPECT_LT(error_db, ici_db + 4.0); // one realisation: its ICI scatters around the mean
  EXPECT_GT(error_db, ici_db - 6.0) << "no inter-carrier interference in the time path";
  EXPECT_GT(plain_db, error_db + 6.0);
}

TEST(TdlPhaseNoise, RejectsInvalidLinewidths) {
  const Numerology numerology = numerology_mu1();
  const auto build = [&](double linewidth) {
    TdlChannel channel(flat_config(linewidth), numerology, num_prbs, 0);
  };
  EXPECT_NO_THROW(build(0.0));
  EXPECT_NO_THROW(build(30e3)); // up to the subcarrier spacing
  for (const double bad : {-1.0, 30001.0, std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity()}) {
    try {
      build(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("phase_noise_linewidth_hz must be finite and in [0, "
                                           "subcarrier spacing 30000 Hz]"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(WienerPhaseNoise(-1.0, 30.72e6, 0), std::invalid_argument);
  EXPECT_THROW(WienerPhaseNoise(100.0, 0.0, 0), std::invalid_argument);
}

} // namespace
