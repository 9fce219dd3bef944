// libFuzzer target for the HDF5 test-vector reader: any byte string, written to a file, must
// open and read slot by slot or raise TestVectorError, never crash, and leave no libhdf5 object
// open. libhdf5 itself is not instrumented: ASan sees its wild accesses only when they hit
// memory it tracks (or segfault).
//
// Seeds: with AIRAN_FUZZ_WRITE_SEEDS=DIR the binary writes a few small valid vectors to DIR and
// exits (tests/fuzz/seeds/test_vector_file does this for scripts/fuzz).
#include "airan/io/test_vector_file.h"
#include "airan/phy/numerology.h"
#include "airan/phy/tbs_calculator.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#if __has_include(<hdf5.h>)
#include <hdf5.h>
#define AIRAN_FUZZ_HDF5 1
#elif __has_include(<hdf5/serial/hdf5.h>)
#include <hdf5/serial/hdf5.h>
#define AIRAN_FUZZ_HDF5 1
#endif

namespace {

namespace fs = std::filesystem;
using namespace airan;

/// The file each input is written to: one per process, removed after each input (a crash leaves
/// the last one behind).
const std::string& input_path() {
  static const std::string path =
      (fs::temp_directory_path() / ("airan_tv_fuzz_" + std::to_string(::getpid()) + ".h5"))
          .string();
  return path;
}

/// A small vector: 4 PRBs at 15 kHz, \p slots slots of \p pdus PDUs.
void write_seed(const fs::path& path, unsigned rx, unsigned slots, unsigned pdus, bool iq,
                bool channel, bool compress) {
  io::TestVectorHeader header;
  header.cell.num_prbs = 4;
  header.cell.numerology = 0;
  header.num_rx_antennas = rx;
  header.channel.model = channel ? "TDL-A" : "awgn";
  header.noise_variance = 0.1F;
  header.snr_db = 10.0;
  header.generator = "test_vector_file_fuzzer seed";
  io::TestVectorWriter writer(path, header, {compress, 4});
  const unsigned symbols = 14;
  const unsigned subcarriers = 48;
  for (unsigned s = 0; s < slots; ++s) {
    io::TestVectorSlot slot;
    slot.absolute_slot = 9 + s;
    slot.slot = static_cast<unsigned>(slot.absolute_slot % 10);
    slot.grid = phy::ResourceGrid(rx, symbols, subcarriers);
    for (std::size_t i = 0; i < slot.grid.size(); ++i) {
      slot.grid.elements()[i] = {static_cast<float>(i % 7) - 3.0F, static_cast<float>(i % 5)};
    }
    if (iq) {
      slot.iq_samples_per_antenna =
          phy::Numerology(0, header.cell.cyclic_prefix, 128).slot_length(slot.slot);
      slot.iq.assign(rx * slot.iq_samples_per_antenna, phy::cf32(0.5F, -0.25F));
    }
    if (channel) {
      slot.true_channel_shape = {rx, 1, symbols, subcarriers};
      slot.true_channel.assign(std::size_t{rx} * symbols * subcarriers, phy::cf32(1.0F, 0.0F));
    }
    for (unsigned p = 0; p < pdus; ++p) {
      io::TestVectorPdu pdu;
      pdu.config.rnti = static_cast<std::uint16_t>(100 + p);
      pdu.config.bwp_size = 4;
      pdu.config.prb_start = 2 * p;
      pdu.config.prb_size = 2;
      pdu.config.mcs_index = 4;
      pdu.tb_bits.assign(phy::compute_pusch_tbs(header.cell, pdu.config), 1);
      pdu.expected_crc_ok = p == 0;
      slot.pdus.push_back(pdu);
    }
    writer.write_slot(slot);
  }
  writer.close();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  if (const char* dir = std::getenv("AIRAN_FUZZ_WRITE_SEEDS"); dir != nullptr) {
    const fs::path out(dir);
    write_seed(out / "grid_only.h5", 1, 1, 1, false, false, true);
    write_seed(out / "iq_channel.h5", 2, 1, 1, true, true, true);
    write_seed(out / "two_slots_two_pdus.h5", 1, 2, 2, false, true, true);
    write_seed(out / "uncompressed.h5", 1, 1, 2, true, false, false);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = input_path();
  {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
      return 0;
    }
    const bool written = std::fwrite(data, 1, size, file) == size;
    if (std::fclose(file) != 0 || !written) {
      return 0;
    }
  }
  try {
    const io::TestVectorReader reader(path);
    io::TestVectorSlot slot;
    for (std::size_t i = 0; i < reader.num_slots(); ++i) {
      try {
        reader.read_slot(i, slot);
      } catch (const io::TestVectorError&) {
        // A bad slot does not stop the others from being read.
      }
    }
  } catch (const io::TestVectorError&) {
  }
  std::remove(path.c_str());
#ifdef AIRAN_FUZZ_HDF5
  if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) != 0) {
    __builtin_trap(); // an identifier leaked: the next input would see a stale open file
  }
#endif
  return 0;
}
