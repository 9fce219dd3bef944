#include "airan/l1/uplink_cplane_sender.h"

#include "airan/io/ecpri.h"
#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_pucch_messages.h"
#include "airan/io/fapi_srs_messages.h"
#include "airan/io/oran_prach.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_frequency_hopping.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace airan::l1 {
namespace {

/// Largest PUSCH, PUCCH and SRS counts per slot the generator is sized for: a UL_TTI.request's
/// (what the L1 takes and its PARAM.response announces).
constexpr std::size_t max_pdus_per_slot = io::fapi_max_pusch_pdus;
constexpr std::size_t max_pucch_per_slot = io::fapi_max_pucch_pdus;
constexpr std::size_t max_srs_per_slot = io::fapi_max_srs_pdus; // a UL_TTI.request's
/// Sections per antenna: two hops per PUSCH and PUCCH, one per SRS symbol.
constexpr std::size_t max_sections_per_antenna =
    2 * (max_pdus_per_slot + max_pucch_per_slot) + phy::SrsConfig::max_symbols * max_srs_per_slot;

io::UplinkCplaneConfig link_config(const phy::CellConfig& cell, const io::FronthaulConfig& config) {
  if (const auto error = config.validate(); !error.empty()) {
    throw std::invalid_argument("fronthaul: " + error);
  }
  io::UplinkCplaneConfig link;
  link.ethernet.source = config.du_mac;
  link.ethernet.destination = config.ru_mac;
  link.ethernet.vlan = config.vlan;
  link.compression = config.compression;
  link.carrier_prbs = static_cast<std::uint16_t>(cell.num_prbs);
  link.max_frame_size = config.max_frame_size + link.ethernet.size();
  return link;
}

/// The sender's link, after checking that every receive antenna has an RU port in the eAxC ID
/// (otherwise every slot's C-plane would fail to pack, counted per slot instead of refused once).
io::UplinkCplaneConfig checked_link_config(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                           const io::FronthaulConfig& config) {
  auto link = link_config(cell, config);
  if (num_rx_antennas < 1 ||
      (std::size_t{1} << config.eaxc_layout.ru_port_bits) < num_rx_antennas) {
    throw std::invalid_argument(
        "fronthaul: the eAxC RU port field (" + std::to_string(config.eaxc_layout.ru_port_bits) +
        " bits) cannot number " + std::to_string(num_rx_antennas) + " receive antennas");
  }
  if (const std::string error = config.check_prach_ru_ports_apart(num_rx_antennas);
      !error.empty()) {
    throw std::invalid_argument("fronthaul: " + error);
  }
  return link;
}

} // namespace

FronthaulCplaneSender::FronthaulCplaneSender(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                             const io::FronthaulConfig& config, FrameOut out)
    : cell_(cell), num_rx_(num_rx_antennas), config_(config), out_(std::move(out)),
      // Up to two allocations per PDU and antenna: one per intra-slot hop.
      generator_(checked_link_config(cell, num_rx_antennas, config),
                 max_sections_per_antenna * num_rx_antennas),
      buffer_(std::size_t{64} * 1024 +
              (std::size_t{64} * max_sections_per_antenna * num_rx_antennas)),
      frames_(max_sections_per_antenna * num_rx_antennas),
      numerology_(phy::carrier_numerology(cell)), prach_sequence_ids_(num_rx_antennas, 0) {
  allocations_.reserve(max_sections_per_antenna * num_rx_antennas);
  const io::EthernetHeader ethernet{config.ru_mac, config.du_mac, config.vlan};
  prach_frame_.resize(io::ecpri_frame_header_size(ethernet) +
                      io::cplane_message_size(io::CplaneSectionType::prach_mixed_numerology, 1));
  prach_order_.reserve(64); // a slot's occasions (more grow it once)
}

void FronthaulCplaneSender::send_slot(std::uint16_t sfn, std::uint16_t slot,
                                      std::span<const phy::PuschConfig> pdus,
                                      std::span<const phy::PucchConfig> pucch,
                                      std::span<const io::FapiPrachOccasion> prach,
                                      std::span<const phy::SrsConfig> srs) {
  send_prach(sfn, slot, prach);
  send_sections(sfn, slot, pdus, pucch, srs);
  if (slot_done_) {
    slot_done_(sfn, slot);
  }
}

void FronthaulCplaneSender::send_sections(std::uint16_t sfn, std::uint16_t slot,
                                          std::span<const phy::PuschConfig> pdus,
                                          std::span<const phy::PucchConfig> pucch,
                                          std::span<const phy::SrsConfig> srs) {
  allocations_.clear();
  if (pdus.empty() && pucch.empty() && srs.empty()) {
    return;
  }
  if (pdus.size() > max_pdus_per_slot || pucch.size() > max_pucch_per_slot ||
      srs.size() > max_srs_per_slot) {
    ++slots_failed_;
    return;
  }
  for (unsigned rx = 0; rx < num_rx_; ++rx) {
    const auto eaxc = io::pack_eaxc_id(
        {config_.du_port, config_.band_sector, config_.cc, static_cast<std::uint16_t>(rx)},
        config_.eaxc_layout);
    for (const auto& p : pdus) {
      // Each intra-slot hop on its own PRBs (TS 38.214 6.3.1).
      const phy::PuschHops hops = phy::pusch_hops(p);
      for (unsigned h = 0; h < hops.count; ++h) {
        const phy::PuschHop& hop = hops.hops[h];
        allocations_.push_back(
            {eaxc, static_cast<std::uint16_t>(p.bwp_start - cell_.grid_start_crb + hop.prb_start),
             static_cast<std::uint16_t>(p.prb_size), static_cast<std::uint8_t>(hop.start_symbol),
             static_cast<std::uint8_t>(hop.num_symbols), 0});
      }
    }
    for (const auto& p : pucch) {
      add_pucch_sections(eaxc, p);
    }
    for (const auto& p : srs) {
      add_srs_sections(eaxc, sfn, slot, p);
    }
  }
  const unsigned per_subframe = phy::slots_per_subframe(cell_.numerology);
  const io::UplinkSlot target{static_cast<std::uint8_t>(sfn & 0xFF),
                              static_cast<std::uint8_t>(slot / per_subframe),
                              static_cast<std::uint8_t>(slot % per_subframe)};
  const auto result = generator_.generate(target, allocations_, buffer_, frames_);
  if (!result.ok()) {
    ++slots_failed_;
    return;
  }
  for (std::size_t f = 0; f < result.num_frames; ++f) {
    out_(frames_[f]);
  }
  frames_sent_ += result.num_frames;
}

void FronthaulCplaneSender::send_prach(std::uint16_t sfn, std::uint16_t slot,
                                       std::span<const io::FapiPrachOccasion> prach) {
  const unsigned per_subframe = phy::slots_per_subframe(cell_.numerology);
  const io::EthernetHeader ethernet{config_.ru_mac, config_.du_mac, config_.vlan};
  const std::size_t header_size = io::ecpri_frame_header_size(ethernet);
  const std::size_t message_size = prach_frame_.size() - header_size;
  const unsigned first_port = config_.prach_first_ru_port(num_rx_);
  if (!prach.empty() &&
      (std::size_t{1} << config_.eaxc_layout.ru_port_bits) < first_port + num_rx_) {
    prach_failed_ += prach.size(); // the PRACH eAxCs do not fit the RU port field
    return;
  }
  // The occasions' frames go in the order of their first symbols: a live L1 sends each in its
  // own symbol's window, and each PRACH eAxC's ecpriSeqid must count in the order they leave.
  prach_order_.clear();
  for (std::size_t i = 0; i < prach.size(); ++i) {
    const auto request = io::oran_prach_request(prach[i].config, numerology_, cell_.num_prbs, slot);
    if (!request.error.empty()) {
      ++prach_failed_;
      continue;
    }
    prach_order_.emplace_back(i, request.request);
  }
  std::ranges::sort(prach_order_, {}, [](const auto& entry) { // no allocation, unlike stable_sort
    return std::pair{entry.second.start_symbol, entry.first};
  });
  for (const auto& [i, request] : prach_order_) {
    io::CplaneMessageHeader header;
    io::CplaneSection section;
    // Section ids count the slot's occasions: the O-RU's U-plane answers with them.
    io::fill_prach_cplane(request, config_.compression, static_cast<std::uint16_t>(i), header,
                          section);
    header.timing.frame_id = static_cast<std::uint8_t>(sfn & 0xFF);
    header.timing.subframe_id = static_cast<std::uint8_t>(slot / per_subframe);
    header.timing.slot_id = static_cast<std::uint8_t>(slot % per_subframe);
    for (unsigned rx = 0; rx < num_rx_; ++rx) {
      const auto frame = std::span<std::uint8_t>(prach_frame_);
      if (io::write_cplane_message(frame.subspan(header_size), header, std::span(&section, 1)) !=
          message_size) {
        ++prach_failed_;
        break;
      }
      io::EcpriMessageHeader ecpri;
      ecpri.type = io::EcpriMessageType::real_time_control;
      ecpri.eaxc_id = io::pack_eaxc_id({config_.du_port, config_.band_sector, config_.cc,
                                        static_cast<std::uint16_t>(first_port + rx)},
                                       config_.eaxc_layout);
      ecpri.sequence = {prach_sequence_ids_[rx]++, true, 0};
      io::write_ecpri_frame_header(frame, ethernet, ecpri, message_size);
      out_(frame);
      ++frames_sent_;
    }
  }
}

void FronthaulCplaneSender::add_pucch_sections(std::uint16_t eaxc, const phy::PucchConfig& pucch) {
  const unsigned first_hop = pucch.first_hop_symbols();
  for (unsigned hop = 0; hop < (pucch.intra_slot_hopping ? 2U : 1U); ++hop) {
    const unsigned first_symbol = hop == 0 ? 0 : first_hop;
    const io::UplinkAllocation section{
        eaxc,
        static_cast<std::uint16_t>(pucch.first_crb_of(first_symbol) - cell_.grid_start_crb),
        static_cast<std::uint16_t>(pucch.num_prbs),
        static_cast<std::uint8_t>(pucch.start_symbol + first_symbol),
        static_cast<std::uint8_t>(hop == 0 ? first_hop : pucch.num_symbols - first_hop),
        0};
    // UEs multiplexed on one PUCCH resource: the RU sends its REs once.
    add_section_once(section);
  }
}

void FronthaulCplaneSender::add_srs_sections(std::uint16_t eaxc, std::uint16_t sfn,
                                             std::uint16_t slot, const phy::SrsConfig& srs) {
  // The whole PRBs of each symbol's comb (every port's comb lies in them), symbols in a row on
  // the same PRBs in one section.
  const unsigned slots_per_frame = phy::slots_per_frame(cell_.numerology);
  unsigned l = 0;
  while (l < srs.num_symbols) {
    const unsigned first = phy::srs_first_subcarrier(
        srs, cell_, 0, phy::srs_hopping_counter(srs, slots_per_frame, sfn, slot, l));
    unsigned run = 1;
    while (l + run < srs.num_symbols &&
           phy::srs_first_subcarrier(
               srs, cell_, 0, phy::srs_hopping_counter(srs, slots_per_frame, sfn, slot, l + run)) /
                   12 ==
               first / 12) {
      ++run;
    }
    add_section_once(
        {eaxc, static_cast<std::uint16_t>(first / 12), static_cast<std::uint16_t>(srs.num_prbs()),
         static_cast<std::uint8_t>(srs.start_symbol + l), static_cast<std::uint8_t>(run), 0});
    l += run;
  }
}

void FronthaulCplaneSender::add_section_once(const io::UplinkAllocation& section) {
  const bool known = std::ranges::any_of(allocations_, [&](const io::UplinkAllocation& a) {
    return a.eaxc_id == section.eaxc_id && a.start_prb == section.start_prb &&
           a.num_prbs == section.num_prbs && a.start_symbol == section.start_symbol &&
           a.num_symbols == section.num_symbols;
  });
  if (!known) {
    allocations_.push_back(section);
  }
}

} // namespace airan::l1
