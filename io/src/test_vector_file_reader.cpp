// TestVectorReader: reads and validates the HDF5 layout of test_vector_file.h through the
// schema visitors. Shapes are checked against the header before anything is allocated.
#include "airan/io/test_vector_file.h"

#include "hdf5_handle.h"
#include "test_vector_schema.h"

#include <cmath>
#include <limits>
#include <system_error>
#include <utility>

namespace airan::io {
namespace {

/// Schema visitor that reads every field from a scalar attribute of one object, with the range
/// of the field's C++ type (semantic ranges are checked by validate() afterwards).
class AttributeReader {
public:
  AttributeReader(hid_t object, std::string where) : object_(object), where_(std::move(where)) {}

  template <typename T> void uint(const char* name, T& value) {
    value = static_cast<T>(h5::read_uint(object_, name, std::numeric_limits<T>::max(), where_));
  }
  void real(const char* name, double& value) { value = h5::read_real(object_, name, where_); }
  void real(const char* name, float& value) {
    const double wide = h5::read_real(object_, name, where_);
    if (std::fabs(wide) > std::numeric_limits<float>::max()) {
      h5::fail(where_ + " attribute '" + name + "'", "does not fit a float32");
    }
    value = static_cast<float>(wide);
  }
  void boolean(const char* name, bool& value) {
    value = h5::read_uint(object_, name, 1, where_) != 0;
  }
  void text(const char* name, std::string& value) {
    value = h5::read_text(object_, name, schema::max_text_length, where_);
  }
  /// An attribute that files written before it existed lack: \p value keeps its default.
  void optional_text(const char* name, std::string& value) {
    if (h5::has_attribute(object_, name, where_)) {
      text(name, value);
    }
  }
  /// Any attribute that files written before it existed lack: visit() reads it when present.
  template <typename Visit> void optional(const char* name, Visit visit) {
    if (h5::has_attribute(object_, name, where_)) {
      visit();
    }
  }
  template <typename E, std::size_t N>
  void enumeration(const char* name, E& value, const std::array<schema::EnumName<E>, N>& table) {
    const std::string word = h5::read_text(object_, name, schema::max_word_length, where_);
    std::string names;
    for (const auto& entry : table) {
      if (word == entry.name) {
        value = entry.value;
        return;
      }
      names += (names.empty() ? "" : ", ") + std::string(entry.name);
    }
    h5::fail(where_ + " attribute '" + name + "'", "'" + word + "' is not one of " + names);
  }

private:
  hid_t object_;
  std::string where_;
};

/// Reads the complex dataset of \p info into \p out (resized to \p count) and rejects NaN/inf.
void read_complex_into(const h5::DatasetInfo& info, std::span<phy::cf32> out,
                       const std::string& where) {
  h5::read_complex(info, out, where);
  if (const std::size_t bad = schema::find_non_finite(out); bad != out.size()) {
    h5::fail(where, "element " + std::to_string(bad) + " is not finite");
  }
}

} // namespace

struct TestVectorReader::Impl {
  std::string path;
  h5::File file;
  h5::Group slots;
  TestVectorHeader header;
  std::size_t num_slots = 0;

  void read_pdus(hid_t slot_group, const std::string& where, TestVectorSlot& slot) const;
};

TestVectorReader::TestVectorReader(const std::filesystem::path& path)
    : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.path = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    h5::fail(d.path,
             std::filesystem::exists(path, ec) ? "not a regular file" : "file does not exist");
  }
  d.file = h5::open_file(d.path);
  const std::string root_where = d.path + ": /";
  const h5::Group root = h5::open_root(d.file.get(), root_where);
  const std::string format =
      h5::read_text(root.get(), "format", schema::max_word_length, root_where);
  if (format != test_vector_format) {
    h5::fail(root_where + " attribute 'format'",
             "'" + format + "' is not '" + test_vector_format + "' (not an airan test vector)");
  }
  const auto version = h5::read_uint(root.get(), "format_version",
                                     std::numeric_limits<std::uint32_t>::max(), root_where);
  if (version != test_vector_format_version) {
    h5::fail(root_where + " attribute 'format_version'",
             "version " + std::to_string(version) + " is not supported (this reader reads " +
                 std::to_string(test_vector_format_version) + ")");
  }
  AttributeReader root_attributes(root.get(), root_where);
  schema::visit_root(d.header, root_attributes);

  const std::string cell_where = d.path + ": /cell";
  const h5::Group cell = h5::open_group(root.get(), "cell", cell_where);
  AttributeReader cell_attributes(cell.get(), cell_where);
  schema::visit_cell(d.header.cell, cell_attributes);
  if (const auto error = d.header.cell.validate(); !error.empty()) {
    h5::fail(cell_where, "invalid cell configuration: " + error);
  }
  const std::string channel_where = d.path + ": /channel";
  const h5::Group channel = h5::open_group(root.get(), "channel", channel_where);
  AttributeReader channel_attributes(channel.get(), channel_where);
  schema::visit_channel(d.header.channel, channel_attributes);
  if (const auto error = schema::validate_header(d.header); !error.empty()) {
    h5::fail(root_where, "invalid header: " + error);
  }

  const std::string slots_where = d.path + ": /slots";
  d.slots = h5::open_group(root.get(), "slots", slots_where);
  d.num_slots = h5::num_links(d.slots.get(), slots_where);
  if (d.num_slots > schema::max_slots) {
    h5::fail(slots_where,
             std::to_string(d.num_slots) + " slots exceed " + std::to_string(schema::max_slots));
  }
  for (std::size_t i = 0; i < d.num_slots; ++i) {
    if (!h5::has_link(d.slots.get(), schema::slot_name(i), slots_where)) {
      h5::fail(slots_where, "has " + std::to_string(d.num_slots) + " members but no '" +
                                schema::slot_name(i) +
                                "' (slots are named 0000, 0001, ... without gaps)");
    }
  }
}

TestVectorReader::~TestVectorReader() = default;
TestVectorReader::TestVectorReader(TestVectorReader&&) noexcept = default;
TestVectorReader& TestVectorReader::operator=(TestVectorReader&&) noexcept = default;

const TestVectorHeader& TestVectorReader::header() const {
  return impl_->header;
}

std::size_t TestVectorReader::num_slots() const {
  return impl_->num_slots;
}

void TestVectorReader::read_slot(std::size_t index, TestVectorSlot& slot,
                                 TestVectorSlotParts parts) const {
  const Impl& d = *impl_;
  if (index >= d.num_slots) {
    h5::fail(d.path, "slot index " + std::to_string(index) + " is out of range (" +
                         std::to_string(d.num_slots) + " slots)");
  }
  h5::silence_errors();
  const phy::CellConfig& cell = d.header.cell;
  const std::string name = schema::slot_name(index);
  const std::string where = d.path + ": /slots/" + name;
  const h5::Group group = h5::open_group(d.slots.get(), name, where);
  AttributeReader attributes(group.get(), where);
  attributes.uint("absolute_slot", slot.absolute_slot);
  attributes.uint("slot", slot.slot);
  if (const auto error = schema::validate_slot_number(cell, slot.absolute_slot, slot.slot);
      !error.empty()) {
    h5::fail(where, error);
  }
  const unsigned rx = d.header.num_rx_antennas;
  const unsigned tx = d.header.num_tx_antennas;
  const unsigned symbols = schema::num_symbols(cell);
  const unsigned subcarriers = schema::num_subcarriers(cell);

  if (parts.grid) {
    const std::string grid_where = where + "/grid";
    const h5::DatasetInfo grid = h5::open_dataset(group.get(), "grid", grid_where);
    const std::array<hsize_t, 3> grid_dims{rx, symbols, subcarriers};
    h5::expect_shape(grid, grid_dims, "[rx][symbol][subcarrier]", grid_where);
    if (slot.grid.capacity() >= std::size_t{rx} * symbols * subcarriers) {
      slot.grid.reshape(rx, symbols, subcarriers);
    } else {
      slot.grid = phy::ResourceGrid(rx, symbols, subcarriers);
    }
    read_complex_into(grid, slot.grid.elements(), grid_where);
  } else {
    slot.grid.reshape(0, 0, 0); // its storage kept for a later read
  }

  slot.iq.clear();
  slot.iq_samples_per_antenna = 0;
  slot.iq_fft_size = 0;
  if (parts.iq && h5::has_link(group.get(), "iq", where)) {
    const std::string iq_where = where + "/iq";
    const h5::DatasetInfo iq = h5::open_dataset(group.get(), "iq", iq_where);
    if (iq.dims.size() != 2 || iq.dims[0] != rx) {
      h5::fail(iq_where, "must have shape [rx " + std::to_string(rx) + "][samples]");
    }
    const auto fft_size = static_cast<unsigned>(
        h5::read_uint(iq.dataset.get(), "fft_size", schema::max_fft_size, iq_where));
    if (fft_size == 0 || schema::fft_size_for_slot(cell, slot.slot, iq.dims[1]) != fft_size) {
      h5::fail(iq_where, std::to_string(iq.dims[1]) + " samples per antenna are not one slot " +
                             std::to_string(slot.slot) + " at fft_size " +
                             std::to_string(fft_size));
    }
    slot.iq.resize(std::size_t{rx} * iq.dims[1]);
    read_complex_into(iq, slot.iq, iq_where);
    slot.iq_samples_per_antenna = iq.dims[1];
    slot.iq_fft_size = fft_size;
  }

  slot.true_channel.clear();
  slot.true_channel_shape = {};
  if (parts.true_channel && h5::has_link(group.get(), "true_channel", where)) {
    const std::string h_where = where + "/true_channel";
    const h5::DatasetInfo h = h5::open_dataset(group.get(), "true_channel", h_where);
    const std::array<hsize_t, 4> h_dims{rx, tx, symbols, subcarriers};
    h5::expect_shape(h, h_dims, "[rx][tx][symbol][subcarrier]", h_where);
    slot.true_channel.resize(std::size_t{rx} * tx * symbols * subcarriers);
    read_complex_into(h, slot.true_channel, h_where);
    slot.true_channel_shape = {rx, tx, symbols, subcarriers};
  }
  d.read_pdus(group.get(), where, slot);
}

void TestVectorReader::Impl::read_pdus(hid_t slot_group, const std::string& where,
                                       TestVectorSlot& slot) const {
  const std::string pdus_where = where + "/pdus";
  const h5::Group pdus = h5::open_group(slot_group, "pdus", pdus_where);
  const std::size_t count = h5::num_links(pdus.get(), pdus_where);
  if (count > schema::max_pdus_per_slot) {
    h5::fail(pdus_where,
             std::to_string(count) + " PDUs exceed " + std::to_string(schema::max_pdus_per_slot));
  }
  slot.pdus.resize(count);
  for (std::size_t k = 0; k < count; ++k) {
    const std::string pdu_name = std::to_string(k);
    std::string pdu_where = pdus_where;
    pdu_where += "/";
    pdu_where += pdu_name;
    const h5::Group group = h5::open_group(pdus.get(), pdu_name, pdu_where);
    TestVectorPdu& pdu = slot.pdus[k];
    pdu.config = {};
    pdu.expected_uci_ok = TestVectorPdu{}.expected_uci_ok; // optional: not the last slot's
    AttributeReader attributes(group.get(), pdu_where);
    schema::visit_pdu(pdu, attributes);
    std::uint32_t tbs = 0;
    if (const auto error = schema::validate_pdu_config(header.cell, pdu.config, tbs);
        !error.empty()) {
      h5::fail(pdu_where, error);
    }
    const std::string bits_where = pdu_where + "/tb_bits";
    const h5::DatasetInfo bits = h5::open_dataset(group.get(), "tb_bits", bits_where);
    const std::array<hsize_t, 1> bits_dims{tbs};
    h5::expect_shape(bits, bits_dims, "[TBS]", bits_where);
    pdu.tb_bits.resize(tbs);
    h5::read_bytes(bits, pdu.tb_bits, bits_where);
    if (const std::size_t bad = schema::find_non_bit(pdu.tb_bits); bad != pdu.tb_bits.size()) {
      h5::fail(bits_where, "element " + std::to_string(bad) + " is not 0 or 1");
    }
    for (const auto& part : schema::uci_parts(pdu)) {
      part.bits.clear();
      if (part.size == 0) {
        continue;
      }
      const std::string part_where = pdu_where + "/" + part.dataset;
      const h5::DatasetInfo data = h5::open_dataset(group.get(), part.dataset, part_where);
      const std::array<hsize_t, 1> dims{part.size};
      h5::expect_shape(data, dims, "[UCI payload bits]", part_where);
      part.bits.resize(part.size);
      h5::read_bytes(data, part.bits, part_where);
      if (const std::size_t bad = schema::find_non_bit(part.bits); bad != part.bits.size()) {
        h5::fail(part_where, "element " + std::to_string(bad) + " is not 0 or 1");
      }
    }
  }
}

} // namespace airan::io
