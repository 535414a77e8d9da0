"""Every number the speed of `convlib.numpy` depends on, in one place.

None of these changes a result beyond float rounding (the tests run
every way with budgets from 1 byte to megabytes); they only decide how
work is cut up and which way computes it. Code reads them as
``_tuning.NAME`` at call time, so a test or a benchmark may set them.

Cache budgets (bytes): how much memory one step of work may touch, so
that what it copies is still in cache when the matmul reads it.
Copying and multiplying block by block is faster (1.5x on a dilated
3x3 case) than building everything first.

The cost model (`COSTS`): the estimates `_conv_forward._costs` uses to
choose a way of computing each forward convolution, in ns on one
core. `benchmarks/fit_costs.py` fits them on the machine it runs on,
once with one worker and once with every core busy (the two thread
settings of ``make bench``), and rewrites the block between the
``fitted`` markers below. On another machine the results stay the
same (every way is tested); only the choice may not be the fastest
there until it is refitted.
"""
import os
from typing import NamedTuple

# --- cache budgets (bytes) -------------------------------------------
# benchmarks/fit_costs.py --budgets times the first three in a few sets
# and can write the fastest. Here its choice (1, 1, 1 MB, 4 % ahead of
# these, within this busy machine's noise) made a depthwise 5x5 layer
# with two outputs per channel 1.7x slower in `make bench`, so these,
# from before the script, are kept. The last two are set by hand.
FLAT_BYTES = 4 * 2**20  # forward, flat way: columns per block
SAMPLE_BYTES = 2 * 2**20  # forward, flat way: input buffer per chunk
COLUMN_BYTES = 4 * 2**20  # forward, columns way: columns per chunk
GRAD_COLUMN_BYTES = 8 * 2**20  # backward (col2im, grad_weight): columns
POOL_BLOCK_BYTES = 2**20  # pooling: input planes per block

# --- memory kept for reuse (`_memory`, glibc only) -------------------
# Blocks up to MMAP_BYTES come from the heap rather than fresh pages
# (32 MB is glibc's largest), and up to TRIM_BYTES of freed heap is
# kept. Without them a depthwise layer ran 2.8x slower (`_memory`).
MMAP_BYTES = 32 * 2**20
TRIM_BYTES = 256 * 2**20

# --- splitting a call over the workers (`_workers`, `_pieces`) -------
# A call is cut into pieces only when the cost model estimates it to
# take, on one worker, at least two of these (`_conv_forward.
# pieces_worth`): handing a piece to a thread costs tens of
# microseconds (hundreds when the thread has been asleep), and pieces
# whose NumPy calls are many and short wait for one another on
# Python's lock. Chosen on one sweep (`bench.py --quick --per-family 16
# --seed 411399`, default threads, paired with the other settings in
# the same rounds): against 150 / 300 us, 50 / 100 us took 0.977x the
# time forward and 0.954x backward; 25 / 50 us 1.025x and 1.045x of
# 50 / 100 us.
PIECE_NS = 50_000  # forward (and the phases of the input gradient)
GRAD_PIECE_NS = 100_000  # weight gradient and col2im scatter
# A forward worth two pieces is cut only where its largest piece's
# estimate with the all-workers constants, plus HANDOFF_NS, is below
# the whole call's estimate on one worker (`_conv_forward.
# _cut_or_whole`): about what passing the pieces to the helper threads
# costs before they start (a helper began its piece 20-45 us after the
# call began, the calling thread 20 us).
HANDOFF_NS = 20_000
# A backward pass whose forward is worth 2 to SIDE_BY_SIDE_PIECES
# pieces (`_conv_nd._side_by_side`) computes its input and weight
# gradients side by side, one a worker, each whole. Chosen on three
# paired sweeps at two workers (seeds 7001-7003, 432 backward cases):
# side by side from 2 pieces' worth up to 8, 16, 20, 30 or any number
# took 0.944, 0.935, 0.935, 0.938 and 0.956x the time of pieces; on
# three fresh sweeps (seeds 7004-7006) 16 took 0.889-0.986x by family.
SIDE_BY_SIDE_PIECES = 16
# The flat weight gradient (one matmul a tap) is cut only from two
# pieces' worth of GRAD_TAP_NS a tap (the forward's estimate a tap at
# least 30 us). On 10 grouped layers of the sweep at two workers, the
# cut call ran 0.41x, 0.57x and 0.92x as fast as at one worker where
# that estimate was 11, 25 and 40 us a tap, and 1.18-2.25x where it was
# 34-841 us (the 40 us one falls on the wrong side of the line).
GRAD_TAP_NS = 15_000

# --- backward-weight (`_conv_nd._grad_weight_piece`) -----------------
# The weight gradient goes on the flat layout (one matmul per tap, no
# columns gathered) when the kernel has several taps and each group has
# at most this many output channels, or the convolution is grouped; by
# im2col columns otherwise. Measured (CPU time, one thread, 45 random
# pieces of the sweep): the flat way took 0.3-0.9x the time of columns
# for grouped convolutions and for 8 to 16 output channels a group, and
# 1.1-1.4x (1x1 kernels at stride 2: 2.9x) for 32 and more. With one
# input channel (chapter 8's first layer) the flat way took 1.4-1.7x
# the time of columns (four shapes, 8-24 output channels); with 3 or 4,
# 0.8x.
GRAD_FLAT_MAX_CHANNELS = 24

# --- backward-input (`_conv_nd._use_phases`) -------------------------
# Strided grad_input (and the transposed convolution's forward) goes by
# phases while their estimate is at most SCATTER_FACTOR times that of
# col2im (`_conv_nd._grad_input_costs`; 0: always col2im, a huge
# factor: always phases where they apply). Against measured times (one
# thread, 74 strided, grouped and transposed cases of the sweep, seeds
# 41-43) the estimate of col2im on the phase grid (`_conv_nd.
# _scatter_columns`) was about 1.3x high, the phases' 0.8-1.3x. With
# the factor 0.75 the way chosen took 1.021x the time of the faster of
# the two (geometric mean; 0.7 and 0.8 within 0.001), against 1.064x
# with 1.25, the factor fitted to the col2im of strided adds before it;
# on 50 other cases (seeds 44-45) 1.029x against 1.054x.
SCATTER_FACTOR = 0.75

# --- the regions way (`_conv_forward._regions_cost`) -----------------
# Its estimate is multiplied by REGIONS_MARGIN before the ways are
# compared. Refitted after the way stopped cutting each box's taps out
# of the weights (one thread, one worker, every way timed on the plain,
# strided and dilated layers of the sweep, groups 1): on seeds
# 7801-7803 (220 layers) the way chosen took 1.033x the time of the
# fastest (geometric mean) with 1.1 or 0.9, 1.034x with 1.0, 1.046x
# with 1.25 (the margin fitted before, on seeds 5002-5005), 1.058x
# without the regions way; on fresh seeds 7804-7805 (160 layers)
# 1.028x with 1.1 and with 1.25, 1.023x with 1.0, 1.034x without it.
# Grouped calls never take it (`_costs`): a grouped layer picked on
# seed 5005 took 1.15x the time. Read when a call's plan is first made
# (plans are memoised by shape, not by this value).
REGIONS_MARGIN = 1.1

# --- the weight gradient tap by tap (`_conv_nd._tap_boxes_pay`) ------
# Taken where its estimate times TAP_BOXES_MARGIN is below the flat or
# columns way's. Fitted on the sweep's plain, strided, dilated and
# grouped layers (one thread; each layer's weight gradient timed both
# ways): on seeds 7911-7912 (220 layers) the way chosen took 0.973x the
# time of the other way alone with 0.8 or 0.9 (dilated 0.913-0.925x,
# plain 0.984-1.003x), 0.976x with 1.0, 0.990x with 1.4; always the
# faster would give 0.960x. On fresh seed 7913 (110 layers), with 0.9:
# 0.981x (dilated 0.948x; 0.974x the faster always).
TAP_BOXES_MARGIN = 0.9

# --- the stacked phases (`_conv_nd._stacked_ns`) ---------------------
# Their estimate is multiplied by STACK_MARGIN before it is compared
# with the phases one by one or with col2im. Against measured times
# (one thread, 5 transposed layers on 4x4 to 14x14 planes, seed 9102's
# sweep, where the stacked way was picked and lost) the estimate was
# low by 1.45-1.76x: it leaves out the copies of the flipped taps and
# of each phase's result, which the phases one by one make too but
# col2im does not. Read when a shape's choice is first made (choices
# are memoised by shape, not by this value).
STACK_MARGIN = 1.6


class Costs(NamedTuple):
    """The cost model's constants (ns, on one core; see `_costs`).

    The matmul: a call's fixed cost and its peak rate in
    multiply-adds per ns, reached only when all three sizes (m, k, n)
    are well above `gemm_half` (the sizes at which the rate halves).
    The rest: a contiguous copy and an add of shifted rows per element,
    an im2col gather per element (`gather`) plus `gather_row` per
    element divided by the length of the rows it copies, a step of a
    Python loop and the NumPy calls of a step.
    """
    ns_call: float
    macs_per_ns: float
    gemm_half: tuple  # (m, k, n)
    ns_copy: float
    ns_add: float
    ns_gather: float
    ns_gather_row: float
    ns_step: float
    ns_op: float


# --- fitted: begin (benchmarks/fit_costs.py rewrites this block) -----
FITTED_ON = (
    'AMD EPYC, 2 cores, 2026-12-07, seed 14001, load average 1.18 1.02 '
    '1.06; held-out choice/fastest: one worker 1.037, all workers 1.028')
COSTS = {
    "one worker": Costs(
        ns_call=60.23, macs_per_ns=52.63, gemm_half=(0.0844, 2.15,
        8.49), ns_copy=0.1939, ns_add=0.42, ns_gather=0.2327,
        ns_gather_row=3.452, ns_step=11170.0, ns_op=3320.0),
    "all workers": Costs(
        ns_call=129.8, macs_per_ns=53.64, gemm_half=(0.0695, 5.72,
        14.1), ns_copy=0.2225, ns_add=0.4189, ns_gather=0.271,
        ns_gather_row=2.971, ns_step=39790.0, ns_op=9637.0),
}
# --- fitted: end -----------------------------------------------------


def costs(workers):
    """The `Costs` for a call run with `workers` workers."""
    return COSTS["one worker" if workers == 1 else "all workers"]


def fitted_file():
    """This file's path (the fitting script rewrites its block)."""
    return os.path.abspath(__file__)
