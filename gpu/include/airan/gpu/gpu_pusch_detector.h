/// \file
/// \brief The CUDA front end as a phy::PuschDetector, so that PuschReceiver (and with it
/// `airan replay`, `eval`, `bench` and the fronthaul path) runs OFDM demodulation, channel
/// estimation, ZF/MMSE/MMSE-IRC equalization, demapping and descrambling on the GPU with
/// `--backend cuda`; with a GpuUlschDecoder on the same device (gpu_ulsch_decoder.h) the LLRs
/// stay in device memory for rate recovery, HARQ and LDPC (docs/GPU.md lists what is where).
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/pusch_front_end.h"

namespace airan::gpu {

/// A PuschReceiverConfig::detector factory: each detector owns a GpuPuschFrontEnd (its own
/// stream and device buffers) for \p cell on CUDA device \p device, and runs it with
/// \p options per PDU (upload of the received grid or demodulation of the slot's IQ,
/// estimation, equalization, demapping and descrambling, download of the LLRs unless they stay
/// on the device (a PDU with UCI always downloads them, for the receiver's demultiplexing),
/// download of the DMRS measurements).
/// The detectors' constructors throw std::runtime_error without CUDA or a device.
phy::PuschDetectorFactory make_gpu_detector_factory(const phy::CellConfig& cell,
                                                    const phy::PuschFrontEndOptions& options,
                                                    int device);

} // namespace airan::gpu
