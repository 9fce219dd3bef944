#include "airan/phy/pusch_transmitter.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/layer_mapper.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_precoder.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/tbs_calculator.h"
#include "airan/phy/transform_precoder.h"
#include "airan/phy/uci_coded_sizes.h"
#include "airan/phy/uci_polar_code.h"
#include "airan/phy/uci_short_block_code.h"
#include "airan/phy/ulsch_encoder.h"
#include "airan/phy/ulsch_uci_multiplexer.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {

std::uint32_t pusch_coded_bits(const CellConfig& cell, const PuschConfig& pusch) {
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  return static_cast<std::uint32_t>(mapping.num_data_res() * pusch.modulation_order() *
                                    pusch.num_layers);
}

struct PuschTransmitter::Impl {
  Impl(const CellConfig& cell_in, const PuschTransmitterOptions& options)
      : cell(cell_in), max_modulation_order(options.max_modulation_order),
        numerology(carrier_numerology(cell_in)), ofdm(numerology, cell_in.num_prbs),
        encoder(create_ulsch_encoder()),
        transform_precoder(cell_in.num_prbs, TransformPrecodingDirection::precode),
        multiplexer(std::size_t{subcarriers_per_prb} * cell_in.num_prbs *
                    numerology.symbols_per_slot()) {
    if (max_modulation_order < 2 || max_modulation_order > 10) {
      throw std::invalid_argument("PUSCH transmitter: maximum modulation order must be 2..10");
    }
    const std::size_t max_res_per_layer =
        std::size_t{subcarriers_per_prb} * cell.num_prbs * numerology.symbols_per_slot();
    const std::size_t max_symbols = max_res_per_layer * cell.num_antenna_ports;
    codeword.resize(max_symbols * max_modulation_order);
    ulsch_coded.resize(codeword.size());
    // A HARQ-ACK of 0-2 bits is coded into REs that CSI part 2 or UL-SCH also fill (TS 38.212
    // 6.2.7 steps 1 and 6: it overwrites them), so the three UCI parts' coded bits reach up to
    // twice the PUSCH's: its reservation (at most every RE) beside CSI parts 1 and 2 (at most
    // every RE).
    uci_coded.resize(2 * codeword.size());
    symbols.resize(max_symbols);
    layer_symbols.resize(max_symbols);
    dmrs_values.resize(std::size_t{dmrs_res_per_prb(DmrsConfigType::type1)} * cell.num_prbs);
    layer_grid = ResourceGrid(cell.num_antenna_ports, numerology.symbols_per_slot(),
                              subcarriers_per_prb * cell.num_prbs);
  }

  void check_grid(const ResourceGrid& grid) const {
    if (grid.num_ports() != cell.num_antenna_ports ||
        grid.num_symbols() != numerology.symbols_per_slot() ||
        grid.num_subcarriers() != subcarriers_per_prb * cell.num_prbs) {
      throw std::invalid_argument("PUSCH transmitter: the grid must be " +
                                  std::to_string(cell.num_antenna_ports) + " x " +
                                  std::to_string(numerology.symbols_per_slot()) + " x " +
                                  std::to_string(subcarriers_per_prb * cell.num_prbs));
    }
  }

  /// Writes the DMRS of every layer into \p target (ports = layers) at its DMRS REs, and the
  /// PT-RS.
  void map_dmrs(const PuschConfig& pusch, const PuschReMapping& mapping, unsigned slot,
                ResourceGrid& target) {
    const PuschDmrsParams params = make_pusch_dmrs_params(cell, pusch, slot);
    std::span<cf32> values(dmrs_values.data(), params.values_per_symbol());
    for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
      const unsigned port = pusch.dmrs_port_of_layer(layer);
      const unsigned delta = dmrs_port_params(pusch.dmrs_config_type, port).delta;
      for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
        if (!params.symbols.contains(l)) {
          continue;
        }
        generate_pusch_dmrs(params, port, l, values);
        cf32* row = target.symbol(layer, l).data() + mapping.first_subcarrier_of(l);
        for (std::size_t i = 0; i < values.size(); ++i) {
          row[dmrs_subcarrier(pusch.dmrs_config_type, delta, static_cast<unsigned>(i))] = values[i];
        }
      }
    }
    if (!mapping.ptrs.present()) {
      return;
    }
    // PT-RS on the layer of its DMRS port; map_pusch_data() left its REs empty on every layer.
    const std::span<cf32> ptrs(dmrs_values.data(),
                               ptrs_count(mapping.ptrs, mapping.num_subcarriers()));
    generate_pusch_ptrs(params, pusch, mapping.ptrs, ptrs);
    for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
      if (!mapping.ptrs.on_symbol(l)) {
        continue;
      }
      cf32* row = target.symbol(mapping.ptrs.layer, l).data() + mapping.first_subcarrier_of(l);
      for (std::size_t n = 0; n < ptrs.size(); ++n) {
        row[mapping.ptrs.offset + n * mapping.ptrs.period] = ptrs[n];
      }
    }
  }

  /// Encodes the TB (and the UCI, when pusch.uci has any) into the scrambled \p codeword.
  void encode(std::span<const bit_t> tb_bits, const PuschUciPayload& uci, const PuschConfig& pusch,
              const PuschReMapping& mapping, std::uint32_t tbs, std::span<bit_t> codeword);

  /// Precodes the allocation of layer_grid into \p grid.
  void precode_allocation(const PrecodingMatrix& w, const PuschReMapping& mapping,
                          ResourceGrid& grid) {
    std::array<const cf32*, max_precoding_ports> layer_rows{};
    std::array<cf32*, max_precoding_ports> port_rows{};
    for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
      for (unsigned layer = 0; layer < w.num_layers(); ++layer) {
        layer_rows[layer] = layer_grid.symbol(layer, l).data() + mapping.first_subcarrier_of(l);
      }
      for (unsigned port = 0; port < w.num_ports(); ++port) {
        port_rows[port] = grid.symbol(port, l).data() + mapping.first_subcarrier_of(l);
      }
      precode_rows(w, layer_rows, port_rows, mapping.num_subcarriers());
    }
  }

  CellConfig cell;
  unsigned max_modulation_order;
  Numerology numerology;
  OfdmModulator ofdm;
  std::unique_ptr<UlschEncoder> encoder;
  TransformPrecoder transform_precoder; ///< DFT-s-OFDM.
  UlschUciMultiplexer multiplexer;
  std::vector<bit_t> codeword;
  std::vector<bit_t> ulsch_coded; ///< UL-SCH coded bits before multiplexing with UCI.
  std::vector<bit_t> uci_coded; ///< HARQ-ACK, CSI part 1 and part 2 coded bits, one after another.
  std::vector<cf32> symbols;
  std::vector<cf32> layer_symbols;
  std::vector<cf32> dmrs_values;
  ResourceGrid layer_grid; ///< Layers before codebook precoding.
};

PuschTransmitter::PuschTransmitter(const CellConfig& cell, const PuschTransmitterOptions& options) {
  if (const std::string error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("PUSCH transmitter: cell: " + error);
  }
  impl_ = std::make_unique<Impl>(cell, options);
}

PuschTransmitter::~PuschTransmitter() = default;
PuschTransmitter::PuschTransmitter(PuschTransmitter&&) noexcept = default;
PuschTransmitter& PuschTransmitter::operator=(PuschTransmitter&&) noexcept = default;

const CellConfig& PuschTransmitter::cell() const {
  return impl_->cell;
}
const Numerology& PuschTransmitter::numerology() const {
  return impl_->numerology;
}

ResourceGrid PuschTransmitter::make_grid() const {
  return {impl_->cell.num_antenna_ports, impl_->numerology.symbols_per_slot(),
          subcarriers_per_prb * impl_->cell.num_prbs};
}

std::uint32_t PuschTransmitter::transport_block_size(const PuschConfig& pusch) const {
  if (const std::string error = pusch.validate(impl_->cell); !error.empty()) {
    throw std::invalid_argument("PUSCH transmitter: " + error);
  }
  if (!pusch.ulsch) {
    return 0; // UCI only
  }
  return pusch.tb_size_bits != 0 ? pusch.tb_size_bits : compute_pusch_tbs(impl_->cell, pusch);
}

void PuschTransmitter::Impl::encode(std::span<const bit_t> tb_bits, const PuschUciPayload& uci,
                                    const PuschConfig& pusch, const PuschReMapping& mapping,
                                    std::uint32_t tbs, std::span<bit_t> out) {
  const std::uint32_t c_init = pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id);
  const PuschUciConfig& cfg = pusch.uci;
  if (uci.harq_ack.size() != cfg.harq_ack_bits || uci.csi_part1.size() != cfg.csi_part1_bits ||
      uci.csi_part2.size() != cfg.csi_part2_bits) {
    throw std::invalid_argument(
        "PUSCH transmitter: UCI payload of " + std::to_string(uci.harq_ack.size()) + "/" +
        std::to_string(uci.csi_part1.size()) + "/" + std::to_string(uci.csi_part2.size()) +
        " HARQ-ACK/CSI-1/CSI-2 bits for a PDU of " + std::to_string(cfg.harq_ack_bits) + "/" +
        std::to_string(cfg.csi_part1_bits) + "/" + std::to_string(cfg.csi_part2_bits));
  }
  if (!cfg.present()) {
    encoder->encode(tb_bits,
                    ulsch_coding_config(pusch, tbs, static_cast<std::uint32_t>(out.size())), out);
    scramble_bits(out, c_init);
    return;
  }
  const unsigned qm = pusch.modulation_order();
  const UciCodedSizes sizes = pusch_coded_sizes(cell, pusch, tbs);
  const std::span<bit_t> ulsch(ulsch_coded.data(), sizes.ulsch);
  if (pusch.ulsch) {
    encoder->encode(tb_bits, ulsch_coding_config(pusch, tbs, sizes.ulsch), ulsch);
  }
  // Without UL-SCH, a HARQ-ACK beside CSI part 1 alone is coded as 2 bits (TS 38.212 6.3.2.1.1).
  const PuschUciConfig coded_cfg = coded_uci_config(pusch);
  std::array<bit_t, 2> padded_ack{};
  std::span<const bit_t> ack_payload = uci.harq_ack;
  if (coded_cfg.harq_ack_bits != cfg.harq_ack_bits) {
    std::copy_n(uci.harq_ack.begin(), std::min(uci.harq_ack.size(), padded_ack.size()),
                padded_ack.begin());
    ack_payload = padded_ack;
  }
  if (sizes.harq_ack + sizes.csi_part1 + sizes.csi_part2 > uci_coded.size()) {
    throw std::logic_error("PUSCH transmitter: the UCI's coded bits exceed their buffer");
  }
  const std::span<bit_t> ack(uci_coded.data(), sizes.harq_ack);
  const std::span<bit_t> csi1(ack.data() + ack.size(), sizes.csi_part1);
  const std::span<bit_t> csi2(csi1.data() + csi1.size(), sizes.csi_part2);
  // Up to 11 bits the short block codes, above them polar codes with a CRC.
  const auto encode_part = [qm](std::span<const bit_t> payload, std::span<bit_t> coded) {
    if (coded.empty()) {
      return;
    }
    if (PuschUciConfig::polar_coded(static_cast<unsigned>(payload.size()))) {
      encode_uci_polar(payload, coded);
    } else {
      encode_uci_short_block(payload, qm, coded);
    }
  };
  encode_part(ack_payload, ack);
  encode_part(uci.csi_part1, csi1);
  encode_part(uci.csi_part2, csi2);
  multiplexer.plan(mapping, sizes, coded_cfg.harq_ack_bits, pusch.num_layers, qm);
  multiplexer.multiplex({ulsch, ack, csi1, csi2}, out);
  scramble_bits_with_placeholders(out, c_init);
}

void PuschTransmitter::transmit(std::span<const bit_t> tb_bits, const PuschConfig& pusch,
                                unsigned slot, ResourceGrid& grid) {
  transmit(tb_bits, PuschUciPayload{}, pusch, slot, grid);
}

void PuschTransmitter::transmit(std::span<const bit_t> tb_bits, const PuschUciPayload& uci,
                                const PuschConfig& pdu, unsigned slot, ResourceGrid& grid) {
  // The UE sends the CSI part 2 it has, csi_part2_bits (none: no part 2); how the gNB learns its
  // size (from part 1) changes nothing that is sent.
  PuschConfig without_sizing;
  if (!pdu.uci.csi_part2_sizing.empty()) {
    without_sizing = pdu;
    without_sizing.uci.csi_part2_sizing = {};
  }
  const PuschConfig& pusch = pdu.uci.csi_part2_sizing.empty() ? pdu : without_sizing;
  Impl& s = *impl_;
  const std::uint32_t tbs = transport_block_size(pusch); // validates pusch
  if (tb_bits.size() != tbs) {
    throw std::invalid_argument("PUSCH transmitter: " + std::to_string(tb_bits.size()) +
                                " TB bits for a TBS of " + std::to_string(tbs));
  }
  if (slot >= s.numerology.slots_per_frame()) {
    throw std::invalid_argument("PUSCH transmitter: slot " + std::to_string(slot) +
                                " is outside the frame");
  }
  const unsigned qm = pusch.modulation_order();
  if (qm > s.max_modulation_order) {
    throw std::invalid_argument("PUSCH transmitter: Q_m " + std::to_string(qm) +
                                " exceeds the configured maximum");
  }
  s.check_grid(grid);

  const PuschReMapping mapping = make_pusch_re_mapping(s.cell, pusch);
  const std::size_t num_symbols = mapping.num_data_res() * pusch.num_layers;
  const std::span<bit_t> codeword(s.codeword.data(), num_symbols * qm);
  const std::span<cf32> symbols(s.symbols.data(), num_symbols);
  const std::span<cf32> layer_symbols(s.layer_symbols.data(), num_symbols);

  s.encode(tb_bits, uci, pusch, mapping, tbs, codeword);
  modulate(codeword, modulation_from_order(qm), symbols);
  if (!pusch.ulsch) {
    // Without UL-SCH the data REs of DMRS symbols carry nothing: zero power on every layer.
    const auto owners = s.multiplexer.owners();
    for (std::size_t re = 0; re < owners.size(); ++re) {
      if (owners[re] == CodedReOwner::none) {
        std::fill_n(symbols.begin() + static_cast<std::ptrdiff_t>(re * pusch.num_layers),
                    pusch.num_layers, cf32{});
      }
    }
  }
  map_layers(symbols, pusch.num_layers, layer_symbols);
  if (pusch.transform_precoding) {
    // One layer and no data on DMRS symbols (validate()): whole OFDM symbols of M_sc values.
    s.transform_precoder.transform(layer_symbols, pusch.prb_size);
  }

  const PrecodingMatrix w = pusch.precoding == PuschPrecoding::codebook
                                ? pusch_codebook_matrix(pusch.num_layers, s.cell.num_antenna_ports,
                                                        pusch.tpmi, pusch.transform_precoding)
                                : PrecodingMatrix::identity(pusch.num_layers);
  // Identity precoding maps the layers straight onto the antenna ports.
  ResourceGrid& layer_target = w.is_identity() ? grid : s.layer_grid;
  map_pusch_data(mapping, layer_symbols, pusch.num_layers, layer_target);
  s.map_dmrs(pusch, mapping, slot, layer_target);
  if (!w.is_identity()) {
    s.precode_allocation(w, mapping, grid);
  }
}

void PuschTransmitter::transmit(std::span<const bit_t> tb_bits, const PuschConfig& pusch,
                                unsigned slot, ResourceGrid& grid, std::span<cf32> iq) {
  transmit(tb_bits, PuschUciPayload{}, pusch, slot, grid, iq);
}

void PuschTransmitter::transmit(std::span<const bit_t> tb_bits, const PuschUciPayload& uci,
                                const PuschConfig& pusch, unsigned slot, ResourceGrid& grid,
                                std::span<cf32> iq) {
  const std::size_t slot_length = impl_->numerology.slot_length(slot);
  if (iq.size() != slot_length * impl_->cell.num_antenna_ports) {
    throw std::invalid_argument("PUSCH transmitter: the IQ buffer needs " +
                                std::to_string(slot_length * impl_->cell.num_antenna_ports) +
                                " samples");
  }
  transmit(tb_bits, uci, pusch, slot, grid);
  for (unsigned port = 0; port < impl_->cell.num_antenna_ports; ++port) {
    impl_->ofdm.modulate_slot(grid, port, slot, iq.subspan(port * slot_length, slot_length));
  }
}

} // namespace airan::phy
