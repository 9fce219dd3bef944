// The GPU front end's post-equalization quality of a PUSCH without UL-SCH (a CSI report with a
// HARQ-ACK, one CDM group without data, so the DMRS symbols' data REs are sent empty): the
// quality kernels' threads (quality_elements.h) leave those values (make_empty_values(), from
// phy::pusch_empty_value_ranges(), which the CPU front end uses too) out of the EVM, on the
// emulated estimation and equalizer, against phy::PuschFrontEnd's EVM and post-equalization SINR
// within the GPU front end's tolerances; counted in, the EVM is far off. CUDA builds only (the
// kernels' structs hold CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "front_end_emulation_equalizer.h"
#include "front_end_emulation_support.h"
#include "gpu_pusch_front_end_impl.h"

#include <vector>

namespace {

using namespace emulation_test;

TEST(QualityEmptyValuesEmulation, ValuesSentEmptyAreLeftOutOfTheEvmAsOnTheCpu) {
  const PamLlrTables tables = make_pam_llr_tables();
  for (const unsigned layers : {1U, 2U}) {
    SCOPED_TRACE(std::to_string(layers) + " layer(s)");
    EmulationCase c;
    c.name = "UciOnly";
    c.prbs = 24;
    c.rx = 4;
    c.layers = layers;
    c.mcs = 12;
    c.snr_db = 22.0F;
    c.ulsch = false;
    c.cdm_groups_no_data = 1;
    c.uci = {2, 14, 30, 3, 6, 6, 6};
    const EmulatedPdu pdu(c);
    const CellConfig& cell = pdu.scenario.cell;
    const EmptyValues empty = make_empty_values(cell, pdu.pusch);
    ASSERT_EQ(empty.count, 2U) << "DMRS symbols 2 and 11 carry empty data REs";
    for (unsigned r = 0; r < empty.count; ++r) {
      EXPECT_EQ(empty.end[r] - empty.first[r], 6U * c.prbs * layers); // the odd subcarriers
    }
    const Emulated e = emulate(pdu.g, pdu.device_grid(), pdu.dmrs.data(), pdu.device_banks(),
                               despread_noise_blocks(pdu.g));
    const DataGeometry d = make_data_geometry(cell, pdu.pusch, pdu.options, &tables);
    EqualizeDemapPdu p = equalizer_arguments(pdu, d, e);
    EqualizedPdu out;
    run_equalizer(p, tables, out);
    PuschFrontEnd cpu({c.rx, 4, c.prbs});
    std::vector<float> cpu_llrs(pusch_coded_bits(cell, pdu.pusch));
    cpu.process(pdu.grid(), cell, pdu.pusch, pdu.slot, pdu.options, cpu_llrs);
    const PuschMeasurements reference = cpu.measurements(pdu.pusch);
    const std::size_t count = out.symbols.size();
    const PuschMeasurements reported = airan::gpu::pusch_measurements_of(
        e.state, emulate_quality(out.symbols.data(), out.noise.data(), count, d.qm, empty).total);
    EXPECT_NEAR(reported.evm, reference.evm, 1e-4 * reference.evm + 1e-6) << "EVM";
    EXPECT_NEAR(reported.post_eq_sinr_db, reference.post_eq_sinr_db, 1e-3);
    const PuschMeasurements counted = airan::gpu::pusch_measurements_of(
        e.state, emulate_quality(out.symbols.data(), out.noise.data(), count, d.qm).total);
    EXPECT_GT(counted.evm, 1.2 * reference.evm) << "the empty REs' values are no QAM points";
  }
}

} // namespace
#else
TEST(QualityEmptyValuesEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
