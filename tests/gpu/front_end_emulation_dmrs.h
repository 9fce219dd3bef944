// Test support for the host emulations of the GPU front end's kernels: the DMRS generation kernel
// (dmrs_generation_kernels.cu) on the host. Each thread's code (generate_dmrs_thread(),
// dmrs_generation_elements.h) runs on the DmrsGeneration that make_pdu_geometry() builds for
// GpuPuschFrontEnd, its Gold words from the warp's shared jump on an emulated warp
// (front_end_emulation_warp.h), block after block and warp after warp; the values are checked bit
// for bit against phy::generate_pusch_dmrs (the CPU estimator's DMRS) and then given to the
// emulated estimator. CUDA builds only (the buffers hold CUDA vector types).
#pragma once

#if defined(AIRAN_HAVE_CUDA)
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_front_end.h"

#include "dmrs_generation_elements.h"
#include "front_end_emulation_warp.h"
#include "front_end_kernels.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace emulation_test {

/// The Gold jump table GpuPuschFrontEnd copies to the device.
inline const airan::phy::GoldJumpTable& gold_jump_table() {
  static const airan::phy::GoldJumpTable table = airan::phy::make_gold_jump_table();
  return table;
}

/// Entries of a PDU's DMRS buffer as the device holds it: [layer (4)][max_symbols][value].
inline std::size_t dmrs_buffer_size(const airan::gpu::detail::PduGeometry& g) {
  return std::size_t{4} * airan::gpu::detail::max_symbols * g.num_values;
}

/// A DMRS buffer of \p g with every entry NaN (not written).
inline std::vector<float2> unwritten_dmrs(const airan::gpu::detail::PduGeometry& g) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  return std::vector<float2>(dmrs_buffer_size(g), float2{nan, nan});
}

/// The low-PAPR phase tables GpuPuschFrontEnd copies to the device.
inline const std::vector<std::int8_t>& low_papr_phase_tables() {
  static const std::vector<std::int8_t> tables = airan::gpu::detail::make_low_papr_phase_tables();
  return tables;
}

/// A transform-precoded PDU's DMRS generation (d.low_papr) on the host: every thread of every
/// block running generate_low_papr_dmrs_thread(). NaN where the kernel writes nothing.
inline std::vector<float2>
emulate_low_papr_dmrs_generation(const airan::gpu::detail::PduGeometry& g,
                                 const airan::gpu::detail::DmrsGeneration& d) {
  using namespace airan::gpu::detail;
  std::vector<float2> dmrs = unwritten_dmrs(g);
  for (unsigned block = 0; block < dmrs_generation_blocks(g); ++block) {
    for (unsigned thread = 0; thread < dmrs_generation_threads; ++thread) {
      generate_low_papr_dmrs_thread(g, d, block, thread, dmrs_generation_threads,
                                    low_papr_phase_tables().data(), dmrs.data());
    }
  }
  return dmrs;
}

/// The DMRS generation kernel of (\p g, \p d) on the host: every block's warps one after the
/// other, each warp's 32 lanes running generate_dmrs_thread() together on an emulated warp with
/// the Gold words of the warp's shared jump (warp_gold_word_cursor()) from \p table (with
/// d.low_papr, emulate_low_papr_dmrs_generation()). NaN where the kernel writes nothing. Fails
/// the test where a warp's lanes did not meet.
inline std::vector<float2> emulate_dmrs_generation(const airan::gpu::detail::PduGeometry& g,
                                                   const airan::gpu::detail::DmrsGeneration& d,
                                                   const airan::phy::GoldJumpTable& table) {
  using namespace airan::gpu::detail;
  if (d.low_papr) {
    return emulate_low_papr_dmrs_generation(g, d);
  }
  std::vector<float2> dmrs = unwritten_dmrs(g);
  float2* const out = dmrs.data();
  EmulatedWarp lanes;
  for (unsigned block = 0; block < dmrs_generation_blocks(g); ++block) {
    for (unsigned warp = 0; warp < dmrs_generation_threads / EmulatedWarp::lanes; ++warp) {
      const bool met = lanes.run([&](EmulatedWarp::Lane& lane) {
        const auto warp_gold_word = [&](std::uint32_t c_init, std::uint32_t n) {
          return warp_gold_word_cursor(table, c_init, n, lane.index(), lane).next_word();
        };
        generate_dmrs_thread(g, d, block, warp * EmulatedWarp::lanes + lane.index(),
                             dmrs_generation_threads, warp_gold_word, out);
      });
      EXPECT_TRUE(met) << "block " << block << " warp " << warp;
    }
  }
  return dmrs;
}

/// The kernel's threads one after the other with phy's Gold words (gold_sequence_word() at
/// n + 32 lane, no warp): the per-thread selection on its own.
inline std::vector<float2> generate_dmrs_sequentially(const airan::gpu::detail::PduGeometry& g,
                                                      const airan::gpu::detail::DmrsGeneration& d,
                                                      const airan::phy::GoldJumpTable& table) {
  using namespace airan::gpu::detail;
  std::vector<float2> dmrs = unwritten_dmrs(g);
  float2* const out = dmrs.data();
  for (unsigned block = 0; block < dmrs_generation_blocks(g); ++block) {
    for (unsigned thread = 0; thread < dmrs_generation_threads; ++thread) {
      const unsigned lane = thread % warp_lanes;
      const auto gold_word = [&](std::uint32_t c_init, std::uint32_t n) {
        return airan::phy::gold_sequence_word(table, c_init, n + 32 * lane);
      };
      generate_dmrs_thread(g, d, block, thread, dmrs_generation_threads, gold_word, out);
    }
  }
  return dmrs;
}

/// phy::generate_pusch_dmrs of every layer of \p pusch on every DMRS symbol of \p g in the
/// device's layout; NaN elsewhere.
inline std::vector<float2> cpu_dmrs(const airan::phy::CellConfig& cell,
                                    const airan::phy::PuschConfig& pusch, unsigned slot,
                                    const airan::gpu::detail::PduGeometry& g) {
  using airan::gpu::detail::max_symbols;
  const airan::phy::PuschDmrsParams params = airan::phy::make_pusch_dmrs_params(cell, pusch, slot);
  std::vector<float2> dmrs = unwritten_dmrs(g);
  std::vector<airan::phy::cf32> values(g.num_values);
  for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
    for (unsigned s = 0; s < g.num_dmrs_symbols; ++s) {
      airan::phy::generate_pusch_dmrs(params, pusch.dmrs_port_of_layer(layer), g.dmrs_symbols[s],
                                      values);
      for (unsigned v = 0; v < g.num_values; ++v) {
        dmrs[(std::size_t{layer} * max_symbols + s) * g.num_values + v] =
            float2{values[v].real(), values[v].imag()};
      }
    }
  }
  return dmrs;
}

/// Where \p got and \p want (DMRS buffers of \p g) differ in their bits, the first place as
/// "layer L symbol S value V", and how many entries differ; empty when they are the same bits
/// (NaN where neither is written).
inline std::string dmrs_difference(const std::vector<float2>& got, const std::vector<float2>& want,
                                   const airan::gpu::detail::PduGeometry& g) {
  if (got.size() != want.size()) {
    return "buffer sizes differ";
  }
  std::size_t count = 0;
  std::size_t first = 0;
  for (std::size_t i = got.size(); i-- > 0;) {
    if (std::memcmp(&got[i], &want[i], sizeof(float2)) != 0) {
      ++count;
      first = i;
    }
  }
  if (count == 0) {
    return {};
  }
  const std::size_t row = first / g.num_values;
  std::ostringstream out;
  out << count << " value(s) differ, first at layer " << row / airan::gpu::detail::max_symbols
      << " DMRS symbol " << row % airan::gpu::detail::max_symbols << " value "
      << first % g.num_values;
  return out.str();
}

/// The DMRS of \p pusch in \p slot as the device generates them for \p g from \p generation
/// (make_pdu_geometry()'s): emulate_dmrs_generation(), expected to be phy::generate_pusch_dmrs's
/// values bit for bit.
inline std::vector<float2> device_dmrs(const airan::phy::CellConfig& cell,
                                       const airan::phy::PuschConfig& pusch, unsigned slot,
                                       const airan::gpu::detail::PduGeometry& g,
                                       const airan::gpu::detail::DmrsGeneration& generation) {
  std::vector<float2> dmrs = emulate_dmrs_generation(g, generation, gold_jump_table());
  EXPECT_EQ(dmrs_difference(dmrs, cpu_dmrs(cell, pusch, slot, g), g), "")
      << "generated DMRS against phy::generate_pusch_dmrs";
  return dmrs;
}

/// The same with the DmrsGeneration that make_pdu_geometry() builds for \p pusch in \p slot (it
/// depends on neither the grid nor the options).
inline std::vector<float2> device_dmrs(const airan::phy::CellConfig& cell,
                                       const airan::phy::PuschConfig& pusch, unsigned slot,
                                       const airan::gpu::detail::PduGeometry& g) {
  airan::gpu::detail::DmrsGeneration generation;
  (void)airan::gpu::detail::make_pdu_geometry(cell, g.num_rx, g.grid_symbols, pusch, slot,
                                              airan::phy::PuschFrontEndOptions{}, generation);
  return device_dmrs(cell, pusch, slot, g, generation);
}

} // namespace emulation_test
#endif
