#include "airan/apps/evaluation_report.h"

#include "airan/io/line_plot.h"
#include "evaluation_scenario_json.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace airan::apps {
namespace {

double parse_number(const std::string& text, const std::string& whole) {
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || !std::isfinite(value)) {
    throw std::invalid_argument("SNR list '" + whole + "': '" + text + "' is not a number");
  }
  return value;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) {
      return parts;
    }
    start = end + 1;
  }
}

/// "a .. b dB" for the SNR at BLER 10% on the lower and upper 95% curves; an end whose curve
/// does not cross reads "<first" (already below 10% at the first point simulated) or ">last"
/// (still above at the last one).
std::string format_snr_range(const std::vector<EvaluationPoint>& points, const std::string& name) {
  const EvaluationPoint* first = nullptr;
  const EvaluationPoint* last = nullptr;
  for (const auto& p : points) {
    if (p.receiver == name && p.simulated) {
      first = first == nullptr ? &p : first;
      last = &p;
    }
  }
  std::ostringstream out;
  out << std::fixed << std::setprecision(2);
  const auto end = [&](BlerCurve curve) {
    if (const auto snr = snr_at_bler(points, name, 0.1, curve)) {
      out << *snr;
    } else if (first == nullptr) {
      out << '?';
    } else {
      const BlerInterval interval = bler_wilson_interval(first->tb_errors, first->slots);
      const double at_first = curve == BlerCurve::lower95 ? interval.low : interval.high;
      if (at_first < 0.1) {
        out << '<' << first->snr_db;
      } else {
        out << '>' << last->snr_db;
      }
    }
  };
  end(BlerCurve::lower95);
  out << " .. ";
  end(BlerCurve::upper95);
  out << " dB";
  return out.str();
}

/// A p-value from its log10, also below double's range: "0.031", "1.2e-215", "3e-412".
std::string format_p_value(double log10_p) {
  std::ostringstream out;
  if (log10_p > -4.0) {
    out << std::setprecision(2) << std::pow(10.0, log10_p);
    return out.str();
  }
  double exponent = std::floor(log10_p);
  double mantissa = std::pow(10.0, log10_p - exponent);
  if (mantissa >= 9.95) { // would print as "10"
    mantissa /= 10.0;
    exponent += 1.0;
  }
  out << std::setprecision(2) << mantissa << 'e' << static_cast<long long>(exponent);
  return out.str();
}

std::vector<std::string> receiver_names(const EvaluationConfig& config) {
  std::vector<std::string> names;
  for (const auto& spec : config.receivers) {
    names.push_back(spec.name);
  }
  return names;
}

} // namespace

std::vector<double> parse_snr_list(const std::string& text) {
  std::vector<double> values;
  if (text.find(':') != std::string::npos) {
    const auto parts = split(text, ':');
    if (parts.size() != 3) {
      throw std::invalid_argument("SNR range '" + text + "' must be start:step:stop");
    }
    const double start = parse_number(parts[0], text);
    const double step = parse_number(parts[1], text);
    const double stop = parse_number(parts[2], text);
    if (step <= 0.0 || stop < start) {
      throw std::invalid_argument("SNR range '" + text + "' needs step > 0 and stop >= start");
    }
    // The number of steps as a double first: a tiny step makes it too large for any integer.
    const double steps = std::floor((stop - start) / step + 1e-9);
    if (!(steps < 1000.0)) {
      throw std::invalid_argument("SNR range '" + text + "' has more than 1000 points");
    }
    const auto count = static_cast<std::size_t>(steps) + 1;
    for (std::size_t i = 0; i < count; ++i) {
      values.push_back(start + double(i) * step);
    }
    return values;
  }
  for (const auto& part : split(text, ',')) {
    values.push_back(parse_number(part, text));
    if (values.size() > 1 && !(values.back() > values[values.size() - 2])) {
      throw std::invalid_argument("SNR list '" + text +
                                  "' must rise strictly (early stop and the BLER crossing read "
                                  "the points in order)");
    }
  }
  return values;
}

std::string format_evaluation_table(const EvaluationConfig& config,
                                    const std::vector<EvaluationPoint>& points) {
  const auto names = receiver_names(config);
  std::ostringstream out;
  out << std::fixed;
  out << std::setw(8) << "SNR dB";
  for (const auto& name : names) {
    out << " | " << std::setw(26) << std::left << (name + " BLER (err/slots)") << std::right << " "
        << std::setw(9) << "Mbit/s";
  }
  out << '\n';
  for (std::size_t i = 0; i < points.size(); i += names.size()) {
    out << std::setw(8) << std::setprecision(2) << points[i].snr_db;
    for (std::size_t r = 0; r < names.size(); ++r) {
      const auto& p = points[i + r];
      std::ostringstream cell;
      if (p.simulated) {
        cell << std::scientific << std::setprecision(2) << p.bler << " (" << p.tb_errors << "/"
             << p.slots << ")";
      } else {
        cell << "skipped (early stop)";
      }
      out << " | " << std::setw(26) << std::left << cell.str() << std::right << " " << std::setw(9);
      if (p.simulated) {
        out << std::setprecision(1) << p.throughput_mbps;
      } else {
        out << "-";
      }
    }
    out << '\n';
  }
  if (config.pusch.uci.present()) {
    // UCI block error rates per point: HARQ-ACK / CSI part 1 / CSI part 2, "-" for a part absent.
    out << "UCI errors (HARQ-ACK / CSI-1 / CSI-2 payloads wrong or not detected, of the slots):\n";
    for (std::size_t i = 0; i < points.size(); i += names.size()) {
      out << std::setw(8) << std::setprecision(2) << points[i].snr_db;
      for (std::size_t r = 0; r < names.size(); ++r) {
        const auto& p = points[i + r];
        std::ostringstream cell;
        const std::array<unsigned, 3> bits = {config.pusch.uci.harq_ack_bits,
                                              config.pusch.uci.csi_part1_bits,
                                              config.pusch.uci.csi_part2_bits};
        for (std::size_t part = 0; part < bits.size(); ++part) {
          cell << (part > 0 ? " / " : "");
          if (bits[part] == 0 || !p.simulated) {
            cell << '-';
          } else {
            cell << p.uci_errors[part];
          }
        }
        cell << " of " << p.slots;
        out << " | " << std::setw(36) << std::left << cell.str() << std::right;
      }
      out << '\n';
    }
  }
  out << "SNR at BLER 10%:";
  for (const auto& name : names) {
    const auto snr = snr_at_bler(points, name, 0.1);
    out << "  " << name << " ";
    if (snr) {
      out << std::setprecision(2) << *snr << " dB";
    } else {
      out << "not crossed";
    }
  }
  out << '\n';
  // The same crossing on the ends of each point's 95% interval. Receivers whose ranges do not
  // overlap are clearly apart; overlapping ones may still differ (every receiver sees the same
  // slots, which a paired comparison would use).
  out << "  95% range:   ";
  for (const auto& name : names) {
    out << "  " << name << " " << format_snr_range(points, name);
  }
  out << '\n';
  // Paired over the sweep: the slots where exactly one of two receivers failed.
  if (names.size() > 1) {
    out << "Paired over the sweep (each slot once: worse = only it failed at more SNR points; "
           "exact sign test):\n";
    for (const PairedSweep& sweep : paired_sweeps(points, names)) {
      out << "  " << sweep.a << " vs " << sweep.b << ": " << sweep.a << " worse on "
          << sweep.a_worse_slots << ", " << sweep.b << " worse on " << sweep.b_worse_slots << " of "
          << sweep.common_slots << " common slots, p = " << format_p_value(sweep.log10_p_value)
          << " (slot-points: only " << sweep.a << " failed " << sweep.only_a_failed << ", only "
          << sweep.b << " failed " << sweep.only_b_failed << " of " << sweep.slot_points << ")\n";
    }
  }
  return out.str();
}

std::vector<std::string> write_evaluation_outputs(const std::filesystem::path& directory,
                                                  const std::string& command,
                                                  const EvaluationConfig& config,
                                                  const std::vector<EvaluationPoint>& points) {
  std::filesystem::create_directories(directory);
  const auto names = receiver_names(config);
  const auto open = [](const std::filesystem::path& path) {
    std::ofstream file(path);
    if (!file) {
      throw std::runtime_error("cannot write " + path.string());
    }
    return file;
  };
  {
    auto csv = open(directory / "bler.csv");
    csv << "receiver,snr_db,slots,tb_errors,undetected_errors,bler,throughput_mbps,"
           "mean_post_eq_sinr_db,mean_receiver_us,simulated,bler_low95,bler_high95,"
           "harq_ack_errors,csi_part1_errors,csi_part2_errors\n";
    csv << std::setprecision(10);
    for (const auto& p : points) {
      const BlerInterval interval = bler_wilson_interval(p.tb_errors, p.slots);
      csv << p.receiver << ',' << p.snr_db << ',' << p.slots << ',' << p.tb_errors << ','
          << p.undetected_errors << ',' << p.bler << ',' << p.throughput_mbps << ','
          << p.mean_post_eq_sinr_db << ',' << p.mean_receiver_us << ',' << (p.simulated ? 1 : 0)
          << ',' << interval.low << ',' << interval.high << ',' << p.uci_errors[0] << ','
          << p.uci_errors[1] << ',' << p.uci_errors[2] << '\n';
    }
    if (!csv) {
      throw std::runtime_error("cannot write " + (directory / "bler.csv").string());
    }
  }
  const auto& s = config.scenario;
  const auto& pusch = config.pusch;
  nlohmann::json json;
  json["command"] = command;
  json["scenario"] = evaluation_scenario_json(config);
  json["results"] = nlohmann::json::array();
  for (const auto& p : points) {
    const BlerInterval interval = bler_wilson_interval(p.tb_errors, p.slots);
    json["results"].push_back({{"receiver", p.receiver},
                               {"snr_db", p.snr_db},
                               {"slots", p.slots},
                               {"tb_errors", p.tb_errors},
                               {"undetected_errors", p.undetected_errors},
                               {"bler", p.bler},
                               {"throughput_mbps", p.throughput_mbps},
                               {"mean_post_eq_sinr_db", p.mean_post_eq_sinr_db},
                               {"mean_receiver_us", p.mean_receiver_us},
                               {"simulated", p.simulated},
                               {"bler_ci95", {interval.low, interval.high}}});
    if (pusch.uci.present()) {
      nlohmann::json uci = nlohmann::json::object();
      const std::array<std::pair<const char*, unsigned>, 3> parts = {
          std::pair{"harq_ack", pusch.uci.harq_ack_bits},
          std::pair{"csi_part1", pusch.uci.csi_part1_bits},
          std::pair{"csi_part2", pusch.uci.csi_part2_bits}};
      for (std::size_t part = 0; part < parts.size(); ++part) {
        if (parts[part].second != 0) {
          uci[parts[part].first] = {
              {"bits", parts[part].second},
              {"errors", p.uci_errors[part]},
              {"block_error_rate",
               p.slots > 0 ? double(p.uci_errors[part]) / double(p.slots) : 0.0}};
        }
      }
      json["results"].back()["uci"] = uci;
    }
    nlohmann::json paired = nlohmann::json::object();
    for (std::size_t other = 0; other < p.paired.size() && other < names.size(); ++other) {
      if (names[other] != p.receiver) {
        paired[names[other]] = {{"common_slots", p.paired[other].common_slots},
                                {"only_this_failed", p.paired[other].only_this_failed},
                                {"only_other_failed", p.paired[other].only_other_failed}};
      }
    }
    json["results"].back()["paired"] = paired;
  }
  json["paired_over_sweep"] = nlohmann::json::array();
  for (const PairedSweep& sweep : paired_sweeps(points, names)) {
    json["paired_over_sweep"].push_back({{"a", sweep.a},
                                         {"b", sweep.b},
                                         {"common_slots", sweep.common_slots},
                                         {"a_worse_slots", sweep.a_worse_slots},
                                         {"b_worse_slots", sweep.b_worse_slots},
                                         {"slot_points", sweep.slot_points},
                                         {"only_a_failed", sweep.only_a_failed},
                                         {"only_b_failed", sweep.only_b_failed},
                                         {"p_value", sweep.p_value},
                                         {"log10_p_value", sweep.log10_p_value}});
  }
  const auto or_null = [](const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  for (const auto& name : names) {
    json["snr_at_bler_10_percent"][name] = or_null(snr_at_bler(points, name, 0.1));
    json["snr_at_bler_10_percent_ci95"][name] = {
        or_null(snr_at_bler(points, name, 0.1, BlerCurve::lower95)),
        or_null(snr_at_bler(points, name, 0.1, BlerCurve::upper95))};
  }
  {
    auto file = open(directory / "bler.json");
    // The command line as given may hold bytes that are not UTF-8 (a path): replaced, not thrown
    // on after the whole run.
    file << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    if (!file) {
      throw std::runtime_error("cannot write " + (directory / "bler.json").string());
    }
  }

  std::vector<io::PlotSeries> series;
  for (const auto& name : names) {
    io::PlotSeries curve;
    curve.label = name;
    for (const auto& p : points) {
      if (p.receiver == name && p.simulated && p.bler > 0.0) {
        curve.x.push_back(p.snr_db);
        curve.y.push_back(p.bler);
      }
    }
    if (!curve.x.empty()) {
      series.push_back(std::move(curve));
    }
  }
  if (series.empty()) {
    // No receiver had an error: nothing to draw on a log axis. A plot from an earlier run must
    // not stay beside this run's tables.
    std::error_code error;
    std::filesystem::remove(directory / "bler.png", error);
    if (error) {
      throw std::runtime_error("cannot remove " + (directory / "bler.png").string() + ": " +
                               error.message());
    }
    return {"bler.csv", "bler.json"};
  }
  io::LinePlotOptions options;
  std::ostringstream title;
  title << s.channel.model << ", " << s.cell.num_prbs << " PRB, " << s.num_rx_antennas << " Rx, "
        << pusch.num_layers << " layer(s), " << (pusch.transform_precoding ? "DFT-s-OFDM, " : "")
        << "MCS " << pusch.mcs_index;
  if (pusch.ptrs.enabled) {
    title << ", PT-RS L" << pusch.ptrs.time_density << " K" << pusch.ptrs.frequency_density;
  }
  if (pusch.intra_slot_hopping) {
    title << ", hopping";
  }
  if (s.channel.max_doppler_hz > 0.0) {
    title << ", " << s.channel.max_doppler_hz << " Hz";
  }
  options.title = title.str();
  options.x_label = config.snr_is_ebno ? "Eb/N0 (dB)" : "SNR per RE and Rx antenna (dB)";
  options.y_label = "BLER";
  options.log_y = true;
  if (config.snr_db.back() > config.snr_db.front()) {
    options.x_min = config.snr_db.front();
    options.x_max = config.snr_db.back();
  }
  io::write_line_plot_png(directory / "bler.png", series, options);
  return {"bler.csv", "bler.json", "bler.png"};
}

} // namespace airan::apps
