// libhdf5 identifiers, errors, files, groups and scalar attributes of the HDF5 test vectors.
#include "hdf5_handle.h"

#include "airan/io/test_vector_file.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

namespace airan::io::h5 {
namespace {

/// Innermost (most specific) entry of the error stack, and the API call that reported it.
struct ErrorText {
  std::string api;
  std::string detail;
};

herr_t collect_error(unsigned n, const H5E_error2_t* error, void* client) {
  auto* text = static_cast<ErrorText*>(client);
  if (n == 0 && error->desc != nullptr) {
    text->detail = error->desc;
  }
  if (error->func_name != nullptr && std::strncmp(error->func_name, "H5", 2) == 0 &&
      std::strchr(error->func_name + 2, '_') == nullptr) {
    text->api = error->func_name; // public API functions have no "__" or "_" after "H5x"
  }
  return 0;
}

/// Scalar attribute \p name of \p object, opened after checking it exists and holds one value.
struct OpenedAttribute {
  Attribute attribute;
  Datatype type;
  H5T_class_t type_class = H5T_NO_CLASS;
  std::string where;
};

OpenedAttribute open_attribute(hid_t object, const char* name, const std::string& where) {
  OpenedAttribute a;
  a.where = where + " attribute '" + name + "'";
  if (check(H5Aexists(object, name), a.where, "cannot look up the attribute") == 0) {
    fail(a.where, "missing");
  }
  a.attribute = Attribute(check(H5Aopen(object, name, H5P_DEFAULT), a.where, "cannot open"));
  const Dataspace space(check(H5Aget_space(a.attribute.get()), a.where, "no dataspace"));
  const hssize_t points = H5Sget_simple_extent_npoints(space.get());
  if (points != 1) {
    fail(a.where, "must hold one value, holds " + std::to_string(points));
  }
  a.type = Datatype(check(H5Aget_type(a.attribute.get()), a.where, "no datatype"));
  a.type_class = H5Tget_class(a.type.get());
  return a;
}

std::uint64_t check_max(std::uint64_t value, std::uint64_t max, const std::string& where) {
  if (value > max) {
    fail(where, "value " + std::to_string(value) + " exceeds " + std::to_string(max));
  }
  return value;
}

/// Value of an enumeration attribute (h5py writes numpy bools as enum {FALSE, TRUE} of int8),
/// read as the bytes of its integer base type.
std::uint64_t read_enum_value(const OpenedAttribute& a) {
  const Datatype native(check(H5Tget_native_type(a.type.get(), H5T_DIR_ASCEND), a.where,
                              "unsupported enumeration type"));
  const Datatype base(check(H5Tget_super(native.get()), a.where, "enumeration without a base"));
  const std::size_t size = H5Tget_size(base.get());
  if (H5Tget_class(base.get()) != H5T_INTEGER || size == 0 || size > 8 ||
      H5Tget_size(native.get()) != size) {
    fail(a.where, "must be an integer of at most 64 bits");
  }
  std::array<unsigned char, 8> bytes{};
  check(H5Aread(a.attribute.get(), native.get(), bytes.data()), a.where, "cannot read");
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) { // native byte order, least significant byte first
    const std::size_t at = std::endian::native == std::endian::little ? i : size - 1 - i;
    value |= std::uint64_t{bytes[at]} << (8 * i);
  }
  if (H5Tget_sign(base.get()) == H5T_SGN_2 && ((value >> (8 * size - 1)) & 1U) != 0) {
    fail(a.where, "value is negative");
  }
  return value;
}

} // namespace

void silence_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

void fail(const std::string& where, const std::string& what) {
  throw TestVectorError(where + ": " + what);
}

void fail_hdf5(const std::string& where, const std::string& what) {
  ErrorText text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &text);
  H5Eclear2(H5E_DEFAULT);
  std::string message = what;
  if (!text.detail.empty()) {
    message += " (libhdf5";
    message += text.api.empty() ? "" : " " + text.api;
    message += ": " + text.detail + ")";
  }
  fail(where, message);
}

PropertyList make_plist(hid_t cls, const std::string& where) {
  return PropertyList(check(H5Pcreate(cls), where, "cannot create a property list"));
}

void require_hard_link(hid_t parent, const std::string& name, const std::string& where) {
  if (!has_link(parent, name, where)) {
    fail(where, "missing");
  }
  H5L_info_t info{};
  check(H5Lget_info(parent, name.c_str(), &info, H5P_DEFAULT), where, "cannot read the link");
  if (info.type != H5L_TYPE_HARD) {
    fail(where, "is a soft or external link (only hard links are allowed)");
  }
}

File create_file(const std::string& path) {
  silence_errors();
  PropertyList fcpl = make_plist(H5P_FILE_CREATE, path);
  check(H5Pset_obj_track_times(fcpl.get(), 0), path, "H5Pset_obj_track_times");
  // The 1.8 format: superblock version 2 and version 2 object headers carry checksums that
  // libhdf5 verifies before it decodes any message, so corrupt metadata is an error, not a
  // crash or a value read wrong (the oldest format, libhdf5's default, has none).
  PropertyList fapl = make_plist(H5P_FILE_ACCESS, path);
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), path,
        "H5Pset_libver_bounds");
  return File(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), path,
                    "cannot create the file"));
}

File open_file(const std::string& path) {
  silence_errors();
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 == 0) {
    fail(path, "not an HDF5 file (no HDF5 signature)");
  }
  check(is_hdf5, path, "cannot open the file");
  return File(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path,
                    "cannot open the HDF5 file (truncated or corrupt?)"));
}

Group open_root(hid_t file, const std::string& where) {
  return Group(check(H5Gopen2(file, "/", H5P_DEFAULT), where, "cannot open the root group"));
}

Group create_group(hid_t parent, const std::string& name, const std::string& where) {
  PropertyList gcpl = make_plist(H5P_GROUP_CREATE, where);
  check(H5Pset_obj_track_times(gcpl.get(), 0), where, "H5Pset_obj_track_times");
  return Group(check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), where,
                     "cannot create the group"));
}

Group open_group(hid_t parent, const std::string& name, const std::string& where) {
  require_hard_link(parent, name, where);
  return Group(
      check(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), where, "is not a group or is corrupt"));
}

bool has_link(hid_t parent, const std::string& name, const std::string& where) {
  return check(H5Lexists(parent, name.c_str(), H5P_DEFAULT), where, "cannot look up the link") > 0;
}

std::size_t num_links(hid_t group, const std::string& where) {
  H5G_info_t info{};
  check(H5Gget_info(group, &info), where, "cannot read the group");
  return static_cast<std::size_t>(info.nlinks);
}

void write_uint(hid_t object, const char* name, std::uint64_t value, hid_t file_type,
                const std::string& where) {
  const std::string at = where + " attribute '" + name + "'";
  const Dataspace space(check(H5Screate(H5S_SCALAR), at, "H5Screate"));
  const Attribute attribute(check(
      H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), at, "create"));
  check(H5Awrite(attribute.get(), H5T_NATIVE_UINT64, &value), at, "write");
}

void write_real(hid_t object, const char* name, double value, hid_t file_type,
                const std::string& where) {
  const std::string at = where + " attribute '" + name + "'";
  const Dataspace space(check(H5Screate(H5S_SCALAR), at, "H5Screate"));
  const Attribute attribute(check(
      H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), at, "create"));
  check(H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, &value), at, "write");
}

void write_text(hid_t object, const char* name, const std::string& value,
                const std::string& where) {
  const std::string at = where + " attribute '" + name + "'";
  const Datatype type(check(H5Tcopy(H5T_C_S1), at, "H5Tcopy"));
  check(H5Tset_size(type.get(), value.size() + 1), at, "H5Tset_size");
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), at, "H5Tset_strpad");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), at, "H5Tset_cset");
  const Dataspace space(check(H5Screate(H5S_SCALAR), at, "H5Screate"));
  const Attribute attribute(check(
      H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), at, "create"));
  check(H5Awrite(attribute.get(), type.get(), value.c_str()), at, "write");
}

std::uint64_t read_uint(hid_t object, const char* name, std::uint64_t max,
                        const std::string& where) {
  const OpenedAttribute a = open_attribute(object, name, where);
  if (a.type_class == H5T_ENUM) {
    return check_max(read_enum_value(a), max, a.where);
  }
  if (a.type_class != H5T_INTEGER || H5Tget_size(a.type.get()) > 8) {
    fail(a.where, "must be an integer of at most 64 bits");
  }
  std::uint64_t value = 0;
  if (H5Tget_sign(a.type.get()) == H5T_SGN_2) {
    std::int64_t signed_value = 0;
    check(H5Aread(a.attribute.get(), H5T_NATIVE_INT64, &signed_value), a.where, "cannot read");
    if (signed_value < 0) {
      fail(a.where, "value " + std::to_string(signed_value) + " is negative");
    }
    value = static_cast<std::uint64_t>(signed_value);
  } else {
    check(H5Aread(a.attribute.get(), H5T_NATIVE_UINT64, &value), a.where, "cannot read");
  }
  return check_max(value, max, a.where);
}

double read_real(hid_t object, const char* name, const std::string& where) {
  const OpenedAttribute a = open_attribute(object, name, where);
  const std::size_t size = H5Tget_size(a.type.get());
  if (!((a.type_class == H5T_FLOAT && (size == 4 || size == 8)) ||
        (a.type_class == H5T_INTEGER && size <= 8))) {
    fail(a.where, "must be a float32/float64 (or integer) number");
  }
  double value = 0.0;
  check(H5Aread(a.attribute.get(), H5T_NATIVE_DOUBLE, &value), a.where, "cannot read");
  if (!std::isfinite(value)) {
    fail(a.where, "is not a finite number");
  }
  return value;
}

std::string read_text(hid_t object, const char* name, std::size_t max_length,
                      const std::string& where) {
  const OpenedAttribute a = open_attribute(object, name, where);
  if (a.type_class != H5T_STRING) {
    fail(a.where, "must be a string");
  }
  // Variable-length strings live in the global heap, whose decoder in libhdf5 1.10 can loop
  // forever on a corrupt file: only fixed-length strings are read.
  if (check(H5Tis_variable_str(a.type.get()), a.where, "H5Tis_variable_str") > 0) {
    fail(a.where, "must be a fixed-length string (variable-length strings are not accepted; "
                  "in h5py store numpy.bytes_ values)");
  }
  const std::size_t size = H5Tget_size(a.type.get());
  if (size == 0 || size > max_length + 1) {
    fail(a.where, "string of " + std::to_string(size) + " bytes is longer than " +
                      std::to_string(max_length));
  }
  // Same character set (libhdf5 does not convert between them), one byte more than the stored
  // size: a null-padded string of exactly `size` characters keeps its last character.
  const Datatype memory(check(H5Tcopy(H5T_C_S1), a.where, "H5Tcopy"));
  const H5T_cset_t cset = H5Tget_cset(a.type.get());
  check(H5Tset_cset(memory.get(), cset == H5T_CSET_UTF8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII), a.where,
        "H5Tset_cset");
  check(H5Tset_size(memory.get(), size + 1), a.where, "H5Tset_size");
  std::vector<char> buffer(size + 1, '\0');
  check(H5Aread(a.attribute.get(), memory.get(), buffer.data()), a.where, "cannot read");
  std::string value(buffer.data(), strnlen(buffer.data(), size));
  if (value.size() > max_length) {
    fail(a.where, "is longer than " + std::to_string(max_length) + " bytes");
  }
  return value;
}

bool has_attribute(hid_t object, const char* name, const std::string& where) {
  return check(H5Aexists(object, name), where + " attribute '" + name + "'",
               "cannot look up the attribute") > 0;
}

} // namespace airan::io::h5
