// `airan gen`: a multi-slot HDF5 test vector from a YAML scenario through a channel model: IQ,
// grid, true channel, the transmitted TBs and whether the reference receiver decoded them.
#include "airan/apps/link_simulation.h"
#include "airan/apps/receiver_catalog.h"
#include "airan/io/pusch_config_file.h"
#include "airan/io/test_vector_file.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/snr_definition.h"
#include "channel_options.h"
#include "commands.h"
#include "fapi_only_scenarios.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

namespace airan::cli {
namespace {

struct GenOptions {
  std::string config;
  std::string output;
  ChannelOptions channel{.channel = "awgn", .domain = "time"};
  double snr_db = 20.0;
  unsigned slots = 1;
  unsigned rx = 0;
  std::uint64_t seed = 1;
  std::string reference_receiver = "mmse-lmmse";
  bool no_iq = false;
  bool no_true_channel = false;
  std::string command_line;
};

int run_gen(const GenOptions& o) {
  if (same_file(o.output, o.config)) {
    std::cerr << "airan gen: -o " << o.output << " is the --config file itself\n";
    return 2;
  }
  const auto scenario = load_scenario_outside_fapi(o.config, "airan gen");
  apps::LinkScenario link;
  link.cell = scenario.cell;
  link.num_rx_antennas = o.rx != 0 ? o.rx : scenario.num_rx_antennas;
  link.channel = to_channel_spec(o.channel);
  if (const auto problems = apps::validate_link(link, scenario.pusch); !problems.empty()) {
    std::cerr << "airan gen: invalid configuration:\n" << problems;
    return 2;
  }
  if (o.slots == 0 || o.slots > 10000) {
    std::cerr << "airan gen: --slots must be 1 .. 10000\n";
    return 2;
  }
  const apps::ReceiverSpec* reference = nullptr;
  if (o.reference_receiver != "none") {
    reference = &apps::find_receiver(o.reference_receiver);
    if (reference->neural) {
      // The reference is a front end (with the true channel for perfect-csi): no model.
      std::cerr << "airan gen: --reference-receiver " << reference->name
                << ": the neural receiver needs a model, which gen does not load; use a "
                   "classical receiver, perfect-csi or none\n";
      return 2;
    }
  }

  io::TestVectorHeader header;
  header.cell = link.cell;
  header.num_rx_antennas = link.num_rx_antennas;
  header.num_tx_antennas = link.cell.num_antenna_ports;
  header.channel.model = link.channel.model; // canonical spelling (the schema lists it)
  header.channel.delay_spread_s = link.channel.delay_spread_s;
  header.channel.max_doppler_hz = o.channel.doppler_hz;
  header.channel.correlation = o.channel.correlation;
  header.channel.cfo_hz = o.channel.cfo_hz;
  header.channel.phase_noise_linewidth_hz = o.channel.phase_noise_linewidth_hz;
  header.channel.timing_offset_s = link.channel.timing_offset_s;
  header.channel.domain = o.channel.domain;
  header.channel.bs_antenna_pattern =
      link.channel.bs_antenna_pattern == phy::CdlElementPattern::tr38901 ? "38.901" : "omni";
  header.channel.bs_polarization = phy::cdl_polarization_name(link.channel.bs_polarization);
  header.channel.ue_polarization = phy::cdl_polarization_name(link.channel.ue_polarization);
  header.snr_db = o.snr_db;
  header.noise_variance = phy::noise_variance_from_snr_db(o.snr_db);
  header.seed = o.seed;
  header.generator = "airan " AIRAN_VERSION ": " + o.command_line;
  header.reference_receiver = reference != nullptr ? reference->name : "";

  apps::SlotSimulator simulator(link);
  simulator.reseed_channel(apps::derive_seed(o.seed, 0, 1));
  std::unique_ptr<phy::PuschReceiver> receiver;
  if (reference != nullptr) {
    phy::PuschReceiverConfig config;
    config.num_rx_antennas = link.num_rx_antennas;
    config.front_end = reference->front_end;
    config.num_harq_buffers = static_cast<unsigned>(scenario.pusch.size()) + 1;
    receiver = std::make_unique<phy::PuschReceiver>(link.cell, config);
  }
  // Written beside the output and renamed once complete: a run that fails half-way leaves no
  // vector (one with fewer slots, or none, would replay as if whole).
  PartialOutput output(o.output);
  io::TestVectorWriter writer(output.path(), header);
  io::TestVectorSlot slot;
  std::vector<phy::PuschPduResult> results;
  unsigned decoded = 0;
  const auto num_tbs = static_cast<std::size_t>(std::ranges::count_if(
      scenario.pusch, [](const phy::PuschConfig& pusch) { return pusch.ulsch; }));
  for (unsigned i = 0; i < o.slots; ++i) {
    const std::uint64_t absolute = scenario.slot_number + std::uint64_t{i};
    simulator.simulate(scenario.pusch, absolute, apps::derive_seed(o.seed, i, 2),
                       apps::derive_seed(o.seed, i, 3), header.noise_variance,
                       apps::derive_seed(o.seed, i, 4));
    slot.absolute_slot = absolute;
    slot.slot = simulator.slot_number();
    slot.grid = simulator.received_grid();
    const auto iq = simulator.received_iq();
    slot.iq.clear();
    slot.iq_samples_per_antenna = 0;
    if (!o.no_iq && !iq.empty()) {
      slot.iq.assign(iq.begin(), iq.end());
      slot.iq_samples_per_antenna = simulator.iq_samples_per_antenna();
    }
    const auto& h = simulator.true_channel();
    slot.true_channel.clear();
    slot.true_channel_shape = {};
    if (!o.no_true_channel) {
      slot.true_channel.assign(h.data().begin(), h.data().end());
      slot.true_channel_shape = {h.num_rx(), h.num_tx(), h.num_symbols(), h.num_subcarriers()};
    }
    if (receiver) {
      const phy::PerfectCsi genie{&h, header.noise_variance};
      receiver->process_slot(simulator.received_grid(), simulator.slot_number(), scenario.pusch,
                             results, reference->perfect_csi ? &genie : nullptr);
    }
    slot.pdus.resize(scenario.pusch.size());
    std::cout << "slot " << absolute << " (" << slot.slot << "):";
    for (std::size_t p = 0; p < scenario.pusch.size(); ++p) {
      auto& pdu = slot.pdus[p];
      pdu.config = scenario.pusch[p];
      pdu.tb_bits = simulator.tb_bits(p);
      pdu.harq_ack_bits = simulator.uci_bits(p).harq_ack;
      pdu.csi_part1_bits = simulator.uci_bits(p).csi_part1;
      pdu.csi_part2_bits = simulator.uci_bits(p).csi_part2;
      if (receiver && pdu.config.uci.present()) {
        const auto& u = results[p].uci;
        pdu.expected_uci_ok = (pdu.harq_ack_bits.empty() ||
                               (u.harq_ack_detected && u.harq_ack == pdu.harq_ack_bits)) &&
                              (pdu.csi_part1_bits.empty() ||
                               (u.csi_part1_detected && u.csi_part1 == pdu.csi_part1_bits)) &&
                              (pdu.csi_part2_bits.empty() ||
                               (u.csi_part2_detected && u.csi_part2 == pdu.csi_part2_bits));
      }
      if (!pdu.config.ulsch) { // UCI only: no TB to expect
        pdu.expected_crc_ok = false;
        std::cout << " rnti " << pdu.config.rnti << " UCI only";
        continue;
      }
      pdu.expected_crc_ok =
          !receiver || (results[p].tb_crc_ok && results[p].tb_bits == simulator.tb_bits(p));
      decoded += pdu.expected_crc_ok ? 1 : 0;
      std::cout << " rnti " << pdu.config.rnti << " TBS " << pdu.tb_bits.size()
                << (receiver ? (pdu.expected_crc_ok ? " decoded" : " not decoded") : "");
    }
    std::cout << '\n';
    writer.write_slot(slot);
  }
  writer.close();
  output.commit();
  std::cout << "wrote " << o.output << ": " << o.slots << " slot(s), " << o.slots * num_tbs
            << " TB(s), " << link.num_rx_antennas << " Rx, " << link.channel.describe() << ", SNR "
            << o.snr_db << " dB";
  if (reference != nullptr) {
    std::cout << "; " << reference->name << " decoded " << decoded << " TB(s)";
  }
  std::cout << '\n';
  return 0;
}

} // namespace

Command add_gen_command(CLI::App& parent, const std::string& command_line) {
  auto* app = parent.add_subcommand(
      "gen", "Generate an HDF5 test vector: a YAML scenario through a channel model");
  auto o = std::make_shared<GenOptions>();
  o->command_line = command_line;
  app->add_option("--config", o->config, "YAML slot scenario (see configs/)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("-o,--output", o->output, "Output .h5 file")->required();
  add_channel_options(*app, o->channel);
  app->add_option("--snr", o->snr_db, "Per-RE SNR in dB")->capture_default_str();
  app->add_option("--slots", o->slots, "Slots")->capture_default_str();
  app->add_option("--rx", o->rx, "Receive antennas (default: the scenario's num_rx_antennas)");
  app->add_option("--seed", o->seed, "Seed")->capture_default_str();
  app->add_option("--reference-receiver", o->reference_receiver,
                  "Receiver that decides which TBs are expected to decode, or 'none' (all)")
      ->capture_default_str();
  app->add_flag("--no-iq", o->no_iq, "Store the received grid only, not the time-domain IQ");
  app->add_flag("--no-true-channel", o->no_true_channel,
                "Do not store the true channel (no perfect-csi replay; smaller file)");
  return {app, [o] { return run_gen(*o); }};
}

} // namespace airan::cli
