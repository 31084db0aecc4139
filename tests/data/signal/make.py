#!/usr/bin/python3
# make.py - the signal operators' own cases (DFT, STFT, the windows, MelWeightMatrix)
# where ONNX's node tests are thin: inverse of a complex input, odd lengths, other
# axes, dft_length shorter and longer than the axis, opset 20's axis input, the
# onesided inverse, double and float16, STFT without a window and of a complex
# signal. Goldens from numpy.fft (an independent FFT); the windows from their
# formulas, MelWeightMatrix from the ONNX definition in numpy. ONNX test-data-set
# layout (<case>/model.textproto, test_data_set_0/).
# Run: cd tests/data/signal && /usr/bin/python3 make.py
import os
import sys
import numpy as np
import onnx
from onnx import helper as h, numpy_helper as nh, TensorProto as T
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fixture  # noqa: E402 (tests/data/fixture.py)

HERE = os.path.dirname(os.path.abspath(__file__))
V = h.make_tensor_value_info
rng = np.random.default_rng(16)


def case(name, node, inputs, outputs, opset, inits=()):
    """inputs: (name, array) fed in order; outputs: (name, array) expected."""
    ty = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE
    g = h.make_graph([node], name, [V(n, ty[a.dtype], a.shape) for n, a in inputs],
                     [V(n, ty[a.dtype], a.shape) for n, a in outputs],
                     initializer=[nh.from_array(a, n) for n, a in inits])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    m.ir_version = 8
    d = os.path.join(HERE, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    fixture.save(m, d)
    for kind, arrays in (("input", inputs), ("output", outputs)):
        for i, (n, a) in enumerate(arrays):
            with open(os.path.join(d, "test_data_set_0", "%s_%d.pb" % (kind, i)), "wb") as f:
                f.write(nh.from_array(a, n).SerializeToString())


def cplx(x):
    """[..., 1] or [..., 2] -> complex [...]"""
    return x[..., 0] + (1j * x[..., 1] if x.shape[-1] == 2 else 0)


def pairs(c, dt):
    """complex [...] -> [..., 2]"""
    return np.stack([c.real, c.imag], -1).astype(dt)


def sig(*shape, dt=np.float32):
    return rng.uniform(-1, 1, shape).astype(dt)


def dft(name, x, attrs, fn, opset=17, dft_length=None, axis=None, const=True):
    """A DFT node of x (and dft_length, axis: initializers if const, else inputs)."""
    names, ins, inits = ["x"], [("x", x)], []
    for n, v in (("dft_length", dft_length), ("axis", axis)):
        if v is None:
            names.append("")
            continue
        names.append(n)
        (inits if const else ins).append((n, np.array(v, np.int64)))
    while names and names[-1] == "":
        names.pop()
    case(name, h.make_node("DFT", names, ["y"], **attrs), ins, [("y", fn(x))], opset, inits)


F, D = np.float32, np.float64
# inverse of a complex input of odd length (7), axis 1 of [2, 7, 3, 2]: strided signals
dft("test_dft_inverse_complex_odd", sig(2, 7, 3, 2), dict(axis=1, inverse=1),
    lambda x: pairs(np.fft.ifft(cplx(x), axis=1), F))
# real input, axis 0, full spectrum
dft("test_dft_real_axis0", sig(5, 3, 1), dict(axis=0),
    lambda x: pairs(np.fft.fft(cplx(x), axis=0), F))
# dft_length shorter than the axis (7 -> 4), real, onesided
dft("test_dft_length_short_onesided", sig(2, 7, 1), dict(axis=1, onesided=1),
    lambda x: pairs(np.fft.rfft(cplx(x), n=4, axis=1), F), dft_length=4)
# dft_length longer than the axis (5 -> 12): zero-padded, complex
dft("test_dft_length_long", sig(3, 5, 2), dict(axis=1),
    lambda x: pairs(np.fft.fft(cplx(x), n=12, axis=1), F), dft_length=12)
# dft_length a graph input (a dynamic node), 11 points from 6, inverse
dft("test_dft_length_input_inverse", sig(2, 6, 2), dict(axis=1, inverse=1),
    lambda x: pairs(np.fft.ifft(cplx(x), n=11, axis=1), F), dft_length=11, const=False)
# opset 20: axis as an input (-3 of rank 4: axis 1), constant
dft("test_dft20_axis_input", sig(2, 5, 3, 2), {},
    lambda x: pairs(np.fft.fft(cplx(x), axis=1), F), opset=20, axis=-3)
# opset 20: the axis a graph input (a dynamic node), with dft_length
dft("test_dft20_axis_dynamic", sig(4, 3, 2), dict(inverse=1),
    lambda x: pairs(np.fft.ifft(cplx(x), n=5, axis=0), F), opset=20, dft_length=5, axis=0,
    const=False)
# opset 20: no axis: -2 (the last signal axis)
dft("test_dft20_default_axis", sig(2, 3, 9, 1), dict(onesided=1),
    lambda x: pairs(np.fft.rfft(cplx(x), axis=2), F), opset=20)
# onesided inverse (IRFFT): 5 bins -> 8 real points, and with dft_length 9
dft("test_dft_irfft", sig(2, 5, 2), dict(axis=1, inverse=1, onesided=1),
    lambda x: np.fft.irfft(cplx(x), axis=1)[..., None].astype(F))
dft("test_dft_irfft_length_odd", sig(2, 5, 2), dict(axis=1, inverse=1, onesided=1),
    lambda x: np.fft.irfft(cplx(x), n=9, axis=1)[..., None].astype(F), dft_length=9)
# double, odd length, onesided
dft("test_dft_double_onesided", sig(2, 9, 1, dt=D), dict(axis=1, onesided=1),
    lambda x: pairs(np.fft.rfft(cplx(x), axis=1), D))
# float16 of 4 points: every twiddle is +-1 or +-j, the small integers stay exact
dft("test_dft_float16", rng.integers(-4, 5, (2, 4, 2)).astype(np.float16), dict(axis=1),
    lambda x: pairs(np.fft.fft(cplx(x.astype(D)), axis=1), np.float16))


def stft_ref(x, step, n_fft, window, onesided):
    frames = 1 + (x.shape[1] - n_fft) // step
    fr = np.stack([cplx(x)[:, f * step:f * step + n_fft] for f in range(frames)], 1)
    if window is not None:
        fr = fr * window
    s = np.fft.fft(fr, axis=-1)
    return pairs(s[..., :n_fft // 2 + 1] if onesided else s, x.dtype)


# a complex signal, no window, frame_length given, full spectrum
x = sig(2, 20, 2)
case("test_stft_complex_no_window", h.make_node("STFT", ["x", "step", "", "len"], ["y"],
                                                onesided=0),
     [("x", x)], [("y", stft_ref(x, 3, 6, None, False))], 17,
     [("step", np.array(3, np.int64)), ("len", np.array(6, np.int64))])
# a real signal, an odd periodic Hann window (its length is the frame length), onesided
x, w = sig(1, 50, 1), (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(9) / 9)).astype(F)
case("test_stft_window_odd", h.make_node("STFT", ["x", "step", "w"], ["y"]),
     [("x", x), ("w", w)], [("y", stft_ref(x, 4, 9, w, True))], 17,
     [("step", np.array(4, np.int32))])
# double, frame_step a graph input (a dynamic node), window and frame_length
x, w = sig(2, 33, 1, dt=D), np.hamming(8)
case("test_stft_double_dynamic_step", h.make_node("STFT", ["x", "step", "w", "len"], ["y"]),
     [("x", x), ("step", np.array(5, np.int64)), ("w", w)],
     [("y", stft_ref(x, 5, 8, w, True))], 17, [("len", np.array(8, np.int64))])


def window(op, size, periodic, dt, a0, a1, a2, np_dt):
    n = size if periodic else size - 1
    k = np.arange(size)
    v = a0 - a1 * np.cos(2 * np.pi * k / n) + a2 * np.cos(4 * np.pi * k / n)
    name = "test_%s_%d_%s" % (op.lower(), size, "periodic" if periodic else "symmetric")
    case(name + "_" + np.dtype(np_dt).name,
         h.make_node(op, ["size"], ["y"], periodic=periodic, output_datatype=dt),
         [("size", np.array(size, np.int32))], [("y", v.astype(np_dt))], 17)


window("HannWindow", 7, 0, T.DOUBLE, 0.5, 0.5, 0, D)
window("HammingWindow", 11, 1, T.FLOAT16, 25 / 46, 21 / 46, 0, np.float16)
window("BlackmanWindow", 9, 0, T.DOUBLE, 0.42, 0.5, 0.08, D)


def mel_ref(n_mel, n_dft, rate, lo, hi, dt):
    """The ONNX definition (MelWeightMatrix's reference), in numpy."""
    lo_mel = F(2595) * np.log10(F(1) + F(lo) / F(700))
    hi_mel = F(2595) * np.log10(F(1) + F(hi) / F(700))
    step = (hi_mel - lo_mel) / F(n_mel + 2)
    f = np.arange(n_mel + 2) * D(step) + D(lo_mel)
    f = 700 * (np.power(10, f / 2595) - 1)
    b = (((n_dft + 1) * f) // rate).astype(int)
    out = np.zeros((n_dft // 2 + 1, n_mel))
    for i in range(n_mel):
        a, c, r = b[i], b[i + 1], b[i + 2]
        if c == a:
            out[c, i] = 1
        else:
            out[a:c + 1, i] = (np.arange(a, c + 1) - a) / (c - a)
        if r > c:
            out[c:r, i] = (r - np.arange(c, r)) / (r - c)
    return out.astype(dt)


case("test_melweightmatrix_double", h.make_node("MelWeightMatrix", ["m", "n", "sr", "lo", "hi"],
                                                ["y"], output_datatype=T.DOUBLE),
     [("m", np.array(10, np.int64)), ("n", np.array(64, np.int64)),
      ("sr", np.array(16000, np.int64)), ("lo", np.array(20, F)), ("hi", np.array(7600, F))],
     [("y", mel_ref(10, 64, 16000, 20, 7600, D))], 17)
