// The `airan` command-line tool: one binary, one sub-command per job.
#include "airan/gpu/device_connections.h"
#include "commands.h"
#include "integer_options.h"

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

/// The CLI: its sub-command's exit status (2 for a usage error or a failed command).
int run_cli(int argc, char** argv) {
  // Before any CUDA call: a hardware work queue for each of up to 32 streams (GpuCellGroup's
  // cells), unless CUDA_DEVICE_MAX_CONNECTIONS says otherwise.
  try {
    airan::gpu::request_device_connections();
  } catch (const std::exception& e) { // only an allocation can fail: the driver's default then
    std::cerr << "airan: warning: " << e.what() << '\n';
  }
  CLI::App app{"airan: GPU-accelerated AI-RAN uplink baseband (5G NR PUSCH)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("airan ") + AIRAN_VERSION);

  std::string command_line = "airan";
  for (int i = 1; i < argc; ++i) {
    command_line += std::string(" ") + argv[i];
  }
  std::vector<airan::cli::Command> commands;
  commands.push_back(airan::cli::add_info_command(app));
  commands.push_back(airan::cli::add_conformance_command(app));
  commands.push_back(airan::cli::add_tx_command(app));
  commands.push_back(airan::cli::add_bench_command(app));
  commands.push_back(airan::cli::add_gen_command(app, command_line));
  commands.push_back(airan::cli::add_replay_command(app));
  commands.push_back(airan::cli::add_ru_emulator_command(app));
  commands.push_back(airan::cli::add_cplane_command(app));
  commands.push_back(airan::cli::add_eval_command(app, command_line));
  commands.push_back(airan::cli::add_pucch_eval_command(app));
  commands.push_back(airan::cli::add_srs_eval_command(app));
  commands.push_back(airan::cli::add_prach_eval_command(app, command_line));
  commands.push_back(airan::cli::add_testmac_command(app));
  commands.push_back(airan::cli::add_l1_command(app));
  airan::cli::read_integer_options_as_decimal(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version: 0; a usage error (CLI11's own status 105 .. 114): 2, as every
    // refused option (exit status 2: bad input, 1: the run failed).
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    for (auto& command : commands) {
      if (command.app->parsed()) {
        return command.run();
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "airan: error: " << e.what() << '\n';
    return 2;
  }
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  // Anything that escapes run_cli (an allocation failure while reporting) ends here, reported,
  // not in std::terminate.
  try {
    return run_cli(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "airan: error: %s\n", e.what());
  } catch (...) {
    std::fputs("airan: error: unknown exception\n", stderr);
  }
  return 2;
}
