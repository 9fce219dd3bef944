#include "airan/apps/link_simulation.h"

#include "airan/phy/cdl_channel.h"
#include "airan/phy/tdl_profile.h"

#include <algorithm>
#include <cctype>
#include <random>
#include <sstream>
#include <stdexcept>

namespace airan::apps {
namespace {

bool is_awgn(const ChannelSpec& channel) {
  return channel.model == "awgn" || channel.model == "AWGN";
}

phy::TdlChannelConfig make_tdl_config(const LinkScenario& scenario) {
  phy::TdlChannelConfig config;
  if (phy::names_cdl_family(scenario.channel.model)) { // an unknown CDL-X lists the CDL models
    phy::CdlChannelSpec cdl;
    cdl.model = scenario.channel.model;
    cdl.delay_spread_s = scenario.channel.delay_spread_s;
    cdl.max_doppler_hz = scenario.channel.max_doppler_hz;
    cdl.num_rx = scenario.num_rx_antennas;
    cdl.num_tx = scenario.cell.num_antenna_ports;
    cdl.rx_pattern = scenario.channel.bs_antenna_pattern;
    cdl.rx_polarization = scenario.channel.bs_polarization;
    cdl.tx_polarization = scenario.channel.ue_polarization;
    config = phy::make_cdl_channel_config(cdl);
  } else {
    config.profile = phy::make_tdl_profile(scenario.channel.model, scenario.channel.delay_spread_s);
    config.max_doppler_hz = scenario.channel.max_doppler_hz;
    config.num_rx = scenario.num_rx_antennas;
    config.num_tx = scenario.cell.num_antenna_ports;
  }
  config.correlation = scenario.channel.correlation;
  config.cfo_hz = scenario.channel.cfo_hz;
  config.phase_noise_linewidth_hz = scenario.channel.phase_noise_linewidth_hz;
  config.timing_offset_s = scenario.channel.timing_offset_s;
  return config;
}

const char* correlation_name(phy::AntennaCorrelation correlation) {
  switch (correlation) {
  case phy::AntennaCorrelation::low:
    return "low";
  case phy::AntennaCorrelation::medium:
    return "medium";
  case phy::AntennaCorrelation::high:
    return "high";
  default:
    return "none";
  }
}

} // namespace

std::string canonical_channel_model(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (upper == "AWGN") {
    return "awgn";
  }
  for (const phy::TdlTable& table : phy::tdl_tables()) {
    if (table.name == upper) {
      return std::string(table.name);
    }
  }
  return phy::is_cdl_model(upper) ? upper : std::string(name);
}

std::string ChannelSpec::describe() const {
  std::ostringstream text;
  text << model;
  if (delay_spread_s > 0.0) {
    text << " (" << delay_spread_s * 1e9 << " ns)";
  }
  if (phy::is_cdl_model(model)) {
    text << ", " << max_doppler_hz << " Hz Doppler, half-wavelength linear arrays"
         << (bs_antenna_pattern == phy::CdlElementPattern::tr38901 ? " (38.901 elements at the BS)"
                                                                   : "");
    if (bs_polarization != phy::CdlPolarization::vertical ||
        ue_polarization != phy::CdlPolarization::vertical) {
      text << ", polarisation BS " << phy::cdl_polarization_name(bs_polarization) << " UE "
           << phy::cdl_polarization_name(ue_polarization);
    }
  } else if (!is_awgn(*this)) {
    text << ", " << max_doppler_hz << " Hz Doppler, " << correlation_name(correlation)
         << " antenna correlation";
  }
  if (cfo_hz != 0.0) {
    text << ", CFO " << cfo_hz << " Hz";
  }
  if (phase_noise_linewidth_hz != 0.0) {
    text << ", phase noise " << phase_noise_linewidth_hz << " Hz linewidth";
  }
  if (timing_offset_s != 0.0) {
    text << ", timing offset " << timing_offset_s * 1e9 << " ns";
  }
  text << ", " << (domain == ChannelDomain::time ? "time" : "frequency") << " domain";
  return text.str();
}

ChannelDomain parse_channel_domain(const std::string& text) {
  if (text == "time") {
    return ChannelDomain::time;
  }
  if (text == "frequency") {
    return ChannelDomain::frequency;
  }
  throw std::invalid_argument("channel domain '" + text + "' is neither 'time' nor 'frequency'");
}

std::string validate_link(const LinkScenario& scenario, std::span<const phy::PuschConfig> pdus) {
  std::string problems;
  const auto add = [&](const std::string& problem) { problems += problem + '\n'; };
  if (const auto error = scenario.cell.validate(); !error.empty()) {
    add("cell: " + error);
    return problems;
  }
  if (scenario.num_rx_antennas == 0 || scenario.num_rx_antennas > 16) {
    add("receive antennas: " + std::to_string(scenario.num_rx_antennas) + " (1 .. 16)");
  }
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const auto& pdu = pdus[i];
    const std::string name = "PUSCH " + std::to_string(i) + ": ";
    if (const auto error = pdu.validate(scenario.cell); !error.empty()) {
      add(name + error);
      continue;
    }
    if (!pdu.uci.csi_part2_sizing.empty()) { // its receiver needs the cell's maps and FAPI
      add(name + "CSI part 2 sized from CSI part 1 (csi_part2_from_part1) runs only through "
                 "FAPI: airan testmac / airan l1");
    }
    if (pdu.num_layers > scenario.num_rx_antennas) {
      add(name + std::to_string(pdu.num_layers) + " layers but only " +
          std::to_string(scenario.num_rx_antennas) + " receive antennas");
    }
    if (pdu.num_layers > scenario.cell.num_antenna_ports) {
      add(name + std::to_string(pdu.num_layers) + " layers but the UE has " +
          std::to_string(scenario.cell.num_antenna_ports) + " antenna ports");
    }
  }
  const ChannelSpec& channel = scenario.channel;
  if (channel.bs_antenna_pattern != phy::CdlElementPattern::omni &&
      !phy::names_cdl_family(channel.model)) {
    add("channel: an antenna pattern needs a CDL model (" + channel.model + " has no geometry)");
  }
  if ((channel.bs_polarization != phy::CdlPolarization::vertical ||
       channel.ue_polarization != phy::CdlPolarization::vertical) &&
      !phy::names_cdl_family(channel.model)) {
    add("channel: a polarisation other than V needs a CDL model (" + channel.model +
        " has no geometry)");
  }
  if (is_awgn(channel)) {
    if (channel.cfo_hz != 0.0 || channel.phase_noise_linewidth_hz != 0.0 ||
        channel.timing_offset_s != 0.0 || channel.max_doppler_hz != 0.0 ||
        channel.delay_spread_s != 0.0 || channel.correlation != phy::AntennaCorrelation::none) {
      add("channel: a delay spread, antenna correlation, CFO, phase noise, timing offset and "
          "Doppler need a TDL or CDL model, not awgn");
    }
  } else {
    try {
      phy::TdlChannel probe(make_tdl_config(scenario), phy::carrier_numerology(scenario.cell),
                            scenario.cell.num_prbs, 0);
    } catch (const std::exception& e) {
      add(std::string("channel: ") + e.what());
    }
  }
  return problems;
}

std::uint64_t derive_seed(std::uint64_t base, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  const auto mix = [](std::uint64_t z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  return mix(mix(mix(mix(base) ^ a) ^ b) ^ c);
}

SlotSimulator::SlotSimulator(const LinkScenario& scenario)
    : scenario_(scenario), transmitter_(scenario.cell), noise_(0),
      modulator_(transmitter_.numerology(), scenario.cell.num_prbs),
      demodulator_(transmitter_.numerology(), scenario.cell.num_prbs),
      tx_grid_(transmitter_.make_grid()),
      rx_grid_(scenario.num_rx_antennas, tx_grid_.num_symbols(), tx_grid_.num_subcarriers()),
      true_channel_(scenario.num_rx_antennas, scenario.cell.num_antenna_ports,
                    tx_grid_.num_symbols(), tx_grid_.num_subcarriers()) {
  if (const auto problems = validate_link(scenario, {}); !problems.empty()) {
    throw std::invalid_argument(problems);
  }
  if (!is_awgn(scenario.channel)) {
    (void)fading_of_pdu(0);
  }
  std::size_t longest = 0;
  for (unsigned s = 0; s < transmitter_.numerology().slots_per_frame(); ++s) {
    longest = std::max<std::size_t>(longest, transmitter_.numerology().slot_length(s));
  }
  if (scenario.channel.domain == ChannelDomain::time) {
    tx_iq_.resize(longest * scenario.cell.num_antenna_ports);
    rx_iq_.reserve(longest * scenario.num_rx_antennas);
  }
  // The awgn model's true channel never changes (awgn_channel_gain()).
  for (unsigned r = 0; r < true_channel_.num_rx(); ++r) {
    for (unsigned p = 0; p < true_channel_.num_tx(); ++p) {
      const phy::cf32 gain =
          awgn_channel_gain(r, p, true_channel_.num_rx(), true_channel_.num_tx());
      for (unsigned l = 0; l < true_channel_.num_symbols(); ++l) {
        const auto h = true_channel_.at(r, p, l);
        std::fill(h.begin(), h.end(), gain);
      }
    }
  }
}

SlotSimulator::~SlotSimulator() = default;

const phy::Numerology& SlotSimulator::numerology() const {
  return transmitter_.numerology();
}

std::uint64_t SlotSimulator::channel_seed_of_pdu(std::uint64_t seed, std::size_t pdu) {
  constexpr std::uint64_t ue_stream = 0x5EC0;
  return pdu == 0 ? seed : derive_seed(seed, pdu, ue_stream);
}

phy::TdlChannel& SlotSimulator::fading_of_pdu(std::size_t pdu) {
  while (fading_.size() <= pdu) {
    auto channel = std::make_unique<phy::TdlChannel>(
        make_tdl_config(scenario_), transmitter_.numerology(), scenario_.cell.num_prbs, 0);
    channel->reseed(channel_seed_of_pdu(channel_seed_, fading_.size()));
    fading_.push_back(std::move(channel));
  }
  return *fading_[pdu];
}

void SlotSimulator::reseed_channel(std::uint64_t seed) {
  channel_seed_ = seed;
  for (std::size_t k = 0; k < fading_.size(); ++k) {
    fading_[k]->reseed(channel_seed_of_pdu(seed, k));
  }
}

void SlotSimulator::simulate(std::span<const phy::PuschConfig> pdus, std::uint64_t absolute_slot,
                             std::uint64_t data_seed, std::uint64_t noise_seed,
                             float noise_variance, std::uint64_t uci_seed) {
  const phy::Numerology& numerology = transmitter_.numerology();
  slot_ = static_cast<unsigned>(absolute_slot % numerology.slots_per_frame());
  tbs_.resize(pdus.size());
  ucis_.resize(pdus.size());
  std::mt19937_64 uci_bits(uci_seed);
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    SimulatedUci& uci = ucis_[i];
    uci.harq_ack.resize(pdus[i].uci.harq_ack_bits);
    uci.csi_part1.resize(pdus[i].uci.csi_part1_bits);
    uci.csi_part2.resize(pdus[i].uci.csi_part2_bits);
    for (phy::BitVector* part : {&uci.harq_ack, &uci.csi_part1, &uci.csi_part2}) {
      for (auto& bit : *part) {
        bit = static_cast<phy::bit_t>(uci_bits() & 1U);
      }
    }
  }
  std::mt19937_64 data(data_seed);
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    auto& tb = tbs_[i];
    tb.resize(transmitter_.transport_block_size(pdus[i]));
    for (std::size_t b = 0; b < tb.size(); b += 64) {
      const std::uint64_t word = data();
      for (std::size_t j = 0; j < 64 && b + j < tb.size(); ++j) {
        tb[b + j] = static_cast<phy::bit_t>((word >> j) & 1U);
      }
    }
  }
  const bool frequency_domain = scenario_.channel.domain == ChannelDomain::frequency;
  slot_samples_ = frequency_domain ? 0 : numerology.slot_length(slot_);
  noise_.reseed(noise_seed);
  const double slot_start = phy::slot_start_time_s(numerology, absolute_slot);
  if (!fading_.empty() && pdus.size() > 1) {
    simulate_separate_channels(pdus, slot_start);
  } else {
    // One UE, or the awgn model's fixed channel for all: one transmit grid.
    tx_grid_.fill_zero();
    for (std::size_t i = 0; i < pdus.size(); ++i) {
      transmitter_.transmit(tbs_[i], ucis_[i].view(), pdus[i], slot_, tx_grid_);
    }
    phy::TdlChannel* fading = fading_.empty() ? nullptr : fading_.front().get();
    if (fading != nullptr) {
      fading->frequency_response(slot_start, slot_, true_channel_);
    }
    if (frequency_domain) {
      if (fading != nullptr) {
        fading->apply_frequency_domain(tx_grid_, slot_start, slot_, rx_grid_);
      } else {
        apply_awgn_channel_grid();
      }
    } else {
      const unsigned num_tx = tx_grid_.num_ports();
      for (unsigned p = 0; p < num_tx; ++p) {
        modulator_.modulate_slot(tx_grid_, p, slot_,
                                 std::span(tx_iq_).subspan(p * slot_samples_, slot_samples_));
      }
      rx_iq_.resize(slot_samples_ * scenario_.num_rx_antennas);
      if (fading != nullptr) {
        fading->apply_time_domain(std::span(tx_iq_).first(slot_samples_ * num_tx), slot_samples_,
                                  slot_start, rx_iq_);
      } else {
        apply_awgn_channel_iq(slot_samples_);
      }
    }
  }
  add_noise(noise_variance);
}

void SlotSimulator::add_noise(float noise_variance) {
  if (scenario_.channel.domain == ChannelDomain::frequency) {
    rx_iq_.clear();
    noise_.add(rx_grid_, noise_variance);
    return;
  }
  noise_.add(rx_iq_, noise_variance);
  for (unsigned r = 0; r < scenario_.num_rx_antennas; ++r) {
    demodulator_.demodulate_slot(std::span(rx_iq_).subspan(r * slot_samples_, slot_samples_), slot_,
                                 rx_grid_, r);
  }
}

void SlotSimulator::simulate_separate_channels(std::span<const phy::PuschConfig> pdus,
                                               double slot_start) {
  clear_received();
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    phy::TdlChannel& fading = fading_of_pdu(i);
    tx_grid_.fill_zero();
    transmitter_.transmit(tbs_[i], ucis_[i].view(), pdus[i], slot_, tx_grid_);
    // The true channel: all of PDU 0's, then each PDU's over its own subcarriers, per symbol
    // those of the hop the symbol belongs to (intra-slot frequency hopping).
    phy::ChannelResponse& response = i == 0 ? true_channel_ : ue_channel_;
    fading.frequency_response(slot_start, slot_, response);
    if (i > 0) {
      const std::size_t count = std::size_t{12} * pdus[i].prb_size;
      for (unsigned r = 0; r < response.num_rx(); ++r) {
        for (unsigned t = 0; t < response.num_tx(); ++t) {
          for (unsigned l = 0; l < response.num_symbols(); ++l) {
            const std::size_t first =
                std::size_t{12} * (pdus[i].first_crb_of_symbol(l) - scenario_.cell.grid_start_crb);
            const auto from = response.at(r, t, l).subspan(first, count);
            std::copy(from.begin(), from.end(), true_channel_.at(r, t, l).begin() + first);
          }
        }
      }
    }
    add_through_channel(&fading, slot_start);
  }
}

} // namespace airan::apps
