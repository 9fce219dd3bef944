/// \file
/// \brief Private helpers of the HDF5 test-vector code: RAII owners of libhdf5 identifiers
/// (files, groups, datasets, dataspaces, attributes, types, property lists), libhdf5 errors
/// turned into TestVectorError with context, and typed, validating attribute and dataset access.
///
/// Every function takes \p where, the text naming the object in error messages
/// ("FILE: /slots/0000/grid"); failures throw TestVectorError("WHERE: WHAT (libhdf5: ...)").
#pragma once

#include "airan/phy/types.h"

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace airan::io::h5 {

/// Owns one libhdf5 identifier and releases it with \p Close (H5Fclose, H5Gclose, ...).
template <herr_t (*Close)(hid_t)> class Id {
public:
  Id() = default;
  /// Takes ownership of \p id (a negative id, libhdf5's failure value, is held as invalid).
  explicit Id(hid_t id) : id_(id) {}
  ~Id() { reset(); }
  Id(Id&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Id& operator=(Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;

  [[nodiscard]] hid_t get() const { return id_; }
  [[nodiscard]] bool valid() const { return id_ >= 0; }
  /// Closes the identifier now; returns libhdf5's status (negative on failure, 0 when empty).
  herr_t reset() {
    herr_t status = 0;
    if (id_ >= 0) {
      status = Close(id_);
      id_ = H5I_INVALID_HID;
    }
    return status;
  }

private:
  hid_t id_ = H5I_INVALID_HID;
};

using File = Id<H5Fclose>;
using Group = Id<H5Gclose>;
using Dataset = Id<H5Dclose>;
using Dataspace = Id<H5Sclose>;
using Attribute = Id<H5Aclose>;
using Datatype = Id<H5Tclose>;
using PropertyList = Id<H5Pclose>;

/// Turns off libhdf5's automatic printing of error stacks (errors become exceptions instead).
void silence_errors();

/// Throws TestVectorError("WHERE: WHAT").
[[noreturn]] void fail(const std::string& where, const std::string& what);

/// Throws TestVectorError("WHERE: WHAT (libhdf5: ...)") with the innermost libhdf5 error of the
/// calling thread's error stack, which it clears.
[[noreturn]] void fail_hdf5(const std::string& where, const std::string& what);

/// Returns \p status, or fail_hdf5(where, what) when it is negative.
template <typename T> T check(T status, const std::string& where, const char* what) {
  if (status < 0) {
    fail_hdf5(where, what);
  }
  return status;
}

// --- Files and groups ----------------------------------------------------------------------------

/// A new property list of class \p cls (H5P_DATASET_CREATE, ...).
PropertyList make_plist(hid_t cls, const std::string& where);
/// Fails unless \p name is a hard link of \p parent (no soft or external links: a vector never
/// points outside its file).
void require_hard_link(hid_t parent, const std::string& name, const std::string& where);

/// Creates (truncates) \p path. Object time stamps are off so identical input gives identical
/// bytes.
File create_file(const std::string& path);
/// Opens \p path read-only.
File open_file(const std::string& path);
/// Opens the root group "/" of \p file.
Group open_root(hid_t file, const std::string& where);
/// Creates group \p name under \p parent (time stamps off).
Group create_group(hid_t parent, const std::string& name, const std::string& where);
/// Opens group \p name under \p parent; a missing link or a non-group is an error.
Group open_group(hid_t parent, const std::string& name, const std::string& where);
/// Whether \p parent has a link \p name.
bool has_link(hid_t parent, const std::string& name, const std::string& where);
/// Number of links (members) of group \p group.
std::size_t num_links(hid_t group, const std::string& where);

// --- Attributes (scalars) ------------------------------------------------------------------------

/// Writes an unsigned integer attribute stored as \p file_type (H5T_STD_U8LE .. H5T_STD_U64LE).
void write_uint(hid_t object, const char* name, std::uint64_t value, hid_t file_type,
                const std::string& where);
/// Writes a floating-point attribute stored as \p file_type (H5T_IEEE_F32LE or F64LE).
void write_real(hid_t object, const char* name, double value, hid_t file_type,
                const std::string& where);
/// Writes a fixed-length, null-terminated UTF-8 string attribute (numpy.bytes_ in h5py).
void write_text(hid_t object, const char* name, const std::string& value, const std::string& where);

/// Reads an integer attribute of any integer type; a negative value or one above \p max is an
/// error. The attribute must hold one element.
std::uint64_t read_uint(hid_t object, const char* name, std::uint64_t max,
                        const std::string& where);
/// Reads a floating-point (or integer) attribute as double; NaN and infinities are errors.
double read_real(hid_t object, const char* name, const std::string& where);
/// Reads a fixed-length string attribute of at most \p max_length bytes (variable-length
/// strings are rejected: libhdf5's global-heap decoder can hang on a corrupt file).
std::string read_text(hid_t object, const char* name, std::size_t max_length,
                      const std::string& where);
/// True when \p object has an attribute \p name (for attributes that later formats added).
bool has_attribute(hid_t object, const char* name, const std::string& where);

// --- Datasets ------------------------------------------------------------------------------------

/// Storage of the big datasets: chunked with shuffle + deflate when \p compress and libhdf5
/// has the deflate filter, contiguous otherwise.
struct Storage {
  bool compress = true;
  unsigned deflate_level = 4;
};

/// Whether libhdf5 can encode and decode deflate (and shuffle).
bool deflate_available();

/// Writes a complex64 dataset ({r, i} float32 compound) of shape \p dims from \p data and
/// returns it (open, for attributes).
Dataset write_complex(hid_t parent, const char* name, std::span<const hsize_t> dims,
                      std::span<const phy::cf32> data, const Storage& storage,
                      const std::string& where);
/// Writes a uint8 dataset of shape [data.size()].
void write_bytes(hid_t parent, const char* name, std::span<const std::uint8_t> data,
                 const Storage& storage, const std::string& where);

/// An opened dataset with its shape.
struct DatasetInfo {
  Dataset dataset;
  std::vector<hsize_t> dims;
};
/// Opens dataset \p name of \p parent and reads its shape (a simple dataspace of rank 1 .. 8);
/// the storage must be contiguous or chunked (no compact, external or virtual data).
DatasetInfo open_dataset(hid_t parent, const std::string& name, const std::string& where);

/// Fails unless \p info has exactly shape \p expected (named \p what in the message, e.g.
/// "[rx][symbol][subcarrier]").
void expect_shape(const DatasetInfo& info, std::span<const hsize_t> expected, const char* what,
                  const std::string& where);

/// Reads a complex64 dataset (exactly the {r, i} float32 compound the writer stores) into \p out,
/// which must hold exactly the dataset's number of elements. Call after expect_shape(): a chunked
/// dataset's chunks are checked first (shape, filters, filter masks, sizes), because libhdf5 1.10
/// reads out of bounds on corrupt ones.
void read_complex(const DatasetInfo& info, std::span<phy::cf32> out, const std::string& where);
/// Reads a uint8 dataset into \p out (exactly its number of elements), checked as read_complex().
void read_bytes(const DatasetInfo& info, std::span<std::uint8_t> out, const std::string& where);

} // namespace airan::io::h5
