// TestVectorWriter: the HDF5 layout of test_vector_file.h, written through the schema visitors.
#include "airan/io/test_vector_file.h"

#include "hdf5_handle.h"
#include "test_vector_schema.h"

#include <type_traits>
#include <utility>

namespace airan::io {
namespace {

template <typename T> hid_t uint_file_type() {
  static_assert(std::is_unsigned_v<T> && !std::is_same_v<T, bool>);
  if constexpr (sizeof(T) == 1) {
    return H5T_STD_U8LE;
  } else if constexpr (sizeof(T) == 2) {
    return H5T_STD_U16LE;
  } else if constexpr (sizeof(T) == 4) {
    return H5T_STD_U32LE;
  } else {
    return H5T_STD_U64LE;
  }
}

/// Schema visitor that writes every field as a scalar attribute of one object.
class AttributeWriter {
public:
  AttributeWriter(hid_t object, std::string where) : object_(object), where_(std::move(where)) {}

  template <typename T> void uint(const char* name, const T& value) {
    h5::write_uint(object_, name, value, uint_file_type<T>(), where_);
  }
  void real(const char* name, double value) {
    h5::write_real(object_, name, value, H5T_IEEE_F64LE, where_);
  }
  void real(const char* name, float value) {
    h5::write_real(object_, name, value, H5T_IEEE_F32LE, where_);
  }
  void boolean(const char* name, bool value) {
    h5::write_uint(object_, name, value ? 1 : 0, H5T_STD_U8LE, where_);
  }
  void text(const char* name, const std::string& value) {
    h5::write_text(object_, name, value, where_);
  }
  void optional_text(const char* name, const std::string& value) { text(name, value); }
  /// An attribute older readers do not know: written always.
  template <typename Visit> void optional(const char* /*name*/, Visit visit) { visit(); }
  template <typename E, std::size_t N>
  void enumeration(const char* name, E value, const std::array<schema::EnumName<E>, N>& table) {
    for (const auto& entry : table) {
      if (entry.value == value) {
        text(name, entry.name);
        return;
      }
    }
    h5::fail(where_ + " attribute '" + name + "'",
             "value " + std::to_string(static_cast<unsigned>(value)) + " has no name");
  }

private:
  hid_t object_;
  std::string where_;
};

/// Checks \p data (named \p what) against the shape the header implies.
void check_complex(std::span<const phy::cf32> data, std::size_t expected, const char* what,
                   const std::string& where) {
  if (data.size() != expected) {
    h5::fail(where, std::string(what) + " holds " + std::to_string(data.size()) +
                        " elements, the header implies " + std::to_string(expected));
  }
  if (const std::size_t bad = schema::find_non_finite(data); bad != data.size()) {
    h5::fail(where, std::string(what) + " element " + std::to_string(bad) + " is not finite");
  }
}

} // namespace

struct TestVectorWriter::Impl {
  std::string path;
  TestVectorHeader header;
  h5::Storage storage;
  h5::File file;
  h5::Group slots;
  std::size_t num_slots = 0;
  bool failed = false;

  /// Everything write_slot() checks before it writes anything; returns the IQ FFT size.
  unsigned check_slot(const TestVectorSlot& slot, const std::string& where) const;
  void write(const TestVectorSlot& slot, unsigned fft_size, const std::string& name);
};

unsigned TestVectorWriter::Impl::check_slot(const TestVectorSlot& slot,
                                            const std::string& where) const {
  const phy::CellConfig& cell = header.cell;
  if (const auto error = schema::validate_slot_number(cell, slot.absolute_slot, slot.slot);
      !error.empty()) {
    h5::fail(where, error);
  }
  const unsigned rx = header.num_rx_antennas;
  const unsigned symbols = schema::num_symbols(cell);
  const unsigned subcarriers = schema::num_subcarriers(cell);
  if (slot.grid.num_ports() != rx || slot.grid.num_symbols() != symbols ||
      slot.grid.num_subcarriers() != subcarriers) {
    h5::fail(where, "grid shape [" + std::to_string(slot.grid.num_ports()) + "][" +
                        std::to_string(slot.grid.num_symbols()) + "][" +
                        std::to_string(slot.grid.num_subcarriers()) + "] differs from [rx " +
                        std::to_string(rx) + "][symbols " + std::to_string(symbols) +
                        "][subcarriers " + std::to_string(subcarriers) + "]");
  }
  check_complex(slot.grid.elements(), slot.grid.size(), "grid", where);
  unsigned fft_size = 0;
  if (slot.iq.empty()) {
    if (slot.iq_samples_per_antenna != 0) {
      h5::fail(where, "iq is empty but iq_samples_per_antenna is " +
                          std::to_string(slot.iq_samples_per_antenna));
    }
  } else {
    fft_size = schema::fft_size_for_slot(cell, slot.slot, slot.iq_samples_per_antenna);
    if (fft_size == 0 || (slot.iq_fft_size != 0 && slot.iq_fft_size != fft_size)) {
      h5::fail(where, "iq_samples_per_antenna " + std::to_string(slot.iq_samples_per_antenna) +
                          " is not the length of slot " + std::to_string(slot.slot) +
                          (slot.iq_fft_size != 0
                               ? " at iq_fft_size " + std::to_string(slot.iq_fft_size)
                               : " at any FFT size " + std::to_string(schema::min_fft_size) + ".." +
                                     std::to_string(schema::max_fft_size)));
    }
    check_complex(slot.iq, std::size_t{rx} * slot.iq_samples_per_antenna, "iq", where);
  }
  const auto& shape = slot.true_channel_shape;
  if (!slot.true_channel.empty() || std::uint64_t{shape[0]} * shape[1] * shape[2] * shape[3] != 0) {
    if (shape != std::array<unsigned, 4>{rx, header.num_tx_antennas, symbols, subcarriers}) {
      h5::fail(where, "true_channel_shape differs from [rx " + std::to_string(rx) + "][tx " +
                          std::to_string(header.num_tx_antennas) + "][symbols " +
                          std::to_string(symbols) + "][subcarriers " + std::to_string(subcarriers) +
                          "]");
    }
    check_complex(slot.true_channel, std::size_t{rx} * shape[1] * symbols * subcarriers,
                  "true_channel", where);
  }
  if (slot.pdus.size() > schema::max_pdus_per_slot) {
    h5::fail(where, std::to_string(slot.pdus.size()) + " PDUs exceed " +
                        std::to_string(schema::max_pdus_per_slot));
  }
  for (std::size_t k = 0; k < slot.pdus.size(); ++k) {
    const std::string pdu_where = where + "/pdus/" + std::to_string(k);
    const TestVectorPdu& pdu = slot.pdus[k];
    std::uint32_t tbs = 0;
    if (const auto error = schema::validate_pdu_config(cell, pdu.config, tbs); !error.empty()) {
      h5::fail(pdu_where, error);
    }
    if (!pdu.config.uci.csi_part2_sizing.empty()) {
      h5::fail(pdu_where, "uci.csi_part2_sizing is not stored: give the CSI part 2 size the UE "
                          "sent (uci.csi_part2_bits)");
    }
    if (pdu.tb_bits.size() != tbs) {
      h5::fail(pdu_where, "tb_bits holds " + std::to_string(pdu.tb_bits.size()) +
                              " bits, the TBS is " + std::to_string(tbs));
    }
    if (const std::size_t bad = schema::find_non_bit(pdu.tb_bits); bad != pdu.tb_bits.size()) {
      h5::fail(pdu_where, "tb_bits[" + std::to_string(bad) + "] is not 0 or 1");
    }
    for (const auto& part : schema::uci_parts(pdu)) {
      if (part.bits.size() != part.size) {
        h5::fail(pdu_where, std::string(part.dataset) + " holds " +
                                std::to_string(part.bits.size()) + " bits, the PDU's UCI " +
                                std::to_string(part.size));
      }
      if (const std::size_t bad = schema::find_non_bit(part.bits); bad != part.bits.size()) {
        h5::fail(pdu_where,
                 std::string(part.dataset) + "[" + std::to_string(bad) + "] is not 0 or 1");
      }
    }
  }
  return fft_size;
}

void TestVectorWriter::Impl::write(const TestVectorSlot& slot, unsigned fft_size,
                                   const std::string& name) {
  const std::string where = path + ": /slots/" + name;
  const h5::Group group = h5::create_group(slots.get(), name, where);
  AttributeWriter attributes(group.get(), where);
  attributes.uint("absolute_slot", slot.absolute_slot);
  attributes.uint("slot", slot.slot);
  const hsize_t rx = header.num_rx_antennas;
  if (!slot.iq.empty()) {
    const std::array<hsize_t, 2> dims{rx, slot.iq_samples_per_antenna};
    const h5::Dataset iq =
        h5::write_complex(group.get(), "iq", dims, slot.iq, storage, where + "/iq");
    h5::write_uint(iq.get(), "fft_size", fft_size, H5T_STD_U32LE, where + "/iq");
  }
  const std::array<hsize_t, 3> grid_dims{rx, slot.grid.num_symbols(), slot.grid.num_subcarriers()};
  h5::write_complex(group.get(), "grid", grid_dims, slot.grid.elements(), storage, where + "/grid");
  if (!slot.true_channel.empty()) {
    const auto& s = slot.true_channel_shape;
    const std::array<hsize_t, 4> dims{s[0], s[1], s[2], s[3]};
    h5::write_complex(group.get(), "true_channel", dims, slot.true_channel, storage,
                      where + "/true_channel");
  }
  const h5::Group pdus = h5::create_group(group.get(), "pdus", where + "/pdus");
  for (std::size_t k = 0; k < slot.pdus.size(); ++k) {
    const std::string pdu_name = std::to_string(k);
    std::string pdu_where = where;
    pdu_where += "/pdus/";
    pdu_where += pdu_name;
    const h5::Group pdu_group = h5::create_group(pdus.get(), pdu_name, pdu_where);
    AttributeWriter pdu_attributes(pdu_group.get(), pdu_where);
    schema::visit_pdu(slot.pdus[k], pdu_attributes);
    h5::write_bytes(pdu_group.get(), "tb_bits", slot.pdus[k].tb_bits, storage,
                    pdu_where + "/tb_bits");
    for (const auto& part : schema::uci_parts(slot.pdus[k])) {
      if (part.size != 0) {
        h5::write_bytes(pdu_group.get(), part.dataset, part.bits, storage,
                        pdu_where + "/" + part.dataset);
      }
    }
  }
}

TestVectorWriter::TestVectorWriter(const std::filesystem::path& path,
                                   const TestVectorHeader& header,
                                   const TestVectorWriteOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.path = path.string();
  d.header = header;
  d.storage = {options.compress, options.deflate_level};
  if (const auto error = schema::validate_header(header); !error.empty()) {
    h5::fail(d.path, "invalid header: " + error);
  }
  d.file = h5::create_file(d.path);
  const h5::Group root = h5::open_root(d.file.get(), d.path + ": /");
  AttributeWriter attributes(root.get(), d.path + ": /");
  attributes.text("format", test_vector_format);
  attributes.uint("format_version", test_vector_format_version);
  schema::visit_root(d.header, attributes);
  const h5::Group cell = h5::create_group(root.get(), "cell", d.path + ": /cell");
  AttributeWriter cell_attributes(cell.get(), d.path + ": /cell");
  schema::visit_cell(d.header.cell, cell_attributes);
  const h5::Group channel = h5::create_group(root.get(), "channel", d.path + ": /channel");
  AttributeWriter channel_attributes(channel.get(), d.path + ": /channel");
  schema::visit_channel(d.header.channel, channel_attributes);
  d.slots = h5::create_group(root.get(), "slots", d.path + ": /slots");
}

TestVectorWriter::~TestVectorWriter() {
  try {
    if (impl_) {
      close();
    }
  } catch (const TestVectorError&) {
    // Destructors do not throw; close() reports the error to callers that want it.
  }
}

TestVectorWriter::TestVectorWriter(TestVectorWriter&&) noexcept = default;
TestVectorWriter& TestVectorWriter::operator=(TestVectorWriter&&) noexcept = default;

void TestVectorWriter::write_slot(const TestVectorSlot& slot) {
  Impl& d = *impl_;
  const std::string name = schema::slot_name(d.num_slots);
  const std::string where = d.path + ": /slots/" + name;
  if (!d.file.valid()) {
    h5::fail(where, "the writer is closed");
  }
  if (d.failed) {
    h5::fail(where, "an earlier write_slot() failed while writing; the file is incomplete");
  }
  if (d.num_slots >= schema::max_slots) {
    h5::fail(where, "a vector holds at most " + std::to_string(schema::max_slots) + " slots");
  }
  h5::silence_errors();
  const unsigned fft_size = d.check_slot(slot, where);
  try {
    d.write(slot, fft_size, name);
  } catch (const TestVectorError&) {
    d.failed = true;
    throw;
  }
  ++d.num_slots;
}

std::size_t TestVectorWriter::num_slots() const {
  return impl_->num_slots;
}

void TestVectorWriter::close() {
  Impl& d = *impl_;
  if (!d.file.valid()) {
    return;
  }
  h5::silence_errors();
  d.slots.reset();
  h5::check(H5Fflush(d.file.get(), H5F_SCOPE_LOCAL), d.path, "cannot flush the file");
  h5::check(d.file.reset(), d.path, "cannot close the file");
}

} // namespace airan::io
