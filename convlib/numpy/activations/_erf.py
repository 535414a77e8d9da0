"""erf and erfc: NumPy has none, so here is a vectorised one."""
import numpy as np

from ._common import _exp


# Rational approximations and constants from fdlibm's s_erf.c (Copyright
# (C) 1993 by Sun Microsystems, Inc.; "Permission to use, copy, modify,
# and distribute this software is freely granted, provided that this
# notice is preserved."), evaluated here on whole arrays.  Error < 1 ulp.
_ERX = 8.45062911510467529297e-01
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01,
       -2.84817495755985104766e-02, -5.77027029648944159157e-03,
       -2.37630166566501626084e-05)
_QQ = (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02,
       5.08130628187576562776e-03, 1.32494738004321644526e-04,
       -3.96022827877536812320e-06)
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01,
       -3.72207876035701323847e-01, 3.18346619901161753674e-01,
       -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01,
       7.18286544141962662868e-02, 1.26171219808761642112e-01,
       1.36370839120290507362e-02, 1.19844998467991074170e-02)
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01,
       -1.05586262253232909814e+01, -6.23753324503260060396e+01,
       -1.62396669462573470355e+02, -1.84605092906711035994e+02,
       -8.12874355063065934246e+01, -9.81432934416914548592e+00)
_SA = (1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02,
       4.34565877475229228821e+02, 6.45387271733267880336e+02,
       4.29008140027567833386e+02, 1.08635005541779435134e+02,
       6.57024977031928170135e+00, -6.04244152148580987438e-02)
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01,
       -1.77579549177547519889e+01, -1.60636384855821916062e+02,
       -6.37566443368389627722e+02, -1.02509513161107724954e+03,
       -4.83519191608651397019e+02)
_SB = (1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02,
       1.53672958608443695994e+03, 3.19985821950859553908e+03,
       2.55305040643316442583e+03, 4.74528541206955367215e+02,
       -2.24409524465858183362e+01)
_HIGH_WORD = np.uint64(0xFFFFFFFF00000000)


def _horner(coefs, t):
    """``sum(c[k] * t**k)``, coefficients from the constant term up."""
    result = np.full_like(t, coefs[-1])
    for c in coefs[-2::-1]:
        result = result * t + c
    return result


def _erfc_tail(a):
    """``erfc(a)`` for ``a >= 1.25`` (``a`` float64, >= 0); 0 past 28."""
    a = np.clip(a, 1.25, 28.0)
    s = 1.0 / (a * a)
    ratio = np.where(a < 1 / 0.35, _horner(_RA, s) / _horner(_SA, s),
                     _horner(_RB, s) / _horner(_SB, s))
    # z is a with its low 32 bits cleared, so z * z is exact
    z = (a.view(np.uint64) & _HIGH_WORD).view(np.float64)
    return _exp(-z * z - 0.5625) * np.exp((z - a) * (z + a) + ratio) / a


def _erf_erfc(x):
    """``(erf(x), erfc(x))`` of a float64 array, each within 1 ulp.

    Three ranges of ``a = |x|``: a rational function of ``a**2`` below
    0.84375, of ``a - 1`` below 1.25, and ``exp(-a**2)`` times a rational
    function of ``1 / a**2`` above (fdlibm's s_erf.c).
    """
    a = np.abs(x)
    a_small = np.minimum(a, 0.84375)
    y = _horner(_PP, a_small ** 2) / _horner(_QQ, a_small ** 2)
    s = np.clip(a, 0.84375, 1.25) - 1.0
    m = _horner(_PA, s) / _horner(_QA, s)
    tail = _erfc_tail(a)
    small, mid = a < 0.84375, a < 1.25
    erf_small = a_small + a_small * y
    erf_a = np.where(small, erf_small, np.where(mid, _ERX + m, 1.0 - tail))
    erfc_small = np.where(a < 0.25, 1.0 - erf_small,
                          0.5 - (a_small * y + (a_small - 0.5)))
    erfc_a = np.where(small, erfc_small,
                      np.where(mid, (1.0 - _ERX) - m, tail))
    return np.copysign(erf_a, x), np.where(x < 0, 1.0 + erf_a, erfc_a)


def _erf(x):
    """Error function of a float64 array (see `_erf_erfc`)."""
    return _erf_erfc(np.asarray(x, dtype=np.float64))[0]


def _erfc(x):
    """Complementary error function ``1 - erf(x)``, accurate in the tail."""
    return _erf_erfc(np.asarray(x, dtype=np.float64))[1]
