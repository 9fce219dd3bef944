"""Exports NeuralReceiver to ONNX and writes the reference tensors the C++ runtime is tested on.

  /usr/bin/python3 models/export_onnx.py --joint-features --amplitude-features --llr-gain
                                                    # small reference model + tensors
  /usr/bin/python3 models/export_onnx.py --width 96 --blocks 6 --output model.onnx --no-reference

The reference set (models/reference/) holds the ONNX file of a small random-init model (fixed
seed), one random input per model input and PyTorch's output, as float32 .npy files. The
committed set is the first command's: it has every feature subgraph of the committed model.
"""

import argparse
import pathlib

import numpy as np
import onnx
import torch

from neural_receiver import (LLR_CHANNELS, LS_CHANNEL_CHANNELS, RX_GRID_CHANNELS,
                             SIDE_INFO_CHANNELS, NeuralReceiver, freeze_for_export,
                             parameter_count)

INPUT_NAMES = ["rx_grid", "ls_channel", "side_info"]
OUTPUT_NAMES = ["llr"]
OPSET = 13
# Metadata key of the most layers the model was trained for (phy/nn/neural_pusch_detector.h):
# the receiver refuses PDUs with more, whose LLR channels were never trained.
MAX_LAYERS_KEY = "airan.max_layers"


def reference_inputs(num_symbols, num_subcarriers, generator):
    shape = (1, num_symbols, num_subcarriers)
    rx_grid = torch.randn((1, RX_GRID_CHANNELS) + shape[1:], generator=generator)
    ls_channel = torch.randn((1, LS_CHANNEL_CHANNELS) + shape[1:], generator=generator)
    side_info = torch.rand((1, SIDE_INFO_CHANNELS) + shape[1:], generator=generator)
    # Three antennas present, the fourth zero-padded with mask 0.
    rx_grid[:, 6:8] = 0.0
    ls_channel[:, 24:32] = 0.0
    side_info[:, 0:3] = 1.0
    side_info[:, 3] = 0.0
    return rx_grid, ls_channel, side_info


def set_max_layers(path, max_layers):
    """Records in the ONNX file at `path` that its model takes at most `max_layers` layers; its
    other metadata (e.g. airan.dmrs_layouts) stays (onnx.helper.set_model_props drops it all)."""
    proto = onnx.load(str(path))
    entries = [entry for entry in proto.metadata_props if entry.key == MAX_LAYERS_KEY]
    for extra in entries[1:]:
        proto.metadata_props.remove(extra)
    entry = entries[0] if entries else proto.metadata_props.add()
    entry.key = MAX_LAYERS_KEY
    entry.value = str(max_layers)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(path))


def export(model, path, example_inputs, max_layers=None):
    """Exports `model` with dynamic symbol and subcarrier axes; with `max_layers`, records the
    most layers it was trained for (set_max_layers)."""
    freeze_for_export(model)
    dynamic_axes = {name: {2: "symbols", 3: "subcarriers"} for name in INPUT_NAMES + OUTPUT_NAMES}
    torch.onnx.export(model, example_inputs, str(path), input_names=INPUT_NAMES,
                      output_names=OUTPUT_NAMES, opset_version=OPSET, do_constant_folding=True,
                      dynamic_axes=dynamic_axes)
    onnx.checker.check_model(onnx.load(str(path)))
    if max_layers is not None:
        set_max_layers(path, max_layers)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--width", type=int, default=16, help="channels inside the network")
    parser.add_argument("--blocks", type=int, default=2, help="residual blocks")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--symbols", type=int, default=14)
    parser.add_argument("--subcarriers", type=int, default=24, help="12 per PRB")
    parser.add_argument("--output", type=pathlib.Path,
                        default=pathlib.Path(__file__).parent / "reference" / "neural_receiver_small.onnx")
    parser.add_argument("--no-reference", action="store_true", help="write the ONNX file only")
    parser.add_argument("--joint-features", action="store_true",
                        help="with the layer pairs' joint MMSE features (neural_receiver.py)")
    parser.add_argument("--amplitude-features", action="store_true",
                        help="with the amplitudes of the joint estimates (neural_receiver.py)")
    parser.add_argument("--llr-gain", action="store_true",
                        help="with the LLR gain head (neural_receiver.py), given random weights "
                             "here so that the reference exercises it (a new head starts at 0)")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    model = NeuralReceiver(width=args.width, num_blocks=args.blocks,
                           joint_features=args.joint_features,
                           amplitude_features=args.amplitude_features,
                           llr_gain=args.llr_gain).eval()
    if args.llr_gain:
        with torch.no_grad():
            model.gain_conv.weight.normal_(0.0, 0.1)
            model.gain_conv.bias.normal_(0.0, 0.3)
    generator = torch.Generator().manual_seed(args.seed + 1)
    inputs = reference_inputs(args.symbols, args.subcarriers, generator)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    export(model, args.output, inputs)
    graph = onnx.load(str(args.output)).graph
    ops = sorted({node.op_type for node in graph.node})
    print(f"{args.output}: {parameter_count(model)} parameters, operators {ops}")
    if args.no_reference:
        return
    with torch.no_grad():
        llr = model(*inputs)
    assert llr.shape[1] == LLR_CHANNELS
    directory = args.output.parent
    for name, tensor in zip(INPUT_NAMES + OUTPUT_NAMES, list(inputs) + [llr]):
        np.save(directory / f"{name}.npy", tensor.numpy().astype(np.float32))
        print(f"  {name}.npy {tuple(tensor.shape)}")


if __name__ == "__main__":
    main()
