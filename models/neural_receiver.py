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


# Joint MMSE features of all four layers, grouped as the layer pairs (0, 1) and (2, 3): per pair,
# both symbol estimates (re, im) and both error variances.
LAYER_PAIRS = ((0, 1), (2, 3))
JOINT_FEATURE_CHANNELS = len(LAYER_PAIRS) * (2 + 2 + 2)

# Complex planes are (re, im) tuples of tensors; a Hermitian 2x2 matrix [[a, b], [conj b, d]] is
# (a, b, d) with a and d real tensors and b complex.


def _cmul(x, y):
    return (x[0] * y[0] - x[1] * y[1], x[0] * y[1] + x[1] * y[0])


def _cmul_conj(x, y):
    """conj(x) y"""
    return (x[0] * y[0] + x[1] * y[1], x[0] * y[1] - x[1] * y[0])


def _cadd(x, y):
    return (x[0] + y[0], x[1] + y[1])


def _csub(x, y):
    return (x[0] - y[0], x[1] - y[1])


def _hermitian_inverse(a, b, d):
    """(a', b', d') of the inverse of [[a, b], [conj b, d]]."""
    inverse_det = 1.0 / (a * d - (b[0] * b[0] + b[1] * b[1]) + POWER_FLOOR)
    return d * inverse_det, (-b[0] * inverse_det, -b[1] * inverse_det), a * inverse_det


def _hermitian_apply(a, b, d, v):
    """[[a, b], [conj b, d]] (v0, v1)"""
    v0, v1 = v
    return (_cadd((a * v0[0], a * v0[1]), _cmul(b, v1)),
            _cadd(_cmul_conj(b, v0), (d * v1[0], d * v1[1])))


def _schur_solve(a, b, d, c, inverse, m, m_other, s):
    """The half of the joint MMSE solution of the 4x4 system [[A, C], [C^H, D']] x = m that
    belongs to A = [[a, b], [conj b, d]] (the other half's block D' enters through its inverse,
    `inverse`, Hermitian (a', b', d')): with P = C D'^-1 and the Schur complement
    S = A - P C^H, x_A = S^-1 (m_A - P m_D') and the error variances s diag(S^-1). C is the 2x2
    complex block ((c00, c01), (c10, c11)). Returns [x0 re, x0 im, x1 re, x1 im, var0, var1]."""
    (c00, c01), (c10, c11) = c
    ia, ib, id_ = inverse
    # P = C D'^-1, row by row: (c_i0, c_i1) [[ia, ib], [conj ib, id]].
    rows = []
    for ci0, ci1 in ((c00, c01), (c10, c11)):
        p0 = _cadd((ci0[0] * ia, ci0[1] * ia), _cmul_conj(ib, ci1))
        p1 = _cadd(_cmul(ci0, ib), (ci1[0] * id_, ci1[1] * id_))
        rows.append((p0, p1))
    (p00, p01), (p10, p11) = rows

    def p_times_conj_c_row(p_row, c_row):  # sum_k P_ik conj(C_jk)
        return _cadd(_cmul_conj(c_row[0], p_row[0]), _cmul_conj(c_row[1], p_row[1]))

    s_a = a - p_times_conj_c_row((p00, p01), (c00, c01))[0]
    s_d = d - p_times_conj_c_row((p10, p11), (c10, c11))[0]
    s_b = _csub(b, p_times_conj_c_row((p00, p01), (c10, c11)))
    r0 = _csub(m[0], _cadd(_cmul(p00, m_other[0]), _cmul(p01, m_other[1])))
    r1 = _csub(m[1], _cadd(_cmul(p10, m_other[0]), _cmul(p11, m_other[1])))
    ja, jb, jd = _hermitian_inverse(s_a, s_b, s_d)
    x0, x1 = _hermitian_apply(ja, jb, jd, (r0, r1))
    return [x0[0], x0[1], x1[0], x1[1], s * ja, s * jd]


def joint_layer_features(rx, ls, noise):
    """The joint (4x4) MMSE estimate of all four layers' symbols, x = (G + s I)^-1 m with
    G_ij = mean_a conj(h_ai) h_aj, m_i = mean_a conj(h_ai) y_a and s = noise / 4 (means over the
    4 antenna slots, as in layer_features), and its error variances, the diagonal of
    s (G + s I)^-1, solved by 2x2 blocks (Schur complements) of the layer pairs (0, 1) and
    (2, 3). With every layer present this is the interference-aware estimate the classical MMSE
    equalizer makes. Absent layers (h = 0) decouple: their estimate is 0 with the prior's variance
    1, and with at most two layers the result is the 2x2 MMSE of the pair (0, 1) alone (what the
    stage-3 model's pair features were)."""
    y_re, y_im = rx[:, 0::2], rx[:, 1::2]
    h_re, h_im = ls[:, 0::2], ls[:, 1::2]
    s = noise * (1.0 / MAX_RX_ANTENNAS) + POWER_FLOOR
    h = [(h_re[:, layer::MAX_LAYERS], h_im[:, layer::MAX_LAYERS]) for layer in range(MAX_LAYERS)]

    def mean(x):
        return torch.mean(x, dim=1, keepdim=True)

    def gram(i, j):  # G_ij = mean_a conj(h_ai) h_aj
        value = _cmul_conj(h[i], h[j])
        return mean(value[0]), mean(value[1])

    m = [(mean(hr * y_re + hi * y_im), mean(hr * y_im - hi * y_re)) for hr, hi in h]
    diagonal = [mean(hr * hr + hi * hi) + s for hr, hi in h]
    g01, g23 = gram(0, 1), gram(2, 3)
    c = ((gram(0, 2), gram(0, 3)), (gram(1, 2), gram(1, 3)))  # the block G[(0, 1), (2, 3)]
    c_h = ((_conj(c[0][0]), _conj(c[1][0])), (_conj(c[0][1]), _conj(c[1][1])))
    top = (diagonal[0], g01, diagonal[1])
    bottom = (diagonal[2], g23, diagonal[3])
    features = _schur_solve(*top, c, _hermitian_inverse(*bottom), (m[0], m[1]), (m[2], m[3]), s)
    features += _schur_solve(*bottom, c_h, _hermitian_inverse(*top), (m[2], m[3]), (m[0], m[1]),
                             s)
    return torch.cat(features, dim=1)


def _conj(x):
    return (x[0], -x[1])


# Amplitude features: |Re x| and |Im x| of each layer's joint MMSE estimate x, as
# sqrt(v^2 + AMPLITUDE_FLOOR) (Mul, Add, Sqrt). The amplitude bits of 16-QAM and above are a
# function of these, which the network otherwise has to build from ReLUs of the signed estimates
# one layer and axis at a time.
AMPLITUDE_FEATURE_CHANNELS = 2 * MAX_LAYERS
AMPLITUDE_FLOOR = 1e-6
_JOINT_ESTIMATE_CHANNELS = (0, 1, 2, 3, 6, 7, 8, 9)  # x0, x1 of pair (0, 1), x2, x3 of (2, 3)


def amplitude_features(joint):
    """|Re x_l|, |Im x_l| of the layers' joint MMSE estimates (joint_layer_features output)."""
    estimates = torch.cat([joint[:, c:c + 1] for c in _JOINT_ESTIMATE_CHANNELS], dim=1)
    return torch.sqrt(estimates * estimates + AMPLITUDE_FLOOR)


class NeuralReceiver(nn.Module):
    """Input normalisation, per-layer matched-filter features from the raw and two smoothed LS
    estimates, a separable input convolution, residual blocks, a 1x1 LLR head. With
    joint_features, the joint MMSE features of the four layers from the same three estimates are
    appended to the input channels (after all others, so that a model trained without them can
    be grown: train_neural_receiver.py --init-from); with amplitude_features as well, the
    amplitudes of the joint estimates after those. With llr_gain, a second 1x1 head g scales
    every LLR by (1 + g)^2 (Add, Mul): a confidence the network sets per RE and bit, so that LLRs
    can grow with the SINR as a demapper's do (an additive ReLU head's barely do). g starts at
    zero (weights and bias), so a model grown with it computes what it did before."""

    def __init__(self, width=96, num_blocks=6, joint_features=False, amplitude_features=False,
                 llr_gain=False):
        super().__init__()
        if amplitude_features and not joint_features:
            raise ValueError("amplitude features are taken from the joint features")
        self.joint_features = joint_features
        self.amplitude_features = amplitude_features
        sources = 1 + len(SMOOTHER_TAPS)
        in_channels = (RX_GRID_CHANNELS + LS_CHANNEL_CHANNELS + SIDE_INFO_CHANNELS +
                       FEATURE_CHANNELS * sources +
                       (JOINT_FEATURE_CHANNELS * sources if joint_features else 0) +
                       (AMPLITUDE_FEATURE_CHANNELS * sources if amplitude_features else 0))
        self.smoothers = nn.ModuleList([ChannelSmoother(*taps) for taps in SMOOTHER_TAPS])
        self.input_conv = SeparableConv(in_channels, width)
        self.blocks = nn.ModuleList([ResidualBlock(width) for _ in range(num_blocks)])
        self.output_conv = nn.Conv2d(width, LLR_CHANNELS, 1)
        self.gain_conv = nn.Conv2d(width, LLR_CHANNELS, 1) if llr_gain else None
        if llr_gain:
            nn.init.zeros_(self.gain_conv.weight)
            nn.init.zeros_(self.gain_conv.bias)

    def forward(self, rx_grid, ls_channel, side_info):
        # Scale invariance: the grid and the channel estimates are divided by the same factor,
        # the RMS of the grid's real and imaginary parts over the antennas present,
        # sqrt(E|y|^2 / 2) (so that y = H x + n keeps its form), and the noise variance by its
        # square, E|y|^2 / 2 (the mean over the real planes: half the power per RE and antenna).
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
            joint = [joint_layer_features(rx_normalised, h, noise) for h in estimates]
            features += joint
            if self.amplitude_features:
                features += [amplitude_features(j) for j in joint]
        x = torch.cat([rx_normalised, ls_normalised, mask, noise, position] + features, dim=1)
        x = torch.relu(self.input_conv(x))
        for block in self.blocks:
            x = block(x)
        llr = self.output_conv(x)
        if self.gain_conv is None:
            return llr
        gain = 1.0 + self.gain_conv(x)
        return llr * (gain * gain)


def freeze_for_export(model):
    """Turns computed constants (the smoothers' softmax kernels) into buffers before export."""
    for smoother in getattr(model, "smoothers", []):
        smoother.freeze()
    return model


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())
