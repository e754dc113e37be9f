"""dz and the log-loss for a block of examples, in loops the compiler turns into SIMD code.

The compiled backends used to call ``math.exp`` and ``math.log1p`` once per
example: scalar library calls that LLVM cannot vectorize, while numpy's
ufuncs run them four or eight at a time. Here both are polynomials, written
without branches (selects only), so LLVM vectorizes the whole loop. Same
formulas as ``_scalar.dz_and_loss``: with s = 1 - 2y and t = s·z,
dz = s·σ(t) and loss = softplus(t) = max(t, 0) + log1p(e), e = exp(-|t|).

**exp(a), a = -|t| ≤ 0.** a is clamped at -745 (below it e^a rounds to
zero). Cody-Waite reduction:
a = k·ln2 + r with k = round(a / ln2), |r| ≤ ln2/2 (k read off the mantissa
of a·log2(e) + 1.5·2⁵² without a float-to-int conversion, which AVX2 lacks
for 64-bit integers), then exp(r) by its Taylor polynomial of degree 13 and
2^k built from k's bits. Truncation error: |r|¹⁴/14!·e^|r| < 2.6e-18 relative
(|r| ≤ 0.3466), far below the rounding of the 13 Horner steps (a few ulp).
Below 2⁻¹⁰²² (a < -708) e^a is subnormal, and so is σ(t) = e/(1+e) for a very
confident wrong example: there 2^k has no exponent bits of its own, so the
kernel always builds 2^(k+64) and multiplies by 2⁻⁶⁴ last: exact where the
result is normal, one rounding to the subnormal's own precision where not. (Clamping at -708, as
before, made σ up to 3e-308 too large: harmless beside any normal term, but a
step whose every dz was subnormal came out a hundred times too large.)

**log1p(e), 0 < e ≤ 1.** log(1+e) = 2·atanh(u) with u = e/(2+e), computed
from e itself, so a tiny e keeps all its digits (1+e would lose them). For
e > √2-1, log(1+e) = ln2 + 2·atanh((e-1)/(e+3)) instead. Either way |u| ≤
0.1716, and atanh(u) = u·Σ u²ᵏ/(2k+1) summed to k = 10 leaves a relative
truncation error below u²²/(23·(1-u²)) < 1.2e-18.

**float32 data** get the same code in float32 (``FLOAT32``): eight examples
per AVX2 instruction instead of four, a clamp at -103 (below it e^a rounds to
float32's zero; subnormals below 2⁻¹²⁶ by way of 2^(k+32)·2⁻³²), ln2 split
as Cephes splits it (0.693359375 - 2.12194440e-4, so k·ln2_hi is exact) and
2^k from 8 exponent bits; the polynomials are the same (their last terms are
far below float32's rounding). Errors then are a
few float32 ulp (~1e-7 relative), inside the 1e-4 agreement of float32 data.

Compiled with numpy's error model: Python's would test every division for a
zero divisor and raise, a branch that keeps LLVM from vectorizing the loop
(no divisor here can be zero).

``tests/impls/test_block_math.py`` holds both against ``math.exp`` and
``math.log1p`` over the whole range used.
"""

from math import factorial
from types import SimpleNamespace

import numba
import numpy as np
from numba.extending import overload

LN2 = 0.6931471805599453
SQRT2_MINUS_1 = 0.41421356237309503


def _kernels(
    F,
    Int,
    mantissa_bits: int,
    bias: int,
    smallest_exponent: float,
    ln2_hi: float,
    ln2_lo: float,
    subnormal_shift: int,
) -> SimpleNamespace:
    """The block functions for float type F (with Int, the integer type of F's width).

    2^k is built as 2^(k + subnormal_shift), normal for every k used, and scaled by
    2^-subnormal_shift after the polynomial: no select, so the loop stays vectorized."""
    LOG2E = F(1.4426950408889634)
    SHIFT = F(1.5 * 2.0**mantissa_bits)  # adding it rounds to an integer kept in the low bits
    SHIFT_BITS = np.array([SHIFT]).view(Int)[0]
    MANTISSA = Int(mantissa_bits)
    LOWEST, LN2_HI, LN2_LO = F(smallest_exponent), F(ln2_hi), F(ln2_lo)
    # 2^k is built as 2^(k + subnormal_shift), always normal, and scaled back after.
    SHIFTED_BIAS, UNSHIFT = Int(bias + subnormal_shift), F(2.0**-subnormal_shift)
    ZERO, ONE, TWO, THREE, HALF = F(0), F(1), F(2), F(3), F(0.5)
    LN2_F, SQRT2_MINUS_1_F = F(LN2), F(SQRT2_MINUS_1)
    e13, e12, e11, e10, e9, e8, e7, e6, e5, e4, e3 = (F(1 / factorial(k)) for k in range(13, 2, -1))
    q21, q19, q17, q15, q13, q11, q9, q7, q5, q3 = (F(1 / k) for k in range(21, 2, -2))

    @numba.njit(error_model="numpy", cache=True)
    def exp_parts(t, kf, n):
        """kf[i] = -|t[i]|·log2(e) + SHIFT (clamped): k in the low mantissa bits."""
        for i in range(n):
            kf[i] = max(-abs(t[i]), LOWEST) * LOG2E + SHIFT

    @numba.njit(error_model="numpy", cache=True)
    def powers_of_two(kf_bits, scale_bits, n):
        """scale_bits[i]: the bits of 2^(k + subnormal_shift) for the k in kf_bits[i]."""
        for i in range(n):
            scale_bits[i] = (kf_bits[i] - SHIFT_BITS + SHIFTED_BIAS) << MANTISSA

    @numba.njit(error_model="numpy", cache=True)
    def exp_reduced(r):
        """e^r for |r| ≤ ln2/2: Taylor polynomial of degree 13 (Horner)."""
        p = e13
        for c in (e12, e11, e10, e9, e8, e7, e6, e5, e4, e3, HALF, ONE, ONE):
            p = p * r + c
        return p

    @numba.njit(error_model="numpy", cache=True)
    def log1p_small(e):
        """log(1 + e) for 0 ≤ e ≤ 1, by atanh's series around 0 (see the module's docstring)."""
        big = e > SQRT2_MINUS_1_F
        u = (e - ONE) / (e + THREE) if big else e / (TWO + e)
        u2 = u * u
        q = q21
        for c in (q19, q17, q15, q13, q11, q9, q7, q5, q3, ONE):
            q = q * u2 + c
        return (LN2_F if big else ZERO) + TWO * u * q

    @numba.njit(error_model="numpy", cache=True)
    def exp_of_minus_abs(t, n, kf, scale, e):
        """e[i] = exp(-|t[i]|) for i < n (never below e^LOWEST); kf, scale: scratch."""
        exp_parts(t, kf, n)
        powers_of_two(kf.view(Int), scale.view(Int), n)
        for i in range(n):
            k = kf[i] - SHIFT
            a = max(-abs(t[i]), LOWEST)
            r = (a - k * LN2_HI) - k * LN2_LO
            # Exact where the result is normal (a power of two); one rounding where subnormal.
            e[i] = exp_reduced(r) * scale[i] * UNSHIFT

    @numba.njit(error_model="numpy", cache=True)
    def dz_and_loss(t, labels, first, n, kf, scale, dz, loss):
        """dz[i] and loss[i] of the examples first..first+n-1, given t[i] = s·z (i < n).

        kf and scale are scratch vectors of at least n elements, all of type F.
        """
        exp_of_minus_abs(t, n, kf, scale, loss)  # loss[i] holds e until overwritten below
        for i in range(n):
            e = loss[i]
            sigma = (ONE if t[i] >= ZERO else e) / (ONE + e)
            dz[i] = (ONE - TWO * F(labels[first + i])) * sigma
            loss[i] = max(t[i], ZERO) + log1p_small(e)

    return SimpleNamespace(
        exp_of_minus_abs=exp_of_minus_abs, log1p_small=log1p_small, dz_and_loss=dz_and_loss
    )


# ln2_hi: ln2's leading 32 bits (k·ln2_hi exact for |k| < 2²¹); float32: Cephes' split.
FLOAT64 = _kernels(
    np.float64, np.int64, 52, 1023, -745.0, 0.6931471803691238, 1.9082149292705877e-10, 64
)
FLOAT32 = _kernels(np.float32, np.int32, 23, 127, -103.0, 0.693359375, -2.12194440e-4, 32)
KERNELS = {numba.float64: FLOAT64, numba.float32: FLOAT32}


def dz_and_loss(t, labels, first, n, kf, scale, dz, loss):
    """From compiled code: the kernel of t's float type (``FLOAT64`` or ``FLOAT32``)."""
    KERNELS[numba.from_dtype(t.dtype)].dz_and_loss(t, labels, first, n, kf, scale, dz, loss)


@overload(dz_and_loss)
def _dz_and_loss_for(t, labels, first, n, kf, scale, dz, loss):
    kernel = KERNELS[t.dtype].dz_and_loss

    def call(t, labels, first, n, kf, scale, dz, loss):
        kernel(t, labels, first, n, kf, scale, dz, loss)

    return call
