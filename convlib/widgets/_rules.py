"""torch's shape rules as the demos need them, asked of convlib.

Every answer is an `Outcome`: the size `convlib.shapes` gives, or the id
of the rule that refused the setting, with the numbers the demo's
sentence about it names (`facts`). The rules themselves are
`convlib._args` and `convlib.shapes`: this module only calls them, one
integer argument at a time first (`_args.check_int`, in the order
`convlib.shapes` checks them, so that a reason names one number), then
the size function, and turns the error it raises into a rule id
(`REFUSALS`). The kit's ``rules`` (kit.js) are the JavaScript twin of
these functions; tests/test_widget_rules.py holds the two equal over
every setting the demos' controls offer.

Rule ids: ``int`` (not an integer), ``min`` (below its minimum),
``same_stride`` (padding='same' with a stride), ``span`` (the window
does not fit the padded input), ``half_pad`` (pooling padding over half
the window), ``output_padding`` (not below max(stride, dilation)),
``not_positive`` (a transposed output size below 1), ``groups_in`` /
``groups_out`` (channels not divisible by groups).
"""
from typing import NamedTuple

from .. import _args, shapes


class Outcome(NamedTuple):
    """A size, or the rule that refuses the setting.

    size : int or None, None when refused
    rule : str, '' or the id of the rule that refuses
    facts : dict of numbers the sentence about the outcome names
    """
    size: object
    rule: str
    facts: dict


# The words of the argument layer's message that tell which rule
# refused (the integer checks are told apart by their call instead).
REFUSALS = (
    ("padding='same' is not supported for strided", "same_stride"),
    ("larger than the padded input", "span"),
    ("does not fit", "span"),
    ("padding must be at most half of kernel_size", "half_pad"),
    ("output_padding must be smaller than max(stride, dilation)",
     "output_padding"),
    ("is not positive", "not_positive"),
    ("in_channels must be divisible by groups", "groups_in"),
    ("out_channels must be divisible by groups", "groups_out"),
)


def rule_of(error):
    """The id of the rule behind an error of the argument layer.

    Raises
    ------
    ValueError
        The error itself when no rule matches: a refusal the demos have
        no sentence for must not pass unseen.
    """
    for words, rule in REFUSALS:
        if words in str(error):
            return rule
    raise error


def ints(checks):
    """The first of ``[(name, value, minimum), ...]`` that
    `_args.check_int` refuses, as an `Outcome` (rule ``int`` or ``min``;
    facts name, value and minimum); None when it refuses none."""
    for name, value, minimum in checks:
        try:
            _args.check_int(value, name, "demo", minimum)
        except TypeError:
            return Outcome(None, "int", dict(name=name, value=value))
        except ValueError:
            return Outcome(None, "min", dict(name=name, value=value,
                                             minimum=minimum))
    return None


def _asked(facts, size_function, *args, **kwargs):
    """`size_function`'s answer, or the rule its error names."""
    try:
        return Outcome(size_function(*args, **kwargs), "", facts)
    except ValueError as error:
        return Outcome(None, rule_of(error), facts)


def span(k, d):
    """Cells that k taps, d apart, span: ``d*(k - 1) + 1``."""
    return _args.extent(1, k, 1, d)


def conv(n, k, s, p, d):
    """One axis of a convolution (`convlib.shapes.conv_output_size`).

    `p` is an int or 'same'. facts: ``span``, ``padded`` (n + 2p) and
    ``top`` (padded - span, what the floor divides), or ``total``,
    ``before`` and ``after`` (the zeros 'same' adds,
    `_args.same_padding`).
    """
    same = isinstance(p, str) and p == "same"
    refused = ints([("input_size", n, 1), ("kernel_size", k, 1),
                    ("stride", s, 1), ("dilation", d, 1)]
                   + ([] if same else [("padding", p, 0)]))
    if refused:
        return refused
    if same:
        ((before, after),) = _args.same_padding((k,), (d,))
        facts = dict(total=before + after, before=before, after=after)
    else:
        facts = dict(span=span(k, d), padded=n + 2 * p,
                     top=n + 2 * p - span(k, d))
    return _asked(facts, shapes.conv_output_size, n, kernel_size=k,
                  stride=s, padding=p, dilation=d)


def transpose(n, k, s, p, op=0, d=1):
    """One axis of a transposed convolution
    (`convlib.shapes.conv_transpose_output_size`). facts: ``raw``, the
    size formula's value (`_args.transpose_size`), refused below 1."""
    refused = ints([("input_size", n, 1), ("kernel_size", k, 1),
                    ("stride", s, 1), ("dilation", d, 1), ("padding", p, 0),
                    ("output_padding", op, 0)])
    if refused:
        return refused
    facts = dict(raw=_args.transpose_size(n, k, s, p, op, d))
    return _asked(facts, shapes.conv_transpose_output_size, n,
                  kernel_size=k, stride=s, padding=p, output_padding=op,
                  dilation=d)


def pool(n, k, s, p, d, ceil_mode):
    """One axis of max or average pooling
    (`convlib.shapes.pool_output_size`).

    facts: ``span``, ``padded``, ``top``, ``half`` (the most padding
    allowed, k // 2), ``raw`` (the windows counted before ceil_mode's
    dropped window: `_args.conv_size` of a size s - 1 larger in ceil
    mode) and ``last`` (where the last of them starts).
    """
    refused = ints([("input_size", n, 1), ("kernel_size", k, 1),
                    ("stride", s, 1), ("padding", p, 0), ("dilation", d, 1)])
    if refused:
        return refused
    raw = _args.conv_size(n + (s - 1 if ceil_mode else 0), k, s, (p, p), d)
    facts = dict(span=span(k, d), padded=n + 2 * p,
                 top=n + 2 * p - span(k, d), half=k // 2, raw=raw,
                 last=(raw - 1) * s - p)
    return _asked(facts, shapes.pool_output_size, n, kernel_size=k,
                  stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)


def starts(out, s, p):
    """Where each of `out` windows starts (negative: in the padding)."""
    return [i * s - p for i in range(out)]


def window_counts(n, out, k, s, p, count_include_pad):
    """Divisor of each average-pooling window along one axis
    (`_args.window_counts`)."""
    return _args.window_counts(n, out, k, s, p, count_include_pad)


def groups(in_channels, out_channels, groups):
    """Channels split into groups (`convlib.shapes.count_params`);
    size: input channels per group."""
    refused = ints([("in_channels", in_channels, 1),
                    ("out_channels", out_channels, 1), ("groups", groups, 1)])
    if refused:
        return refused
    outcome = _asked({}, shapes.count_params, "conv2d",
                     in_channels=in_channels, out_channels=out_channels,
                     kernel_size=1, groups=groups)
    if outcome.rule:
        return outcome
    return Outcome(in_channels // groups, "", {})
