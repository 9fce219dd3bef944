"""Trains the neural receiver on slots from this project's transmitter and channel models.

  PYTHONPATH=build/python /usr/bin/python3 models/train_neural_receiver.py --steps 3000

Data: models/training_data.py (randomised links through `import airan`). Loss: binary
cross-entropy of the LLRs against the transmitted (scrambled) codeword bits. Optimiser: Adam with
a linear warm-up and a cosine decay over --steps. Deterministic from --seed: batch i is drawn from
(seed, i), so a run resumed from its checkpoint (--resume) continues exactly where it stopped;
--resume refuses a missing checkpoint and one another run wrote (other training arguments).
Uses a CUDA device when torch sees one (--device), else the CPU with --threads threads.

Every --validate-every steps the model is scored on a fixed validation set against the reference
receivers' LLRs on the same slots (ls-lin-lmmse and mmse-lmmse, through the same C++ front end the
product runs), in bits of cross-entropy per coded bit and in bit error rate. The end of the run
writes the ONNX model (--output) and, beside it, a JSON record of the command and the scores.
"""

import argparse
import json
import math
import os
import pathlib
import re
import sys
import time

import numpy as np
import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# The build's module after PYTHONPATH: a tree named there (another build) is the one imported.
sys.path.append(str(HERE.parent / "build" / "python"))

from export_onnx import export  # noqa: E402
from neural_receiver import NeuralReceiver, parameter_count  # noqa: E402
from training_data import (check_layer_weights, draw_batch,  # noqa: E402
                           masked_bce, masked_log_bce, masked_mixed_bce, simulate_example,
                           trained_max_layers, validation_links)

REFERENCE_RECEIVERS = ("ls-lin-lmmse", "mmse-lmmse")


def validation_set(seed, count, num_prbs, multi_layer_fraction=0.2, max_layers=2,
                   layer_weights=None):
    """Fixed examples with the reference receivers' LLRs of the same slots, with the layer mix
    of the training examples (validation_links)."""
    examples = []
    for link in validation_links(seed, count, multi_layer_fraction, max_layers, layer_weights):
        inputs = None
        references = {}
        for name in REFERENCE_RECEIVERS:
            rx, ls, side, labels, mask, pdu = simulate_example(num_prbs, link, name)
            inputs = inputs or (rx, ls, side, labels, mask, pdu)
            references[name] = pdu["llr_reference"]
        examples.append((inputs, references))
    return examples


def bits_bce(llr, bits):
    p1 = torch.from_numpy(bits.astype(np.float32))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(-torch.from_numpy(llr), p1)
    return float(loss) / math.log(2.0)


def validate(model, examples, device):
    """Mean cross-entropy (bits per coded bit) and BER of the model and of each reference, over
    all examples and (keys "<receiver> 1 layer", "<receiver> N layers") over the examples with
    each layer count alone."""
    sums = {}
    model.eval()
    with torch.no_grad():
        for (rx, ls, side, _, _, pdu), references in examples:
            llr = model(*(torch.from_numpy(t[None]).to(device) for t in (rx, ls, side)))
            llr = llr.cpu().numpy().reshape(-1)[pdu["llr_positions"]]
            bits = pdu["codeword_bits"]
            layers = pdu["num_layers"]
            groups = ["", f" {layers} layer" + ("s" if layers > 1 else "")]
            for name, values in [("neural", llr)] + list(references.items()):
                for group in groups:
                    entry = sums.setdefault(name + group, [0.0, 0.0, 0])
                    entry[0] += bits_bce(values, bits)
                    entry[1] += float(np.mean((values < 0) != bits))
                    entry[2] += 1
    model.train()
    return {name: {"bce_bits": round(v[0] / v[2], 5), "ber": round(v[1] / v[2], 6)}
            for name, v in sums.items()}


def initialise_from_onnx(model, path):
    """Copies the weights of an exported model into `model` (fine-tuning a grown architecture):
    tensors of the same name and shape are copied; an input convolution with more input channels
    gets the old channels' weights and zero pointwise weights on the new ones, so that the grown
    model starts out computing exactly what the old one did."""
    import onnx
    from onnx import numpy_helper
    weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
    # Every weight of the old model must have a place in the new one: a head the new
    # architecture lacks (e.g. the LLR gain without --llr-gain) would be dropped silently, and the
    # model would not start from what the old one computed.
    parameters = {name for name, _ in model.named_parameters()}
    unused = sorted(name for name in weights
                    if name not in parameters and not re.fullmatch(r"smoothers\.\d+\.frozen_\w+", name))
    if unused:
        raise ValueError(f"{path}: the model has no place for {', '.join(unused)} (is an option "
                         f"of the old model's architecture missing?)")
    copied = 0
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name not in weights:
                continue
            old = torch.from_numpy(weights[name].copy())
            if old.shape == parameter.shape:
                parameter.copy_(old)
            elif name.startswith("input_conv.depthwise"):
                parameter[:old.shape[0]] = old
            elif name == "input_conv.pointwise.weight":
                parameter.zero_()
                parameter[:, :old.shape[1]] = old
            else:
                raise ValueError(f"{path}: {name} has shape {tuple(old.shape)}, "
                                 f"the model {tuple(parameter.shape)}")
            copied += 1
        # The smoothers' taps were exported as constant kernels (softmax of their logits): their
        # logarithms are logits with the same softmax.
        for index, smoother in enumerate(getattr(model, "smoothers", [])):
            for axis, logits in (("freq", smoother.freq_logits), ("time", smoother.time_logits)):
                taps = weights.get(f"smoothers.{index}.frozen_{axis}_1")
                if taps is None:
                    continue
                if taps.size != logits.numel():
                    raise ValueError(f"{path}: smoother {index} has {taps.size} {axis} taps, "
                                     f"the model {logits.numel()}")
                logits.copy_(torch.log(torch.from_numpy(taps.reshape(-1).copy())))
                copied += 1
    print(f"initialised {copied} tensors from {path}")


def trainable_parameters(model, prefixes=None):
    """The parameters to train: all of them, or (`prefixes`) those whose names start with one of
    the prefixes, the others frozen (requires_grad off). ValueError if none matches."""
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(not prefixes or any(name.startswith(p) for p in prefixes))
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    if not trainable:
        raise ValueError(f"--train-only {','.join(prefixes)} matches no parameter")
    return trainable


def learning_rate(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    floor = args.lr * args.final_lr_fraction
    return floor + 0.5 * (args.lr - floor) * (1.0 + math.cos(math.pi * min(1.0, progress)))



# Arguments that do not change what a run trains: a resumed run may give them otherwise.
OPERATIONAL_ARGUMENTS = frozenset({"threads", "device", "checkpoint", "checkpoint_every",
                                   "validate_every", "resume", "output"})


def run_arguments(args):
    """The arguments that define a training run (its data, model, schedule and length), as
    strings: what a checkpoint records and --resume requires to be the same."""
    return {k: str(v) for k, v in sorted(vars(args).items()) if k not in OPERATIONAL_ARGUMENTS}

def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--prb-min", type=int, default=4, help="PRBs per example, drawn per batch")
    parser.add_argument("--prb-max", type=int, default=24)
    parser.add_argument("--width", type=int, default=96)
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--final-lr-fraction", type=float, default=0.05)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--validate-every", type=int, default=250)
    parser.add_argument("--validation-examples", type=int, default=48)
    parser.add_argument("--validation-prbs", type=int, default=16)
    parser.add_argument("--checkpoint", type=pathlib.Path,
                        default=HERE / "checkpoints" / "neural_receiver.pt")
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    parser.add_argument("--output", type=pathlib.Path, default=HERE / "neural_receiver.onnx")
    parser.add_argument("--joint-features", action="store_true",
                        help="add the joint MMSE features of the layers (neural_receiver.py)")
    parser.add_argument("--amplitude-features", action="store_true",
                        help="add |Re x|, |Im x| of the joint estimates (needs --joint-features)")
    parser.add_argument("--two-layer-fraction", "--multi-layer-fraction", type=float, default=0.2,
                        dest="multi_layer_fraction",
                        help="probability of more than one layer for a training example with 2+ "
                        "antennas")
    parser.add_argument("--max-layers", type=int, default=2, choices=(1, 2, 3, 4),
                        help="layers per training example at most (written into the model)")
    parser.add_argument("--layer-weights", type=lambda text: [float(w) for w in text.split(",")],
                        help="relative weights of 1, 2, ... layers per training example, e.g. "
                        "3,2,2,3 (replaces --multi-layer-fraction)")
    parser.add_argument("--relative-loss", action="store_true",
                        help="minimise the mean log cross-entropy per slot (masked_log_bce)")
    parser.add_argument("--relative-weight", type=float,
                        help="minimise cross-entropy plus this weight times the mean log "
                        "cross-entropy per slot (masked_mixed_bce)")
    parser.add_argument("--llr-gain", action="store_true",
                        help="scale the LLRs by a learned per-RE confidence (NeuralReceiver)")
    parser.add_argument("--train-only", type=lambda text: text.split(","),
                        help="train only the parameters whose names start with one of these "
                        "comma-separated prefixes (e.g. gain_conv: the LLR gain head alone, so "
                        "the signs of the LLRs stay those of the initial model); the others stay "
                        "frozen")
    parser.add_argument("--init-from", type=pathlib.Path,
                        help="start from the weights of this ONNX model (see initialise_from_onnx)")
    args = parser.parse_args()
    if (problem := check_layer_weights(args.layer_weights)) is not None:
        parser.error(f"--layer-weights: {problem}")
    for name in ("validation_examples", "validate_every", "checkpoint_every", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    model = NeuralReceiver(width=args.width, num_blocks=args.blocks,
                           joint_features=args.joint_features,
                           amplitude_features=args.amplitude_features,
                           llr_gain=args.llr_gain).to(device)
    try:
        trainable = trainable_parameters(model, args.train_only)
    except ValueError as error:
        parser.error(str(error))
    optimiser = torch.optim.Adam(trainable, lr=args.lr)
    if args.init_from:
        initialise_from_onnx(model, args.init_from)
    step = 0
    history = []
    run = run_arguments(args)
    if args.resume:
        if not args.checkpoint.exists():
            parser.error(f"--resume: no checkpoint at {args.checkpoint}")
        state = torch.load(args.checkpoint, map_location=device)
        # Only this run's own checkpoint: another run's weights would be exported under this
        # command's record and airan.max_layers.
        if state.get("run") != run:
            stored = state.get("run") or {}
            differ = sorted(k for k in set(run) | set(stored) if run.get(k) != stored.get(k))
            parser.error(f"--resume: {args.checkpoint} is another run's (arguments that differ: "
                         f"{', '.join(differ) if differ else 'none recorded'})")
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step = state["step"]
        history = state["history"]
        print(f"resumed at step {step}")
    print(f"{parameter_count(model)} parameters, {args.threads} threads, device {device}")
    examples = validation_set(args.seed, args.validation_examples, args.validation_prbs,
                              args.multi_layer_fraction, args.max_layers, args.layer_weights)

    if args.init_from and step == 0:
        scores = validate(model, examples, device)
        history.append({"step": 0, "scores": scores})
        print(f"validation of the initial model: {json.dumps(scores)}", flush=True)
    start = time.time()
    running = 0.0
    while step < args.steps:
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(step, args)
        rx, ls, side, labels, mask = (t.to(device) for t in
                                      draw_batch(args.seed, step, args.batch_size,
                                                 (args.prb_min, args.prb_max),
                                                 args.multi_layer_fraction, args.max_layers,
                                                 args.layer_weights))
        llr = model(rx, ls, side)
        if args.relative_weight is not None:
            loss = masked_mixed_bce(llr, labels, mask, args.relative_weight)
        elif args.relative_loss:
            loss = masked_log_bce(llr, labels, mask)
        else:
            loss = masked_bce(llr, labels, mask)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        running = 0.98 * running + 0.02 * float(loss) if step else float(loss)
        step += 1
        if step % 20 == 0:
            print(f"step {step} loss {running:.4f} lr {learning_rate(step, args):.2e} "
                  f"{(time.time() - start) / 60:.1f} min", flush=True)
        if step % args.validate_every == 0 or step == args.steps:
            scores = validate(model, examples, device)
            history.append({"step": step, "scores": scores})
            print(f"validation at step {step}: {json.dumps(scores)}", flush=True)
        if step % args.checkpoint_every == 0 or step == args.steps:
            args.checkpoint.parent.mkdir(parents=True, exist_ok=True)
            torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(),
                        "step": step, "history": history, "run": run}, args.checkpoint)

    model = model.cpu().eval()
    rx, ls, side, _, _, _ = examples[0][0]
    export(model, args.output, tuple(torch.from_numpy(t[None]) for t in (rx, ls, side)),
           max_layers=trained_max_layers(args.max_layers, args.layer_weights,
                                         args.multi_layer_fraction))
    record = {
        "command": " ".join(["/usr/bin/python3", "models/train_neural_receiver.py"] + sys.argv[1:]),
        "parameters": parameter_count(model),
        "arguments": {k: str(v) for k, v in vars(args).items()},
        "training_minutes_this_run": round((time.time() - start) / 60, 1),
        "validation": history,
    }
    args.output.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {args.output} and {args.output.with_suffix('.json')}")


if __name__ == "__main__":
    main()
