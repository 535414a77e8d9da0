"""A corpus of plausible buggy solutions, as students write them.

Each `Bug` is the reference solution of one graded function (the cell of
``exercises/source/NN_topic.ipynb``) with one edit: `old` replaced by
`new` (`old` must occur exactly once, so a stale bug fails loudly rather
than silently becoming the reference). ``old=None`` replaces the whole
solution body by `new` (written at the body's indentation).
`tests/test_grading_bugs.py` asserts that every bug loses points in
hidden grading (the package's seed and instructors' seeds) while the
reference scores full marks. The first five are the ones a course
review found scoring full marks before the second edition (issue 32).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Bug:
    exercise: str
    function: str
    what: str
    old: str
    new: str


SQUARE_KERNEL = "c_out, _, kh, kw = weight.shape"

BUGS = (
    # -------------------------------------------- the five of the review
    Bug("04_dilated", "dilated_conv2d", "assumes a square kernel",
        "span_w = dilation * (kw - 1) + 1", "span_w = span_h"),
    Bug("05_pooling", "pool_output_size",
        "ceil_mode without the drop-the-last-window rule",
        "    if (out - 1) * stride >= n + padding:\n        out -= 1\n", ""),
    Bug("05_pooling", "avg_pool2d",
        "count_include_pad=False divides by the non-zero cells",
        "real[rows, cols].sum()",
        "np.count_nonzero(x_pad[:, :, rows, cols], axis=(2, 3))"),
    Bug("05_pooling", "max_pool2d", "ties go to the last maximum",
        "best = window.argmax(axis=2)",
        "best = k * k - 1 - window[:, :, ::-1].argmax(axis=2)"),
    Bug("07_activations", "softmax",
        "subtracts the global maximum, not the one along dim",
        "x.max(axis=dim, keepdims=True)", "x.max()"),
    # ------------------------------------------------------ 01_convolution
    Bug("01_convolution", "conv_output_size", "forgets dilation",
        "span = dilation * (kernel_size - 1) + 1", "span = kernel_size"),
    Bug("01_convolution", "conv_output_size", "pads one side only",
        "n + 2 * padding", "n + padding"),
    Bug("01_convolution", "pad2d", "assumes a square input",
        "n, c, h, w = x.shape", "n, c, h, _ = x.shape\n    w = h"),
    Bug("01_convolution", "pad2d", "slices to -padding (empty at 0)",
        "padding:padding + h, padding:padding + w",
        "padding:-padding, padding:-padding"),
    Bug("01_convolution", "conv2d", "assumes a square kernel",
        "c_out, _, kh, kw = weight.shape",
        "c_out, _, kh, _ = weight.shape\n    kw = kh"),
    Bug("01_convolution", "conv2d", "assumes a square input",
        "h_out, w_out = (h - kh) // stride + 1, (w - kw) // stride + 1",
        "h_out = w_out = (h - kh) // stride + 1"),
    Bug("01_convolution", "conv2d", "adds the bias to channel 0 only",
        "out += bias[None, :, None, None]",
        "out[:, 0] += bias[0]"),
    Bug("01_convolution", "conv2d_backward",
        "overwrites grad_x where windows overlap",
        "grad_pad[:, :, rows, cols] += np.tensordot(",
        "grad_pad[:, :, rows, cols] = np.tensordot("),
    Bug("01_convolution", "conv2d_backward", "averages grad_bias over N",
        "grad_output.sum(axis=(0, 2, 3))",
        "grad_output.sum(axis=(2, 3)).mean(axis=0)"),
    Bug("01_convolution", "conv2d_backward", "assumes a square kernel",
        "_, _, kh, kw = weight.shape", "_, _, kh, _ = weight.shape\n"
        "    kw = kh"),
    # --------------------------------------------------------- 02_variants
    Bug("02_variants", "conv2d_params", "forgets groups",
        "(in_channels // groups)", "in_channels"),
    Bug("02_variants", "conv2d_params", "always counts the bias",
        "(out_channels if bias else 0)", "out_channels"),
    Bug("02_variants", "depthwise_separable_params", "one bias only",
        "in_channels + out_channels if bias else 0",
        "out_channels if bias else 0"),
    Bug("02_variants", "depthwise_separable_params", "k * 2 for k ** 2",
        "kernel_size ** 2", "kernel_size * 2"),
    Bug("02_variants", "grouped_conv2d", "assumes a square kernel",
        "c_out, per_group, kh, kw = weight.shape",
        "c_out, per_group, kh, _ = weight.shape\n    kw = kh"),
    Bug("02_variants", "grouped_conv2d", "takes every groups-th channel",
        "xs = x[:, g * per_group:(g + 1) * per_group]",
        "xs = x[:, g::groups]"),
    Bug("02_variants", "depthwise_separable_conv2d", "assumes square input",
        "mid = np.zeros((n, c, h - k + 1, w - k + 1))",
        "w = h\n    mid = np.zeros((n, c, h - k + 1, w - k + 1))"),
    Bug("02_variants", "depthwise_separable_conv2d",
        "pointwise weight transposed", '"oc,nchw->nohw"', '"co,nchw->nohw"'),
    Bug("02_variants", "channel_shuffle", "the inverse shuffle",
        "x.reshape(n, groups, c // groups, h, w)",
        "x.reshape(n, c // groups, groups, h, w)"),
    Bug("02_variants", "channel_shuffle", "written for batch size 1",
        "n, c, h, w = x.shape", "_, c, h, w = x.shape\n    n = 1"),
    # ------------------------------------------------------- 03_transposed
    Bug("03_transposed", "conv_transpose_output_size",
        "forgets output_padding", "\n            + output_padding)", ")"),
    Bug("03_transposed", "conv_transpose_output_size",
        "removes padding once", "- 2 * padding", "- padding"),
    Bug("03_transposed", "conv_transpose2d", "assumes a square kernel",
        "_, c_out, kh, kw = weight.shape",
        "_, c_out, kh, _ = weight.shape\n    kw = kh"),
    Bug("03_transposed", "conv_transpose2d", "overwrites overlaps",
        "j * stride:j * stride + kw] += stamp",
        "j * stride:j * stride + kw] = stamp"),
    Bug("03_transposed", "conv_transpose2d_by_zeros", "kernel not flipped",
        "weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)",
        "weight.transpose(1, 0, 2, 3)"),
    Bug("03_transposed", "conv_transpose2d_by_zeros", "pads by p",
        "ph, pw = kh - 1 - padding, kw - 1 - padding",
        "ph, pw = padding, padding"),
    Bug("03_transposed", "conv_transpose2d_by_zeros", "s zeros, not s - 1",
        "spread = np.zeros((n, c_in, (h - 1) * stride + 1,\n"
        "                       (w - 1) * stride + 1))",
        "spread = np.zeros((n, c_in, h * stride, w * stride))"),
    Bug("03_transposed", "max_unpool2d", "output size h * stride",
        "h_out = (h - 1) * stride + kernel_size\n"
        "    w_out = (w - 1) * stride + kernel_size",
        "h_out, w_out = h * stride, w * stride"),
    Bug("03_transposed", "max_unpool2d", "assumes a square output",
        "w_out = (w - 1) * stride + kernel_size", "w_out = h_out"),
    # --------------------------------------------------------- 04_dilated
    Bug("04_dilated", "effective_kernel_size", "k + d - 1",
        "dilation * (kernel_size - 1) + 1", "kernel_size + dilation - 1"),
    Bug("04_dilated", "effective_kernel_size", "d * k - 1",
        "dilation * (kernel_size - 1) + 1", "dilation * kernel_size - 1"),
    Bug("04_dilated", "dilated_conv2d", "span d * k",
        "span_h = dilation * (kh - 1) + 1\n"
        "    span_w = dilation * (kw - 1) + 1",
        "span_h, span_w = dilation * kh - 1, dilation * kw - 1"),
    Bug("04_dilated", "receptive_field_size", "multiplies the jump first",
        "size += dilation * (kernel_size - 1) * jump\n"
        "        jump *= stride",
        "jump *= stride\n"
        "        size += dilation * (kernel_size - 1) * jump"),
    Bug("04_dilated", "receptive_field_size", "forgets dilation",
        "size += dilation * (kernel_size - 1) * jump",
        "size += (kernel_size - 1) * jump"),
    Bug("04_dilated", "has_holes", "holes iff the rates share a factor",
        None, "import math\nreturn math.gcd(*rates) > 1"),
    Bug("04_dilated", "has_holes", "holes iff a rate exceeds the kernel",
        None, "return any(r > kernel_size for r in rates)"),
    Bug("04_dilated", "widest_hole_free_rates", "ignores kernel_size",
        "has_holes(rates, kernel_size)", "has_holes(rates)"),
    Bug("04_dilated", "widest_hole_free_rates", "rates below max_rate",
        "range(1, max_rate + 1)", "range(1, max_rate)"),
    # --------------------------------------------------------- 05_pooling
    Bug("05_pooling", "pool_output_size", "stride defaults to 1",
        "stride = kernel_size if stride is None else stride",
        "stride = 1 if stride is None else stride"),
    Bug("05_pooling", "max_pool2d", "flat index with H for W",
        "(r0 + best // k) * w + c0", "(r0 + best // k) * h + c0"),
    Bug("05_pooling", "max_pool2d_backward", "overwrites where windows "
        "overlap", "c0 + best % k] += \\", "c0 + best % k] = \\"),
    Bug("05_pooling", "max_pool2d_backward", "every tied maximum gets it",
        "best = window.argmax(axis=2)  # the first maximum\n"
        "            grad[batch, channel, r0 + best // k, c0 + best % k] += "
        "\\\n                grad_output[:, :, i, j]",
        "win = x[:, :, r0:r0 + k, c0:c0 + k]\n"
        "            top = win == win.max(axis=(2, 3), keepdims=True)\n"
        "            grad[:, :, r0:r0 + k, c0:c0 + k] += \\\n"
        "                top * grad_output[:, :, i, j, None, None]"),
    Bug("05_pooling", "max_pool2d_backward", "square input assumed",
        "n, c, h, w = x.shape", "n, c, h, _ = x.shape\n    w = h"),
    Bug("05_pooling", "avg_pool2d", "ignores count_include_pad",
        "count = k * k if count_include_pad else real[rows, cols].sum()",
        "count = real[rows, cols].sum()"),
    Bug("05_pooling", "adaptive_bins", "floors the end",
        "-(-(i + 1) * in_size // out_size)", "(i + 1) * in_size // out_size"),
    Bug("05_pooling", "adaptive_bins", "bins of equal width",
        None, "size = in_size // out_size\n"
        "return [(i * size, (i + 1) * size) for i in range(out_size)]"),
    Bug("05_pooling", "adaptive_avg_pool2d", "floors the row ends",
        "r1 = i * h // oh, -(-(i + 1) * h // oh)",
        "r1 = i * h // oh, max((i + 1) * h // oh, i * h // oh + 1)"),
    Bug("05_pooling", "adaptive_avg_pool2d", "column bins from H",
        "c0, c1 = j * w // ow, -(-(j + 1) * w // ow)",
        "c0, c1 = j * h // ow, -(-(j + 1) * h // ow)"),
    # ---------------------------------------------------------- 06_linear
    Bug("06_linear", "linear", "flattens to 2-D",
        "out = x @ weight.T", "out = x.reshape(len(x), -1) @ weight.T"),
    Bug("06_linear", "linear", "adds the bias only to the first row",
        "out = out + bias", "out[0] = out[0] + bias"),
    Bug("06_linear", "linear_backward", "grad_weight for 2-D only",
        "grad_weight = g.T @ x.reshape(-1, x.shape[-1])",
        "grad_weight = grad_output.T @ x\n"
        "    grad_weight = grad_weight.reshape(weight.shape)"),
    Bug("06_linear", "linear_backward", "averages grad_bias",
        "g.sum(axis=0)", "g.mean(axis=0)"),
    Bug("06_linear", "linear_params", "always counts the bias",
        "(out_features if bias else 0)", "out_features"),
    Bug("06_linear", "linear_params", "a bias per input",
        "(out_features if bias else 0)", "(in_features if bias else 0)"),
    Bug("06_linear", "conv1x1_as_linear", "reshapes instead of moving",
        "np.moveaxis(channels_last @ weight.T, -1, 1)",
        "(channels_last @ weight.T).reshape(\n"
        "        len(x), -1, *x.shape[2:])"),
    Bug("06_linear", "conv1x1_as_linear", "weight not transposed",
        "channels_last @ weight.T", "channels_last @ weight"),
    Bug("06_linear", "rel_error", "divides by |a| only",
        "np.maximum(1e-8, np.abs(a) + np.abs(b))", "np.abs(a)"),
    Bug("06_linear", "rel_error", "the mean, not the maximum",
        "float(np.max(", "float(np.mean("),
    Bug("06_linear", "rel_error", "no floor (0 / 0)",
        "np.maximum(1e-8, np.abs(a) + np.abs(b))", "(np.abs(a) + np.abs(b))"),
    Bug("06_linear", "numerical_gradient", "one-sided differences",
        None, "x = np.array(x, dtype=float)\n"
        "grad = np.zeros_like(x)\n"
        "base = f(x)\n"
        "for index in np.ndindex(x.shape):\n"
        "    kept = x[index]\n"
        "    x[index] = kept + h\n"
        "    grad[index] = (f(x) - base) / h\n"
        "    x[index] = kept\n"
        "return grad"),
    Bug("06_linear", "numerical_gradient", "does not put x back",
        "        x[index] = kept\n        grad", "        grad"),
    Bug("06_linear", "numerical_gradient", "1-D inputs only",
        "for index in np.ndindex(x.shape):", "for index in range(len(x)):"),
    # ----------------------------------------------------- 07_activations
    Bug("07_activations", "sigmoid", "the textbook formula (overflows)",
        None, "return 1 / (1 + np.exp(-x))"),
    Bug("07_activations", "sigmoid", "forgets e in the negative branch",
        "out[~positive] = e / (1 + e)", "out[~positive] = 1 / (1 + e)"),
    Bug("07_activations", "sigmoid_backward", "forgets grad_output",
        "return grad_output * s * (1 - s)", "return s * (1 - s)"),
    Bug("07_activations", "sigmoid_backward", "its own unstable sigmoid",
        "s = sigmoid(x)", "s = 1 / (1 + np.exp(-x))"),
    Bug("07_activations", "relu_backward", "passes the gradient at 0",
        "(x > 0)", "(x >= 0)"),
    Bug("07_activations", "relu_backward", "masks by the gradient",
        "(x > 0)", "(grad_output > 0)"),
    Bug("07_activations", "leaky_relu", "np.maximum (wrong for slope > 1)",
        "np.where(x >= 0, x, negative_slope * x)",
        "np.maximum(x, negative_slope * x)"),
    Bug("07_activations", "leaky_relu", "the default slope hard-coded",
        "x, negative_slope * x)", "x, 0.01 * x)"),
    Bug("07_activations", "elu", "exp(x) - 1 on every x (overflows)",
        "alpha * np.expm1(np.minimum(x, 0))", "alpha * (np.exp(x) - 1)"),
    Bug("07_activations", "elu", "forgets alpha",
        "alpha * np.expm1", "np.expm1"),
    Bug("07_activations", "elu_backward", "slope 1 at x = 0",
        "np.where(x > 0", "np.where(x >= 0"),
    Bug("07_activations", "elu_backward", "exp of every x (overflows)",
        "np.exp(np.minimum(x, 0))", "np.exp(x)"),
    Bug("07_activations", "softmax", "no maximum subtracted (overflows)",
        "np.exp(x - x.max(axis=dim, keepdims=True))", "np.exp(x)"),
    Bug("07_activations", "softmax", "sums over the last axis",
        "e.sum(axis=dim, keepdims=True)", "e.sum(axis=-1, keepdims=True)"),
    Bug("07_activations", "cross_entropy", "log of the softmax",
        None, "e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
        "p = e / e.sum(axis=1, keepdims=True)\n"
        "return float(-np.log(p[np.arange(len(targets)), targets]).mean())"),
    Bug("07_activations", "cross_entropy", "sums over the batch",
        "targets].mean())", "targets].sum())"),
    Bug("07_activations", "cross_entropy", "no maximum subtracted",
        "shifted = logits - logits.max(axis=1, keepdims=True)",
        "shifted = logits"),
    Bug("07_activations", "cross_entropy_backward", "forgets the 1/N",
        "return grad / len(targets)", "return grad"),
    Bug("07_activations", "cross_entropy_backward", "one-hot minus softmax",
        "return grad / len(targets)", "return -grad / len(targets)"),
    Bug("07_activations", "cross_entropy_backward", "softmax overflows",
        "np.exp(logits - logits.max(axis=1, keepdims=True))",
        "np.exp(logits)"),
    # ------------------------------------------------------------ 08_cnn
    Bug("08_cnn", "trace_shapes", "assumes square feature maps",
        "tuple(\n                (n + 2 * p - k) // s + 1 for n in shape[2:])",
        "((shape[2] + 2 * p - k) // s + 1,) * 2"),
    Bug("08_cnn", "trace_shapes", "pooling output n // k",
        "(n - k) // s + 1 for n in shape[2:])",
        "n // k for n in shape[2:])"),
    Bug("08_cnn", "count_cnn_params", "forgets the conv bias",
        "c_out * shape[1] * k * k + c_out", "c_out * shape[1] * k * k"),
    Bug("08_cnn", "count_cnn_params", "in-channels of the input always",
        "c_out * shape[1] * k * k", "c_out * input_shape[1] * k * k"),
    Bug("08_cnn", "first_shape_error", "linear counts every feature",
        "if shape[-1] != n_in:", "if int(np.prod(shape[1:])) != n_in:"),
    Bug("08_cnn", "first_shape_error", "kernel against the unpadded size",
        "padded = tuple(n + 2 * p for n in shape[2:])",
        "padded = tuple(shape[2:])"),
    Bug("08_cnn", "first_shape_error", "layers counted from 1",
        "enumerate(layers)", "enumerate(layers, 1)"),
    Bug("08_cnn", "cnn_loss_and_grads", "forgets the pool's 1/(HW)",
        "[:, :, None, None] / (h * w) * (z > 0)",
        "[:, :, None, None] * (z > 0)"),
    Bug("08_cnn", "cnn_loss_and_grads", "forgets the 1/N",
        "    g /= n                                            # dL/dlogits\n",
        ""),
    Bug("08_cnn", "cnn_loss_and_grads", "no ReLU in the backward pass",
        "/ (h * w) * (z > 0)", "/ (h * w) * np.ones_like(z)"),
    Bug("08_cnn", "overfit", "gradient ascent",
        "p - lr * g for p, g", "p + lr * g for p, g"),
    Bug("08_cnn", "overfit", "trains the linear layer only",
        "params = [p - lr * g for p, g in zip(params, grads)]",
        "params[2:] = [p - lr * g for p, g in zip(params[2:], grads[2:])]"),
    Bug("08_cnn", "overfit", "a tenth of the steps",
        "for _ in range(steps):", "for _ in range(steps // 10):"),
    Bug("08_cnn", "tiny_cnn_forward", "adds the bias after ReLU",
        "np.maximum(features + conv_bias[None, :, None, None], 0)",
        "np.maximum(features, 0) + conv_bias[None, :, None, None]"),
    Bug("08_cnn", "tiny_cnn_forward", "flattens channels last",
        "pooled.reshape(n, -1) @", "pooled.transpose(0, 2, 3, 1).reshape("
        "n, -1) @"),
    # -------------------------------------------------- 09_normalisation
    Bug("09_normalisation", "batch_norm",
        "running variance updated with the biased variance",
        "momentum * var * m / (m - 1))", "momentum * var)"),
    Bug("09_normalisation", "batch_norm",
        "running statistics not updated in training",
        "new_mean = (1 - momentum) * running_mean + momentum * mean\n"
        "        new_var = ((1 - momentum) * running_var\n"
        "                   + momentum * var * m / (m - 1))",
        "new_mean, new_var = running_mean, running_var"),
    Bug("09_normalisation", "batch_norm",
        "batch statistics in evaluation, running ones unused",
        "mean, var = running_mean, running_var",
        "mean, var = x.mean(axis=axes), x.var(axis=axes)"),
    Bug("09_normalisation", "batch_norm", "momentum the other way round",
        "new_mean = (1 - momentum) * running_mean + momentum * mean\n"
        "        new_var = ((1 - momentum) * running_var\n"
        "                   + momentum * var * m / (m - 1))",
        "new_mean = momentum * running_mean + (1 - momentum) * mean\n"
        "        new_var = (momentum * running_var\n"
        "                   + (1 - momentum) * var * m / (m - 1))"),
    Bug("09_normalisation", "batch_norm",
        "2-D batch norm over the batch only (statistics per position)",
        None, "axes = (0,) + tuple(range(2, x.ndim))\n"
        "shape = (1, -1) + (1,) * (x.ndim - 2)\n"
        "if not training:\n"
        "    x_hat = (x - running_mean.reshape(shape)) / np.sqrt(\n"
        "        running_var.reshape(shape) + eps)\n"
        "    return gamma.reshape(shape) * x_hat + beta.reshape(shape), \\\n"
        "        running_mean.copy(), running_var.copy()\n"
        "mean, var = x.mean(axis=0), x.var(axis=0)\n"
        "x_hat = (x - mean) / np.sqrt(var + eps)\n"
        "n = x.shape[0]\n"
        "c_mean = mean.reshape(x.shape[1], -1).mean(axis=1)\n"
        "c_var = var.reshape(x.shape[1], -1).mean(axis=1) * n / (n - 1)\n"
        "return gamma.reshape(shape) * x_hat + beta.reshape(shape), \\\n"
        "    (1 - momentum) * running_mean + momentum * c_mean, \\\n"
        "    (1 - momentum) * running_var + momentum * c_var"),
    Bug("09_normalisation", "batch_norm",
        "normalises with the unbiased variance",
        "mean, var = x.mean(axis=axes), x.var(axis=axes)\n"
        "        m = x.size // x.shape[1]\n"
        "        new_mean = (1 - momentum) * running_mean + momentum * mean\n"
        "        new_var = ((1 - momentum) * running_var\n"
        "                   + momentum * var * m / (m - 1))",
        "mean, var = x.mean(axis=axes), x.var(axis=axes, ddof=1)\n"
        "        new_mean = (1 - momentum) * running_mean + momentum * mean\n"
        "        new_var = (1 - momentum) * running_var + momentum * var"),
    Bug("09_normalisation", "batch_norm_backward",
        "the direct path only (statistics held constant)",
        "dx = gamma.reshape(shape) / (m * s) * (\n"
        "        m * grad_output - dbeta.reshape(shape)\n"
        "        - x_hat * dgamma.reshape(shape))",
        "dx = gamma.reshape(shape) * grad_output / s"),
    Bug("09_normalisation", "batch_norm_backward",
        "forgets the path through the variance",
        "\n        - x_hat * dgamma.reshape(shape))", ")"),
    Bug("09_normalisation", "batch_norm_backward",
        "the unbiased variance in s",
        "s = np.sqrt(x.var(axis=axes, keepdims=True) + eps)",
        "s = np.sqrt(x.var(axis=axes, ddof=1, keepdims=True) + eps)"),
    Bug("09_normalisation", "dropout", "kept values not scaled",
        "return x * mask / (1 - p)", "return x * mask"),
    Bug("09_normalisation", "dropout", "scales by 1 - p in evaluation",
        "if not training:\n        return x",
        "if not training:\n        return x * (1 - p)"),
    Bug("09_normalisation", "dropout", "divides by p",
        "return x * mask / (1 - p)", "return x * mask / p"),
    Bug("09_normalisation", "dropout_backward", "gradient not scaled",
        "return grad_output * mask / (1 - p)", "return grad_output * mask"),
    Bug("09_normalisation", "dropout_backward", "divides by p",
        "return grad_output * mask / (1 - p)",
        "return grad_output * mask / p"),
    Bug("09_normalisation", "residual_block", "no identity path",
        "np.maximum(x + np.maximum(x @ w1.T, 0) @ w2.T, 0)",
        "np.maximum(np.maximum(x @ w1.T, 0) @ w2.T, 0)"),
    Bug("09_normalisation", "residual_block", "ReLU before the addition",
        "np.maximum(x + np.maximum(x @ w1.T, 0) @ w2.T, 0)",
        "x + np.maximum(np.maximum(x @ w1.T, 0) @ w2.T, 0)"),
    Bug("09_normalisation", "residual_block_backward",
        "no gradient through the identity path",
        "return g2 + g1 @ w1, dw1, dw2", "return g1 @ w1, dw1, dw2"),
    Bug("09_normalisation", "residual_block_backward",
        "ignores the last ReLU", "g2 = grad_output * (pre2 > 0)",
        "g2 = grad_output"),
    Bug("09_normalisation", "residual_block_backward",
        "ReLU's slope 1 at 0", "(pre2 > 0)", "(pre2 >= 0)"),
)
