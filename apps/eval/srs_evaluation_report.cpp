// Outputs of `airan srs-eval`: the configuration in one line, the results table and CSV.
#include "airan/apps/srs_evaluation.h"

#include "airan/io/fapi_indication_conversion.h"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <string>

namespace airan::apps {
namespace {

const char* srs_eval_hopping_name(phy::SrsHopping hopping) {
  switch (hopping) {
  case phy::SrsHopping::group:
    return "group hopping";
  case phy::SrsHopping::sequence:
    return "sequence hopping";
  default:
    return "no group or sequence hopping";
  }
}

std::string srs_eval_fixed(double value, int decimals) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(decimals) << value;
  return text.str();
}

/// The rows under a heading, right-aligned in columns separated by " | ".
std::string srs_eval_align_columns(const std::vector<std::vector<std::string>>& rows) {
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
  return table.str();
}

} // namespace

std::string describe_srs_evaluation(const SrsEvaluationConfig& config) {
  const phy::SrsConfig& srs = config.srs;
  const LinkScenario& s = config.scenario;
  std::ostringstream text;
  text << "SRS " << srs.num_ports << (srs.num_ports == 1 ? " port" : " ports") << ", comb "
       << srs.comb_size << " offset " << srs.comb_offset << ", cyclic shift " << srs.cyclic_shift
       << ", C_SRS " << srs.c_srs << " B_SRS " << srs.b_srs << " (" << srs.num_prbs() << " PRBs";
  if (srs.frequency_hopping()) {
    text << ", hopping over b_hop " << srs.hopping_bandwidth << " in "
         << phy::srs_hopping_period(srs) << " hops";
  }
  text << "), symbols " << srs.start_symbol << "+" << srs.num_symbols << " repetition "
       << srs.repetition << ", sequence ID " << srs.sequence_id << ", "
       << srs_eval_hopping_name(srs.group_or_sequence_hopping);
  if (srs.resource_type != phy::SrsResourceType::aperiodic) {
    text << ", every " << srs.periodicity << " slots";
  }
  text << "; " << s.cell.num_prbs << " PRB at " << (15U << s.cell.numerology) << " kHz, "
       << s.cell.num_antenna_ports << (s.cell.num_antenna_ports == 1 ? " UE port, " : " UE ports, ")
       << s.num_rx_antennas << " Rx; " << s.channel.describe();
  if (const double mean_delay = channel_mean_delay_s(s.channel); mean_delay != 0.0) {
    text << ", mean delay " << srs_eval_fixed(mean_delay * 1e9, 0) << " ns";
  }
  text << "; UE delay " << config.delay_s * 1e9 << " ns (TimingAdvance "
       << io::fapi_timing_advance_from_delay(config.delay_s, s.cell.numerology) << "); "
       << config.slots << " slots per point, seed " << config.seed;
  return text.str();
}

std::string format_srs_evaluation_table(const std::vector<SrsEvaluationPoint>& points) {
  std::vector<std::vector<std::string>> rows{{"SNR dB", "slots", "true SNR dB", "SNR err dB",
                                              "SNR RMS dB", "timing err ns", "timing RMS ns",
                                              "TA right", "NMSE dB"}};
  for (const SrsEvaluationPoint& p : points) {
    rows.push_back(
        {srs_eval_fixed(p.snr_db, 2), std::to_string(p.slots),
         srs_eval_fixed(p.mean_true_snr_db(), 2), srs_eval_fixed(p.mean_snr_error_db(), 2),
         srs_eval_fixed(p.rms_snr_error_db(), 2), srs_eval_fixed(p.mean_timing_error_s() * 1e9, 1),
         srs_eval_fixed(p.rms_timing_error_s() * 1e9, 1),
         srs_eval_fixed(100.0 * p.timing_advance_share(), 1) + "%",
         srs_eval_fixed(p.channel_nmse_db(), 2)});
  }
  return srs_eval_align_columns(rows);
}

std::string format_srs_evaluation_csv(const std::vector<SrsEvaluationPoint>& points) {
  std::ostringstream csv;
  csv << "snr_db,slots,true_snr_db,snr_error_mean_db,snr_error_rms_db,timing_error_mean_ns,"
         "timing_error_rms_ns,timing_advance_matches,timing_advance_share,channel_nmse_db\n";
  csv << std::setprecision(10);
  for (const SrsEvaluationPoint& p : points) {
    csv << p.snr_db << ',' << p.slots << ',' << p.mean_true_snr_db() << ',' << p.mean_snr_error_db()
        << ',' << p.rms_snr_error_db() << ',' << p.mean_timing_error_s() * 1e9 << ','
        << p.rms_timing_error_s() * 1e9 << ',' << p.timing_advance_matches << ','
        << p.timing_advance_share() << ',' << p.channel_nmse_db() << '\n';
  }
  return csv.str();
}

} // namespace airan::apps
