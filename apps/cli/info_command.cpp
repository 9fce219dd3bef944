// `airan info`: what this binary was built with and what this machine offers.
#include "airan/gpu/device_connections.h"
#include "airan/gpu/device_query.h"
#include "airan/phy/cpu_features.h"
#include "commands.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

namespace airan::cli {
namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.starts_with("model name")) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown";
}

} // namespace

Command add_info_command(CLI::App& parent) {
  auto* app = parent.add_subcommand("info", "Show build configuration, CPU and CUDA devices");
  auto self_test = std::make_shared<bool>(false);
  app->add_flag("--self-test", *self_test, "Run a small kernel on every CUDA device");
  return {app, [self_test]() -> int {
            std::cout << "airan " << AIRAN_VERSION << '\n'
                      << "cpu: " << cpu_model() << " (" << std::thread::hardware_concurrency()
                      << " threads), simd: " << phy::cpu_feature_names(phy::cpu_features()) << '\n';
            const auto cuda = gpu::query_devices();
            std::cout << "cuda backend: " << (cuda.cuda_compiled ? "compiled" : "not compiled");
            if (cuda.cuda_compiled) {
              std::cout << " (runtime " << cuda.runtime_version / 1000 << '.'
                        << (cuda.runtime_version % 1000) / 10 << ")";
            }
            std::cout << '\n';
            if (cuda.cuda_compiled) {
              std::cout << "cuda contexts: " << gpu::describe(gpu::device_connections()) << '\n';
            }
            if (cuda.devices.empty()) {
              std::cout << "cuda devices: none (" << cuda.status << ")\n";
              return 0;
            }
            int failures = 0;
            for (const auto& dev : cuda.devices) {
              std::cout << "cuda device " << dev.index << ": " << dev.name << ", sm_"
                        << dev.compute_major << dev.compute_minor << ", "
                        << dev.global_memory_bytes / (std::size_t{1024} * 1024) << " MiB, "
                        << dev.multiprocessors << " SMs\n";
              if (*self_test) {
                const auto error = gpu::run_device_self_test(dev.index);
                std::cout << "  self-test: " << (error.empty() ? "ok" : error) << '\n';
                failures += error.empty() ? 0 : 1;
              }
            }
            return failures == 0 ? 0 : 1;
          }};
}

} // namespace airan::cli
