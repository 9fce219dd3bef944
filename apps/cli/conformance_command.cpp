// `airan conformance <suite> DIR`: runs every case of a reference-data directory.
#include "airan/apps/conformance.h"
#include "commands.h"

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

constexpr Suite suites[] = {
    {"crc", "CRC6/11/16/24A/24B/24C (TS 38.212 5.1) against crc/", apps::run_crc_conformance},
    {"ldpc", "LDPC encoding + rate matching against ldpc/k*_n*_G.npy", apps::run_ldpc_conformance},
    {"tb", "transport-block chain (TS 38.212 6.2 + scrambling) against tb/",
     apps::run_tb_conformance},
    {"pusch-tx", "PUSCH transmitter: transmit(tb_bits) == grid for every pusch/case_*",
     apps::run_pusch_tx_conformance},
    {"pusch-rx", "PUSCH receiver: every pusch/case_* grid decodes to tb_bits with TB CRC ok",
     apps::run_pusch_rx_conformance},
};

} // namespace

Command add_conformance_command(CLI::App& parent) {
  auto* app = parent.add_subcommand("conformance", "Run a conformance suite on reference data");
  app->require_subcommand(1);
  auto selected = std::make_shared<const Suite*>(nullptr);
  auto dir = std::make_shared<std::string>();
  for (const auto& suite : suites) {
    auto* sub = app->add_subcommand(suite.name, suite.description);
    sub->add_option("DIR", *dir, "Directory laid out like ../shared/conformance/<suite>")
        ->required();
    sub->callback([selected, &suite] { *selected = &suite; });
  }
  return {app, [selected, dir]() -> int {
            if (!std::filesystem::is_directory(*dir)) {
              std::cerr << "airan conformance: not a directory: " << *dir << '\n';
              return 2;
            }
            const auto result = (*selected)->run(*dir, &std::cout);
            if (result.cases.empty()) {
              std::cerr << "airan conformance: no cases found in " << *dir << '\n';
              return 1;
            }
            return result.all_passed() ? 0 : 1;
          }};
}

} // namespace airan::cli
