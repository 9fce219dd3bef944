#include "airan/phy/pusch_re_mapper.h"

#include "airan/phy/pusch_data_layout.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

void check_sizes(const PuschReMapping& mapping, std::size_t num_layer_symbols, unsigned num_layers,
                 const ResourceGrid& grid) {
  if (num_layers == 0 || num_layers > grid.num_ports()) {
    throw std::invalid_argument("PUSCH RE mapping: the grid has " +
                                std::to_string(grid.num_ports()) + " ports for " +
                                std::to_string(num_layers) + " layers");
  }
  if (std::max(mapping.first_subcarrier, mapping.second_hop_first_subcarrier) +
              mapping.num_subcarriers() >
          grid.num_subcarriers() ||
      mapping.start_symbol + mapping.num_symbols > grid.num_symbols()) {
    throw std::invalid_argument("PUSCH RE mapping: the allocation does not fit the grid");
  }
  if (num_layer_symbols != mapping.num_data_res() * num_layers) {
    throw std::invalid_argument("PUSCH RE mapping: " + std::to_string(num_layer_symbols) +
                                " layer symbols for " +
                                std::to_string(mapping.num_data_res() * num_layers) + " data REs");
  }
}

} // namespace

unsigned pusch_empty_value_ranges(const PuschReMapping& mapping, bool ulsch, unsigned num_layers,
                                  std::span<ValueRange> out) {
  unsigned count = 0;
  std::size_t done = 0; // data REs of one layer before symbol l
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    const unsigned num_res = mapping.num_data_res(l);
    if (!ulsch && num_res != 0 && mapping.dmrs_symbols.contains(l)) {
      if (count == out.size()) {
        throw std::invalid_argument("pusch_empty_value_ranges: no room for every range");
      }
      out[count++] = {done * num_layers, (done + num_res) * num_layers};
    }
    done += num_res;
  }
  return count;
}

unsigned PuschReMapping::num_data_res(unsigned symbol) const {
  if (symbol < start_symbol || symbol >= start_symbol + num_symbols) {
    return 0;
  }
  if (!dmrs_symbols.contains(symbol)) {
    return ptrs.on_symbol(symbol) ? num_subcarriers() - ptrs_count(ptrs, num_subcarriers())
                                  : num_subcarriers();
  }
  const auto per_prb = static_cast<unsigned>(
      std::count(data_on_dmrs_symbol.begin(), data_on_dmrs_symbol.end(), true));
  return per_prb * num_prbs;
}

std::size_t PuschReMapping::num_data_res() const {
  std::size_t total = 0;
  for (unsigned l = start_symbol; l < start_symbol + num_symbols; ++l) {
    total += num_data_res(l);
  }
  return total;
}

bool PuschReMapping::is_data_re(unsigned symbol, unsigned k) const {
  if (symbol < start_symbol || symbol >= start_symbol + num_symbols || k >= num_subcarriers()) {
    return false;
  }
  if (dmrs_symbols.contains(symbol)) {
    return data_on_dmrs_symbol[k % subcarriers_per_prb];
  }
  return !ptrs.on_symbol(symbol) || !ptrs.on_subcarrier(k);
}

PuschReMapping make_pusch_re_mapping(const CellConfig& cell, const PuschConfig& pusch) {
  PuschReMapping mapping;
  mapping.first_subcarrier = subcarriers_per_prb * (pusch.first_crb() - cell.grid_start_crb);
  if (pusch.intra_slot_hopping) {
    mapping.second_hop_symbol = pusch.second_hop_symbol();
    mapping.second_hop_first_subcarrier =
        subcarriers_per_prb * (pusch.bwp_start + pusch.second_hop_prb_start - cell.grid_start_crb);
  }
  mapping.num_prbs = pusch.prb_size;
  mapping.start_symbol = pusch.start_symbol;
  mapping.num_symbols = pusch.num_symbols;
  mapping.dmrs_symbols = pusch_dmrs_symbols(cell, pusch);
  for (unsigned k = 0; k < subcarriers_per_prb; ++k) {
    // CDM group of subcarrier k: k mod 2 (type 1, comb of Delta = 0, 1) or (k mod 6) / 2 (type 2,
    // pairs at Delta = 0, 2, 4).
    const unsigned group = pusch.dmrs_config_type == DmrsConfigType::type1 ? k % 2 : (k % 6) / 2;
    mapping.data_on_dmrs_symbol[k] = group >= pusch.num_dmrs_cdm_groups_no_data;
  }
  mapping.ptrs = make_ptrs_pattern(pusch, mapping.dmrs_symbols.mask);
  return mapping;
}

PuschDataLayout make_pusch_data_layout(const PuschReMapping& mapping) {
  PuschDataLayout d;
  unsigned done = 0;
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    if (const unsigned n = mapping.num_data_res(l); n != 0) {
      d.data_symbols[d.num_data_symbols] = l;
      d.first_re[d.num_data_symbols++] = done;
      done += n;
    }
  }
  d.first_re[d.num_data_symbols] = done;
  d.dmrs_mask = mapping.dmrs_symbols.mask;
  for (unsigned k = 0; k < subcarriers_per_prb; ++k) {
    if (mapping.data_on_dmrs_symbol[k]) {
      d.data_index[d.data_per_prb++] = k;
    }
  }
  d.ptrs = mapping.ptrs;
  return d;
}

void map_pusch_data(const PuschReMapping& mapping, std::span<const cf32> layer_symbols,
                    unsigned num_layers, ResourceGrid& grid) {
  check_sizes(mapping, layer_symbols.size(), num_layers, grid);
  const std::size_t per_layer = mapping.num_data_res();
  const unsigned width = mapping.num_subcarriers();
  for (unsigned layer = 0; layer < num_layers; ++layer) {
    const cf32* in = layer_symbols.data() + layer * per_layer;
    for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
      cf32* out = grid.symbol(layer, l).data() + mapping.first_subcarrier_of(l);
      if (mapping.ptrs.on_symbol(l)) {
        for (unsigned k = 0; k < width; ++k) {
          out[k] = mapping.ptrs.on_subcarrier(k) ? cf32(0.0F, 0.0F) : *in++;
        }
        continue;
      }
      if (!mapping.dmrs_symbols.contains(l)) {
        std::copy_n(in, width, out);
        in += width;
        continue;
      }
      for (unsigned k = 0; k < width; ++k) {
        if (mapping.data_on_dmrs_symbol[k % subcarriers_per_prb]) {
          out[k] = *in++;
        } else {
          out[k] = cf32(0.0F, 0.0F);
        }
      }
    }
  }
}

void extract_pusch_data(const PuschReMapping& mapping, const ResourceGrid& grid,
                        unsigned num_layers, std::span<cf32> layer_symbols) {
  check_sizes(mapping, layer_symbols.size(), num_layers, grid);
  const std::size_t per_layer = mapping.num_data_res();
  const unsigned width = mapping.num_subcarriers();
  for (unsigned layer = 0; layer < num_layers; ++layer) {
    cf32* out = layer_symbols.data() + layer * per_layer;
    for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
      const cf32* in = grid.symbol(layer, l).data() + mapping.first_subcarrier_of(l);
      for (unsigned k = 0; k < width; ++k) {
        if (mapping.is_data_re(l, k)) {
          *out++ = in[k];
        }
      }
    }
  }
}

} // namespace airan::phy
