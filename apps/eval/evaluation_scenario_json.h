/// \file
/// \brief Private to airan_eval: the "scenario" object of bler.json (what was simulated).
#pragma once

#include "airan/apps/bler_evaluation.h"

#include <nlohmann/json.hpp>

namespace airan::apps {

/// Cell, receive antennas, the PUSCH (allocation with its intra-slot hopping, layers, MCS,
/// transform precoding, PT-RS, UCI), TBS, channel and the run's stopping rules, seed and SNR
/// axis. PT-RS and hopping are null when the PUSCH has none.
nlohmann::json evaluation_scenario_json(const EvaluationConfig& config);

} // namespace airan::apps
