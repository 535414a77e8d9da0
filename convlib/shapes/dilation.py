"""Dilated stacks: the HDC rule of thumb, the exact coverage map, and the
true largest gap that the rule's M chain estimates."""
from collections import namedtuple

import numpy as np

from .._args import check_int, describe, is_int, ntuple


HDCChain = namedtuple("HDCChain", "chain satisfied")
HDCChain.__doc__ = """Result of `hdc_m_chain`.

chain : tuple of int
    ``(M_1, ..., M_n)``, the maximum distance between two nonzero
    values seen by layer i (Wang et al. 2018).
satisfied : bool
    The design goal ``M_2 <= kernel_size``.
"""


def _check_rates(rates, fn, minimum_length):
    if not isinstance(rates, (list, tuple, np.ndarray)):
        raise TypeError(
            f"{fn}: rates must be a sequence of ints, got "
            f"{describe(rates)}")
    if len(rates) < minimum_length:
        raise ValueError(
            f"{fn}: rates must hold at least {minimum_length} dilation "
            f"rates, got {list(rates)!r}")
    return tuple(check_int(r, "rates", fn) for r in rates)


def hdc_m_chain(rates, kernel_size=3, factor=2):
    """The HDC rule of thumb of Wang et al. 2018, as the paper states it.

    "Understanding Convolution for Semantic Segmentation" (WACV 2018),
    Hybrid Dilated Convolution: for dilation rates ``r_1..r_n`` of
    stacked K x K convolutions, define ``M_n = r_n`` and::

        M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i)

    The design goal is ``M_2 <= K``. It is a rule of thumb: `coverage`
    gives the exact answer, and the two can disagree.

    Parameters
    ----------
    rates : sequence of int, length n >= 2
        Dilation rates, input side first.
    kernel_size : int
        K, the side of every kernel.
    factor : int
        The 2 of the recurrence (both of them), the offset ``2 r_i`` of
        the last tap of a 3-tap kernel. ``factor=kernel_size - 1`` puts
        the last tap of a K-tap kernel there instead (not in the paper;
        see Notes).

    Returns
    -------
    HDCChain
        ``(chain, satisfied)``: ``chain = (M_1, ..., M_n)`` and
        ``satisfied = M_2 <= kernel_size``.

    Raises
    ------
    ValueError
        Fewer than two rates (M_2 is then undefined), or a rate,
        kernel_size or factor below 1.
    TypeError
        A rate, kernel_size or factor that is not an int.

    Notes
    -----
    ``M_i`` estimates `largest_gap` of the layers i..n, the longest step
    between neighbouring offsets they reach. With factor 2 the
    recurrence is ``M_i = max(r_i, |M_{i+1} - 2 r_i|)``: a layer with
    taps at 0, r, 2r copies each offset r and 2r further on, so a step
    of M is cut into steps of at most r and one of ``|M - 2r|`` (the
    copy at 2r falls short of the next offset, or overshoots it). It is
    an estimate, not the exact value, and the factor 2 is the 3-tap
    case.

    Examples
    --------
    >>> hdc_m_chain([1, 2, 5])
    HDCChain(chain=(1, 2, 5), satisfied=True)
    >>> hdc_m_chain([1, 2, 9]).satisfied
    False
    >>> hdc_m_chain([1, 2, 5], kernel_size=2, factor=1)
    HDCChain(chain=(2, 3, 5), satisfied=False)
    """
    fn = "hdc_m_chain"
    rates = _check_rates(rates, fn, 2)
    kernel_size = check_int(kernel_size, "kernel_size", fn)
    factor = check_int(factor, "factor", fn)
    chain = [rates[-1]]
    for r in reversed(rates[:-1]):
        m_next = chain[0]
        chain.insert(0, max(m_next - factor * r,
                            m_next - factor * (m_next - r), r))
    return HDCChain(tuple(chain), chain[1] <= kernel_size)


def largest_gap(rates, kernel_size=3):
    """The true largest gap of a dilated stack (what HDC's M estimates).

    The offsets that one output of stacked stride-1 convolutions reaches
    are the sums ``sum_l r_l * j_l`` with ``0 <= j_l < K`` (`coverage`).
    Sorted, two neighbours are at most this far apart. A largest gap of
    1 means no holes; a gap g leaves g - 1 holes in a row.

    With a first layer of rate 1, the stack ``[1, r_2, .., r_n]`` has no
    holes exactly when ``largest_gap([r_2, .., r_n], K) <= K``: the first
    layer puts a run of K neighbours at every offset of the others, and
    runs that start at most K apart leave nothing out.

    Parameters
    ----------
    rates : sequence of int, length >= 1
        Dilation rates, input side first.
    kernel_size : int
        K, the same for every layer.

    Returns
    -------
    int
        The largest difference of neighbouring offsets reached; 0 when
        only one offset is reached (K = 1).

    Raises
    ------
    ValueError, TypeError
        For empty or non-positive rates or a bad kernel_size.

    Examples
    --------
    >>> largest_gap([2, 5], kernel_size=2)      # offsets 0, 2, 5, 7
    3
    >>> largest_gap([2, 5])                     # M_2 of [1, 2, 5] is 2
    2
    >>> largest_gap([2, 2, 2])
    2
    """
    fn = "largest_gap"
    rates = _check_rates(rates, fn, 1)
    kernel_size = check_int(kernel_size, "kernel_size", fn)
    reached = np.flatnonzero(coverage(rates, kernel_size).counts)
    return int(np.diff(reached).max()) if len(reached) > 1 else 0


Coverage = namedtuple("Coverage", "counts has_holes")
Coverage.__doc__ = """Result of `coverage`.

counts : ndarray of int64, shape (span,) or (span, span)
    ``counts[i]`` is the number of paths from input offset i (0 = the
    first element of the field) to the output unit; 0 marks a hole.
    ``span = 1 + sum_l r_l (k_l - 1)``, the receptive field size.
has_holes : bool
    True when some input inside the span never reaches the output.
"""


def coverage(rates, kernel_size=3, ndim=1):
    """Which inputs one output of a dilated stack actually sees.

    The exact hole check behind HDC: stacking stride-1 convolutions
    with dilation rates ``r_l`` and kernel sizes ``k_l``, the inputs
    that reach one output are the sums ``sum_l r_l * j_l`` with
    ``0 <= j_l < k_l``. Counting the ways to form each sum is the
    convolution of the layers' dilated all-ones kernels -- the gradient
    of the output w.r.t. the input when every weight is 1.

    Parameters
    ----------
    rates : sequence of int, length >= 1
        Dilation rates, input side first.
    kernel_size : int or sequence of int
        One kernel size for every layer, or one per layer.
    ndim : {1, 2}
        1 for one spatial axis; 2 for square K x K kernels on an image
        (the map is then the outer product of the 1-D counts, and has
        holes exactly when the 1-D map does).

    Returns
    -------
    Coverage
        ``(counts, has_holes)``, counts of shape ``(span,)`` or
        ``(span, span)`` (see `Coverage`).

    Raises
    ------
    ValueError, TypeError
        For empty or non-positive rates, bad kernel_size or ndim.

    Examples
    --------
    >>> coverage([2, 2]).counts
    array([1, 0, 2, 0, 3, 0, 2, 0, 1])
    >>> coverage([1, 2, 5]).has_holes
    False
    """
    fn = "coverage"
    rates = _check_rates(rates, fn, 1)
    kernels = ntuple(kernel_size, len(rates), "kernel_size", fn, 1)
    if ndim not in (1, 2) or not is_int(ndim):
        raise ValueError(f"{fn}: ndim must be 1 or 2, got {ndim!r}")
    counts = np.ones(1, dtype=np.int64)
    for r, k in zip(rates, kernels):
        taps = np.zeros(r * (k - 1) + 1, dtype=np.int64)
        taps[::r] = 1
        counts = np.convolve(counts, taps)
    has_holes = bool((counts == 0).any())
    if ndim == 2:
        counts = np.outer(counts, counts)
    return Coverage(counts, has_holes)
