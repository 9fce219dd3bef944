"""Bit error rate of a neural receiver per layer and bit position, beside a classical receiver's.

  PYTHONPATH=build/python /usr/bin/python3 models/bit_error_profile.py \\
      --model models/neural_receiver.onnx --layers 4 --snr 12 16

Simulates slots with this project's transmitter and TDL channel (models/training_data.py, the
same path as training), runs the model (weights read from its ONNX file or from a training
checkpoint) and the reference receiver (through the C++ receiver, `import airan`) on the same
slots, and prints, per layer, for every bit of the modulation symbol: the neural receiver's bit
error rate / the reference's, and the neural receiver's mean |LLR|. A bit position the network
has not learned shows as a BER near 50% with a small |LLR| while the reference's is low.

With --calibration it prints instead, for both receivers, the bit-metric mutual information of
their LLRs (bits of information per coded bit, what a decoder fed these LLRs can use) when they
are multiplied by each of a few factors. A calibrated receiver peaks at factor 1; a peak above 1
means LLRs too small for their reliability (under-confident), which also costs an offset min-sum
decoder more than the lost information suggests, since its offset is fixed in LLR units.
"""

import argparse
import pathlib
import sys

import numpy as np
import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# The build's module after PYTHONPATH: a tree named there (another build) is the one imported.
sys.path.append(str(HERE.parent / "build" / "python"))

from neural_receiver import MAX_BITS_PER_SYMBOL, NeuralReceiver  # noqa: E402
from training_data import MCS_TABLE2, simulate_example  # noqa: E402


FEATURE_OPTIONS = ((False, False), (True, False), (True, True))  # (joint, amplitude)


def model_like(weights):
    """An untrained NeuralReceiver shaped like the state `weights` (name -> array): width, residual
    blocks and feature options read off the input convolution's weight, the LLR gain head
    (llr_gain) from its weight's presence."""
    width, input_channels = weights["input_conv.pointwise.weight"].shape[:2]
    blocks = len({name.split(".")[1] for name in weights if name.startswith("blocks.")})
    for options in FEATURE_OPTIONS:
        model = NeuralReceiver(width, blocks, *options, llr_gain="gain_conv.weight" in weights)
        if model.input_conv.pointwise.weight.shape[1] == input_channels:
            return model
    raise ValueError(f"an input convolution of {input_channels} channels matches no "
                     "NeuralReceiver configuration")


def load_model(path):
    """NeuralReceiver with the weights of an ONNX export or a training checkpoint (.pt)."""
    if path.suffix == ".pt":
        state = torch.load(path, map_location="cpu")["model"]
        model = model_like(state)
        model.load_state_dict(state)
        return model.eval()
    import onnx
    from onnx import numpy_helper
    from train_neural_receiver import initialise_from_onnx
    weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
    model = model_like(weights)
    initialise_from_onnx(model, path)
    return model.eval()


def slot_llrs(model, link, num_prbs, reference, slot):
    """Slot `slot` of `link` (seed + slot): the neural and the reference receiver's LLRs of the
    codeword, its bits, and each bit's LLR channel (8 layer + bit position)."""
    rx, ls, side, _, _, pdu = simulate_example(num_prbs, dict(link, seed=link["seed"] + slot),
                                               reference)
    with torch.no_grad():
        llr = model(*(torch.from_numpy(t[None]) for t in (rx, ls, side))).numpy().reshape(-1)
    positions = pdu["llr_positions"]
    return (llr[positions], pdu["llr_reference"], pdu["codeword_bits"].astype(bool),
            positions // (rx.shape[1] * rx.shape[2]))


def profile(model, link, num_prbs, reference, slots):
    """Per layer and bit: [neural errors, reference errors, sum |LLR|, count]."""
    qm = link["qm"]
    sums = np.zeros((link["num_layers"], qm, 4))
    for slot in range(slots):
        neural, ref, bits, channel = slot_llrs(model, link, num_prbs, reference, slot)
        for layer in range(link["num_layers"]):
            for bit in range(qm):
                on = channel == MAX_BITS_PER_SYMBOL * layer + bit
                sums[layer, bit] += [np.sum((neural[on] < 0) != bits[on]),
                                     np.sum((ref[on] < 0) != bits[on]),
                                     np.sum(np.abs(neural[on])), np.count_nonzero(on)]
    return sums


CALIBRATION_FACTORS = (0.5, 0.7, 0.85, 1.0, 1.2, 1.5, 2.0, 3.0)


def bit_metric_information(llr, bits):
    """1 - E[log2(1 + exp(-s L))] with s = +1 for bit 0, -1 for bit 1 (LLR log P(0)/P(1)): the
    mutual information between a bit and its LLR if the LLR is taken at face value."""
    signs = np.where(bits.astype(bool), -1.0, 1.0)
    return 1.0 - float(np.mean(np.logaddexp(0.0, -signs * llr.astype(np.float64)))) / np.log(2.0)


def calibration(model, link, num_prbs, reference, slots, factors=CALIBRATION_FACTORS):
    """[2, len(factors)]: bit_metric_information of the neural (row 0) and reference (row 1) LLRs
    of `slots` slots, each multiplied by every factor."""
    llrs, bits = ([], []), []
    for slot in range(slots):
        neural, ref, slot_bits, _ = slot_llrs(model, link, num_prbs, reference, slot)
        llrs[0].append(neural)
        llrs[1].append(ref)
        bits.append(slot_bits)
    bits = np.concatenate(bits)
    return np.array([[bit_metric_information(a * np.concatenate(values), bits) for a in factors]
                     for values in llrs])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=pathlib.Path, required=True, help=".onnx or .pt")
    parser.add_argument("--layers", type=int, default=1, choices=(1, 2, 3, 4))
    parser.add_argument("--rx", type=int, default=4, choices=(1, 2, 4))
    parser.add_argument("--qm", type=int, default=4, choices=sorted(MCS_TABLE2),
                        help="bits per symbol (the MCS is the middle of table 2's range)")
    parser.add_argument("--snr", type=float, nargs="+", default=[12.0], help="dB per RE")
    parser.add_argument("--prb", type=int, default=24)
    parser.add_argument("--slots", type=int, default=1)
    parser.add_argument("--profile", default="TDL-A", choices=("TDL-A", "TDL-B", "TDL-C"))
    parser.add_argument("--delay-spread", type=float, default=30.0, help="ns")
    parser.add_argument("--doppler", type=float, default=10.0, help="Hz")
    parser.add_argument("--reference", default="ls-lin-lmmse")
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--calibration", action="store_true",
                        help="bit-metric information against an LLR factor instead of BER")
    args = parser.parse_args()
    if args.layers > args.rx:
        parser.error("--layers must not exceed --rx")

    torch.set_num_threads(1)
    model = load_model(args.model)
    low, high = MCS_TABLE2[args.qm]
    for snr in args.snr:
        link = dict(numerology=1, num_rx=args.rx, num_layers=args.layers, qm=args.qm,
                    mcs_index=(low + high) // 2, dmrs_type=1, additional_position=1,
                    cdm_groups_no_data=2, profile=args.profile,
                    delay_spread_ns=args.delay_spread, doppler_hz=args.doppler, snr_db=snr,
                    seed=args.seed)
        if args.calibration:
            table = calibration(model, link, args.prb, args.reference, args.slots)
            print(f"SNR {snr} dB: bit-metric information (bits per coded bit) of the LLRs "
                  "multiplied by " + " ".join(f"{a:6}" for a in CALIBRATION_FACTORS))
            for name, row in zip(("neural", args.reference), table):
                print(f"  {name:>12}: " + " ".join(f"{v:6.4f}" for v in row))
            continue
        sums = profile(model, link, args.prb, args.reference, args.slots)
        print(f"SNR {snr} dB: per bit, neural BER / {args.reference} BER |mean neural LLR|")
        for layer, row in enumerate(sums):
            cells = [f"{n / c:6.3f} /{r / c:6.3f} |{a / c:5.1f}" for n, r, a, c in row]
            print(f"  layer {layer}: " + "   ".join(cells))


if __name__ == "__main__":
    main()
