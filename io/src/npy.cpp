#include "airan/io/npy.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>
#include <utility>

namespace airan::io {
namespace {

constexpr std::array<unsigned char, 6> npy_magic = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t max_header_len = 1U << 16;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw NpyError(name + ": " + what);
}

/// Finds the value text that follows 'key': in a Python dict literal.
std::string_view dict_value(std::string_view header, std::string_view key,
                            const std::string& name) {
  const std::string quoted = "'" + std::string(key) + "'";
  const auto pos = header.find(quoted);
  if (pos == std::string_view::npos) {
    fail(name, "header has no '" + std::string(key) + "' entry");
  }
  auto rest = header.substr(pos + quoted.size());
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    fail(name, "malformed header near '" + std::string(key) + "'");
  }
  rest = rest.substr(colon + 1);
  while (!rest.empty() && rest.front() == ' ') {
    rest.remove_prefix(1);
  }
  return rest;
}

NpyDtype parse_descr(std::string_view value, const std::string& name) {
  if (value.empty() || value.front() != '\'') {
    fail(name, "descr is not a simple type string (structured dtypes are unsupported)");
  }
  const auto end = value.find('\'', 1);
  if (end == std::string_view::npos) {
    fail(name, "unterminated descr");
  }
  const auto descr = value.substr(1, end - 1);
  struct Entry {
    std::string_view text;
    NpyDtype dtype;
  };
  static constexpr std::array<Entry, 9> table = {{{"|u1", NpyDtype::u8},
                                                  {"|b1", NpyDtype::u8},
                                                  {"<u2", NpyDtype::u16},
                                                  {"<i2", NpyDtype::i16},
                                                  {"<i4", NpyDtype::i32},
                                                  {"<u4", NpyDtype::u32},
                                                  {"<f4", NpyDtype::f32},
                                                  {"<f8", NpyDtype::f64},
                                                  {"<c8", NpyDtype::c64}}};
  for (const auto& entry : table) {
    if (entry.text == descr) {
      return entry.dtype;
    }
  }
  fail(name, "unsupported dtype '" + std::string(descr) + "'");
}

std::vector<std::size_t> parse_shape(std::string_view value, const std::string& name) {
  if (value.empty() || value.front() != '(') {
    fail(name, "shape is not a tuple");
  }
  const auto end = value.find(')');
  if (end == std::string_view::npos) {
    fail(name, "unterminated shape tuple");
  }
  std::vector<std::size_t> shape;
  std::string_view body = value.substr(1, end - 1);
  while (!body.empty()) {
    while (!body.empty() && (body.front() == ' ' || body.front() == ',')) {
      body.remove_prefix(1);
    }
    if (body.empty()) {
      break;
    }
    std::size_t dim = 0;
    std::size_t digits = 0;
    while (digits < body.size() && body[digits] >= '0' && body[digits] <= '9') {
      if (dim > (std::numeric_limits<std::size_t>::max() - 9) / 10) {
        fail(name, "shape dimension overflows");
      }
      dim = dim * 10 + static_cast<std::size_t>(body[digits] - '0');
      ++digits;
    }
    if (digits == 0) {
      fail(name, "non-numeric shape entry");
    }
    shape.push_back(dim);
    body.remove_prefix(digits);
    if (shape.size() > 32) {
      fail(name, "too many dimensions");
    }
  }
  return shape;
}

template <typename T> std::vector<T> typed_copy(const NpyArray& array) {
  std::vector<T> out(array.num_elements());
  if (!out.empty()) {
    std::memcpy(out.data(), array.data.data(), out.size() * sizeof(T));
  }
  return out;
}

void expect_dtype(const NpyArray& array, NpyDtype dtype, const std::filesystem::path& path) {
  if (array.dtype != dtype) {
    fail(path.string(), std::string("expected dtype ") + npy_dtype_descr(dtype) + ", found " +
                            npy_dtype_descr(array.dtype));
  }
}

} // namespace

std::size_t npy_dtype_size(NpyDtype dtype) {
  switch (dtype) {
  case NpyDtype::u8:
    return 1;
  case NpyDtype::u16:
  case NpyDtype::i16:
    return 2;
  case NpyDtype::i32:
  case NpyDtype::u32:
  case NpyDtype::f32:
    return 4;
  case NpyDtype::f64:
  case NpyDtype::c64:
    return 8;
  }
  return 1;
}

const char* npy_dtype_descr(NpyDtype dtype) {
  switch (dtype) {
  case NpyDtype::u8:
    return "|u1";
  case NpyDtype::u16:
    return "<u2";
  case NpyDtype::i16:
    return "<i2";
  case NpyDtype::i32:
    return "<i4";
  case NpyDtype::u32:
    return "<u4";
  case NpyDtype::f32:
    return "<f4";
  case NpyDtype::f64:
    return "<f8";
  case NpyDtype::c64:
    return "<c8";
  }
  return "?";
}

std::size_t NpyArray::num_elements() const {
  std::size_t count = 1;
  for (auto dim : shape) {
    count *= dim;
  }
  return count;
}

namespace {

/// A parsed .npy header: the array without its data, where the data starts and its size.
struct NpyHeader {
  NpyArray array;
  std::size_t data_start = 0;
  std::size_t payload = 0;
};

/// Parses the header at the start of \p bytes (the file's first bytes; the data may follow).
NpyHeader parse_header(std::span<const std::byte> bytes, const std::string& name) {
  if (bytes.size() < 10 || !std::equal(npy_magic.begin(), npy_magic.end(), bytes.begin(),
                                       [](unsigned char a, std::byte b) {
                                         return a == static_cast<unsigned char>(b);
                                       })) {
    fail(name, "not a .npy file (bad magic)");
  }
  const auto major = static_cast<unsigned>(bytes[6]);
  std::size_t header_len = 0;
  std::size_t header_start = 0;
  if (major == 1) {
    header_len = static_cast<std::size_t>(bytes[8]) | (static_cast<std::size_t>(bytes[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) {
      fail(name, "truncated header");
    }
    for (int i = 3; i >= 0; --i) {
      header_len = (header_len << 8) | static_cast<std::size_t>(bytes[8 + i]);
    }
    header_start = 12;
  } else {
    fail(name, "unsupported .npy version " + std::to_string(major));
  }
  if (header_len > max_header_len || header_start + header_len > bytes.size()) {
    fail(name, "truncated or oversized header");
  }
  const std::string_view header(reinterpret_cast<const char*>(bytes.data() + header_start),
                                header_len);
  NpyHeader parsed;
  NpyArray& array = parsed.array;
  array.dtype = parse_descr(dict_value(header, "descr", name), name);
  if (dict_value(header, "fortran_order", name).starts_with("True")) {
    fail(name, "Fortran-order arrays are unsupported");
  }
  array.shape = parse_shape(dict_value(header, "shape", name), name);
  std::size_t count = 1;
  for (auto dim : array.shape) {
    if (dim != 0 && count > std::numeric_limits<std::size_t>::max() / dim) {
      fail(name, "shape too large");
    }
    count *= dim;
  }
  const std::size_t elem = npy_dtype_size(array.dtype);
  if (count > std::numeric_limits<std::size_t>::max() / elem) {
    fail(name, "shape too large");
  }
  parsed.payload = count * elem;
  parsed.data_start = header_start + header_len;
  return parsed;
}

void expect_payload(const NpyHeader& header, std::size_t file_size, const std::string& name) {
  if (file_size - header.data_start != header.payload) {
    fail(name, "payload has " + std::to_string(file_size - header.data_start) +
                   " bytes, shape needs " + std::to_string(header.payload));
  }
}

} // namespace

NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& name) {
  NpyHeader header = parse_header(bytes, name);
  expect_payload(header, bytes.size(), name);
  header.array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header.data_start),
                           bytes.end());
  return std::move(header.array);
}

NpyArray read_npy(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    fail(name, "cannot open file");
  }
  file.seekg(0, std::ios::end);
  const auto end = file.tellg();
  if (end < 0) {
    fail(name, "cannot determine file size");
  }
  const auto size = static_cast<std::size_t>(end);
  // The header first (at most its 12-byte prefix and the largest header allowed): a file whose
  // size the header does not explain is refused before its payload is allocated or read.
  std::vector<std::byte> prefix(std::min(size, std::size_t{12} + max_header_len));
  file.seekg(0, std::ios::beg);
  file.read(reinterpret_cast<char*>(prefix.data()), static_cast<std::streamsize>(prefix.size()));
  if (!file) {
    fail(name, "read error");
  }
  NpyHeader header = parse_header(prefix, name);
  expect_payload(header, size, name);
  header.array.data.resize(header.payload);
  file.seekg(static_cast<std::streamoff>(header.data_start), std::ios::beg);
  file.read(reinterpret_cast<char*>(header.array.data.data()),
            static_cast<std::streamsize>(header.payload));
  if (!file) {
    fail(name, "read error");
  }
  return std::move(header.array);
}

phy::BitVector read_npy_bits(const std::filesystem::path& path, std::vector<std::size_t>* shape) {
  const NpyArray array = read_npy(path);
  expect_dtype(array, NpyDtype::u8, path);
  auto bits = typed_copy<phy::bit_t>(array);
  if (std::any_of(bits.begin(), bits.end(), [](phy::bit_t b) { return b > 1; })) {
    fail(path.string(), "bit array holds a value other than 0 or 1");
  }
  if (shape != nullptr) {
    *shape = array.shape;
  }
  return bits;
}

std::vector<std::uint16_t> read_npy_u16(const std::filesystem::path& path,
                                        std::vector<std::size_t>* shape) {
  const NpyArray array = read_npy(path);
  expect_dtype(array, NpyDtype::u16, path);
  if (shape != nullptr) {
    *shape = array.shape;
  }
  return typed_copy<std::uint16_t>(array);
}

std::vector<phy::cf32> read_npy_c64(const std::filesystem::path& path,
                                    std::vector<std::size_t>* shape) {
  const NpyArray array = read_npy(path);
  expect_dtype(array, NpyDtype::c64, path);
  if (shape != nullptr) {
    *shape = array.shape;
  }
  return typed_copy<phy::cf32>(array);
}

void write_npy(const std::filesystem::path& path, NpyDtype dtype,
               std::span<const std::size_t> shape, std::span<const std::byte> data) {
  std::size_t count = 1;
  std::string shape_text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    count *= shape[i];
    shape_text += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
  }
  shape_text += shape.size() == 1 ? ",)" : ")";
  if (data.size() != count * npy_dtype_size(dtype)) {
    throw NpyError(path.string() + ": data size does not match shape");
  }
  std::string header = std::string("{'descr': '") + npy_dtype_descr(dtype) +
                       "', 'fortran_order': False, 'shape': " + shape_text + ", }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream file(path, std::ios::binary);
  if (!file) {
    throw NpyError(path.string() + ": cannot create file");
  }
  file.write(reinterpret_cast<const char*>(npy_magic.data()), npy_magic.size());
  const char version[2] = {1, 0};
  file.write(version, 2);
  const char len[2] = {static_cast<char>(header.size() & 0xff),
                       static_cast<char>((header.size() >> 8) & 0xff)};
  file.write(len, 2);
  file.write(header.data(), static_cast<std::streamsize>(header.size()));
  file.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  file.close(); // what is still buffered is written here: a full disk shows now, not never
  if (!file) {
    throw NpyError(path.string() + ": write error");
  }
}

} // namespace airan::io
