"""What `bench.py` times: a random sweep, named cases, real networks.

A case is a plain dict that a benchmark side (`_side.py`) can rebuild
in its own process: ``op`` (a name in ``torch.nn.functional`` and in
``convlib.numpy``), ``shapes`` (the float32 arrays, drawn from a
normal distribution), ``kwargs``, ``directions`` to time (``fwd``,
``bwd``, and for max pooling ``bwd_given`` / ``bwd_recomputed``),
a ``name`` and a ``family``.
"""
import random

# The families of the sweep and what the targets call them (bench.py).
FAMILIES = ("plain", "strided", "dilated", "grouped", "depthwise",
            "transposed")
BATCHES = (1, 2, 4, 8, 16, 32)
CHANNELS = (8, 16, 24, 32, 48, 64, 96, 128)
SIZES = (7, 8, 14, 16, 28, 32, 56)
SWEEP_MACS = 1.5e8  # most multiply-adds a case: a sweep takes minutes


class _Deck:
    """Values dealt in shuffled rounds: every value comes up once
    before any comes up twice, so that a few draws already spread over
    the whole range (a sweep of six cases sees every batch size)."""

    def __init__(self, values, rng):
        self.values, self.rng, self.cards = list(values), rng, []

    def draw(self):
        if not self.cards:
            self.cards = list(self.values)
            self.rng.shuffle(self.cards)
        return self.cards.pop()


def _conv(name, family, x, w, op="conv2d", **kwargs):
    return dict(name=name, family=family, op=op, shapes=(x, w),
                kwargs=kwargs, directions=("fwd", "bwd"))


def _macs(case):
    (n, c_in, h, w), (a, b, kh, kw) = case["shapes"]
    stride = case["kwargs"].get("stride", 1)
    if case["op"] == "conv_transpose2d":  # every input meets the kernel
        return n * h * w * a * b * kh * kw
    return n * a * b * kh * kw * h * w / stride ** 2


# The settings of each family, each dealt from a deck of its own
# (`_deal`): every run holds the same mix of them -- six depthwise
# cases are always four at stride 1 and two at stride 2 -- and only
# which shape meets which setting is drawn afresh. Before, drawn
# independently, two runs' depthwise geometric means came out 2.31
# and 0.77 (torch's depthwise kernel is fast for one output per
# channel and 3x3, slow otherwise).
SETTINGS = {
    "plain": {"k": (1, 3, 3, 5)},
    "strided": {"k": (1, 3, 3, 5)},
    "dilated": {"d": (2, 3, 4)},
    "grouped": {"k": (3, 3, 5), "groups": (2, 4, 8), "s": (1, 1, 2)},
    "depthwise": {"k": (3, 3, 5), "multiplier": (1, 1, 2),
                  "s": (1, 1, 2)},
    "transposed": {"k s p": ((4, 2, 1), (2, 2, 0), (3, 2, 1),
                             (3, 1, 1))},
}


def _deal(decks, rng, family, name):
    """The next `name` setting of `family` from its deck."""
    key = (family, name)
    if key not in decks:
        decks[key] = _Deck(SETTINGS[family][name], rng)
    return decks[key].draw()


def _family_case(family, decks, rng):
    """One random case of `family` (see `sweep`)."""
    batch, size = decks["batch"].draw(), decks["size"].draw()
    c_in, c_out = decks["channels"].draw(), decks["channels"].draw()
    kw, groups, op = {}, 1, "conv2d"
    k = 3
    if "k" in SETTINGS[family]:
        k = _deal(decks, rng, family, "k")
    if family == "strided":
        kw["stride"] = 2
    elif family == "dilated":
        kw["dilation"] = _deal(decks, rng, family, "d")
    elif family == "grouped":
        groups = _deal(decks, rng, family, "groups")
        kw["stride"] = _deal(decks, rng, family, "s")
        c_in, c_out = (max(groups, c - c % groups) for c in (c_in, c_out))
    elif family == "depthwise":
        groups = c_in
        c_out = c_in * _deal(decks, rng, family, "multiplier")
        kw["stride"] = _deal(decks, rng, family, "s")
    elif family == "transposed":
        op = "conv_transpose2d"
        k, kw["stride"], kw["padding"] = _deal(decks, rng, family,
                                               "k s p")
        if (k, kw["stride"]) == (3, 2):
            kw["output_padding"] = 1
        size = max(4, size // 2)  # the output is twice as large
    if family != "transposed":
        kw["padding"] = kw.get("dilation", 1) * (k // 2)
    if groups > 1:
        kw["groups"] = groups
    size = max(size, kw.get("dilation", 1) * (k - 1) + 1)
    w_shape = ((c_in, c_out // groups, k, k) if op == "conv_transpose2d"
               else (c_out, c_in // groups, k, k))
    case = _conv("", family, [batch, c_in, size, size], list(w_shape),
                 op=op, **kw)
    while _macs(case) > SWEEP_MACS and size > 8:
        size = max(8, size * 3 // 4)  # the batch stays as dealt
        case["shapes"][0][2:] = [size, size]
    extra = "".join(f" {key[0]}={v}" for key, v in kw.items()
                    if key in ("stride", "dilation", "groups"))
    case["name"] = (f"{family[:5]} {k}x{k} ({batch},{c_in},{size},"
                    f"{size})->{c_out}{extra}")
    return case


def sweep(seed, per_family=6, smoke=False):
    """`per_family` random cases of every family in `FAMILIES`.

    Batch sizes, channels and sizes are dealt from shuffled decks
    (`_Deck`), so the draws spread evenly over their ranges, and each
    family's settings from decks of their own (`SETTINGS`); a
    case larger than `SWEEP_MACS` shrinks its image, not its batch.
    `smoke` keeps every array tiny (for a test that the bench runs).
    """
    rng = random.Random(seed)
    decks = {"batch": _Deck(BATCHES, rng),
             "channels": _Deck(CHANNELS, rng),
             "size": _Deck(SIZES, rng)}
    if smoke:
        decks = {"batch": _Deck((1, 2), rng), "channels": _Deck((4, 8), rng),
                 "size": _Deck((8,), rng)}
    cases = [_family_case(family, decks, rng) for _ in range(per_family)
             for family in FAMILIES]
    for case in cases:
        case["seed"] = rng.randrange(2**31)
    return cases


def named():
    """Fixed cases kept from earlier benchmarks, named by shape."""
    cases = [
        _conv("3x3 conv (32,64,32,32)->64", "named", (32, 64, 32, 32),
              (64, 64, 3, 3), padding=1),
        _conv("7x7/2 stem (8,3,224,224)->64", "named", (8, 3, 224, 224),
              (64, 3, 7, 7), stride=2, padding=3),
        _conv("depthwise 3x3 (32,128,32,32)", "named", (32, 128, 32, 32),
              (128, 1, 3, 3), padding=1, groups=128),
        _conv("1x1 conv (32,256,16,16)->64", "named", (32, 256, 16, 16),
              (64, 256, 1, 1)),
        _conv("dilated 3x3 d=2 (16,64,64,64)->64", "named",
              (16, 64, 64, 64), (64, 64, 3, 3), padding=2, dilation=2),
        _conv("transposed 4x4/2 (16,64,32,32)->32", "named",
              (16, 64, 32, 32), (64, 32, 4, 4), op="conv_transpose2d",
              stride=2, padding=1),
        _conv("small 3x3 (2,8,16,16)->8", "small", (2, 8, 16, 16),
              (8, 8, 3, 3), padding=1),
        _conv("tiny (1,1,5,5) 3x3", "tiny", (1, 1, 5, 5), (1, 1, 3, 3)),
    ]
    for shape, (k, s, p) in (((32, 64, 56, 56), (3, 2, 0)),
                             ((16, 32, 32, 32), (2, 2, 0)),
                             ((8, 64, 28, 28), (3, 1, 1))):
        cases.append(dict(
            name=f"max pool {k}x{k}/{s} {shape}",
            family="max pool", op="max_pool2d", shapes=(shape,),
            kwargs=dict(kernel_size=k, stride=s, padding=p),
            directions=("fwd", "bwd_given", "bwd_recomputed")))
    cases.append(dict(name="avg pool 2x2 (32,64,56,56)", family="avg pool",
                      op="avg_pool2d", shapes=((32, 64, 56, 56),),
                      kwargs=dict(kernel_size=2),
                      directions=("fwd", "bwd")))
    return cases


def networks():
    """The convolutions of ResNet-18 and MobileNet v1 on one 224x224
    image: real layers, chosen apart from the code and the sweep (up to
    1024 channels, 7x7 stems, 1x1 downsampling at stride 2)."""
    cases = [_conv("resnet18 conv1 7x7/2", "resnet18", (1, 3, 224, 224),
                   (64, 3, 7, 7), stride=2, padding=3)]
    size, c_in = 56, 64
    for c_out, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        if stride == 2:
            cases.append(_conv(
                f"resnet18 {c_in}->{c_out} 3x3/2 @{size}", "resnet18",
                (1, c_in, size, size), (c_out, c_in, 3, 3), stride=2,
                padding=1))
            cases.append(_conv(
                f"resnet18 {c_in}->{c_out} 1x1/2 @{size}", "resnet18",
                (1, c_in, size, size), (c_out, c_in, 1, 1), stride=2))
            size //= 2
        cases.append(_conv(
            f"resnet18 {c_out}->{c_out} 3x3 @{size}", "resnet18",
            (1, c_out, size, size), (c_out, c_out, 3, 3), padding=1))
        c_in = c_out
    cases.append(_conv("mobilenet conv 3x3/2", "mobilenet",
                       (1, 3, 224, 224), (32, 3, 3, 3), stride=2,
                       padding=1))
    size, c_in = 112, 32
    for c_out, stride in ((64, 1), (128, 2), (128, 1), (256, 2),
                          (256, 1), (512, 2), (512, 1), (1024, 2)):
        cases.append(_conv(
            f"mobilenet dw {c_in} 3x3/{stride} @{size}",
            "mobilenet depthwise", (1, c_in, size, size), (c_in, 1, 3, 3),
            stride=stride, padding=1, groups=c_in))
        size = (size - 1) // stride + 1
        cases.append(_conv(
            f"mobilenet pw {c_in}->{c_out} @{size}", "mobilenet",
            (1, c_in, size, size), (c_out, c_in, 1, 1)))
        c_in = c_out
    return cases
