/// \file
/// \brief `airan bench cells`: the whole uplink slot of several identical cells, on the CPU (one
/// PuschReceiver per cell) or on a GPU (gpu::GpuCellGroup, IQ in device memory), and how many
/// cells fit in a slot.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>

namespace airan::cli {

/// Adds `cells` to the `bench` command \p bench; its run becomes *selected when chosen.
void add_bench_cells_command(CLI::App& bench,
                             const std::shared_ptr<std::function<int()>>& selected);

} // namespace airan::cli
