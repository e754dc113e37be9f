"""dz and the log-loss for a block of examples, in loops the compiler turns into SIMD code.

The compiled backends used to call ``math.exp`` and ``math.log1p`` once per
example: scalar library calls that LLVM cannot vectorize, while numpy's
ufuncs run them four or eight at a time. Here both are polynomials, written
without branches (selects only), so LLVM vectorizes the whole loop. Same
formulas as ``_scalar.dz_and_loss``: with s = 1 - 2y and t = s·z,
dz = s·σ(t) and loss = softplus(t) = max(t, 0) + log1p(e), e = exp(-|t|).

**exp(a), a = -|t| ≤ 0.** a is clamped at -708 (below it e < 3e-308 and
changes neither σ nor the loss at float64 precision). Cody-Waite reduction:
a = k·ln2 + r with k = round(a / ln2), |r| ≤ ln2/2 (k read off the mantissa
of a·log2(e) + 1.5·2⁵² without a float-to-int conversion, which AVX2 lacks
for 64-bit integers), then exp(r) by its Taylor polynomial of degree 13 and
2^k built from k's bits. Truncation error: |r|¹⁴/14!·e^|r| < 2.6e-18 relative
(|r| ≤ 0.3466), far below the rounding of the 13 Horner steps (a few ulp).

**log1p(e), 0 < e ≤ 1.** log(1+e) = 2·atanh(u) with u = e/(2+e), computed
from e itself, so a tiny e keeps all its digits (1+e would lose them). For
e > √2-1, log(1+e) = ln2 + 2·atanh((e-1)/(e+3)) instead. Either way |u| ≤
0.1716, and atanh(u) = u·Σ u²ᵏ/(2k+1) summed to k = 10 leaves a relative
truncation error below u²²/(23·(1-u²)) < 1.2e-18.

Compiled with numpy's error model: Python's would test every division for a
zero divisor and raise, a branch that keeps LLVM from vectorizing the loop
(no divisor here can be zero).

``tests/impls/test_block_math.py`` holds both against ``math.exp`` and
``math.log1p`` over the whole range used.
"""

import numba
import numpy as np

LOG2E = 1.4426950408889634
LN2 = 0.6931471805599453
LN2_HI = 0.6931471803691238  # ln2's leading 32 bits: k·LN2_HI is exact for |k| < 2²¹
LN2_LO = 1.9082149292705877e-10
SHIFT = 6755399441055744.0  # 1.5·2⁵²: adding it rounds to an integer kept in the low bits
SHIFT_BITS = 0x4338000000000000  # SHIFT's bit pattern
SQRT2_MINUS_1 = 0.41421356237309503
SMALLEST_EXPONENT = -708.0


@numba.njit(error_model="numpy")
def exp_parts(t, kf, n):
    """kf[i] = -|t[i]|·log2(e) + SHIFT (clamped): k in the low mantissa bits."""
    for i in range(n):
        a = max(-abs(t[i]), SMALLEST_EXPONENT)
        kf[i] = a * LOG2E + SHIFT


@numba.njit(error_model="numpy")
def powers_of_two(kf_bits, scale_bits, n):
    """scale_bits[i]: the bits of 2^k for the k held in kf_bits[i]."""
    for i in range(n):
        scale_bits[i] = (kf_bits[i] - SHIFT_BITS + 1023) << 52


@numba.njit(error_model="numpy")
def exp_reduced(r):
    """e^r for |r| ≤ ln2/2: Taylor polynomial of degree 13 (Horner)."""
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    return p * r + 1.0


@numba.njit(error_model="numpy")
def log1p_small(e):
    """log(1 + e) for 0 ≤ e ≤ 1, by atanh's series around 0 (see the module's docstring)."""
    big = e > SQRT2_MINUS_1
    u = (e - 1.0) / (e + 3.0) if big else e / (2.0 + e)
    u2 = u * u
    q = 1.0 / 21.0
    q = q * u2 + 1.0 / 19.0
    q = q * u2 + 1.0 / 17.0
    q = q * u2 + 1.0 / 15.0
    q = q * u2 + 1.0 / 13.0
    q = q * u2 + 1.0 / 11.0
    q = q * u2 + 1.0 / 9.0
    q = q * u2 + 1.0 / 7.0
    q = q * u2 + 1.0 / 5.0
    q = q * u2 + 1.0 / 3.0
    q = q * u2 + 1.0
    return (LN2 if big else 0.0) + 2.0 * u * q


@numba.njit(error_model="numpy")
def exp_of_minus_abs(t, n, kf, scale_bits, e):
    """e[i] = exp(-|t[i]|) for i < n (never below e^-708); kf, scale_bits: scratch."""
    exp_parts(t, kf, n)
    powers_of_two(kf.view(np.int64), scale_bits, n)
    scale = scale_bits.view(np.float64)
    for i in range(n):
        k = kf[i] - SHIFT
        a = max(-abs(t[i]), SMALLEST_EXPONENT)
        r = (a - k * LN2_HI) - k * LN2_LO
        e[i] = exp_reduced(r) * scale[i]


@numba.njit(error_model="numpy")
def dz_and_loss(t, labels, first, n, kf, scale_bits, dz, loss):
    """dz[i] and loss[i] of the examples first..first+n-1, given t[i] = s·z (i < n).

    kf and scale_bits are scratch vectors of at least n elements.
    """
    exp_of_minus_abs(t, n, kf, scale_bits, loss)  # loss[i] holds e until overwritten below
    for i in range(n):
        e = loss[i]
        sigma = (1.0 if t[i] >= 0.0 else e) / (1.0 + e)
        dz[i] = (1.0 - 2.0 * labels[first + i]) * sigma
        loss[i] = max(t[i], 0.0) + log1p_small(e)
