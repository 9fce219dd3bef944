"""Training data for the neural receiver from this project's transmitter and channel models.

Every example is one slot of one PUSCH drawn by `airan.Simulator` (the C++ transmitter, TDL
channel and the product's neural-input builder, see docs/PYTHON.md). The link is randomised per
example: numerology (15/30 kHz), receive antennas (1-4), layers (1 to max_layers, at most the
antennas), modulation (QPSK..256-QAM
through MCS table 2), DMRS type, additional positions and CDM groups, TDL profile (A/B/C), delay
spread (10-300 ns), Doppler (0-500 Hz) and SNR (a window per modulation order). All examples of
a batch share the PRB count (so that they stack); it is drawn per batch. Everything follows from
(seed, batch index), so a run is reproducible.
"""

import math

import numpy as np
import torch

import airan

from neural_receiver import LLR_CHANNELS

# SNR windows (dB, per RE) per modulation order: from where the LDPC code at the table's lowest
# rate fails to where its highest rate decodes easily.
SNR_WINDOW_DB = {2: (-6.0, 12.0), 4: (0.0, 18.0), 6: (5.0, 24.0), 8: (10.0, 32.0)}
# MCS table 2 (256-QAM table) indices per modulation order.
MCS_TABLE2 = {2: (0, 4), 4: (5, 10), 6: (11, 19), 8: (20, 27)}
PROFILES = ("TDL-A", "TDL-B", "TDL-C")


def scenario_yaml(num_prbs, numerology, num_rx, num_layers, mcs_index, dmrs_type,
                  additional_position, cdm_groups_no_data):
    """A one-PDU scenario (the same YAML as configs/*.yaml) filling the whole carrier. Three
    layers go out of four antenna ports with codebook precoding (TPMI 0: layer l on port l), the
    others of as many ports as layers without precoding."""
    ports = list(range(num_layers))
    return f"""cell:
  num_prbs: {num_prbs}
  grid_start_crb: 0
  numerology: {numerology}
  cyclic_prefix: normal
  n_cell_id: 1
  dmrs_type_a_position: 2
  num_antenna_ports: {4 if num_layers == 3 else num_layers}
num_rx_antennas: {num_rx}
slot_number: 0
pusch:
  - rnti: 1
    handle: 0
    bwp_start: 0
    bwp_size: {num_prbs}
    prb_start: 0
    prb_size: {num_prbs}
    start_symbol: 0
    num_symbols: 14
    mapping_type: A
    dmrs_config_type: {dmrs_type}
    dmrs_additional_position: {additional_position}
    dmrs_length: 1
    dmrs_ports: {ports}
    n_scid: 0
    dmrs_scrambling_id: 1
    num_dmrs_cdm_groups_no_data: {cdm_groups_no_data}
    mcs_index: {mcs_index}
    mcs_table: 2
    num_layers: {num_layers}
    precoding: {"codebook" if num_layers == 3 else "non-codebook"}
    tpmi: 0
    rv: 0
    harq_process_id: 0
    data_scrambling_id: 1
"""


def trained_max_layers(max_layers, layer_weights=None, multi_layer_fraction=0.2):
    """The most layers draw_link() draws with these arguments: what a model trained on its
    examples may claim (the model's airan.max_layers). With layer_weights, the highest layer
    count of non-zero weight among the first max_layers; without, max_layers unless
    multi_layer_fraction leaves every example one layer."""
    if layer_weights is None:
        return max_layers if max_layers >= 2 and multi_layer_fraction > 0 else 1
    drawn = [count for count, weight in enumerate(layer_weights[:max_layers], start=1) if weight > 0]
    return max(drawn) if drawn else 0


def check_layer_weights(layer_weights):
    """The problem with layer_weights for draw_link(), or None: weights must be finite and
    non-negative, and the first (one layer) positive, since a one-antenna example can draw one
    layer only."""
    if layer_weights is None:
        return None
    if not layer_weights or any(not math.isfinite(w) or w < 0 for w in layer_weights):
        return "the weights must be finite and non-negative"
    if layer_weights[0] <= 0:
        return "the weight of one layer must be positive (one-antenna examples draw one layer)"
    return None


def draw_link(rng, multi_layer_fraction=0.2, max_layers=2, layer_weights=None):
    """Random link parameters of one example (everything but the PRB count): with probability
    multi_layer_fraction, when there are at least two receive antennas, 2 to min(antennas,
    max_layers) layers (uniform), else one. With max_layers 2 the draws are those of the models
    trained before 3-4 layers existed (stage 3 and earlier). layer_weights (relative weights of
    1, 2, ... layers) replaces that rule: the layer count is drawn with those weights among the
    counts up to min(antennas, max_layers)."""
    num_rx = int(rng.choice([1, 2, 4, 4, 4, 3]))
    num_layers = 1
    if layer_weights is not None:
        weights = np.asarray(layer_weights[:min(num_rx, max_layers)], float)
        num_layers = int(rng.choice(np.arange(1, weights.size + 1), p=weights / weights.sum()))
    elif max_layers >= 2 and num_rx >= 2 and rng.random() < multi_layer_fraction:
        most = min(num_rx, max_layers)
        num_layers = 2 if most == 2 else int(rng.integers(2, most + 1))
    qm = int(rng.choice([2, 4, 6, 8]))
    low, high = MCS_TABLE2[qm]
    dmrs_type = 2 if rng.random() < 0.25 else 1
    return {
        "numerology": int(rng.choice([0, 1])),
        "num_rx": num_rx,
        "num_layers": num_layers,
        "qm": qm,
        "mcs_index": int(rng.integers(low, high + 1)),
        "dmrs_type": dmrs_type,
        "additional_position": int(rng.choice([0, 1, 1, 2])),
        # Ports 2 and 3 are in CDM group 1: with 3-4 layers both groups carry DMRS.
        "cdm_groups_no_data": max(int(rng.choice([1, 2])) if dmrs_type == 1 else 2,
                                  2 if num_layers > 2 else 1),
        "profile": str(rng.choice(PROFILES)),
        "delay_spread_ns": float(rng.uniform(10.0, 300.0)),
        "doppler_hz": float(rng.uniform(0.0, 500.0)),
        "snr_db": float(rng.uniform(*SNR_WINDOW_DB[qm])),
        "seed": int(rng.integers(0, 2**62)),
    }


def simulate_example(num_prbs, link, reference_receiver=""):
    """One slot of `link`: the model inputs, the label and mask tensors [32, S, F], the PDU."""
    yaml = scenario_yaml(num_prbs, link["numerology"], link["num_rx"], link["num_layers"],
                         link["mcs_index"], link["dmrs_type"], link["additional_position"],
                         link["cdm_groups_no_data"])
    sim = airan.Simulator(scenario_yaml=yaml, channel=link["profile"],
                          delay_spread_ns=link["delay_spread_ns"], doppler_hz=link["doppler_hz"],
                          reference_receiver=reference_receiver, neural_inputs=True)
    slot = sim.simulate(snr_db=link["snr_db"], seed=link["seed"], slot=0)
    pdu = slot["pdus"][0]
    _, _, num_symbols, num_subcarriers = pdu["rx_grid"].shape
    labels = np.zeros(LLR_CHANNELS * num_symbols * num_subcarriers, np.float32)
    mask = np.zeros_like(labels)
    labels[pdu["llr_positions"]] = pdu["codeword_bits"]
    mask[pdu["llr_positions"]] = 1.0
    shape = (LLR_CHANNELS, num_symbols, num_subcarriers)
    return (pdu["rx_grid"][0], pdu["ls_channel"][0], pdu["side_info"][0],
            labels.reshape(shape), mask.reshape(shape), pdu)


def validation_links(seed, count, multi_layer_fraction=0.2, max_layers=2, layer_weights=None):
    """The links of a run's validation examples: drawn as the run's training examples are (the
    same layer mix), from a stream no training batch uses ([seed, 10**9])."""
    rng = np.random.default_rng([seed, 10**9])
    return [draw_link(rng, multi_layer_fraction, max_layers, layer_weights) for _ in range(count)]


def draw_batch(seed, batch_index, batch_size, prb_range, multi_layer_fraction=0.2, max_layers=2,
               layer_weights=None):
    """Batch `batch_index` of a run: stacked inputs, labels and masks as torch tensors."""
    rng = np.random.default_rng([seed, batch_index])
    num_prbs = int(rng.integers(prb_range[0], prb_range[1] + 1))
    examples = [simulate_example(num_prbs, draw_link(rng, multi_layer_fraction, max_layers,
                                                          layer_weights))
                for _ in range(batch_size)]
    return tuple(torch.from_numpy(np.stack([e[i] for e in examples])) for i in range(5))


def masked_bce(llr, labels, mask):
    """Binary cross-entropy of LLRs log P(0)/P(1) against bit labels, over the masked entries
    (bits per RE that exist), in bits: log2 of the inverse likelihood per coded bit."""
    # P(b = 1) = sigmoid(-llr).
    loss = torch.nn.functional.binary_cross_entropy_with_logits(-llr, labels, reduction="none")
    return (loss * mask).sum() / mask.sum() / np.log(2.0)


def masked_log_bce(llr, labels, mask, floor=1e-4):
    """Mean over the examples of log2 of each example's masked_bce (plus `floor`): the relative
    rather than the absolute cross-entropy of every slot. Plain cross-entropy gives a slot at
    high SINR (0.01 bits per coded bit) almost no weight against one near its threshold
    (0.5), so the LLRs of high-SINR slots stay too small; here halving either counts the same.
    """
    loss = torch.nn.functional.binary_cross_entropy_with_logits(-llr, labels, reduction="none")
    per_example = (loss * mask).sum(dim=(1, 2, 3)) / mask.sum(dim=(1, 2, 3)) / np.log(2.0)
    return torch.mean(torch.log2(per_example + floor))


def masked_mixed_bce(llr, labels, mask, relative_weight):
    """masked_bce plus relative_weight times masked_log_bce: the absolute cross-entropy keeps the
    slots near their threshold (where BLER is decided) in charge, the relative term still lifts
    the LLRs of high-SINR slots. With weight w a slot at cross-entropy x gets a gradient weight
    of about 1 + w / (x ln 2) against 1 for plain masked_bce."""
    return masked_bce(llr, labels, mask) + relative_weight * masked_log_bce(llr, labels, mask)

