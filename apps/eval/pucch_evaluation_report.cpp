// Outputs of `airan pucch-eval`: the configuration in one line, the results table and CSV.
#include "airan/apps/pucch_evaluation.h"

#include <algorithm>
#include <array>
#include <iomanip>
#include <sstream>
#include <string>

namespace airan::apps {
namespace {

/// One count of a point, as the table and the CSV name it.
struct CountColumn {
  const char* title; ///< Table heading.
  const char* key;   ///< CSV column prefix.
  PucchErrorCount PucchEvaluationPoint::*count;
};

constexpr std::array<CountColumn, 8> count_columns = {{
    {"ACK missed", "ack_missed", &PucchEvaluationPoint::ack_missed},
    {"NACK->ACK", "nack_to_ack", &PucchEvaluationPoint::nack_to_ack},
    {"SR missed", "sr_missed", &PucchEvaluationPoint::sr_missed},
    {"SR false", "sr_false", &PucchEvaluationPoint::sr_false},
    {"UCI BLER", "uci_block_error", &PucchEvaluationPoint::uci_block},
    {"not detected", "not_detected", &PucchEvaluationPoint::missed},
    {"DTX->ACK", "dtx_to_ack", &PucchEvaluationPoint::dtx_to_ack},
    {"DTX detected", "dtx_detected", &PucchEvaluationPoint::dtx_detected},
}};

/// "1.25% (25/2000)".
std::string count_text(const PucchErrorCount& count) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << 100.0 * count.rate() << "% (" << count.errors << '/'
       << count.trials << ')';
  return text.str();
}

std::string payload_text(const PucchEvaluationConfig& config) {
  const phy::PucchConfig& p = config.pucch;
  std::string text;
  const auto part = [&text](unsigned bits, const char* name) {
    if (bits != 0) {
      text += (text.empty() ? "" : " + ") + std::to_string(bits) + " " + name;
    }
  };
  part(p.harq_bits, "HARQ-ACK");
  part(p.sr_bits, "SR");
  part(p.csi_part1_bits, "CSI part 1");
  text += " bits";
  if (phy::pucch_carries_uci_payload(p.format)) {
    text += " in " + std::to_string(phy::pucch_uci_coded_bits(p)) + " coded bits";
  }
  if (p.harq_bits != 0) {
    text += config.harq == HarqPayload::random ? " (random HARQ-ACK)"
            : config.harq == HarqPayload::ack  ? " (all ACK)"
                                               : " (all NACK)";
  }
  return text;
}

} // namespace

std::string describe_pucch_evaluation(const PucchEvaluationConfig& config) {
  const phy::PucchConfig& p = config.pucch;
  const LinkScenario& s = config.scenario;
  std::ostringstream text;
  text << "PUCCH format " << static_cast<unsigned>(p.format) << ", PRBs " << p.prb_start << "+"
       << p.num_prbs;
  if (p.intra_slot_hopping) {
    text << " hopping to PRB " << p.second_hop_prb << " at symbol "
         << p.start_symbol + p.first_hop_symbols();
  }
  text << ", symbols " << p.start_symbol << "+" << p.num_symbols << ", " << payload_text(config);
  if (!phy::pucch_carries_uci_payload(p.format)) {
    text << ", initial cyclic shift " << p.initial_cyclic_shift;
  }
  if (p.format == phy::PucchFormat::format1) {
    text << ", OCC " << p.time_domain_occ;
  }
  if (p.format == phy::PucchFormat::format3 || p.format == phy::PucchFormat::format4) {
    text << ", " << (p.pi2_bpsk ? "pi/2-BPSK" : "QPSK")
         << (p.additional_dmrs ? ", additional DMRS" : "");
  }
  if (p.format == phy::PucchFormat::format4) {
    text << ", pre-DFT OCC " << p.pre_dft_occ_index << " of length " << p.pre_dft_occ_length;
  }
  text << "; " << s.cell.num_prbs << " PRB at " << (15U << s.cell.numerology) << " kHz, "
       << s.num_rx_antennas << " Rx; " << s.channel.describe() << "; " << config.slots
       << " PUCCH and " << config.dtx_slots << " noise-only slots per point, seed " << config.seed;
  return text.str();
}

std::string format_pucch_evaluation_table(const std::vector<PucchEvaluationPoint>& points) {
  std::vector<const CountColumn*> shown;
  for (const CountColumn& column : count_columns) {
    if (std::ranges::any_of(points, [&](const auto& p) { return (p.*column.count).trials > 0; })) {
      shown.push_back(&column);
    }
  }
  std::vector<std::vector<std::string>> rows{{"SNR dB", "PUCCH slots"}};
  for (const CountColumn* column : shown) {
    rows.front().emplace_back(column->title);
  }
  for (const PucchEvaluationPoint& p : points) {
    std::ostringstream snr;
    snr << std::fixed << std::setprecision(2) << p.snr_db;
    rows.push_back({snr.str(), std::to_string(p.slots)});
    for (const CountColumn* column : shown) {
      rows.back().push_back(count_text(p.*column->count));
    }
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  std::ostringstream table;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      table << (c == 0 ? "" : " | ") << std::setw(static_cast<int>(widths[c])) << row[c];
    }
    table << '\n';
  }
  PucchEvaluationPoint sweep;
  for (const PucchEvaluationPoint& p : points) {
    sweep += p;
  }
  if (sweep.dtx_slots > 0) {
    table << "noise-only slots over the sweep: ";
    if (sweep.dtx_to_ack.trials > 0) {
      table << "DTX->ACK " << count_text(sweep.dtx_to_ack) << ", ";
    }
    table << "PUCCH detected " << count_text(sweep.dtx_detected) << '\n';
  }
  return table.str();
}

std::string format_pucch_evaluation_csv(const std::vector<PucchEvaluationPoint>& points) {
  std::ostringstream csv;
  csv << "snr_db,slots,dtx_slots";
  for (const CountColumn& column : count_columns) {
    csv << ',' << column.key << "_errors," << column.key << "_trials," << column.key << "_rate";
  }
  csv << '\n';
  csv << std::setprecision(10);
  for (const PucchEvaluationPoint& p : points) {
    csv << p.snr_db << ',' << p.slots << ',' << p.dtx_slots;
    for (const CountColumn& column : count_columns) {
      const PucchErrorCount& count = p.*column.count;
      csv << ',' << count.errors << ',' << count.trials << ',' << count.rate();
    }
    csv << '\n';
  }
  return csv.str();
}

} // namespace airan::apps
