"""Chapter 4 demo: the receptive-field / HDC coverage map.

`hdc_report` is the plain, tested function behind the demo: for a stack
of stride-1 K x K convolutions with dilation rates ``r_1..r_n`` it gives
the exact coverage of one output (`convlib.shapes.coverage`), the holes,
the M chain of the HDC rule (`convlib.shapes.hdc_m_chain`, Wang et al.
2018), the rule's verdict and the exact verdict, as numbers and as the
sentences the demo prints (from the demos' string table). The demo's
JavaScript (``hdc_map.js``)
computes the same report in the browser; the tests hold the two equal
over every setting the demo offers.
"""
from collections import namedtuple
import math

from .. import _args, shapes
from ._demo import Demo
from ._strings import text

HDCReport = namedtuple(
    "HDCReport", "rates kernel_size span counts holes holes_2d chain steps "
    "m2_ok gcd rule exact rule_text exact_text verdict")
HDCReport.__doc__ = """What the HDC map shows for one stack of rates.

rates : tuple of int, input side first; kernel_size : int, K
span : int, receptive field size 1 + (K - 1) * sum(rates)
counts : list of int, paths from each input offset to the output (1-D)
holes : tuple of int, the offsets with no path (1-D)
holes_2d : int, holes in the span x span field of K x K kernels
chain : tuple of int (M_1..M_n), or None for a single layer
steps : list of str, the M chain worked out, M_n first
m2_ok : bool or None, M_2 <= K (None for a single layer)
gcd : int, the greatest common divisor of the rates
rule : bool or None, the HDC rule's prediction "no holes": M_2 <= K and
    no common factor (gcd 1); None for a single layer
exact : bool, True when there are no holes (the exact check)
rule_text, exact_text, verdict : str, the sentences the demo prints
"""

MAX_LAYERS, MAX_RATE, KERNELS = 4, 8, (2, 3, 5)


def m_chain_steps(rates, kernel_size):
    """The M chain of the HDC rule with the numbers put in, M_n first.

    Returns
    -------
    list of str
        ``"M_n = r_n = ..."`` then one line per ``M_i``, i = n-1..1.
    """
    chain = shapes.hdc_m_chain(rates, kernel_size).chain
    n = len(rates)
    lines = [text("hdc.chain_last", n=n, r=rates[-1])]
    for i in range(n - 2, -1, -1):
        m, r = chain[i + 1], rates[i]
        lines.append(text("hdc.chain_step", i=i + 1, m=m, r=r, t1=m - 2 * r,
                          t2=m - 2 * (m - r), t3=r, mi=chain[i]))
    return lines


def _rule_text(rates, k, chain, gcd):
    if chain is None:
        return text("hdc.rule_one_layer")
    m2 = chain[1]
    ok = m2 <= k and gcd == 1
    return text("hdc.rule",
                m2=text("hdc.m2_ok" if m2 <= k else "hdc.m2_over", m2=m2,
                        k=k),
                factor=text("hdc.no_factor" if gcd == 1 else "hdc.factor",
                            g=gcd),
                prediction=text("hdc.no_holes_predicted" if ok
                                else "hdc.holes_predicted"))


def _exact_text(span, n_holes, holes_2d):
    if not n_holes:
        return text("hdc.exact_none", span=span)
    return text("hdc.exact_holes", holes=n_holes, span=span,
                holes2d=holes_2d, pixels=span * span)


def _verdict(rule, exact):
    if rule is None:
        return text("hdc.verdict_one_layer")
    if rule == exact:
        return text("hdc.agree")
    return text("hdc.disagree_holes" if rule else "hdc.disagree_no_holes")


def hdc_report(rates, kernel_size=3):
    """Coverage, holes, M chain and both verdicts for a dilated stack.

    Parameters
    ----------
    rates : sequence of int, length >= 1
        Dilation rates of stacked stride-1 K x K convolutions, input
        side first.
    kernel_size : int
        K, the same for every layer.

    Returns
    -------
    HDCReport
        ``counts`` is ``convlib.shapes.coverage(rates, K).counts``;
        ``chain`` is ``convlib.shapes.hdc_m_chain(rates, K).chain``
        (None for one layer); ``rule`` adds the paper's remark that the
        rates should have no common factor; ``exact`` is the ground
        truth (see `HDCReport`).

    Raises
    ------
    ValueError, TypeError
        For empty or non-positive rates or a bad kernel_size (from
        `convlib.shapes.coverage`).
    """
    k = _args.check_int(kernel_size, "kernel_size", "hdc_report")
    cover = shapes.coverage(rates, k)
    rates = tuple(int(r) for r in rates)
    counts = [int(c) for c in cover.counts]
    span = len(counts)
    holes = tuple(i for i, c in enumerate(counts) if c == 0)
    holes_2d = span * span - (span - len(holes)) ** 2
    gcd = math.gcd(*rates)
    chain = steps = m2_ok = rule = None
    if len(rates) >= 2:
        chain = shapes.hdc_m_chain(rates, k).chain
        steps = m_chain_steps(rates, k)
        m2_ok = chain[1] <= k
        rule = m2_ok and gcd == 1
    exact = not holes
    return HDCReport(rates, k, span, counts, holes, holes_2d, chain,
                     steps or [], m2_ok, gcd, rule, exact,
                     _rule_text(rates, k, chain, gcd),
                     _exact_text(span, len(holes), holes_2d),
                     _verdict(rule, exact))


class HDCMap(Demo):
    """Receptive-field / HDC coverage map (see `hdc_map`)."""

    name, script = "hdc-map", "hdc_map.js"
    namespace = "convlibHDCMap"
    _esm = Demo.module_for(script, namespace, name)


def hdc_map(rates=(2, 2, 2), kernel_size=3):
    """The HDC map demo: choose up to 4 rates (1-8) and K in {2, 3, 5}.

    Shows, computed in the browser as `hdc_report` computes it, the map
    of which inputs reach one output (a heat map of the path counts,
    holes in red), the holes counted, the M chain, and the verdicts of
    the HDC rule and of the exact check.

    Returns
    -------
    HDCMap
        A widget; ``config`` holds the starting rates and kernel size
        and the bounds of the controls.
    """
    fn = "hdc_map"
    if not isinstance(rates, (list, tuple)) or not \
            1 <= len(rates) <= MAX_LAYERS:
        raise ValueError(f"{fn}: rates must be a list of 1 to {MAX_LAYERS}"
                         f" rates, got {rates!r}")
    rates = [_args.check_int(r, "rates", fn) for r in rates]
    if max(rates) > MAX_RATE:
        raise ValueError(f"{fn}: rates must be at most {MAX_RATE}, got "
                         f"{rates!r}")
    kernel_size = _args.check_int(kernel_size, "kernel_size", fn)
    if kernel_size not in KERNELS:
        raise ValueError(f"{fn}: kernel_size must be one of {KERNELS}, "
                         f"got {kernel_size!r}")
    return HDCMap(config=dict(rates=rates, k=kernel_size,
                              max_layers=MAX_LAYERS, max_rate=MAX_RATE,
                              kernels=list(KERNELS)))
