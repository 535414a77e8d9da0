"""convlib.data: MNIST-1D from its own generator, scikit-learn's digits,
and the CIFAR-10 python-batch loader (on fake files written here)."""
import io
import pickle
import random
import socket
import sys

import numpy as np
import pytest

from convlib import data


# ---------------------------------------------------------------- MNIST-1D

def test_mnist1d_shapes_dtypes_and_split():
    ds = data.mnist1d(n_samples=200, test_fraction=0.25, seed=3)
    assert ds.x_train.shape == (150, 1, 40) and ds.x_test.shape == (50, 1, 40)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.y_test.shape == (50,) and ds.classes == tuple("0123456789")
    labels = np.concatenate([ds.y_train, ds.y_test])
    assert np.array_equal(np.bincount(labels), np.full(10, 20))
    assert ds.n_classes == 10 and "float32[150, 1, 40]" in repr(ds)


def test_mnist1d_is_the_packages_generator():
    """Same arrays as calling mnist1d's make_dataset directly."""
    from mnist1d.data import get_dataset_args, make_dataset
    args = get_dataset_args()
    args.num_samples, args.seed, args.train_split = 100, 7, 0.8
    state = np.random.get_state()
    made = make_dataset(args)
    np.random.set_state(state)
    ds = data.mnist1d(n_samples=100, test_fraction=0.2, seed=7)
    assert np.allclose(ds.x_train[:, 0], made["x"], atol=1e-6)
    assert np.allclose(ds.x_test[:, 0], made["x_test"], atol=1e-6)
    assert np.array_equal(ds.y_test, made["y_test"])


def test_mnist1d_seed_decides_and_global_state_is_kept():
    np.random.seed(11)
    random.seed(12)
    numpy_before, python_before = np.random.get_state(), random.getstate()
    a = data.mnist1d(n_samples=60, seed=1)
    assert np.array_equal(np.random.get_state()[1], numpy_before[1])
    assert random.getstate() == python_before
    b = data.mnist1d(n_samples=60, seed=1)
    c = data.mnist1d(n_samples=60, seed=2)
    for left, right in zip(a[:4], b[:4]):
        assert np.array_equal(left, right)
    assert not np.array_equal(a.x_train, c.x_train)


def test_mnist1d_results_are_independent_copies():
    a = data.mnist1d(n_samples=60, seed=4)
    a.x_train[:] = 0
    assert data.mnist1d(n_samples=60, seed=4).x_train.any()


def test_mnist1d_uses_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network used")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    ds = data.mnist1d(n_samples=30, seed=99)      # not cached yet
    assert len(ds.x_train) + len(ds.x_test) == 30


@pytest.mark.parametrize("kwargs, error, argument", [
    (dict(n_samples=55), ValueError, "n_samples"),
    (dict(n_samples=0), ValueError, "n_samples"),
    (dict(n_samples=10.0), TypeError, "n_samples"),
    (dict(test_fraction=1.0), ValueError, "test_fraction"),
    (dict(test_fraction="0.2"), TypeError, "test_fraction"),
    (dict(n_samples=10, test_fraction=0.01), ValueError, "test_fraction"),
    (dict(seed=-1), ValueError, "seed"),
])
def test_mnist1d_bad_input(kwargs, error, argument):
    with pytest.raises(error, match=f"^mnist1d: .*{argument}"):
        data.mnist1d(**kwargs)


# ---------------------------------------------------------------- digits

def test_digits_shapes_range_and_stratified_split():
    from sklearn.datasets import load_digits
    everything = np.bincount(load_digits().target)
    ds = data.digits(test_fraction=0.2, seed=0)
    assert ds.x_train.shape[1:] == (1, 8, 8) and ds.x_test.dtype == np.float32
    assert ds.x_train.min() == 0 and ds.x_train.max() == 1
    per_class_test = np.bincount(ds.y_test, minlength=10)
    assert np.array_equal(np.round(everything * 0.2), per_class_test)
    assert np.array_equal(per_class_test + np.bincount(ds.y_train),
                          everything)


def test_digits_seeded():
    a, b, c = data.digits(seed=5), data.digits(seed=5), data.digits(seed=6)
    assert np.array_equal(a.x_test, b.x_test)
    assert np.array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_train, c.y_train)


@pytest.mark.parametrize("fraction", [0, 0.001, 0.999])
def test_digits_bad_fraction(fraction):
    with pytest.raises(ValueError, match="^digits: .*test_fraction"):
        data.digits(test_fraction=fraction)


# ---------------------------------------------------------------- CIFAR-10

def _raw(path):
    with open(path, "rb") as file:
        return pickle.load(file, encoding="bytes")


def test_cifar_round_trip(tmp_path):
    root = data.write_cifar10_like(tmp_path / "cifar", n_per_batch=6,
                                   seed=1)
    ds = data.load_cifar10(root)
    assert ds.x_train.shape == (30, 3, 32, 32) and ds.x_test.shape[0] == 6
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    first = _raw(root / "data_batch_1")
    assert np.allclose(ds.x_train[:6] * 255,
                       first[b"data"].reshape(6, 3, 32, 32))
    assert ds.y_train[:6].tolist() == first[b"labels"]
    assert ds.y_test.tolist() == _raw(root / "test_batch")[b"labels"]
    assert ds.classes == data.CIFAR10_CLASSES


def test_cifar_keeps_the_first_images_and_reads_only_what_it_needs(
        tmp_path):
    data.write_cifar10_like(tmp_path, n_per_batch=4, seed=2)
    full = data.load_cifar10(tmp_path)
    (tmp_path / "data_batch_5").unlink()
    part = data.load_cifar10(tmp_path, n_train=6, n_test=3)
    assert np.array_equal(part.x_train, full.x_train[:6])
    assert np.array_equal(part.y_test, full.y_test[:3])
    with pytest.raises(FileNotFoundError, match="data_batch_5"):
        data.load_cifar10(tmp_path)


def test_cifar_too_few_images(tmp_path):
    data.write_cifar10_like(tmp_path, n_per_batch=2)
    with pytest.raises(ValueError, match="asked for 11 images"):
        data.load_cifar10(tmp_path, n_train=11)


def test_cifar_missing_root(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match="nowhere.*cifar-10-batches-py"):
        data.load_cifar10(tmp_path / "nowhere")


def _write(path, obj):
    with open(path, "wb") as file:
        pickle.dump(obj, file, protocol=3)


def _good(n=3):
    return {b"data": np.zeros((n, 3072), np.uint8), b"labels": [1] * n}


class _Evil:
    def __reduce__(self):
        return (print, ("pwned",))


@pytest.mark.parametrize("content, expected", [
    (b"this is not a pickle", "unpickling failed"),
    (b"", "unpickling failed"),
    ([1, 2, 3], "holds a list"),
    ({b"pixels": 1, b"labels": []}, "has keys b'labels', b'pixels'"),
    ({**_good(), b"data": np.zeros((3, 3072), np.float32)},
     "float32 array of shape"),
    ({**_good(), b"data": np.zeros((3, 32, 32, 3), np.uint8)},
     "shape (3, 32, 32, 3)"),
    ({**_good(), b"data": [[0] * 3072] * 3}, "is a list"),
    ({**_good(), b"labels": [1, 2]}, "do not match the 3 images"),
    ({**_good(), b"labels": [1, 2, 10]}, "do not match the 3 images"),
    ({**_good(), b"labels": ["a", "b", "c"]}, "do not match"),
    (_Evil(), "refused to load the global builtins.print"),
])
def test_cifar_malformed_file_names_file_and_expectation(
        tmp_path, capsys, content, expected):
    data.write_cifar10_like(tmp_path, n_per_batch=3)
    target = tmp_path / "data_batch_2"
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        _write(target, content)
    with pytest.raises(ValueError) as caught:
        data.load_cifar10(tmp_path)
    message = str(caught.value)
    assert message.startswith("load_cifar10: ")
    assert str(target) in message and "(N, 3072)" in message
    assert expected in message
    assert "pwned" not in capsys.readouterr().out


class _Python2Pickler(pickle._Pickler):
    """Writes str and bytes as Python 2 'str' (BINSTRING), as the real
    CIFAR-10 files (pickled by Python 2) do."""

    def save_str(self, obj):
        self.save_bytes(obj.encode("latin1"))

    def save_bytes(self, obj):
        self.write(pickle.BINSTRING + len(obj).to_bytes(4, "little") + obj)
        self.memoize(obj)

    dispatch = {**pickle._Pickler.dispatch, str: save_str, bytes: save_bytes}


def test_cifar_reads_python2_pickles_of_numpy1(tmp_path):
    """Real batches name numpy.core.multiarray and hold Python 2 strings."""
    data.write_cifar10_like(tmp_path, n_per_batch=3)
    batch = {b"data": np.arange(3 * 3072).astype(np.uint8).reshape(3, -1),
             b"labels": [4, 0, 9], b"batch_label": b"training batch 1"}
    buffer = io.BytesIO()
    _Python2Pickler(buffer, protocol=2).dump(batch)
    raw = buffer.getvalue().replace(b"numpy._core.", b"numpy.core.")
    assert b"numpy.core.multiarray\n_reconstruct" in raw
    (tmp_path / "data_batch_1").write_bytes(raw)
    ds = data.load_cifar10(tmp_path, n_train=3)
    assert np.array_equal(ds.x_train.reshape(3, -1) * 255,
                          batch[b"data"].astype(np.float32))
    assert ds.y_train.tolist() == [4, 0, 9]


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_cifar_reads_every_pickle_protocol(tmp_path, protocol):
    data.write_cifar10_like(tmp_path, n_per_batch=2)
    batch = {b"data": np.full((2, 3072), 51, np.uint8), b"labels": [3, 5]}
    with open(tmp_path / "test_batch", "wb") as file:
        pickle.dump(batch, file, protocol=protocol)
    ds = data.load_cifar10(tmp_path, n_train=1)
    assert np.allclose(ds.x_test, 0.2) and ds.y_test.tolist() == [3, 5]


@pytest.mark.parametrize("kwargs, error, argument", [
    (dict(n_train=0), ValueError, "n_train"),
    (dict(n_test=2.5), TypeError, "n_test"),
])
def test_cifar_bad_counts(tmp_path, kwargs, error, argument):
    with pytest.raises(error, match=f"^load_cifar10: {argument}"):
        data.load_cifar10(tmp_path, **kwargs)


def test_write_cifar10_like_bad_count(tmp_path):
    with pytest.raises(ValueError, match="^write_cifar10_like: n_per_"):
        data.write_cifar10_like(tmp_path, n_per_batch=0)


NO_TORCH = """
import importlib.abc, sys, tempfile
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'torch':
            raise ImportError('blocked ' + name)
sys.meta_path.insert(0, Block())
from convlib import data
with tempfile.TemporaryDirectory() as root:
    ds = data.load_cifar10(data.write_cifar10_like(root, 2))
print(len(ds.x_train), len(ds.x_test))
"""


def test_cifar_loader_runs_without_torch():
    import subprocess
    result = subprocess.run([sys.executable, "-c", NO_TORCH],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10", "2"]


@pytest.mark.parametrize("module, call, package", [
    ("mnist1d.data", lambda: data.mnist1d(n_samples=40, seed=31),
     "mnist1d==0.0.2.post1"),
    ("sklearn.datasets", lambda: data.digits(), "scikit-learn"),
])
def test_missing_package_is_named(monkeypatch, module, call, package):
    monkeypatch.setitem(sys.modules, module, None)    # import fails
    with pytest.raises(ImportError, match=f"pip install {package}"):
        call()
