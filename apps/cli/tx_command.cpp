// `airan tx`: transmits the PUSCHs of a YAML scenario with seeded random transport blocks and
// writes the transport blocks, the resource grid and the time-domain IQ as .npy files.
#include "airan/io/npy.h"
#include "airan/io/pusch_config_file.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_transmitter.h"
#include "commands.h"
#include "fapi_only_scenarios.h"

#include <array>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <string>

namespace airan::cli {
namespace {

struct TxOptions {
  std::string config;
  std::string output_dir;
  std::uint64_t seed = 1;
};

void write_c64(const std::filesystem::path& path, std::span<const phy::cf32> values,
               std::initializer_list<std::size_t> shape) {
  io::write_npy(path, io::NpyDtype::c64, std::span(shape.begin(), shape.size()),
                std::as_bytes(values));
}

int run_tx(const TxOptions& options) {
  const auto scenario = load_scenario_outside_fapi(options.config, "airan tx");
  std::filesystem::create_directories(options.output_dir);
  const std::filesystem::path out(options.output_dir);

  phy::PuschTransmitter transmitter(scenario.cell);
  auto grid = transmitter.make_grid();
  std::mt19937_64 rng(options.seed);
  std::bernoulli_distribution coin(0.5);

  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < scenario.pusch.size(); ++i) {
    const auto& pusch = scenario.pusch[i];
    phy::BitVector tb(transmitter.transport_block_size(pusch));
    for (auto& bit : tb) {
      bit = coin(rng) ? 1 : 0;
    }
    // UCI payloads (pusch.uci): random bits too, written beside the TB.
    std::array<phy::BitVector, 3> uci = {phy::BitVector(pusch.uci.harq_ack_bits),
                                         phy::BitVector(pusch.uci.csi_part1_bits),
                                         phy::BitVector(pusch.uci.csi_part2_bits)};
    for (auto& part : uci) {
      for (auto& bit : part) {
        bit = coin(rng) ? 1 : 0;
      }
    }
    transmitter.transmit(tb, phy::PuschUciPayload{uci[0], uci[1], uci[2]}, pusch,
                         scenario.slot_number, grid);
    const std::string suffix =
        scenario.pusch.size() == 1 ? ".npy" : "_" + std::to_string(i) + ".npy";
    const std::string name = "tb_bits" + suffix;
    const std::size_t shape[] = {tb.size()};
    io::write_npy(out / name, io::NpyDtype::u8, shape, std::as_bytes(std::span(tb)));
    static constexpr std::array<const char*, 3> uci_names = {"harq_ack_bits", "csi_part1_bits",
                                                             "csi_part2_bits"};
    for (std::size_t p = 0; p < uci.size(); ++p) {
      if (!uci[p].empty()) {
        const std::size_t uci_shape[] = {uci[p].size()};
        io::write_npy(out / (uci_names[p] + suffix), io::NpyDtype::u8, uci_shape,
                      std::as_bytes(std::span(uci[p])));
      }
    }
    std::cout << "pusch " << i << ": rnti " << pusch.rnti << ", " << pusch.prb_size << " PRB at "
              << pusch.prb_start;
    if (pusch.intra_slot_hopping) {
      std::cout << " hopping to " << pusch.second_hop_prb_start << " at symbol "
                << pusch.second_hop_symbol();
    }
    std::cout << ", " << pusch.num_layers << " layer(s), Qm " << pusch.modulation_order()
              << ", TBS " << tb.size() << " bits, G " << phy::pusch_coded_bits(scenario.cell, pusch)
              << " bits -> " << name << '\n';
  }

  phy::OfdmModulator modulator(transmitter.numerology(), scenario.cell.num_prbs);
  const std::size_t slot_samples = transmitter.numerology().slot_length(scenario.slot_number);
  std::vector<phy::cf32> iq(grid.num_ports() * slot_samples);
  for (unsigned port = 0; port < grid.num_ports(); ++port) {
    modulator.modulate_slot(grid, port, scenario.slot_number,
                            std::span(iq).subspan(port * slot_samples, slot_samples));
  }
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  write_c64(out / "grid.npy", grid.elements(),
            {grid.num_ports(), grid.num_symbols(), grid.num_subcarriers()});
  write_c64(out / "iq.npy", iq, {grid.num_ports(), slot_samples});
  const auto& numerology = transmitter.numerology();
  std::cout << "grid.npy: " << grid.num_ports() << " x " << grid.num_symbols() << " x "
            << grid.num_subcarriers() << "; iq.npy: " << grid.num_ports() << " x " << slot_samples
            << " samples at " << numerology.sample_rate_hz() / 1e6 << " MHz (FFT "
            << numerology.fft_size() << ")\n"
            << "transmit time: " << elapsed_ms << " ms\n";
  return 0;
}

} // namespace

Command add_tx_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "tx", "Transmit the PUSCHs of a scenario (random TBs) to grid.npy and iq.npy");
  auto options = std::make_shared<TxOptions>();
  app->add_option("--config", options->config, "YAML slot scenario (see configs/)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("-o,--output", options->output_dir, "Output directory")->required();
  app->add_option("--seed", options->seed, "Seed of the random transport blocks")
      ->capture_default_str();
  return {app, [options] { return run_tx(*options); }};
}

} // namespace airan::cli
