// `airan conformance <suite> DIR`: runs every case of a reference-data directory
// (`pusch-rx --backend cuda|auto` decodes on the CUDA front end and LDPC decoder).
#include "airan/apps/conformance.h"
#include "airan/gpu/backend.h"
#include "airan/gpu/gpu_ldpc_decoder.h"
#include "airan/gpu/gpu_pusch_detector.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "commands.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

namespace airan::cli {
namespace {

struct Suite {
  const char* name;
  const char* description;
  apps::SuiteResult (*run)(const std::filesystem::path&, std::ostream*);
};

/// The PUSCH receiver suite on the CPU backend (see add_conformance_command for --backend).
apps::SuiteResult run_pusch_rx_on_cpu(const std::filesystem::path& dir, std::ostream* out) {
  return apps::run_pusch_rx_conformance(dir, out);
}

constexpr Suite suites[] = {
    {"crc", "CRC6/11/16/24A/24B/24C (TS 38.212 5.1) against crc/", apps::run_crc_conformance},
    {"ldpc", "LDPC encoding + rate matching against ldpc/k*_n*_G.npy", apps::run_ldpc_conformance},
    {"tb", "transport-block chain (TS 38.212 6.2 + scrambling) against tb/",
     apps::run_tb_conformance},
    {"pusch-tx", "PUSCH transmitter: transmit(tb_bits) == grid for every pusch/case_*",
     apps::run_pusch_tx_conformance},
    {"pusch-rx", "PUSCH receiver: every pusch/case_* grid decodes to tb_bits with TB CRC ok",
     run_pusch_rx_on_cpu},
};

} // namespace

Command add_conformance_command(CLI::App& parent) {
  auto* app = parent.add_subcommand("conformance", "Run a conformance suite on reference data");
  app->require_subcommand(1);
  auto selected = std::make_shared<const Suite*>(nullptr);
  auto dir = std::make_shared<std::string>();
  auto backend = std::make_shared<std::string>("cpu");
  for (const auto& suite : suites) {
    auto* sub = app->add_subcommand(suite.name, suite.description);
    sub->add_option("DIR", *dir, "Directory laid out like ../shared/conformance/<suite>")
        ->required();
    if (&suite == &suites[std::size(suites) - 1]) { // pusch-rx
      sub->add_option("--backend", *backend,
                      "Where the receiver runs: cpu, cuda (front end and LDPC on the device), "
                      "or auto (CUDA when a device exists)")
          ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
          ->capture_default_str();
    }
    sub->callback([selected, &suite] { *selected = &suite; });
  }
  return {
      app, [selected, dir, backend]() -> int {
        if (!std::filesystem::is_directory(*dir)) {
          std::cerr << "airan conformance: not a directory: " << *dir << '\n';
          return 2;
        }
        apps::SuiteResult result;
        if (*selected == &suites[std::size(suites) - 1] && *backend != "cpu") {
          gpu::BackendSelection selection;
          try {
            selection = gpu::select_backend(*backend);
          } catch (const std::exception& error) {
            std::cerr << "airan conformance: " << error.what() << '\n';
            return 2;
          }
          std::cout << "receiver: " << selection.reason << '\n';
          const int device = selection.device_index;
          result = apps::run_pusch_rx_conformance(
              *dir, &std::cout,
              [&selection, device](const phy::CellConfig& cell, phy::PuschReceiverConfig& config) {
                if (selection.backend == gpu::Backend::cuda) {
                  config.detector = gpu::make_gpu_detector_factory(cell, config.front_end, device);
                  config.ulsch_decoder = gpu::make_gpu_ulsch_decoder_factory(device);
                }
              });
        } else {
          result = (*selected)->run(*dir, &std::cout);
        }
        if (result.cases.empty()) {
          std::cerr << "airan conformance: no cases found in " << *dir << '\n';
          return 1;
        }
        return result.all_passed() ? 0 : 1;
      }};
}

} // namespace airan::cli
