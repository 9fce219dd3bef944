// The CUDA detectors' steady state allocates nothing on the host heap (operator new, counted by
// tests/support/allocation_counter): once PDUs of a shape have run (the ONNX plan made, its
// graph captured, the front end's graphs instantiated), more PDUs of that shape, alternating two
// slots, allocate nothing more, for the classical front end and the neural receiver. The CUDA
// runtime's own memory (malloc in stream capture and graph updates) is not counted here.
// Skipped without a CUDA device.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_neural_pusch_detector.h"
#include "airan/gpu/gpu_pusch_detector.h"
#include "airan/phy/nn/neural_pusch_detector.h"
#include "airan/phy/snr_definition.h"

#include "../support/allocation_counter.h"
#include "neural_receiver_test_links.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace gpu_detector_allocation_test {

using namespace airan::phy;

struct Slot {
  ResourceGrid grid;
  unsigned number = 0;
};

/// Two slots of \p link through its channel.
std::vector<Slot> two_slots(const airan::test::NeuralLink& link, float snr_db) {
  std::vector<Slot> slots;
  for (unsigned k = 0; k < 2; ++k) {
    airan::apps::SlotSimulator simulator(link.scenario);
    simulator.reseed_channel(70 + k);
    simulator.simulate(std::span(&link.pusch, 1), 3 + k, 80 + k, 90 + k,
                       noise_variance_from_snr_db(snr_db));
    slots.push_back({simulator.received_grid(), simulator.slot_number()});
  }
  return slots;
}

/// Heap allocations of six detections by \p detector after six warm-up ones.
long steady_state_allocations(PuschDetector& detector, const airan::test::NeuralLink& link,
                              const std::vector<Slot>& slots) {
  std::vector<float> llrs(pusch_coded_bits(link.scenario.cell, link.pusch));
  const auto detect_six = [&] {
    for (unsigned k = 0; k < 6; ++k) {
      const Slot& slot = slots[k % 2];
      (void)detector.detect(slot.grid, link.scenario.cell, link.pusch, slot.number, llrs);
    }
  };
  detect_six();
  const long before = airan::test::allocation_count();
  detect_six();
  return airan::test::allocation_count() - before;
}

TEST(GpuDetectorAllocations, NoHeapAllocationPerPduOnceWarm) {
  if (airan::gpu::query_devices().devices.empty()) {
    GTEST_SKIP() << "no CUDA device";
  }
  for (const std::size_t n : {0U, 3U}) { // 106 PRB 4 Rx 1 layer; 24 PRB 2 Rx 2 layers type 2
    const airan::test::NeuralCase& c = airan::test::neural_cases()[n];
    const airan::test::NeuralLink link = airan::test::make_neural_link(c);
    const std::vector<Slot> slots = two_slots(link, c.snr_db);
    const PuschFrontEndLimits limits{c.rx, c.layers, c.prbs};
    const std::string what = "case " + std::to_string(n);

    const PuschFrontEndOptions options; // the product receiver's: MMSE, LMMSE interpolation
    const auto classical =
        airan::gpu::make_gpu_detector_factory(link.scenario.cell, options, 0)(limits, 1);
    EXPECT_EQ(steady_state_allocations(*classical, link, slots), 0) << what << ", classical";

    const auto model = nn::load_neural_receiver_model(std::filesystem::path(AIRAN_MODELS_DIR) /
                                                      "neural_receiver.onnx");
    const auto neural =
        airan::gpu::make_gpu_neural_detector_factory(link.scenario.cell, model)(limits, 1);
    EXPECT_EQ(steady_state_allocations(*neural, link, slots), 0) << what << ", neural";
  }
}

} // namespace gpu_detector_allocation_test
