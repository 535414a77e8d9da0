"""The public API that DESIGN.md fixes: names, backward passes, docs,
and the import rules between modules."""
import inspect
import subprocess
import sys

import pytest
import convlib.data
import convlib.naive
import convlib.numpy
import convlib.shapes
import convlib.torch
import convlib.train

NUMPY_OPS = """
conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d
max_pool1d max_pool2d max_pool3d avg_pool1d avg_pool2d avg_pool3d
max_unpool1d max_unpool2d max_unpool3d
adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool1d
adaptive_max_pool2d fractional_max_pool2d lp_pool2d linear channel_shuffle
sigmoid tanh relu leaky_relu prelu rrelu elu selu celu gelu silu mish
softplus hardtanh hardsigmoid hardswish softmax log_softmax
depthwise_separable_conv2d spatially_separable_conv2d
batch_norm layer_norm group_norm instance_norm dropout dropout2d
basic_block bottleneck_block
""".split()
NAIVE_OPS = """conv1d conv2d conv_transpose2d max_pool2d avg_pool2d linear
batch_norm batch_norm_backward layer_norm group_norm instance_norm dropout
dropout2d"""
SHAPES = """conv_output_size conv_transpose_output_size pool_output_size
receptive_field hdc_m_chain coverage count_params count_flops""".split()
COMPOSITE = {"depthwise_separable_conv2d", "spatially_separable_conv2d"}


@pytest.mark.parametrize("name", NUMPY_OPS)
def test_numpy_has_forward_and_backward(name):
    assert callable(getattr(convlib.numpy, name))
    assert callable(getattr(convlib.numpy, name + "_backward"))


@pytest.mark.parametrize("name", NUMPY_OPS)
def test_torch_has_every_op(name):
    assert callable(getattr(convlib.torch, name))


@pytest.mark.parametrize("name", NUMPY_OPS)
def test_numpy_signature_equals_torch_modules(name):
    """convlib.torch's signatures are checked against torch's in
    test_torch_ops.py; convlib.numpy must have the same ones."""
    ours = _arguments(getattr(convlib.numpy, name))
    twin = _arguments(getattr(convlib.torch, name))
    assert ours == twin


def _arguments(function):
    # torch's softmax keeps a private _stacklevel for its warning
    return [(p.name, p.default)
            for p in inspect.signature(function).parameters.values()
            if p.name != "_stacklevel"]


@pytest.mark.parametrize("name", NAIVE_OPS.split())
def test_naive_has_the_loop_versions(name):
    assert callable(getattr(convlib.naive, name))


@pytest.mark.parametrize("name", SHAPES)
def test_shapes_has_the_arithmetic(name):
    assert callable(getattr(convlib.shapes, name))


def _public_functions():
    for module in (convlib.numpy, convlib.torch, convlib.naive,
                   convlib.shapes, convlib.data, convlib.train):
        for name in getattr(module, "__all__", dir(module)):
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj


@pytest.mark.parametrize("qualname,function", list(_public_functions()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_numpydoc_docstring(qualname, function):
    doc = inspect.getdoc(function) or ""
    assert "Parameters\n----------" in doc, f"{qualname}: no Parameters"
    assert "Returns\n-------" in doc, f"{qualname}: no Returns"


NO_TORCH = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'torch', 'matplotlib', 'ipywidgets',
                                  'anywidget'}:
            raise ImportError('blocked ' + name)
sys.meta_path.insert(0, Block())
import convlib.numpy, convlib.naive, convlib.shapes, convlib.data
assert not any(m.split('.')[0] in {'torch', 'matplotlib', 'ipywidgets'}
               for m in sys.modules)
print('ok')
"""


def test_numpy_naive_shapes_data_import_without_torch():
    result = subprocess.run([sys.executable, "-c", NO_TORCH],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
