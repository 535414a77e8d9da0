"""Write chapters/02_conv_variants.ipynb (unexecuted) from the cells below.

Run once, then execute the notebook; kept out of the repository.
"""
import nbformat as nbf

cells = []


def md(text):
    cells.append(nbf.v4.new_markdown_cell(text.strip("\n")))


def code(text, tags=None):
    cell = nbf.v4.new_code_cell(text.strip("\n"))
    if tags:
        cell.metadata["tags"] = tags
        cell.metadata["jupyter"] = {"source_hidden": True,
                                    "outputs_hidden": True}
    cells.append(cell)


def answers(text):
    code("# The numbers behind the answers\n" + text.strip("\n"),
         tags=["hide-cell"])


md(r"""
# Convolution variants

Chapter 1's layer joins every input channel to every output channel through
a full $k \times k$ kernel. Most networks since 2015 spend their weights
more carefully: they spread the kernel out, split it into two thin ones,
filter each channel on its own, or cut the channels into groups. This
chapter takes those variants one at a time and counts what each one costs.
By the end of it you will be able to:

- compute the weights and the multiply-accumulates (MACs) of any variant
  from $C_\text{in}$, $C_\text{out}$, $k$, the groups $g$ and the output
  size, and predict a saving before you build the layer;
- build dilated, spatially separable, depthwise separable, 1×1, grouped and
  shuffled grouped convolutions from `conv2d` calls, and check them against
  PyTorch;
- say when a $k \times k$ kernel splits exactly into a column and a row,
  and how large the error is when it does not;
- explain why a depthwise separable layer costs about
  $1/C_\text{out} + 1/k^2$ of a standard one;
- say which input channels each output channel of a grouped convolution
  sees, and what a channel shuffle changes;
- reproduce MobileNet's 4.2 M parameters and 569 M multiply-adds, and the
  cost of AlexNet's split over two GPUs.

The words are chapter 1's. The **weight** is the whole tensor
$(C_\text{out}, C_\text{in}/g, k_h, k_w)$; a **filter** is one output
channel's part of it, $(C_\text{in}/g, k_h, k_w)$; a **kernel** is one
$k_h \times k_w$ slice. One {term}`multiply-add` $y \mathrel{+}= w x$ is a
MAC; the MobileNet and ShuffleNet papers call the same count "Mult-Adds"
or "FLOPs", and FLOPs = 2 × MACs only when a multiply and an add are
counted apart. Two Chinese blog posts list these variants; where they are
wrong, this chapter says so.
""")

code('''
# Set-up: install convlib if it is missing (Colab, fresh environments).
try:
    import convlib
except ImportError:
    import subprocess
    import sys
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q",
         "convlib[all] @ git+https://github.com/"
         "cnn-layers-interactively/cnn-layers-interactively"],
        check=True,
    )
    import convlib
''')

code('''
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from convlib import plot, shapes, widgets
from convlib import numpy as cnp

torch.manual_seed(0)
rng = np.random.default_rng(0)


def same(ours, theirs):
    """convlib's array against torch's tensor, in float64."""
    return np.allclose(ours, theirs.detach().numpy(), rtol=1e-9)
''')

# ------------------------------------------------------------------ cost
md(r"""
## What a layer costs

A standard convolution with $C_\text{in}$ input and $C_\text{out}$ output
channels and a $k \times k$ kernel holds $C_\text{out} C_\text{in} k^2$
weights (plus $C_\text{out}$ biases, which we leave out here: the networks
of this chapter put batch normalisation after each convolution and use no
bias). Every output value is one filter's dot product with one window,
$C_\text{in} k^2$ MACs, and there are $C_\text{out} H_\text{out}
W_\text{out}$ output values:

$$
\text{weights} = C_\text{out} C_\text{in} k^2, \qquad
\text{MACs} = H_\text{out} W_\text{out} \cdot C_\text{out} C_\text{in} k^2
= H_\text{out} W_\text{out} \cdot \text{weights}.
$$

Every variant in this chapter keeps the last equation: at stride 1 each
weight is used once per output position. The running example of the chapter
is a $3 \times 3$ layer from 64 to 64 channels on a $56 \times 56$ feature
map, with padding 1 so the size stays. `convlib.shapes` counts it, and
PyTorch agrees on the weights:
""")

code('''
c_in, c_out, k, size = 64, 64, 3, 56       # the running example
layer = dict(in_channels=c_in, out_channels=c_out, kernel_size=k,
             bias=False)
params = shapes.count_params("conv2d", **layer)
macs = shapes.count_flops("conv2d", size, padding=1, unit="mac", **layer)
print(params, c_out * c_in * k * k)
print(macs, size * size * params)
conv = torch.nn.Conv2d(c_in, c_out, k, padding=1, bias=False)
print(sum(p.numel() for p in conv.parameters()))
''')

md(r"""
About 37 thousand weights and 116 million MACs for one image. The rest of
the chapter tries to get a similar layer for less.

### Check yourself

1. How many MACs does one output value of the running example take?
2. The same layer runs on a $112 \times 112$ input (padding 1). What happens
   to its weights and to its MACs?
3. How many FLOPs is the running example, counting multiplications and
   additions separately?

:::{admonition} Answer
:class: dropdown

1. $C_\text{in} k^2 = 64 \cdot 9 = 576$: one $3 \times 3$ window in each of
   the 64 input channels.
2. The weights stay 36864: they do not depend on the image size. The MACs
   grow with the number of output positions, four times: 462422016.
3. $2 \times 115605504 = 231211008$ (the cell below computes all three).

:::
""")

answers('''
print(c_in * k * k)
print(shapes.count_params("conv2d", **layer),
      shapes.count_flops("conv2d", 112, padding=1, **layer))
print(shapes.count_flops("conv2d", size, padding=1, unit="flop", **layer))
''')

# ------------------------------------------------------------------ dilated
md(r"""
## Dilated convolution: the idea

A {term}`dilated convolution` (空洞卷积) spreads the $k \times k$ taps of a
kernel $d$ cells apart, with $d - 1$ skipped cells between neighbours; $d$
is the {term}`dilation rate` (`dilation=d` in PyTorch)
{cite:p}`yu2016dilated`. The kernel then spans $d(k - 1) + 1$ cells each
way with the same $k^2$ weights. It is exactly an ordinary convolution with
a larger kernel that is zero between the taps, as this check shows for
$d = 2$:
""")

code('''
x = rng.standard_normal((1, 4, 12, 12))
w = rng.standard_normal((6, 4, 3, 3))
ours = cnp.conv2d(x, w, padding=2, dilation=2)
theirs = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=2,
                  dilation=2)
spread = np.zeros((6, 4, 5, 5))
spread[:, :, ::2, ::2] = w                 # the 3 x 3 taps, 2 apart
print(ours.shape, same(ours, theirs),
      np.allclose(ours, cnp.conv2d(x, spread, padding=2)))
''')

md(r"""
So dilation costs nothing extra: the same weights, and at the same output
size the same MACs (padding $d(k-1)/2 = 2$ keeps the size here). What
grows is the span. Blog post 002 stacks four layers with $k = 2$: plain
ones see 5 input cells, dilated ones (rates 1, 2, 4, 8) see 16.
`convlib.shapes.receptive_field` confirms both:
""")

code('''
print(shapes.count_params("conv2d", **layer),
      shapes.count_flops("conv2d", size, padding=2, dilation=2, **layer))
plain = [dict(kernel_size=2)] * 4
dilated = [dict(kernel_size=2, dilation=d) for d in (1, 2, 4, 8)]
print(shapes.receptive_field(plain).size,
      shapes.receptive_field(dilated).size)
''')

md(r"""
A dilated kernel skips the cells between its taps, and stacks of dilated
layers can leave holes: chapter 4 is about when they do and how to choose
the rates.

### Check yourself

1. How many cells does a $3 \times 3$ kernel with $d = 3$ span along each
   axis, and how many weights does it have?
2. Which padding keeps the size for $k = 3$, $d = 2$ at stride 1?
3. A $5 \times 5$ dense kernel and a $3 \times 3$ kernel with $d = 2$ span
   the same area. How many weights does each have?

:::{admonition} Answer
:class: dropdown

1. $3 \cdot (3 - 1) + 1 = 7$ cells, still 9 weights.
2. $p = d(k - 1)/2 = 2$.
3. 25 against 9 (per input and output channel pair).

:::
""")

answers('''
print(3 * (3 - 1) + 1, shapes.conv_output_size(10, kernel_size=3,
                                               dilation=2, padding=2))
print(shapes.count_params("conv2d", in_channels=1, out_channels=1,
                          kernel_size=5, bias=False),
      shapes.count_params("conv2d", in_channels=1, out_channels=1,
                          kernel_size=3, dilation=2, bias=False))
''')

# ------------------------------------------------------------------ spatial
md(r"""
## Spatially separable convolution

If a kernel is a column times a row, $K = c\, r^\top$ (an outer product,
a matrix of rank 1: a {term}`separable kernel`, 可分离卷积核), then
sliding $K$ is the same as sliding the $k \times 1$ column and then the $1 \times k$ row over the result: each
output is $\sum_{u,v} c_u r_v x[i+u, j+v] = \sum_v r_v \left(\sum_u c_u
x[i+u, j+v]\right)$. That is a {term}`spatially separable convolution`
(空间可分离卷积), and per kernel it costs $2k$ MACs per output instead of
$k^2$. The Sobel kernel of chapter 1 is such a product: a smoothing column
$[1, 2, 1]^\top$ times a difference row $[1, 0, -1]$.
""")

code('''
column, row = np.array([1.0, 2.0, 1.0]), np.array([1.0, 0.0, -1.0])
sobel = np.outer(column, row)
print(sobel.astype(int), np.linalg.matrix_rank(sobel))
img = rng.standard_normal((1, 1, 8, 8))
two_steps = cnp.spatially_separable_conv2d(
    img, column[None, None, :, None], row[None, None, None, :])
one_step = cnp.conv2d(img, sobel[None, None])
t = torch.from_numpy
theirs = F.conv2d(F.conv2d(t(img), t(column).view(1, 1, 3, 1)),
                  t(row).view(1, 1, 1, 3))
print(np.allclose(two_steps, one_step), same(two_steps, theirs))
''')

md(r"""
Most kernels are not a column times a row. The Laplacian, which adds the
second differences along both axes, has rank 2. The best a column times a
row can do is its best rank-1 approximation, the first term of the
singular value decomposition $K = \sum_i \sigma_i u_i v_i^\top$
(Eckart–Young: no rank-1 matrix is closer in the Frobenius norm). Its
relative error is $\sqrt{\sigma_2^2 + \sigma_3^2} / \lVert K \rVert$:
""")

code('''
laplace = np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])
u, sv, vt = np.linalg.svd(laplace)
print(np.round(sv, 4), np.linalg.matrix_rank(laplace))
col1, row1 = np.sqrt(sv[0]) * u[:, 0], np.sqrt(sv[0]) * vt[0]
best = np.outer(col1, row1)                # the best rank-1 kernel
print(np.round(best, 3))
print(round(np.linalg.norm(laplace - best) / np.linalg.norm(laplace), 4))
exact = cnp.conv2d(img, laplace[None, None])
approx = cnp.spatially_separable_conv2d(
    img, col1[None, None, :, None], row1[None, None, None, :])
print(round(np.linalg.norm(approx - exact) / np.linalg.norm(exact), 2))
''')

md(r"""
The best single pair misses 10% of the kernel (its norm), and the
filtered image is off by 12%. Two pairs would be exact
($\sigma_3 = 0$), at the price of two separable passes. In a layer with many
channels, convlib's `spatially_separable_conv2d` is a $k \times 1$
convolution to $C_\text{mid}$ channels followed by a $1 \times k$ one
(here $C_\text{mid} = C_\text{out}$): its weights are
$C_\text{mid} C_\text{in} k + C_\text{out} C_\text{mid} k$. It is a cheaper
family of layers that a network is trained as, not an exact rewriting of
a trained $k \times k$ layer. For the running example:
""")

code('''
spatial = shapes.count_params("spatially_separable_conv2d", **layer)
print(spatial, c_out * c_in * k + c_out * c_out * k)
print(shapes.count_flops("spatially_separable_conv2d", size, padding=1,
                         **layer))
print(round(spatial / params, 3))
''')

md(r"""
### Check yourself

1. Is the $3 \times 3$ box blur (all weights $1/9$) separable? Is
   $\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}$?
2. How many MACs per output does a single-channel $7 \times 7$ kernel take,
   and a separable one?
3. A $3 \times 3$ kernel has the singular values 4, 3 and 0. What is the
   relative error of its best rank-1 approximation?

:::{admonition} Answer
:class: dropdown

1. The box blur is: it is $[1, 1, 1]^\top/3$ times $[1, 1, 1]/3$ (rank 1).
   The $2 \times 2$ matrix is not: its determinant is $-2 \neq 0$, so its
   rank is 2.
2. 49 against $7 + 7 = 14$.
3. $\sqrt{3^2 + 0^2}/\sqrt{4^2 + 3^2} = 3/5 = 0.6$. The cell below
   checks it on such a kernel.

:::
""")

answers('''
print(np.linalg.matrix_rank(np.ones((3, 3)) / 9),
      np.linalg.matrix_rank(np.array([[1.0, 2], [3, 4]])))
print(7 * 7, 7 + 7)
kern = np.diag([4.0, 3.0, 0.0])
uu, ss, ww = np.linalg.svd(kern)
rank1 = ss[0] * np.outer(uu[:, 0], ww[0])
print(ss, np.linalg.norm(kern - rank1) / np.linalg.norm(kern))
''')

# ------------------------------------------------------------------ depthwise
md(r"""
## Depthwise separable convolution

A standard layer does two jobs at once: it filters in space (the
$k \times k$ kernels) and mixes channels (the sum over $C_\text{in}$), and
it pays $k^2$ for every pair of input and output channels. A
{term}`depthwise separable convolution` (深度可分离卷积) does the two jobs
one after the other {cite:p}`chollet2017xception,howard2017mobilenets`:

1. a {term}`depthwise convolution` (逐通道卷积): `groups` $= C_\text{in}$,
   so each input channel is filtered by one $k \times k$ kernel of its own
   and no channels are mixed: $C_\text{in} k^2$ weights;
2. a {term}`pointwise convolution` (逐点卷积, $1 \times 1$): it mixes the
   channels at each position: $C_\text{out} C_\text{in}$ weights.

Built from `conv2d` calls and compared with convlib's helper and PyTorch:
""")

code('''
xd = rng.standard_normal((1, 8, 10, 10))
dw = rng.standard_normal((8, 1, 3, 3))     # one 3 x 3 kernel per channel
pw = rng.standard_normal((16, 8, 1, 1))    # 1 x 1 mixing, 8 -> 16
ours = cnp.depthwise_separable_conv2d(xd, dw, pw, padding=1)
by_hand = cnp.conv2d(cnp.conv2d(xd, dw, padding=1, groups=8), pw)
theirs = F.conv2d(F.conv2d(torch.from_numpy(xd), torch.from_numpy(dw),
                           padding=1, groups=8), torch.from_numpy(pw))
print(ours.shape, np.allclose(ours, by_hand), same(ours, theirs))
''')

md(r"""
Why it is cheap: the ratio to a standard layer is

$$
\frac{C_\text{in} k^2 + C_\text{out} C_\text{in}}{C_\text{out} C_\text{in}
k^2} = \frac{1}{C_\text{out}} + \frac{1}{k^2},
$$

for the weights and, multiplied by the same $H_\text{out} W_\text{out}$,
for the MACs. The $k^2$ no longer multiplies $C_\text{out}$: each input
channel is filtered once, not once per output channel. For the running
example:
""")

code('''
sep = shapes.count_params("depthwise_separable_conv2d", **layer)
sep_macs = shapes.count_flops("depthwise_separable_conv2d", size,
                              padding=1, **layer)
print(sep, c_in * k * k + c_out * c_in)
print(sep_macs, round(sep / params, 4), round(1 / c_out + 1 / k ** 2, 4))
print(round(macs / sep_macs, 2))
''')

md(r"""
Nearly 8 times fewer weights and MACs. The price is what the layer can
express. Written as one standard layer, its kernel from input channel $c$
to output channel $o$ is $\text{pw}[o, c]\,\text{dw}[c]$: every output
channel sees the same spatial kernel on channel $c$, only scaled. The
check below builds that weight and gets the same output:
""")

code('''
full = pw[:, :, 0, 0, None, None] * dw[None, :, 0]   # (16, 8, 3, 3)
print(full.shape, np.allclose(cnp.conv2d(xd, full, padding=1), ours))
''')

md(r"""
### Check yourself

1. What fraction of a standard layer's MACs does a depthwise separable one
   need for $k = 3$ and $C_\text{out} = 256$?
2. In the running example, what share of the separable layer's MACs is
   spent in the $1 \times 1$ step?
3. Does each output channel of a depthwise separable layer still depend on
   every input channel?

:::{admonition} Answer
:class: dropdown

1. $1/256 + 1/9 \approx 0.115$, about 8.7 times fewer.
2. $C_\text{out} C_\text{in} / (C_\text{in} k^2 + C_\text{out} C_\text{in})
   = 4096/4672 \approx 88\%$. The wider the layer, the more of the cost
   is the $1 \times 1$ mixing: MobileNet spends 95% of its multiply-adds
   there (computed in the section on MobileNet).
3. Yes, through the pointwise step: the report of the demo's function
   below lists, for each output channel, the input channels it depends on.

:::
""")

answers('''
print(round(1 / 256 + 1 / 9, 4), round(1 / (1 / 256 + 1 / 9), 1))
print(round(c_out * c_in / sep, 3))
report = widgets.variant_report("depthwise", 8, 16, 3)
print({len(seen) for seen in report.sees})
''')

# ------------------------------------------------------------------ 1x1
md(r"""
## 1×1 (pointwise) convolution

With $k = 1$ each output value is a weighted sum of the $C_\text{in}$
values at the same pixel: a {term}`pointwise convolution <pointwise
convolution>` (1×1 卷积) is a linear layer applied at every position
{cite:p}`lin2014network` (chapter 6 returns to it). It changes the number
of channels cheaply, and in a depthwise separable layer it is the only
step that mixes channels. The check moves the channels last and uses
`convlib.numpy.linear`:
""")

code('''
xp = rng.standard_normal((1, 8, 5, 5))
wp = rng.standard_normal((16, 8, 1, 1))
ours = cnp.conv2d(xp, wp)
as_linear = cnp.linear(xp.transpose(0, 2, 3, 1), wp[:, :, 0, 0])
print(ours.shape, same(ours, F.conv2d(torch.from_numpy(xp),
                                      torch.from_numpy(wp))))
print(np.allclose(ours, as_linear.transpose(0, 3, 1, 2)))
print(shapes.count_params("conv2d", in_channels=c_in,
                          out_channels=c_out, kernel_size=1, bias=False),
      shapes.count_flops("conv2d", size, in_channels=c_in,
                         out_channels=c_out, kernel_size=1))
''')

md(r"""
### Check yourself

1. A $1 \times 1$ convolution takes 256 channels to 64 on a $28 \times 28$
   map. How many weights and MACs?
2. Does a $1 \times 1$ convolution see neighbouring pixels?

:::{admonition} Answer
:class: dropdown

1. $64 \cdot 256 = 16384$ weights and $28 \cdot 28 \cdot 16384 = 12845056$
   MACs.
2. No: its receptive field is 1 pixel. It only mixes channels.

:::
""")

answers('''
print(shapes.count_params("conv2d", in_channels=256, out_channels=64,
                          kernel_size=1, bias=False),
      shapes.count_flops("conv2d", 28, in_channels=256, out_channels=64,
                         kernel_size=1))
print(shapes.receptive_field([dict(kernel_size=1)]).size)
''')

# ------------------------------------------------------------------ grouped
md(r"""
## Grouped convolution

A {term}`grouped convolution` (分组卷积) with `groups=g` cuts the input
channels into $g$ groups of $C_\text{in}/g$ and the filters into $g$ groups
of $C_\text{out}/g$; the filters of group $j$ see only input group $j$.
What is split is the channels, and each filter is smaller: the weight is
$(C_\text{out}, C_\text{in}/g, k, k)$, so weights and MACs are divided by
$g$. It is the same as $g$ separate convolutions side by side, their
outputs stacked:
""")

code('''
xg = rng.standard_normal((1, 8, 6, 6))
wg = rng.standard_normal((12, 4, 3, 3))    # (C_out, C_in / g, k, k), g=2
ours = cnp.conv2d(xg, wg, groups=2)
apart = np.concatenate([cnp.conv2d(xg[:, :4], wg[:6]),
                        cnp.conv2d(xg[:, 4:], wg[6:])], axis=1)
theirs = F.conv2d(torch.from_numpy(xg), torch.from_numpy(wg), groups=2)
print(ours.shape, np.allclose(ours, apart), same(ours, theirs))
print(shapes.count_params("conv2d", groups=4, **layer),
      shapes.count_flops("conv2d", size, padding=1, groups=4, **layer))
''')

md(r"""
With $g = C_\text{in}$ (and $C_\text{out} = C_\text{in}$) every group
holds one channel: that is the depthwise convolution of the last section.

**Where it came from.** AlexNet {cite:p}`krizhevsky2012imagenet` was
trained on two GTX 580 GPUs with 3 GB of memory each, too little for the
whole network, so each GPU held half of every layer's filters. The
second, fourth and fifth convolutions only read the feature maps on their
own GPU: in today's terms, `groups=2`. The third convolution and the fully
connected layers read both halves. The paper's layer table, with the
input size of 227 that makes its $55 \times 55$ first output come out (the
paper writes 224), counted with and without the groups:
""")

code('''
def alexnet(g):
    """AlexNet's layers as (name, settings), groups g on conv 2, 4, 5."""
    def conv(n, cin, cout, k, stride=1, padding=0, groups=1):
        return ("conv2d", dict(input_size=n, in_channels=cin,
                               out_channels=cout, kernel_size=k,
                               stride=stride, padding=padding,
                               groups=groups))
    fc = [("linear", dict(in_features=a, out_features=b))
          for a, b in [(256 * 6 * 6, 4096), (4096, 4096), (4096, 1000)]]
    return [conv(227, 3, 96, 11, stride=4),
            conv(27, 96, 256, 5, padding=2, groups=g),
            conv(13, 256, 384, 3, padding=1),
            conv(13, 384, 384, 3, padding=1, groups=g),
            conv(13, 384, 256, 3, padding=1, groups=g)] + fc
''')

md(r"""
The sizes between the layers come from the $3 \times 3$, stride 2 max
pooling after layers 1, 2 and 5 ($55 \to 27$, $27 \to 13$, $13 \to 6$).
Parameters (with biases, as the paper's network had them) and MACs:
""")

code('''
def weights_only(layers):
    return [(name, {key: v for key, v in kw.items() if key != "input_size"})
            for name, kw in layers]


print(shapes.conv_output_size(227, kernel_size=11, stride=4),
      [shapes.pool_output_size(n, kernel_size=3, stride=2)
       for n in (55, 27, 13)])
for g in (2, 1):
    net = alexnet(g)
    print(g, shapes.count_params(weights_only(net)),
          shapes.count_flops(net))
''')

code('''
grouped_p, grouped_m = (shapes.count_params(weights_only(alexnet(2))),
                        shapes.count_flops(alexnet(2)))
plain_p, plain_m = (shapes.count_params(weights_only(alexnet(1))),
                    shapes.count_flops(alexnet(1)))
print(f"{grouped_p / 1e6:.1f} M vs {plain_p / 1e6:.1f} M parameters, "
      f"{1 - grouped_p / plain_p:.1%} fewer")
print(f"{grouped_m / 1e6:.0f} M vs {plain_m / 1e6:.0f} M MACs, "
      f"{1 - grouped_m / plain_m:.1%} fewer")
fc_p = shapes.count_params(weights_only(alexnet(2))[5:])
print(f"fully connected layers: {fc_p / grouped_p:.1%} of the parameters")
''')

md(r"""
The grouped original has the paper's "60 million parameters" (61.0 M).
Grouping saved only 2.3% of them, because 96% sit in the fully connected
layers, but it saved 36% of the MACs. The split was made to fit the
network into two small GPUs; that it also made the network cheaper came
free.

### Check yourself

1. How many weights does `nn.Conv2d(64, 64, 3, groups=4, bias=False)` have?
2. Which `groups` turns `nn.Conv2d(32, 32, 3)` into a depthwise
   convolution?
3. Why does `nn.Conv2d(6, 8, 3, groups=4)` fail?

:::{admonition} Answer
:class: dropdown

1. $64 \cdot (64/4) \cdot 9 = 9216$.
2. `groups=32`: one input channel per group.
3. The 6 input channels cannot be cut into 4 equal groups; PyTorch refuses
   (message below), and so does `convlib.shapes`.

:::
""")

answers('''
print(sum(p.numel() for p in torch.nn.Conv2d(64, 64, 3, groups=4,
                                             bias=False).parameters()))
print(torch.nn.Conv2d(32, 32, 3, groups=32).weight.shape)
try:
    torch.nn.Conv2d(6, 8, 3, groups=4)
except ValueError as err:
    print("ValueError:", err)
''')

# ------------------------------------------------------------------ shuffle
md(r"""
## Channel shuffle

Stack two grouped convolutions and the groups never meet: output group $j$
of the second layer reads only group $j$ of the first, which read only
group $j$ of the input. ShuffleNet {cite:p}`zhang2018shufflenet` puts a
{term}`channel shuffle` (通道混洗) between them: view the $C$ channels as a
$g \times (C/g)$ table, transpose it, and read it out again. Member $m$ of
group $j$ moves to position $m g + j$. It is a fixed permutation: no
weights, no arithmetic. On the channel numbers 0 to 11 with $g = 3$:
""")

code('''
ids = np.arange(12.0).reshape(1, 12, 1, 1)
print(cnp.channel_shuffle(ids, 3).ravel().astype(int))
print(np.arange(12).reshape(3, 4).T.ravel())
print(same(cnp.channel_shuffle(ids, 3),
           F.channel_shuffle(torch.from_numpy(ids), 3)))
''')

md(r"""
A shuffled grouped convolution is a grouped convolution followed by the
shuffle, and convlib's pieces agree with PyTorch's:
""")

code('''
xs = rng.standard_normal((1, 12, 6, 6))
ws = rng.standard_normal((12, 4, 3, 3))    # 12 -> 12 channels, g = 3
ours = cnp.channel_shuffle(cnp.conv2d(xs, ws, padding=1, groups=3), 3)
theirs = torch.nn.ChannelShuffle(3)(F.conv2d(
    torch.from_numpy(xs), torch.from_numpy(ws), padding=1, groups=3))
print(ours.shape, same(ours, theirs))
''')

md(r"""
What the shuffle changes shows when two such layers are stacked. The
demo's function `widgets.variant_report` lists, for each output channel,
the input channels it depends on; here 12 channels in 3 groups of 4,
without and with the shuffle, reduced to the input groups each output
sees:
""")

code('''
def groups_seen(variant, channels=12, g=3):
    report = widgets.variant_report(variant, channels, channels, 3, g,
                                    stacked=True)
    per = channels // g
    return [sorted({c // per for c in seen}) for seen in report.sees]


print(groups_seen("grouped"))
print(groups_seen("shuffled"))
''')

md(r"""
The picture (`convlib.plot.connectivity`): one row of dots per layer,
lines where a channel feeds the next layer, and each channel coloured by
the input group it depends on, grey when it depends on several.
""")

code('''
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for ax, variant, title in [
        (axes[0], "grouped", "two grouped layers (g = 3)"),
        (axes[1], "shuffled", "grouped + shuffle, twice")]:
    report = widgets.variant_report(variant, 12, 12, 3, 3, stacked=True)
    plot.connectivity(ax, report.stages, groups=3, title=title)
fig.tight_layout()
''')

md(r"""
Without the shuffle the three colours run straight down: each output
channel depends on 4 of the 12 inputs, one group. With it, every channel
of the second layer is grey: it depends on all 12. The shuffle itself
mixes nothing; it only routes channels so that the *next* grouped
convolution gets one channel from each earlier group. That takes enough
channels: each group of the next layer receives $C/g$ channels, one from
each of $C/g$ earlier groups, so all $g$ groups meet only when $C/g \ge g$.
With 8 channels and $g = 4$, two shuffled layers reach only 4 inputs:
""")

code('''
print([len(s) for s in groups_seen("shuffled", channels=8, g=4)])
report = widgets.variant_report("shuffled", 8, 8, 3, 4, stacked=True)
print({len(seen) for seen in report.sees})
''')

md(r"""
:::{admonition} What the blog posts got wrong
:class: note

The first blog post lists these variants in a few lines each. Run as code
above, several of those lines need correcting:

- It calls a convolution layer a "filter". A layer holds $C_\text{out}$
  filters, one per output channel, each made of $C_\text{in}/g$ kernels.
- "Spatially separable convolution splits the kernel into two independent
  kernels": only a kernel of rank 1 splits exactly (Sobel does); the
  Laplacian's best split is 10% off.
- "In a grouped convolution the kernels are divided into groups": the
  *channels* are divided, input and output alike, and each filter shrinks
  to $C_\text{in}/g$ channels. AlexNet grouped only its second, fourth
  and fifth convolutions, and the split saved 2.3% of its parameters, not
  a large share.
- The shuffle "mixes and crosses" the grouped outputs: it only reorders
  channels, with no weights and no arithmetic; the next grouped
  convolution does the mixing, and it reaches every group only when
  $C/g \ge g$.
- "Convolution makes the image smaller, deconvolution upsamples it":
  padding keeps the size (chapter 1), and a "deconvolution" is a
  transposed convolution, not an inverse (chapter 3).

The second blog post is right about what this chapter uses: a dilated
kernel has $d - 1$ empty cells between taps and no extra weights, and its
four-layer example gives 5 and 16 cells, as computed above.
:::

### Check yourself

1. With $C = 12$ and $g = 3$, where does channel 5 go in the shuffle?
2. What does a channel shuffle cost in weights and MACs?
3. Two stacked grouped layers with $C = 16$, $g = 4$: how many input
   channels does each output see without the shuffle, and with it?

:::{admonition} Answer
:class: dropdown

1. Channel 5 is member 1 of group 1 (channels 4 to 7), so it moves to
   $1 \cdot 3 + 1 = 4$.
2. Nothing: 0 weights, 0 MACs. It is a copy in a new order.
3. 4 without (one group) and all 16 with: $C/g = 4 \ge g = 4$.

:::
""")

answers('''
moved = cnp.channel_shuffle(np.arange(12.0).reshape(1, 12, 1, 1), 3)
print(int(np.flatnonzero(moved.ravel() == 5)[0]))
for variant in ("grouped", "shuffled"):
    report = widgets.variant_report(variant, 16, 16, 3, 4, stacked=True)
    print(variant, {len(seen) for seen in report.sees})
''')

# ------------------------------------------------------------------ table
md(r"""
## All the variants side by side

The running example (64 to 64 channels, $3 \times 3$, $56 \times 56$,
stride 1, size kept) built seven ways, counted with `convlib.shapes`
(no biases; the shuffle adds nothing to the grouped layer):
""")

code('''
variants = {
    "standard 3x3": ("conv2d", {}),
    "dilated 3x3, d = 2": ("conv2d", dict(dilation=2, padding=2)),
    "spatially separable": ("spatially_separable_conv2d", {}),
    "depthwise separable": ("depthwise_separable_conv2d", {}),
    "pointwise 1x1": ("conv2d", dict(kernel_size=1, padding=0)),
    "grouped, g = 4": ("conv2d", dict(groups=4)),
    "shuffled grouped, g = 4": ("conv2d", dict(groups=4)),
}
table = {}
for label, (name, extra) in variants.items():
    settings = {**layer, "padding": 1, **extra}
    table[label] = (shapes.count_params(name, **settings),
                    shapes.count_flops(name, size, **settings))
''')

code('''
print(f"{'variant':24s} {'weights':>8s} {'MACs':>12s} {'vs standard':>11s}")
for label, (p, m) in table.items():
    print(f"{label:24s} {p:8d} {m:12d} {p / params:11.3f}")
''')

md(r"""
The demo's plain function gives the same numbers, one variant at a time,
which the next section uses; and the ratios are the ones derived above:
$1$ for dilation, $2/3 = 2k/k^2$ for the separable pair (with
$C_\text{mid} = C_\text{in} = C_\text{out}$), $1/64 + 1/9$ for depthwise
separable, $1/k^2$ for $1 \times 1$, $1/g$ for groups.

### MobileNet, reproduced

MobileNet v1 {cite:p}`howard2017mobilenets` is a full $3 \times 3$
convolution followed by 13 depthwise separable layers, average pooling and
one linear layer. Its paper reports 4.2 million parameters and 569 million
multiply-adds for the full-width network on $224 \times 224$ images, and
29.3 million and 4866 million for the same network built with full
convolutions. Its layer table, as (stride, $C_\text{in}$,
$C_\text{out}$) of each separable layer:
""")

code('''
BLOCKS = ([(1, 32, 64), (2, 64, 128), (1, 128, 128), (2, 128, 256),
           (1, 256, 256), (2, 256, 512)] + [(1, 512, 512)] * 5
          + [(2, 512, 1024), (1, 1024, 1024)])


def mobilenet(block="depthwise_separable_conv2d"):
    n = shapes.conv_output_size(224, kernel_size=3, stride=2, padding=1)
    layers = [("conv2d", dict(input_size=224, in_channels=3,
                              out_channels=32, kernel_size=3, stride=2,
                              padding=1, bias=False))]
    for stride, cin, cout in BLOCKS:
        layers.append((block, dict(input_size=n, in_channels=cin,
                                   out_channels=cout, kernel_size=3,
                                   stride=stride, padding=1, bias=False)))
        n = shapes.conv_output_size(n, kernel_size=3, stride=stride,
                                    padding=1)
    return layers + [("linear", dict(in_features=1024, out_features=1000))]
''')

md(r"""
(The paper's table marks the last depthwise layer "s2", but its input and
output are both $7 \times 7$: it has stride 1, as here.) Counted:
""")

code('''
for block in ("depthwise_separable_conv2d", "conv2d"):
    net = mobilenet(block)
    p, m = shapes.count_params(weights_only(net)), shapes.count_flops(net)
    print(f"{block:27s} {p:9d} = {p / 1e6:4.1f} M parameters, "
          f"{m:10d} = {m / 1e6:5.0f} M MACs")
''')

md(r"""
4.2 M and 569 M exactly as published, and 29.3 M parameters for the full
version. Its MACs come out at 4867 M against the published 4866 M, a
difference of 0.03% — about the 1 M MACs of the final linear layer, which
the paper may have left out of that one figure. Where do the separable
network's MACs go? Splitting each block into its two steps:
""")

code('''
shares = dict.fromkeys(["first 3x3", "depthwise", "pointwise", "linear"],
                       0)
for name, kw in mobilenet():
    cost = shapes.count_flops(name, **kw)
    if name == "depthwise_separable_conv2d":
        n = shapes.conv_output_size(kw["input_size"], kernel_size=3,
                                    stride=kw["stride"], padding=1)
        pointwise = shapes.count_flops(
            "conv2d", n, in_channels=kw["in_channels"],
            out_channels=kw["out_channels"], kernel_size=1)
        shares["pointwise"] += pointwise
        shares["depthwise"] += cost - pointwise
    else:
        shares["linear" if name == "linear" else "first 3x3"] += cost
total = sum(shares.values())
print({key: f"{v / total:.2%}" for key, v in shares.items()})
''')

md(r"""
95% in the $1 \times 1$ convolutions, as the paper's own breakdown by
layer type says: once the spatial filtering is depthwise, channel mixing
is what costs.

### Check yourself

1. In the table, which variant has fewer weights than the pointwise
   $1 \times 1$ layer, if any?
2. How many parameters would MobileNet have without its linear layer?

:::{admonition} Answer
:class: dropdown

1. None: even the depthwise separable layer contains the $1 \times 1$
   step and adds $C_\text{in} k^2 = 576$ weights to it (4672 against
   4096).
2. $4210088 - 1025000 = 3185088$: the linear layer holds almost a quarter
   of the parameters.

:::
""")

answers('''
print(table["depthwise separable"][0] - table["pointwise 1x1"][0])
net = mobilenet()
print(shapes.count_params(weights_only(net[:-1])),
      shapes.count_params(weights_only(net[-1:])))
''')

# ------------------------------------------------------------------ demo
md(r"""
## Try it: the variant comparer

The demo below shows, for a variant and settings you choose, what the
plain function `widgets.variant_report` computes: weights and MACs
(counted with `convlib.shapes`) with the formula and the numbers put in,
and the layers as a picture of which channels feed which. Its answer for
the demo's starting settings:
""")

code('''
report = widgets.variant_report("grouped", 8, 8, kernel_size=3, groups=2,
                                input_size=16)
print(report.params, report.macs)
print(report.formula)
print([stage.label for stage in report.stages], report.sees[0])
print(widgets.variant_report("grouped", 6, 8, 3, 4).reason)
''')

md(r"""
The demo runs in your browser and computes the same report there (the
tests hold the two equal over every setting the controls offer). Greyed
controls do not apply to the chosen variant; in the picture the input
channels are coloured by group, and output channels that see every input
channel are green.
""")

code('''
widgets.variant_comparer()
''')

md(r"""
**Your turn.**

1. Set $C_\text{in} = C_\text{out} = 12$, $g = 3$ and tick "two layers
   stacked". Switch between "grouped" and "shuffled grouped": how many
   input channels does each output channel see? Then try 8 channels with
   $g = 4$.
2. Find settings where a depthwise separable layer costs *more* than a
   standard one. (Hint: look at the formula for $C_\text{out} = 1$.)

:::{admonition} Answer
:class: dropdown

1. 4 of 12 without the shuffle and 12 of 12 with it; with 8 channels and
   $g = 4$, 2 of 8 and 4 of 8 ($C/g = 2 < g$).
2. With one output channel, the separable layer needs $C_\text{in} k^2 +
   C_\text{in}$ weights, $C_\text{in}$ more than the standard
   $C_\text{in} k^2$ (72 against 80 for $C_\text{in} = 8$). With
   $k = 1$ it is never cheaper either: the depthwise step only adds
   $C_\text{in}$ weights to a $1 \times 1$ layer (64 against 72).

:::
""")

answers('''
for channels, g in [(12, 3), (8, 4)]:
    print([{len(s) for s in widgets.variant_report(
        v, channels, channels, 3, g, stacked=True).sees}
        for v in ("grouped", "shuffled")])
for kernel_size, c_out_demo in [(3, 1), (1, 8)]:
    print([widgets.variant_report(v, 8, c_out_demo, kernel_size).params
           for v in ("standard", "depthwise")])
''')

# ------------------------------------------------------------------ summary
md(r"""
## Summary

- Weights and MACs: a standard layer has $C_\text{out} C_\text{in} k^2$
  weights and, at stride 1, $H_\text{out} W_\text{out}$ times as many MACs;
  every variant here keeps MACs $= H_\text{out} W_\text{out} \times$
  weights.
- Dilation $d$ spreads the taps over $d(k-1)+1$ cells at no extra cost.
- A spatially separable pair ($k \times 1$ then $1 \times k$) costs $2k$
  instead of $k^2$ per kernel and is exact only for rank-1 kernels; the
  best single pair is the first SVD term.
- Depthwise separable = depthwise ($C_\text{in} k^2$) + pointwise
  ($C_\text{out} C_\text{in}$): a fraction $1/C_\text{out} + 1/k^2$ of the
  standard layer; most of what remains is the $1 \times 1$ mixing.
- A $1 \times 1$ convolution is a linear layer at every pixel.
- Grouped convolution divides weights and MACs by $g$; its filters see
  $C_\text{in}/g$ channels. AlexNet's `groups=2` fitted it on two GPUs.
- Channel shuffle costs nothing and mixes nothing itself; it lets the next
  grouped layer see every group when $C/g \ge g$.
- MobileNet v1: 4.2 M parameters and 569 M MACs against 29.3 M and about
  4866 M with full convolutions.

### Check yourself

1. A layer from 128 to 256 channels, $3 \times 3$, on $28 \times 28$
   (stride 1, size kept). Give the weights and MACs of the standard,
   depthwise separable and `groups=8` versions.
2. Which of these kernels can a spatially separable pair reproduce exactly:
   $\begin{bmatrix} 1 & 2 & 1 \\ 2 & 4 & 2 \\ 1 & 2 & 1\end{bmatrix}$ and
   $\begin{bmatrix} 1 & 0 & 0 \\ 0 & 1 & 0 \\ 0 & 0 & 1\end{bmatrix}$?
3. A ShuffleNet-style stage has 240 channels in 3 groups. After a grouped
   layer, a shuffle and another grouped layer, how many input groups does
   each output see?

:::{admonition} Answer
:class: dropdown

1. Standard: $256 \cdot 128 \cdot 9 = 294912$ weights and $784 \times$
   that $= 231211008$ MACs. Depthwise separable: $128 \cdot 9 + 256
   \cdot 128 = 33920$ weights, 26593280 MACs. Grouped: $294912 / 8 =
   36864$ weights, 28901376 MACs.
2. The first: it is $[1, 2, 1]^\top [1, 2, 1]$ (rank 1). The identity has
   rank 3: no pair reproduces it.
3. All 3: each group of the second layer gets $240/3 = 80 \ge 3$ channels,
   taken from all three groups.

:::
""")

answers('''
big = dict(in_channels=128, out_channels=256, kernel_size=3, bias=False)
for name, extra in [("conv2d", {}), ("depthwise_separable_conv2d", {}),
                    ("conv2d", dict(groups=8))]:
    print(name, extra, shapes.count_params(name, **big, **extra),
          shapes.count_flops(name, 28, padding=1, **big, **extra))
print(np.linalg.matrix_rank(np.outer([1, 2, 1], [1, 2, 1])),
      np.linalg.matrix_rank(np.eye(3)))
report = widgets.variant_report("shuffled", 240, 240, 1, 3, stacked=True)
print({len({c // 80 for c in seen}) for seen in report.sees})
''')

md(r"""
Next, chapter 3 runs a convolution backwards: the transposed convolution
that blog posts call "deconvolution".
""")

nb = nbf.v4.new_notebook()
nb.cells = cells
nb.metadata = {
    "kernelspec": {"display_name": "Python 3", "language": "python",
                   "name": "python3"},
    "language_info": {"name": "python"},
}
nbf.write(nb, "chapters/02_conv_variants.ipynb")
