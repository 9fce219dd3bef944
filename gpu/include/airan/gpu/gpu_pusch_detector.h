/// \file
/// \brief The CUDA front end as a phy::PuschDetector, so that PuschReceiver (and with it
/// `airan replay`, `eval`, `bench` and the fronthaul path) runs channel estimation,
/// equalization and demapping on the GPU with `--backend cuda`, while descrambling, rate
/// recovery, HARQ and LDPC stay on the CPU (docs/GPU.md lists what is on the device).
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/pusch_front_end.h"

namespace airan::gpu {

/// A PuschReceiverConfig::detector factory: each detector owns a GpuPuschFrontEnd (its own
/// stream and device buffers) for \p cell on CUDA device \p device, and runs it with
/// \p options per PDU (upload of the received grid, estimation, equalization and demapping,
/// download of the LLRs and of the DMRS measurements).
/// The factory throws std::runtime_error without CUDA or a device, std::invalid_argument for
/// options the GPU does not implement (MMSE-IRC).
phy::PuschDetectorFactory make_gpu_detector_factory(const phy::CellConfig& cell,
                                                    const phy::PuschFrontEndOptions& options,
                                                    int device);

} // namespace airan::gpu
