/// \file
/// \brief Reader and writer for NumPy .npy files (format versions 1-3, little-endian, C order).
///
/// Used for the conformance vectors and for small tensors exchanged with Python. Any malformed
/// or unsupported file raises NpyError naming the file and the problem; nothing is guessed.
#pragma once

#include "airan/phy/types.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::io {

/// Error raised for a missing, malformed or unexpected .npy file.
class NpyError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Element types this reader understands (NumPy descr in parentheses).
enum class NpyDtype {
  u8,  ///< |u1 or |b1
  u16, ///< <u2
  i16, ///< <i2
  i32, ///< <i4
  u32, ///< <u4
  f32, ///< <f4
  f64, ///< <f8
  c64, ///< <c8 (complex float)
};

/// Size in bytes of one element of \p dtype.
std::size_t npy_dtype_size(NpyDtype dtype);

/// NumPy descr string of \p dtype, e.g. "<c8".
const char* npy_dtype_descr(NpyDtype dtype);

/// A dense array loaded from a .npy file.
struct NpyArray {
  NpyDtype dtype = NpyDtype::u8;
  std::vector<std::size_t> shape;
  std::vector<std::byte> data; ///< Raw little-endian element bytes, C order.

  /// Number of elements (product of the shape; 1 for a 0-d array).
  [[nodiscard]] std::size_t num_elements() const;
};

/// Reads a whole .npy file. \throws NpyError on any problem.
NpyArray read_npy(const std::filesystem::path& path);

/// Parses a .npy image held in memory; \p name is used in error messages.
NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& name);

/// Reads a uint8 array whose every element is 0 or 1 (unpacked bits). Shape is returned in
/// \p shape when it is not null. \throws NpyError on another dtype or a value other than 0/1.
phy::BitVector read_npy_bits(const std::filesystem::path& path,
                             std::vector<std::size_t>* shape = nullptr);

/// Reads a uint16 array. \throws NpyError on another dtype.
std::vector<std::uint16_t> read_npy_u16(const std::filesystem::path& path,
                                        std::vector<std::size_t>* shape = nullptr);

/// Reads a complex64 array. \throws NpyError on another dtype.
std::vector<phy::cf32> read_npy_c64(const std::filesystem::path& path,
                                    std::vector<std::size_t>* shape = nullptr);

/// Writes a .npy (version 1.0) file. \p data holds num_elements(shape) elements of \p dtype.
void write_npy(const std::filesystem::path& path, NpyDtype dtype,
               std::span<const std::size_t> shape, std::span<const std::byte> data);

} // namespace airan::io
