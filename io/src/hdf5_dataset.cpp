// Datasets of the HDF5 test vectors: storage properties, complex64 and uint8 arrays, and the
// checks that keep libhdf5 away from its unchecked paths on corrupt files.
#include "airan/io/test_vector_file.h"

#include "hdf5_handle.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace airan::io::h5 {
namespace {

Datatype complex_type(hid_t float_type, const std::string& where) {
  Datatype type(check(H5Tcreate(H5T_COMPOUND, sizeof(phy::cf32)), where, "H5Tcreate"));
  check(H5Tinsert(type.get(), "r", 0, float_type), where, "H5Tinsert r");
  check(H5Tinsert(type.get(), "i", sizeof(float), float_type), where, "H5Tinsert i");
  return type;
}

bool filter_usable(H5Z_filter_t filter) {
  if (H5Zfilter_avail(filter) <= 0) {
    return false;
  }
  unsigned config = 0;
  if (H5Zget_filter_info(filter, &config) < 0) {
    return false;
  }
  return (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0 &&
         (config & H5Z_FILTER_CONFIG_DECODE_ENABLED) != 0;
}

/// Dataset creation properties: no time stamps; chunks of at most ~1 MiB (one antenna first)
/// with shuffle + deflate (+ Fletcher-32 checksums) when compressing.
PropertyList dataset_properties(std::span<const hsize_t> dims, std::size_t element_size,
                                const Storage& storage, const std::string& where) {
  PropertyList dcpl = make_plist(H5P_DATASET_CREATE, where);
  check(H5Pset_obj_track_times(dcpl.get(), 0), where, "H5Pset_obj_track_times");
  const bool nonempty = std::all_of(dims.begin(), dims.end(), [](hsize_t d) { return d > 0; });
  if (!storage.compress || !deflate_available() || !nonempty) {
    return dcpl;
  }
  const hsize_t target = (hsize_t{1} << 20) / element_size;
  std::vector<hsize_t> chunk(dims.begin(), dims.end());
  const auto product = [&] {
    return std::accumulate(chunk.begin(), chunk.end(), hsize_t{1}, std::multiplies<>());
  };
  for (std::size_t i = 0; i + 1 < chunk.size(); ++i) {
    if (i == 0 || product() > target) {
      chunk[i] = 1;
    }
  }
  if (product() > target) {
    chunk.back() = std::max<hsize_t>(1, target / (product() / chunk.back()));
  }
  check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), where,
        "H5Pset_chunk");
  check(H5Pset_shuffle(dcpl.get()), where, "H5Pset_shuffle");
  check(H5Pset_deflate(dcpl.get(), std::clamp(storage.deflate_level, 1U, 9U)), where,
        "H5Pset_deflate");
  if (filter_usable(H5Z_FILTER_FLETCHER32)) {
    check(H5Pset_fletcher32(dcpl.get()), where, "H5Pset_fletcher32");
  }
  return dcpl;
}

Dataset create_dataset(hid_t parent, const char* name, hid_t file_type,
                       std::span<const hsize_t> dims, const PropertyList& dcpl,
                       const std::string& where) {
  const Dataspace space(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                              where, "cannot create the dataspace"));
  return Dataset(
      check(H5Dcreate2(parent, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
            where, "cannot create the dataset"));
}

/// The size a stored chunk of \p stored bytes decodes to through \p pipeline (the filters in
/// the order they were applied when writing, undone last first): Fletcher-32 drops its 4-byte
/// checksum, deflate inflates (each stream to its end), shuffle keeps the size. -1 when a
/// stream does not inflate or a checksum does not fit. libhdf5 1.10 copies a whole chunk out
/// of whatever its deflate filter returns, so a stream that inflates short reads past the heap
/// buffer: the size must be checked before H5Dread.
long long decoded_chunk_size(std::vector<unsigned char> stored,
                             const std::vector<H5Z_filter_t>& pipeline, hsize_t limit) {
  for (auto filter = pipeline.rbegin(); filter != pipeline.rend(); ++filter) {
    if (*filter == H5Z_FILTER_FLETCHER32) {
      if (stored.size() <= 4) {
        return -1;
      }
      stored.resize(stored.size() - 4);
    } else if (*filter == H5Z_FILTER_DEFLATE) {
      std::vector<unsigned char> out(static_cast<std::size_t>(limit) + 1);
      z_stream stream{};
      if (inflateInit(&stream) != Z_OK) {
        return -1;
      }
      stream.next_in = stored.data();
      stream.avail_in = static_cast<uInt>(stored.size());
      stream.next_out = out.data();
      stream.avail_out = static_cast<uInt>(out.size());
      const int status = inflate(&stream, Z_FINISH);
      const auto produced = static_cast<std::size_t>(stream.total_out);
      inflateEnd(&stream);
      if (status != Z_STREAM_END) {
        return -1; // corrupt, truncated, or longer than a chunk
      }
      out.resize(produced);
      stored = std::move(out);
    }
  }
  return static_cast<long long>(stored.size());
}

/// Fails unless the chunk shape fits the fixed dataset shape, the filters are the writer's
/// (shuffle, deflate, Fletcher-32), and every stored chunk went through the whole pipeline and,
/// without filters, holds exactly one chunk of bytes. libhdf5 1.10 trusts all of these: it copies
/// a full chunk out of a shorter stored one when a chunk's filter mask says "not filtered", and
/// reads past a chunk shorter than the Fletcher-32 checksum.
void check_chunks(hid_t dataset, hid_t dcpl, const std::string& where) {
  const Datatype type(check(H5Dget_type(dataset), where, "no datatype"));
  const Dataspace space(check(H5Dget_space(dataset), where, "no dataspace"));
  const int rank = check(H5Sget_simple_extent_ndims(space.get()), where, "no rank");
  std::array<hsize_t, H5S_MAX_RANK> dims{};
  std::array<hsize_t, H5S_MAX_RANK> max_dims{};
  std::array<hsize_t, H5S_MAX_RANK> chunk{};
  if (rank < 1 || rank > 8 ||
      H5Sget_simple_extent_dims(space.get(), dims.data(), max_dims.data()) < 0 ||
      H5Pget_chunk(dcpl, rank, chunk.data()) != rank) {
    fail_hdf5(where, "cannot read the chunk shape");
  }
  hsize_t chunk_bytes = H5Tget_size(type.get());
  hsize_t max_chunks = 1;
  for (int d = 0; d < rank; ++d) {
    // libhdf5 enforces both when it creates a dataset, but trusts a file that breaks them.
    if (chunk[d] == 0 || chunk[d] > dims[d] || max_dims[d] != dims[d]) {
      fail(where, "chunk dimension " + std::to_string(d) + " (" + std::to_string(chunk[d]) +
                      ") is 0 or exceeds the fixed dataset dimension " + std::to_string(dims[d]));
    }
    chunk_bytes *= chunk[d];
    max_chunks *= (dims[d] + chunk[d] - 1) / chunk[d];
  }
  const int filters = check(H5Pget_nfilters(dcpl), where, "cannot read the filters");
  std::vector<H5Z_filter_t> pipeline;
  bool fletcher32 = false;
  for (int f = 0; f < filters; ++f) {
    unsigned flags = 0;
    std::array<unsigned, 8> values{};
    std::size_t count = values.size();
    const H5Z_filter_t id = H5Pget_filter2(dcpl, static_cast<unsigned>(f), &flags, &count,
                                           values.data(), 0, nullptr, nullptr);
    // Only the writer's filters; shuffle's element size must be the type's.
    const bool known =
        id == H5Z_FILTER_DEFLATE || id == H5Z_FILTER_FLETCHER32 ||
        (id == H5Z_FILTER_SHUFFLE && count >= 1 && values[0] == H5Tget_size(type.get()));
    if (!known) {
      fail(where, "filter " + std::to_string(id) +
                      " is not shuffle, deflate or fletcher32 (or "
                      "has wrong parameters)");
    }
    fletcher32 = fletcher32 || id == H5Z_FILTER_FLETCHER32;
    pipeline.push_back(id);
  }
  const bool filtered = filters > 0;
  hsize_t chunks = 0;
  check(H5Dget_num_chunks(dataset, space.get(), &chunks), where, "cannot count the chunks");
  // Every chunk present: libhdf5 reads a missing one as zeros (a damaged or half-written file).
  if (chunks != max_chunks) {
    fail(where,
         std::to_string(chunks) + " chunks stored, the shape has " + std::to_string(max_chunks));
  }
  std::vector<unsigned char> stored;
  for (hsize_t i = 0; i < chunks; ++i) {
    unsigned mask = 0;
    haddr_t address = 0;
    hsize_t size = 0;
    std::array<hsize_t, H5S_MAX_RANK> offset{};
    check(H5Dget_chunk_info(dataset, space.get(), i, offset.data(), &mask, &address, &size), where,
          "cannot read the chunk index");
    // The Fletcher-32 decoder of libhdf5 1.10 reads out of bounds on a chunk of 4 bytes or less.
    if (mask != 0 || (!filtered && size != chunk_bytes) || (fletcher32 && size <= 4)) {
      fail(where, "chunk " + std::to_string(i) + " is corrupt (filter mask " +
                      std::to_string(mask) + ", " + std::to_string(size) + " bytes)");
    }
    if (!filtered) {
      continue;
    }
    // A compressed chunk holds at most ~1032 x its data plus the stream's framing.
    if (size > 2 * chunk_bytes + 4096) {
      fail(where, "chunk " + std::to_string(i) + " stores " + std::to_string(size) + " bytes for " +
                      std::to_string(chunk_bytes));
    }
    stored.resize(static_cast<std::size_t>(size));
    std::uint32_t chunk_filters = 0;
    check(H5Dread_chunk(dataset, H5P_DEFAULT, offset.data(), &chunk_filters, stored.data()), where,
          "cannot read a stored chunk");
    const long long decoded = decoded_chunk_size(stored, pipeline, chunk_bytes);
    if (decoded != static_cast<long long>(chunk_bytes)) {
      fail(where, "chunk " + std::to_string(i) + " is corrupt (" +
                      (decoded < 0 ? std::string("it does not decode")
                                   : "it decodes to " + std::to_string(decoded) + " bytes") +
                      ", a chunk has " + std::to_string(chunk_bytes) + ")");
    }
  }
}

/// Checks before H5Dread, once the caller has checked the shape: \p elements is the size of the
/// destination, and a chunked dataset's chunks must pass check_chunks().
void check_before_read(const DatasetInfo& info, std::size_t elements, const std::string& where) {
  const hsize_t count =
      std::accumulate(info.dims.begin(), info.dims.end(), hsize_t{1}, std::multiplies<>());
  if (count != elements) {
    fail(where, "internal: buffer size differs from the dataset size");
  }
  const PropertyList dcpl(
      check(H5Dget_create_plist(info.dataset.get()), where, "cannot read the storage layout"));
  if (H5Pget_layout(dcpl.get()) == H5D_CHUNKED) {
    check_chunks(info.dataset.get(), dcpl.get(), where);
  } else if (count > 0 && H5Pget_layout(dcpl.get()) == H5D_CONTIGUOUS) {
    // Never written: libhdf5 reads the fill value (zeros) instead of failing.
    const Datatype type(check(H5Dget_type(info.dataset.get()), where, "no datatype"));
    if (H5Dget_storage_size(info.dataset.get()) != count * H5Tget_size(type.get())) {
      fail(where, "the data was never written (no storage allocated)");
    }
  }
}

} // namespace

bool deflate_available() {
  return filter_usable(H5Z_FILTER_DEFLATE) && filter_usable(H5Z_FILTER_SHUFFLE);
}

Dataset write_complex(hid_t parent, const char* name, std::span<const hsize_t> dims,
                      std::span<const phy::cf32> data, const Storage& storage,
                      const std::string& where) {
  const Datatype file_type = complex_type(H5T_IEEE_F32LE, where);
  const Datatype memory_type = complex_type(H5T_NATIVE_FLOAT, where);
  const PropertyList dcpl = dataset_properties(dims, sizeof(phy::cf32), storage, where);
  Dataset dataset = create_dataset(parent, name, file_type.get(), dims, dcpl, where);
  check(H5Dwrite(dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
        where, "cannot write the dataset");
  return dataset;
}

void write_bytes(hid_t parent, const char* name, std::span<const std::uint8_t> data,
                 const Storage& storage, const std::string& where) {
  const std::array<hsize_t, 1> dims{data.size()};
  const PropertyList dcpl = dataset_properties(dims, 1, storage, where);
  const Dataset dataset = create_dataset(parent, name, H5T_STD_U8LE, dims, dcpl, where);
  check(H5Dwrite(dataset.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
        where, "cannot write the dataset");
}

DatasetInfo open_dataset(hid_t parent, const std::string& name, const std::string& where) {
  require_hard_link(parent, name, where);
  DatasetInfo info;
  info.dataset = Dataset(
      check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), where, "is not a dataset or is corrupt"));
  const PropertyList dcpl(
      check(H5Dget_create_plist(info.dataset.get()), where, "cannot read the storage layout"));
  const H5D_layout_t layout = H5Pget_layout(dcpl.get());
  // Compact data is not checked against the shape by libhdf5 1.10 (a corrupt file makes
  // H5Dread read past its buffer); virtual datasets point into other files.
  if (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED) {
    fail(where, "storage layout must be contiguous or chunked (compact and virtual datasets are "
                "not allowed)");
  }
  if (H5Pget_external_count(dcpl.get()) != 0) {
    fail(where, "data in external files is not allowed");
  }
  const Dataspace space(check(H5Dget_space(info.dataset.get()), where, "no dataspace"));
  if (H5Sget_simple_extent_type(space.get()) != H5S_SIMPLE) {
    fail(where, "must be an array (simple dataspace)");
  }
  const int rank = check(H5Sget_simple_extent_ndims(space.get()), where, "no rank");
  if (rank < 1 || rank > 8) {
    fail(where, "rank " + std::to_string(rank) + " is not in 1..8");
  }
  info.dims.resize(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), info.dims.data(), nullptr), where, "no shape");
  return info;
}

void expect_shape(const DatasetInfo& info, std::span<const hsize_t> expected, const char* what,
                  const std::string& where) {
  if (std::equal(info.dims.begin(), info.dims.end(), expected.begin(), expected.end())) {
    return;
  }
  const auto text = [](auto dims) {
    std::string s;
    for (auto d : dims) {
      // Appended piece by piece: "[" + std::to_string(d) trips GCC 12's -Wrestrict (a false
      // positive in its inlined string insert).
      s += '[';
      s += std::to_string(d);
      s += ']';
    }
    return s;
  };
  fail(where, "shape " + text(info.dims) + " differs from " + what + " = " + text(expected));
}

void read_complex(const DatasetInfo& info, std::span<phy::cf32> out, const std::string& where) {
  // Exactly the stored type of the writer (and of numpy complex64 in h5py): anything else would
  // take libhdf5's compound conversion paths, which misbehave on corrupt types.
  const Datatype type(check(H5Dget_type(info.dataset.get()), where, "no datatype"));
  const Datatype expected = complex_type(H5T_IEEE_F32LE, where);
  if (H5Tequal(type.get(), expected.get()) <= 0) {
    fail(where, "must be complex64: a compound {r: float32 at byte 0, i: float32 at byte 4} of "
                "8 bytes (numpy complex64)");
  }
  check_before_read(info, out.size(), where);
  const Datatype memory_type = complex_type(H5T_NATIVE_FLOAT, where);
  check(H5Dread(info.dataset.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
        where, "cannot read the data (truncated or corrupt?)");
}

void read_bytes(const DatasetInfo& info, std::span<std::uint8_t> out, const std::string& where) {
  const Datatype type(check(H5Dget_type(info.dataset.get()), where, "no datatype"));
  if (H5Tequal(type.get(), H5T_STD_U8LE) <= 0) {
    fail(where, "must be uint8");
  }
  check_before_read(info, out.size(), where);
  check(H5Dread(info.dataset.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
        where, "cannot read the data (truncated or corrupt?)");
}

} // namespace airan::io::h5
