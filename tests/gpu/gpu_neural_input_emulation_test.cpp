// The neural receiver's device kernels run on the host: the structs GpuPuschFrontEnd passes them
// (make_pdu_geometry, make_neural_input_geometry, phy::make_pusch_data_layout), the DMRS in the
// layout launch_dmrs_generation() writes, and the per-element functions every thread runs
// (neural_input_elements.h), over whole PDUs. The tensors must equal phy::nn::NeuralReceiverInputs'
// and the gathered LLRs phy::nn::neural_llr_positions()' order, bit for bit; the post-equalization
// SINR the CPU neural detector's. So the kernels' indexing is checked in CI without a GPU
// (CUDA builds: the structs hold CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/apps/link_simulation.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/equalization_quality.h"
#include "airan/phy/nn/neural_pusch_detector.h"
#include "airan/phy/nn/neural_receiver_inputs.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/snr_definition.h"

#include "front_end_emulation_support.h"
#include "front_end_kernels.h"
#include "neural_input_elements.h"
#include "neural_receiver_test_links.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::phy::nn;
using namespace airan::gpu::detail;
namespace apps = airan::apps;

TEST(GpuNeuralInputEmulation, KernelsReproduceTheHostInputsAndLlrOrder) {
  const auto model = load_neural_receiver_model(std::filesystem::path(AIRAN_MODELS_DIR) /
                                                "reference" / "neural_receiver_small.onnx");
  for (std::size_t n = 0; n < airan::test::neural_cases().size(); ++n) {
    const airan::test::NeuralCase& c = airan::test::neural_cases()[n];
    const airan::test::NeuralLink link = airan::test::make_neural_link(c);
    const apps::LinkScenario& scenario = link.scenario;
    const PuschConfig& pusch = link.pusch;
    ASSERT_EQ(apps::validate_link(scenario, std::span(&pusch, 1)), "") << n;
    const CellConfig& cell = scenario.cell;
    apps::SlotSimulator simulator(scenario);
    simulator.reseed_channel(n);
    simulator.simulate(std::span(&pusch, 1), 1 + n, 2 + n, 3 + n,
                       noise_variance_from_snr_db(c.snr_db));
    const ResourceGrid& grid = simulator.received_grid();
    const unsigned slot = simulator.slot_number();

    NeuralReceiverInputs host(c.prbs);
    host.build(grid, cell, pusch, slot);

    // What GpuPuschFrontEnd::build_neural_inputs() passes its kernel.
    PuschFrontEndOptions options;
    options.estimator.frequency_interpolation = FrequencyInterpolation::linear;
    DmrsGeneration generation;
    const PduGeometry g = make_pdu_geometry(cell, grid.num_ports(), grid.num_symbols(), pusch, slot,
                                            options, generation);
    const NeuralInputGeometry geometry = make_neural_input_geometry(cell, pusch, g);
    ASSERT_EQ(geometry.num_symbols, host.num_symbols());
    ASSERT_EQ(geometry.num_subcarriers, host.num_subcarriers());
    // The DMRS as the device holds them: [layer][DMRS symbol of g][value].
    const std::vector<float2> dmrs = emulation_test::device_dmrs(cell, pusch, slot, g);
    const auto* device_grid = reinterpret_cast<const float2*>(grid.elements().data());
    const std::size_t plane = std::size_t{geometry.num_symbols} * geometry.num_subcarriers;
    std::vector<float> rx(8 * plane, -1.0F), ls(32 * plane, -1.0F), side(7 * plane, -1.0F);
    std::vector<float2> symbols(plane * c.layers);
    std::vector<float> noise(plane * c.layers, -1.0F);
    const float noise_variance = host.measurements().noise_variance;
    const NeuralInputOutputs out{rx.data(), ls.data(), side.data(), symbols.data(), noise.data()};
    for (std::size_t pixel = 0; pixel < plane; ++pixel) {
      neural_input_element(g, geometry, device_grid, dmrs.data(), noise_variance, pixel, out);
    }
    const auto same = [](const std::vector<float>& a, std::span<const float> b) {
      return std::equal(a.begin(), a.end(), b.begin(), b.end());
    };
    EXPECT_TRUE(same(rx, host.rx_grid())) << "case " << n;
    EXPECT_TRUE(same(ls, host.ls_channel())) << "case " << n;
    EXPECT_TRUE(same(side, host.side_info())) << "case " << n;

    // The post-equalization SINR from the symbols' noise, as launch_equalization_quality() sums
    // it, against the CPU neural detector's.
    double noise_sum = 0.0;
    std::size_t count = 0;
    for (std::size_t i = 0;
         i < std::size_t{geometry.num_data_rows} * geometry.num_subcarriers * c.layers; ++i) {
      if (std::isfinite(noise[i])) {
        noise_sum += noise[i];
        ++count;
      }
    }
    NeuralPuschDetector detector(model, {c.rx, c.layers, c.prbs}, 1);
    std::vector<float> cpu_llrs(pusch_coded_bits(cell, pusch));
    const PuschMeasurements m = detector.detect(grid, cell, pusch, slot, cpu_llrs);
    EXPECT_NEAR(post_equalization_sinr_db(noise_sum, count), m.post_eq_sinr_db, 1e-4F)
        << "case " << n;

    // LLR gathering from a tensor of distinct values.
    const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
    const PuschDataLayout layout = make_pusch_data_layout(mapping);
    const unsigned qm = pusch.modulation_order();
    std::vector<float> tensor(32 * plane);
    for (std::size_t i = 0; i < tensor.size(); ++i) {
      tensor[i] = static_cast<float>(i);
    }
    const std::size_t g_bits = pusch_coded_bits(cell, pusch);
    std::vector<float> gathered(g_bits, -1.0F);
    ASSERT_EQ(std::size_t{layout.num_res()} * c.layers * qm, g_bits);
    for (unsigned re = 0; re < layout.num_res(); ++re) {
      neural_llr_gather_element(geometry, layout, mapping.start_symbol, qm, tensor.data(),
                                gathered.data(), re);
    }
    std::vector<std::uint32_t> positions(g_bits);
    neural_llr_positions(cell, pusch, positions);
    for (std::size_t i = 0; i < g_bits; ++i) {
      ASSERT_EQ(gathered[i], tensor[positions[i]]) << "case " << n << " bit " << i;
    }
  }
}

} // namespace
#endif
