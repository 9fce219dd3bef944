"""Fully convolutional neural PUSCH receiver (NVIDIA real-time neural receiver / Nokia DeepRx class).

The network maps one slot's received resource grid, the nearest-neighbour LS channel estimates of
the DMRS and side information to per-RE LLRs. It is fully convolutional over (OFDM symbol,
subcarrier), so one set of weights runs on any PRB count and symbol count.

Antenna handling: a fixed maximum of 4 receive antennas; the channels of absent antennas are zero
and a mask plane per antenna (side_info channels 0..3) tells the network which antennas exist.

Inputs (NCHW, float32, batch 1, S = OFDM symbols, F = subcarriers); see docs/NEURAL_RECEIVER.md:
  rx_grid    [1, 8, S, F]   received grid, channel 2a = Re y_a, 2a+1 = Im y_a (antenna a = 0..3)
  ls_channel [1, 32, S, F]  LS estimate H[a][l], channel 2(4a+l) = Re, 2(4a+l)+1 = Im
  side_info  [1, 7, S, F]   0..3 antenna mask, 4 noise variance, 5 signed distance in symbols to
                            the nearest DMRS symbol / 14, 6 signed distance in subcarriers to the
                            nearest DMRS block centre / 12 (phy/nn/neural_receiver_inputs.h)
Output:
  llr        [1, 32, S, F]  channel 8l + j = LLR of bit j of layer l, log P(0)/P(1) (positive
                            favours bit 0)
"""

import torch
from torch import nn

MAX_RX_ANTENNAS = 4
MAX_LAYERS = 4
MAX_BITS_PER_SYMBOL = 8
RX_GRID_CHANNELS = 2 * MAX_RX_ANTENNAS
LS_CHANNEL_CHANNELS = 2 * MAX_RX_ANTENNAS * MAX_LAYERS
SIDE_INFO_CHANNELS = MAX_RX_ANTENNAS + 3
NOISE_VARIANCE_CHANNEL = MAX_RX_ANTENNAS
LLR_CHANNELS = MAX_LAYERS * MAX_BITS_PER_SYMBOL
POWER_FLOOR = 1e-9


class SeparableConv(nn.Module):
    """Depthwise 3x3 convolution followed by a pointwise (1x1) convolution."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, 3, padding=1, groups=in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class ResidualBlock(nn.Module):
    """Two separable convolutions with ReLU and an identity skip connection."""

    def __init__(self, channels):
        super().__init__()
        self.first = SeparableConv(channels, channels)
        self.second = SeparableConv(channels, channels)

    def forward(self, x):
        y = torch.relu(self.first(x))
        y = self.second(y)
        return torch.relu(x + y)


# Per-layer features computed inside the network from the LS estimate (so that the I/O contract
# stays the raw tensors): matched filter, channel gain and single-layer MMSE estimate.
FEATURE_CHANNELS = MAX_LAYERS * (2 + 1 + 2)
# Channel estimates the features are computed from: the nearest-neighbour LS estimate itself and
# two learned smoothings of it, (time taps, frequency taps) each.
SMOOTHER_TAPS = ((5, 9), (9, 25))


class ChannelSmoother(nn.Module):
    """A learned separable low-pass filter over (symbol, subcarrier), the same for every antenna,
    layer and real/imaginary plane of the LS estimate (a Wiener-like interpolator the network can
    shape), normalised by the same filter applied to a plane of ones so that the edges of the
    allocation are not biased towards zero. Initialised as a box average; the taps are a softmax
    of free parameters, so they stay positive and sum to one (folded into constants on export)."""

    def __init__(self, time_taps, freq_taps):
        super().__init__()
        self.time_logits = nn.Parameter(torch.zeros(time_taps))
        self.freq_logits = nn.Parameter(torch.zeros(freq_taps))

    def kernels(self, channels):
        """Depthwise frequency and time kernels [channels, 1, 1, F] and [channels, 1, T, 1]."""
        if hasattr(self, f"frozen_freq_{channels}"):
            return getattr(self, f"frozen_freq_{channels}"), getattr(self, f"frozen_time_{channels}")
        time_taps, freq_taps = self.time_logits.numel(), self.freq_logits.numel()
        freq = torch.softmax(self.freq_logits, 0).view(1, 1, 1, freq_taps).repeat(channels, 1, 1, 1)
        time = torch.softmax(self.time_logits, 0).view(1, 1, time_taps, 1).repeat(channels, 1, 1, 1)
        return freq, time

    def freeze(self):
        """Stores the kernels as constant buffers (ONNX export needs kernels of known shape)."""
        for channels in (LS_CHANNEL_CHANNELS, 1):  # the LS estimate and the plane of ones
            freq, time = self.kernels(channels)
            self.register_buffer(f"frozen_freq_{channels}", freq.detach().clone())
            self.register_buffer(f"frozen_time_{channels}", time.detach().clone())

    def _filter(self, x):
        channels = x.shape[1]
        freq, time = self.kernels(channels)
        x = nn.functional.conv2d(x, freq, padding=(0, freq.shape[3] // 2), groups=channels)
        return nn.functional.conv2d(x, time, padding=(time.shape[2] // 2, 0), groups=channels)

    def forward(self, ls, ones):
        return self._filter(ls) / (self._filter(ones) + POWER_FLOOR)


def layer_features(rx, ls, noise):
    """Per layer l, over the antennas (means, so absent zero antennas change nothing):
    the matched filter m = mean_a conj(h_al) y_a (re, im), the gain g = mean_a |h_al|^2, and
    m / (g + noise / 4), the single-layer MMSE estimate of the symbol (re, im)."""
    y_re, y_im = rx[:, 0::2], rx[:, 1::2]  # [B, 4 antennas, S, F]
    h_re, h_im = ls[:, 0::2], ls[:, 1::2]  # [B, 16 = 4a + l, S, F]
    matched, gains, estimates = [], [], []
    for layer in range(MAX_LAYERS):
        hr, hi = h_re[:, layer::MAX_LAYERS], h_im[:, layer::MAX_LAYERS]  # [B, 4 antennas, S, F]
        m_re = torch.mean(hr * y_re + hi * y_im, dim=1, keepdim=True)
        m_im = torch.mean(hr * y_im - hi * y_re, dim=1, keepdim=True)
        gain = torch.mean(hr * hr + hi * hi, dim=1, keepdim=True)
        denominator = gain + noise * (1.0 / MAX_RX_ANTENNAS) + POWER_FLOOR
        matched += [m_re, m_im]
        gains.append(gain)
        estimates += [m_re / denominator, m_im / denominator]
    return torch.cat(matched + gains + estimates, dim=1)


# Joint MMSE features of the layer pairs (0, 1) and (2, 3): both symbol estimates (re, im) and
# both error variances.
LAYER_PAIRS = ((0, 1), (2, 3))
JOINT_FEATURE_CHANNELS = len(LAYER_PAIRS) * (2 + 2 + 2)


def joint_pair_features(rx, ls, noise):
    """Per layer pair (p, q), the joint (2x2) MMSE estimate of both symbols,
    x = (G + s I)^-1 m with G_ij = mean_a conj(h_ai) h_aj, m_i = mean_a conj(h_ai) y_a and
    s = noise / 4 (means over the 4 antenna slots, as in layer_features), and its error variances,
    the diagonal of s (G + s I)^-1. Unlike the single-layer estimate, it removes the other layer
    of the pair: with two layers this is the interference-aware estimate the classical MMSE
    equalizer makes. With one layer (q absent, h_aq = 0) x_p and its variance reduce to the
    single-layer MMSE values, x_q to 0 and its variance to 1 (the prior)."""
    y_re, y_im = rx[:, 0::2], rx[:, 1::2]
    h_re, h_im = ls[:, 0::2], ls[:, 1::2]
    s = noise * (1.0 / MAX_RX_ANTENNAS) + POWER_FLOOR
    features = []
    for p, q in LAYER_PAIRS:
        pr, pi = h_re[:, p::MAX_LAYERS], h_im[:, p::MAX_LAYERS]
        qr, qi = h_re[:, q::MAX_LAYERS], h_im[:, q::MAX_LAYERS]
        mp_re = torch.mean(pr * y_re + pi * y_im, dim=1, keepdim=True)
        mp_im = torch.mean(pr * y_im - pi * y_re, dim=1, keepdim=True)
        mq_re = torch.mean(qr * y_re + qi * y_im, dim=1, keepdim=True)
        mq_im = torch.mean(qr * y_im - qi * y_re, dim=1, keepdim=True)
        a = torch.mean(pr * pr + pi * pi, dim=1, keepdim=True) + s
        d = torch.mean(qr * qr + qi * qi, dim=1, keepdim=True) + s
        b_re = torch.mean(pr * qr + pi * qi, dim=1, keepdim=True)  # G_pq = conj(h_p) h_q
        b_im = torch.mean(pr * qi - pi * qr, dim=1, keepdim=True)
        inverse_det = 1.0 / (a * d - (b_re * b_re + b_im * b_im) + POWER_FLOOR)
        # x_p = (d m_p - G_pq m_q) / det, x_q = (a m_q - conj(G_pq) m_p) / det.
        xp_re = (d * mp_re - (b_re * mq_re - b_im * mq_im)) * inverse_det
        xp_im = (d * mp_im - (b_re * mq_im + b_im * mq_re)) * inverse_det
        xq_re = (a * mq_re - (b_re * mp_re + b_im * mp_im)) * inverse_det
        xq_im = (a * mq_im - (b_re * mp_im - b_im * mp_re)) * inverse_det
        features += [xp_re, xp_im, xq_re, xq_im, s * d * inverse_det, s * a * inverse_det]
    return torch.cat(features, dim=1)


class NeuralReceiver(nn.Module):
    """Input normalisation, per-layer matched-filter features from the raw and two smoothed LS
    estimates, a separable input convolution, residual blocks, a 1x1 LLR head. With
    joint_features, the joint MMSE features of the layer pairs from the same three estimates are
    appended to the input channels (after all others, so that a model trained without them can
    be grown: train_neural_receiver.py --init-from)."""

    def __init__(self, width=96, num_blocks=6, joint_features=False):
        super().__init__()
        self.joint_features = joint_features
        sources = 1 + len(SMOOTHER_TAPS)
        in_channels = (RX_GRID_CHANNELS + LS_CHANNEL_CHANNELS + SIDE_INFO_CHANNELS +
                       FEATURE_CHANNELS * sources +
                       (JOINT_FEATURE_CHANNELS * sources if joint_features else 0))
        self.smoothers = nn.ModuleList([ChannelSmoother(*taps) for taps in SMOOTHER_TAPS])
        self.input_conv = SeparableConv(in_channels, width)
        self.blocks = nn.ModuleList([ResidualBlock(width) for _ in range(num_blocks)])
        self.output_conv = nn.Conv2d(width, LLR_CHANNELS, 1)

    def forward(self, rx_grid, ls_channel, side_info):
        # Scale invariance: the grid and the channel estimates are divided by the same factor,
        # the RMS of the grid over the antennas present (so that y = H x + n keeps its form),
        # and the noise variance by the mean received power per RE and antenna.
        mask = side_info[:, 0:NOISE_VARIANCE_CHANNEL]
        antenna_fraction = torch.mean(mask, dim=(1, 2, 3), keepdim=True) + POWER_FLOOR
        rx_power = (torch.mean(rx_grid * rx_grid, dim=(1, 2, 3), keepdim=True) / antenna_fraction
                    + POWER_FLOOR)
        rms = torch.sqrt(rx_power)
        rx_normalised = rx_grid / rms
        ls_normalised = ls_channel / rms
        noise = side_info[:, NOISE_VARIANCE_CHANNEL:NOISE_VARIANCE_CHANNEL + 1] / rx_power
        position = side_info[:, NOISE_VARIANCE_CHANNEL + 1:SIDE_INFO_CHANNELS]
        ones = mask[:, 0:1]  # antenna 0 is always present: a plane of ones
        estimates = [ls_normalised] + [smoother(ls_normalised, ones) for smoother in self.smoothers]
        features = [layer_features(rx_normalised, h, noise) for h in estimates]
        if self.joint_features:
            features += [joint_pair_features(rx_normalised, h, noise) for h in estimates]
        x = torch.cat([rx_normalised, ls_normalised, mask, noise, position] + features, dim=1)
        x = torch.relu(self.input_conv(x))
        for block in self.blocks:
            x = block(x)
        return self.output_conv(x)


def freeze_for_export(model):
    """Turns computed constants (the smoothers' softmax kernels) into buffers before export."""
    for smoother in getattr(model, "smoothers", []):
        smoother.freeze()
    return model


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())
