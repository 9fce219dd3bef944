#include "fronthaul_options.h"

#include "airan/io/pusch_config_file.h"

#include <regex>

namespace airan::cli {

void add_fronthaul_options(CLI::App& app, FronthaulOptions& options) {
  app.add_option("--mode", options.mode,
                 "Fronthaul: 7.2x (frequency-domain PRBs) or time-domain (IQ, FFT here); "
                 "default: the config's fronthaul.mode");
  app.add_option("--comp", options.compression,
                 "U-plane IQ compression: none (16-bit) or bfp1..bfp16, e.g. bfp9");
  app.add_option("--dpdk", options.dpdk,
                 "DPDK device (repeatable): a PCI address (0000:3b:00.0) or vdev arguments "
                 "(net_af_packet0,iface=veth1)");
  app.add_option("--vdev", options.vdevs,
                 "DPDK virtual device (repeatable), e.g. net_af_packet0,iface=veth1");
  app.add_option("--pci", options.pci, "DPDK PCI device of a NIC port (repeatable)");
  app.add_option("--device", options.device,
                 "DPDK port to use: vdev name or PCI address (default: the first)");
  app.add_option("--file-prefix", options.file_prefix,
                 "DPDK --file-prefix (two DPDK processes on one machine need different ones)");
}

io::FronthaulIngestMode parse_ingest_mode(const std::string& text) {
  if (text == "7.2x" || text == "frequency_domain" || text == "frequency-domain") {
    return io::FronthaulIngestMode::frequency_domain;
  }
  if (text == "time-domain" || text == "time_domain") {
    return io::FronthaulIngestMode::time_domain;
  }
  throw io::ConfigError("--mode '" + text + "': expected 7.2x or time-domain");
}

io::IqCompression parse_compression(const std::string& text) {
  if (const auto compression = io::parse_compression_name(text)) {
    return *compression;
  }
  throw io::ConfigError("--comp '" + text + "': expected none or bfp1 .. bfp16");
}

io::FronthaulConfig resolve_fronthaul_config(const FronthaulOptions& options) {
  io::FronthaulConfig config;
  if (!options.config.empty()) {
    config = io::load_fronthaul_config(options.config);
  }
  if (!options.mode.empty()) {
    config.mode = parse_ingest_mode(options.mode);
  }
  if (!options.compression.empty()) {
    config.compression = parse_compression(options.compression);
  }
  if (const auto error = config.validate(); !error.empty()) {
    throw io::ConfigError("fronthaul configuration: " + error);
  }
  return config;
}

namespace {

/// "[domain:]bus:device.function" in hex, e.g. 0000:3b:00.0 or 3b:00.0.
bool is_pci_address(const std::string& text) {
  static const std::regex pattern("^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]$");
  return std::regex_match(text, pattern);
}

} // namespace

io::DpdkConfig resolve_dpdk_config(const FronthaulOptions& options) {
  io::DpdkConfig config;
  if (!options.config.empty()) {
    config = io::load_dpdk_config(options.config);
  }
  std::vector<std::string> vdevs = options.vdevs;
  std::vector<std::string> pci = options.pci;
  for (const auto& device : options.dpdk) {
    (is_pci_address(device) ? pci : vdevs).push_back(device);
  }
  if (!vdevs.empty()) {
    config.eal.vdevs = vdevs;
  }
  if (!pci.empty()) {
    // A NIC needs hugepages (DMA to physical addresses): a PCI device named here turns no_huge
    // off, whatever the config's default says.
    config.eal.pci_allow = pci;
    config.eal.no_huge = false;
  }
  if (!options.device.empty()) {
    config.port.device = options.device;
  }
  if (!options.file_prefix.empty()) {
    config.eal.file_prefix = options.file_prefix;
  }
  if (const auto error = config.eal.validate(); !error.empty()) {
    throw io::ConfigError(error);
  }
  // The port carries the fronthaul: its MTU holds the largest U-plane / C-plane frame, and it
  // receives frames to either end's address (the DU's du_mac here, the O-RU's ru_mac in an
  // emulator) even where promiscuous mode is refused (an untrusted SR-IOV VF).
  const io::FronthaulConfig fronthaul = resolve_fronthaul_config(options);
  if (config.port.mtu == 0) {
    config.port.mtu = fronthaul.max_frame_size;
  } else if (config.port.mtu < fronthaul.max_frame_size) {
    throw io::ConfigError("dpdk.port.mtu " + std::to_string(config.port.mtu) +
                          " is below fronthaul.max_frame_size " +
                          std::to_string(fronthaul.max_frame_size));
  }
  config.port.accepted_macs = {fronthaul.du_mac, fronthaul.ru_mac};
  if (const auto error = config.port.validate(); !error.empty()) {
    throw io::ConfigError("dpdk.port (its MTU " + std::to_string(config.port.mtu) +
                          " from fronthaul.max_frame_size): " + error);
  }
  return config;
}

} // namespace airan::cli
