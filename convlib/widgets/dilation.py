"""Chapter 4 demo: the HDC map, two stacks of dilated layers side by side.

`hdc_report` is the plain, tested function behind the demo: for a stack
of stride-1 K x K convolutions with dilation rates ``r_1..r_n`` it gives
the exact coverage of one output (`convlib.shapes.coverage`), the holes,
the M chain of the HDC rule (`convlib.shapes.hdc_m_chain`, Wang et al.
2018) beside the true largest gap it estimates
(`convlib.shapes.largest_gap` of layers 2..n), the rule's verdict and
the exact verdict, as numbers and as the sentences the demo prints
(from the demos' string table). `hdc_compare` says whether two stacks
reach the same inputs. The demo's JavaScript (``hdc_map.js``) computes
the same reports in the browser; the tests hold the two equal over
every setting the demo offers.
"""
from collections import namedtuple
import math

from .. import _args, shapes
from ._demo import Demo
from ._strings import text

HDCReport = namedtuple(
    "HDCReport", "rates kernel_size span counts holes holes_2d chain steps "
    "m2_ok gcd rule exact rule_text exact_text verdict gap2 gap_text "
    "holes_text centre centre_text")
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
gap2 : int or None, the true largest gap of layers 2..n
    (`convlib.shapes.largest_gap`), which M_2 estimates; None for one
    layer
gap_text : str or None, G_2 beside M_2, and what it decides
holes_text : str, the holes counted and listed (a long list shortened)
centre : int or None, the offset of the centre input for an odd K (it
    is always reached, through every layer's middle tap); None for an
    even K, which has no middle tap
centre_text : str, what the outlined square of the map is, or why there
    is none
"""

MAX_LAYERS, MAX_RATE, KERNELS = 4, 8, (2, 3, 5)
LISTED = 8    # hole offsets listed in full; longer lists are shortened
ELLIPSIS = "\u2026"


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


def _gap_text(rates, k, chain, gap2):
    if chain is None:
        return None
    if rates[0] != 1:
        test = text("hdc.gap_first_other", r=rates[0])
    else:
        test = text("hdc.gap_first_one_ok" if gap2 <= k
                    else "hdc.gap_first_one_over", g=gap2, k=k)
    which = (text("hdc.gap_layer") if len(rates) == 2
             else text("hdc.gap_layers", n=len(rates)))
    return text("hdc.gap_line", test=test,
                gap=text("hdc.gap", which=which, g=gap2, m2=chain[1]))


def hole_list(holes):
    """The hole offsets as the demo lists them: all of them up to `LISTED`,
    else the first three, an ellipsis and the last three."""
    shown = [str(h) for h in holes]
    if len(shown) > LISTED:
        shown = shown[:3] + [ELLIPSIS] + shown[-3:]
    return ", ".join(shown)


def _holes_text(holes, span):
    if not holes:
        return text("hdc.holes", holes=0, span=span)
    return text("hdc.holes_at_one" if len(holes) == 1 else "hdc.holes_at",
                holes=len(holes), span=span, offsets=hole_list(holes))


def _centre(k, span):
    return (span - 1) // 2 if k % 2 else None


def _centre_text(centre):
    if centre is None:
        return text("hdc.centre_even")
    return text("hdc.centre_odd", c=centre)


def hdc_report(rates, kernel_size=3):
    """Coverage, holes, M chain, true gap and both verdicts for a stack.

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
        (None for one layer); ``gap2`` is
        ``convlib.shapes.largest_gap(rates[1:], K)``; ``rule`` adds the
        paper's remark that the rates should have no common factor;
        ``exact`` is the ground truth (see `HDCReport`).

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
    chain = steps = m2_ok = rule = gap2 = None
    if len(rates) >= 2:
        chain = shapes.hdc_m_chain(rates, k).chain
        steps = m_chain_steps(rates, k)
        m2_ok = chain[1] <= k
        rule = m2_ok and gcd == 1
        gap2 = shapes.largest_gap(rates[1:], k)
    exact = not holes
    centre = _centre(k, span)
    return HDCReport(rates, k, span, counts, holes, holes_2d, chain,
                     steps or [], m2_ok, gcd, rule, exact,
                     _rule_text(rates, k, chain, gcd),
                     _exact_text(span, len(holes), holes_2d),
                     _verdict(rule, exact), gap2,
                     _gap_text(rates, k, chain, gap2),
                     _holes_text(holes, span), centre,
                     _centre_text(centre))


def hdc_compare(a, b):
    """Whether two reports' stacks reach the same inputs, as the demo says.

    Parameters
    ----------
    a, b : HDCReport

    Returns
    -------
    str
        Same inputs: the same span and the same holes.
    """
    same = a.span == b.span and a.holes == b.holes
    return text("hdc.compare_same" if same else "hdc.compare_differ")


class HDCMap(Demo):
    """Receptive-field / HDC coverage maps of two stacks (see `hdc_map`)."""

    name, script = "hdc-map", "hdc_map.js"
    namespace = "convlibHDCMap"
    _esm = Demo.module_for(script, namespace, name)


def _stack(rates, kernel_size, fn, which):
    """One stack's starting settings, checked against the controls."""
    if not isinstance(rates, (list, tuple)) or not \
            1 <= len(rates) <= MAX_LAYERS:
        raise ValueError(f"{fn}: {which} must be a list of 1 to "
                         f"{MAX_LAYERS} rates, got {rates!r}")
    rates = [_args.check_int(r, which, fn) for r in rates]
    if max(rates) > MAX_RATE:
        raise ValueError(f"{fn}: {which} must be at most {MAX_RATE}, got "
                         f"{rates!r}")
    name = "kernel_size" if which == "rates" else "kernel_size_b"
    kernel_size = _args.check_int(kernel_size, name, fn)
    if kernel_size not in KERNELS:
        raise ValueError(f"{fn}: {name} must be one of {KERNELS}, "
                         f"got {kernel_size!r}")
    return dict(rates=rates, k=kernel_size)


def hdc_map(rates=(1, 3, 1), kernel_size=3, rates_b=(1, 1, 3),
            kernel_size_b=None):
    """The HDC map demo: two stacks, A and B, side by side.

    Each stack has up to 4 rates (1-8) and its own K in {2, 3, 5}. For
    each, computed in the browser as `hdc_report` computes it: the map
    of which inputs reach one output (path counts in shades of blue,
    holes in salmon with a stroke, the centre input outlined for an odd
    K), the holes counted and listed, the M chain beside the true
    largest gap G_2, and the verdicts of the HDC rule and of the exact
    check (the verdict in a live region, for screen readers); below
    both, whether the two reach the same inputs (`hdc_compare`).

    Parameters
    ----------
    rates, rates_b : sequence of int
        The starting rates of stack A and stack B.
    kernel_size, kernel_size_b : int
        Their K; `kernel_size_b` None means the same as A's.

    Returns
    -------
    HDCMap
        A widget; ``config`` holds the two stacks and the bounds of the
        controls.
    """
    fn = "hdc_map"
    kernel_size_b = kernel_size if kernel_size_b is None else kernel_size_b
    stacks = [_stack(rates, kernel_size, fn, "rates"),
              _stack(rates_b, kernel_size_b, fn, "rates_b")]
    return HDCMap(config=dict(stacks=stacks, max_layers=MAX_LAYERS,
                              max_rate=MAX_RATE, kernels=list(KERNELS)))
