"""Data sets made or generated locally: nothing is downloaded at run time.

- `mnist1d`   MNIST-1D, made by the `mnist1d` package's own generator
- `digits`    scikit-learn's bundled 8x8 handwritten digits
- `load_cifar10`  CIFAR-10's python batches, if you already have them
- `write_cifar10_like`  tiny fake files in CIFAR-10's format, to try that
  path (and to test it) without the real data

Every loader returns a `Dataset`: float32 inputs shaped
``(N, channels, *spatial)`` and int64 labels, split into train and test.

This module imports NumPy only; `mnist1d` and scikit-learn are imported
inside the functions that need them.
"""
import codecs
import functools
import pickle
import random
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._args import check_seed, is_int

__all__ = ["Dataset", "mnist1d", "digits", "load_cifar10",
           "write_cifar10_like", "CIFAR10_CLASSES", "CIFAR10_FILES"]

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog",
                   "frog", "horse", "ship", "truck")
CIFAR10_TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_FILES = CIFAR10_TRAIN_FILES + ("test_batch",)
DIGIT_CLASSES = tuple(str(d) for d in range(10))


class Dataset(NamedTuple):
    """A train/test split of a labelled data set.

    Attributes
    ----------
    x_train : numpy.ndarray, float32, shape (N_train, C, *spatial)
    y_train : numpy.ndarray, int64, shape (N_train,)
    x_test : numpy.ndarray, float32, shape (N_test, C, *spatial)
    y_test : numpy.ndarray, int64, shape (N_test,)
    classes : tuple of str
        Class names; label ``k`` means ``classes[k]``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple

    @property
    def n_classes(self):
        """Number of classes, ``len(classes)``."""
        return len(self.classes)

    def __repr__(self):
        return (f"Dataset(x_train={_shape(self.x_train)}, "
                f"x_test={_shape(self.x_test)}, "
                f"classes={len(self.classes)})")


def _shape(array):
    return f"{array.dtype}{list(array.shape)}"


# ---------------------------------------------------------------- checks

def _check_fraction(value, fn):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{fn}: test_fraction must be a number, "
                        f"got {value!r}")
    if not 0 < value < 1:
        raise ValueError(f"{fn}: test_fraction must be between 0 and 1 "
                         f"(exclusive), got {value!r}")


def _check_count(value, name, fn, minimum=1):
    if value is None:
        return
    if not is_int(value):
        raise TypeError(f"{fn}: {name} must be an int or None, "
                        f"got {value!r}")
    if value < minimum:
        raise ValueError(f"{fn}: {name} must be >= {minimum}, got {value}")


# ---------------------------------------------------------------- MNIST-1D

def mnist1d(n_samples=5000, test_fraction=0.2, seed=0):
    """MNIST-1D, generated locally by the `mnist1d` package's generator.

    MNIST-1D (Greydanus, 2020) turns ten 1-D templates, one per digit,
    into signals of length 40 by padding, scaling, shifting, shearing and
    adding noise. The generator here is the package's own
    `mnist1d.data.make_dataset`; its download path (`get_dataset`) is never
    used. The package seeds NumPy's and Python's global random generators;
    this function restores both afterwards, so `seed` alone decides the
    result and the caller's random state is unchanged. Generating takes
    well under a second per 1000 samples; the result is cached for
    the session, so asking again is instant.

    Parameters
    ----------
    n_samples : int
        Total number of signals, a positive multiple of 10 (the generator
        makes the same number of each digit).
    test_fraction : float
        Share of the samples held out as the test set, in (0, 1).
    seed : int
        Seed of the generator, in [0, 2**32). Same seed, same arrays.

    Returns
    -------
    Dataset
        ``x_*`` float32 of shape (N, 1, 40), standardised over the whole
        set (mean 0, standard deviation 1) as the package does; ``y_*``
        int64 in 0..9; ``classes`` the digits "0".."9". The test set is
        the last ``round(n_samples * test_fraction)`` shuffled samples.

    Raises
    ------
    ValueError
        If `n_samples` is not a positive multiple of 10, `test_fraction` is
        outside (0, 1), or the split would leave a side empty.
    ImportError
        If the `mnist1d` package is not installed.
    """
    fn = "mnist1d"
    _check_count(n_samples, "n_samples", fn, minimum=10)
    if n_samples is None or n_samples % 10:
        raise ValueError(f"{fn}: n_samples must be a positive multiple of "
                         f"10 (one tenth per digit), got {n_samples!r}")
    _check_fraction(test_fraction, fn)
    check_seed(seed, fn)
    n_test = _split_size(n_samples, test_fraction, fn)
    x, y = _generate_mnist1d(n_samples, seed)
    x = x.astype(np.float32)[:, None, :]      # astype copies the cache
    y = y.astype(np.int64, copy=True)
    cut = n_samples - n_test
    return Dataset(x[:cut], y[:cut], x[cut:], y[cut:], DIGIT_CLASSES)


def _split_size(n, test_fraction, fn):
    n_test = int(round(n * test_fraction))
    if not 0 < n_test < n:
        raise ValueError(f"{fn}: test_fraction={test_fraction} of {n} "
                         f"samples leaves {n_test} for testing and "
                         f"{n - n_test} for training; both must be >= 1")
    return n_test


@functools.lru_cache(maxsize=8)
def _generate_mnist1d(n_samples, seed):
    """Run mnist1d's generator with the global random state put back.

    Cached (a few seconds for 5000 samples): the arrays are read-only and
    callers copy them.
    """
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as error:
        raise ImportError(
            "mnist1d: the `mnist1d` package is needed to generate MNIST-1D:"
            " pip install mnist1d==0.0.2.post1") from error
    args = get_dataset_args()
    args.num_samples, args.seed = n_samples, seed
    args.train_split = 1.0            # we split it ourselves, exactly
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        made = make_dataset(args)
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    x, y = made["x"], made["y"]
    x.flags.writeable = y.flags.writeable = False
    return x, y


# ---------------------------------------------------------------- digits

def digits(test_fraction=0.2, seed=0):
    """scikit-learn's 8x8 handwritten digits (shipped in the package).

    The 1797 images of `sklearn.datasets.load_digits` are read from the
    copy inside scikit-learn; nothing is downloaded.

    Parameters
    ----------
    test_fraction : float
        Share of each class held out as the test set, in (0, 1).
    seed : int
        Seed of the stratified split, in [0, 2**32).

    Returns
    -------
    Dataset
        ``x_*`` float32 of shape (N, 1, 8, 8) scaled to [0, 1] (the raw
        pixels are 0..16); ``y_*`` int64 in 0..9; ``classes`` "0".."9".
        Each class is split in the same proportion (stratified), and both
        sides are shuffled; the same seed gives the same split.

    Raises
    ------
    ValueError
        If `test_fraction` is outside (0, 1).
    ImportError
        If scikit-learn is not installed.
    """
    fn = "digits"
    _check_fraction(test_fraction, fn)
    check_seed(seed, fn)
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError(f"{fn}: scikit-learn is needed for its bundled "
                          "digits: pip install scikit-learn") from error
    bunch = load_digits()
    x = (bunch.images / 16.0).astype(np.float32)[:, None, :, :]
    y = bunch.target.astype(np.int64)
    train, test = _stratified_split(y, test_fraction,
                                    np.random.default_rng(seed))
    if not len(train) or not len(test):
        raise ValueError(f"{fn}: test_fraction={test_fraction} leaves "
                         f"{len(test)} test and {len(train)} training "
                         "images; both must be >= 1")
    return Dataset(x[train], y[train], x[test], y[test], DIGIT_CLASSES)


def _stratified_split(y, test_fraction, rng):
    """Indices (train, test): each class split in the same proportion."""
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(len(members) * test_fraction))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return (rng.permutation(np.concatenate(train)),
            rng.permutation(np.concatenate(test)))


# ---------------------------------------------------------------- CIFAR-10

def _numpy_globals():
    """The functions a pickled NumPy array refers to, by pickle name."""
    reconstruct = np.ndarray((0,)).__reduce__()[0]
    frombuffer = np.ndarray((0,)).__reduce_ex__(5)[0]
    allowed = {("numpy", "ndarray"): np.ndarray,
               ("numpy", "dtype"): np.dtype,
               # bytes in a Python 3 pickle of protocol 2
               ("_codecs", "encode"): codecs.encode}
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(module, "_reconstruct")] = reconstruct
    for module in ("numpy.core.numeric", "numpy._core.numeric"):
        allowed[(module, "_frombuffer")] = frombuffer
    return allowed


class _CifarUnpickler(pickle.Unpickler):
    """An unpickler that builds dicts, lists, bytes, numbers and NumPy
    arrays, and refuses every other global (so a hostile file cannot
    run code)."""

    allowed = _numpy_globals()

    def find_class(self, module, name):
        try:
            return self.allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refused to load the global {module}.{name} (only NumPy "
                "arrays, dicts, lists, bytes and numbers are allowed)"
            ) from None


def load_cifar10(root, n_train=None, n_test=None):
    """CIFAR-10 from its python batches, already on your disk.

    Nothing is downloaded: `root` is the folder ``cifar-10-batches-py``
    that the archive ``cifar-10-python.tar.gz`` (Krizhevsky, 2009)
    unpacks to, holding ``data_batch_1`` .. ``data_batch_5`` (10000 images
    each) and ``test_batch``. Each file is a pickled dict with ``b"data"``,
    a uint8 array of shape (N, 3072) (1024 red, then green, then blue
    values, row by row), and ``b"labels"``, N ints in 0..9.

    The files are read with a restricted unpickler that builds only
    dicts, lists, bytes, numbers and NumPy arrays: the only globals it
    accepts are ``numpy.core.multiarray._reconstruct``, ``numpy.ndarray``
    and ``numpy.dtype`` (what the real files name),
    ``numpy.core.numeric._frombuffer`` (NumPy arrays in pickle protocol
    5), the same under ``numpy._core``, and ``_codecs.encode`` (bytes in
    a Python 3 pickle of protocol 2). Any other global is refused, so a
    file from an untrusted source cannot run code.

    Parameters
    ----------
    root : str or path-like
        The folder holding the batch files.
    n_train, n_test : int or None
        Keep only the first `n_train` training / `n_test` test images
        (None: all, 50000 and 10000; as float32 all 60000 take about
        740 MB). Training batches after the ones needed are not read.

    Returns
    -------
    Dataset
        ``x_*`` float32 of shape (N, 3, 32, 32) scaled to [0, 1]; ``y_*``
        int64 in 0..9; ``classes`` the ten CIFAR-10 class names.

    Raises
    ------
    FileNotFoundError
        If `root` or a batch file that is needed does not exist; the
        message names it and the files expected.
    ValueError
        If a file is not a pickled dict with ``data`` (uint8, (N, 3072))
        and ``labels`` (N ints in 0..9), or holds fewer images than asked
        for; the message names the file and what was expected.
    """
    fn = "load_cifar10"
    _check_count(n_train, "n_train", fn)
    _check_count(n_test, "n_test", fn)
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(
            f"{fn}: root {str(root)!r} is not a folder; expected the "
            f"folder cifar-10-batches-py holding {', '.join(CIFAR10_FILES)}")
    x_train, y_train = _read_batches(root, CIFAR10_TRAIN_FILES, n_train, fn)
    x_test, y_test = _read_batches(root, ("test_batch",), n_test, fn)
    return Dataset(_to_images(x_train), y_train, _to_images(x_test), y_test,
                   CIFAR10_CLASSES)


def _read_batches(root, names, limit, fn):
    """Concatenate the (data, labels) of batch files until `limit`."""
    datas, labels, count = [], [], 0
    for name in names:
        if limit is not None and count >= limit:
            break
        data, label = _read_batch(root / name, fn)
        datas.append(data)
        labels.append(label)
        count += len(label)
    if limit is not None and count < limit:
        raise ValueError(
            f"{fn}: asked for {limit} images but {', '.join(names)} in "
            f"{str(root)!r} hold only {count}")
    data = np.concatenate(datas)[:limit]
    return data, np.concatenate(labels)[:limit]


def _to_images(data):
    images = data.reshape(-1, 3, 32, 32).astype(np.float32)
    images /= 255
    return images


def _read_batch(path, fn):
    """(data uint8 (N, 3072), labels int64 (N,)) of one batch file."""
    expected = ("a CIFAR-10 python batch: a pickled dict with b'data' "
                "(uint8, shape (N, 3072)) and b'labels' (N ints in 0..9)")
    if not path.is_file():
        raise FileNotFoundError(
            f"{fn}: {str(path)!r} does not exist; expected {expected} "
            f"(the folder should hold {', '.join(CIFAR10_FILES)})")
    try:
        with open(path, "rb") as file:
            batch = _CifarUnpickler(file, encoding="bytes").load()
    except Exception as error:    # any failure to unpickle means: not one
        raise ValueError(f"{fn}: {str(path)!r} is not {expected}; "
                         f"unpickling failed: {error}") from error
    if not isinstance(batch, dict):
        raise ValueError(f"{fn}: {str(path)!r} holds a "
                         f"{type(batch).__name__}, expected {expected}")
    data, labels = _field(batch, "data"), _field(batch, "labels")
    if data is None or labels is None:
        keys = sorted(repr(k) for k in batch)
        raise ValueError(f"{fn}: {str(path)!r} has keys {', '.join(keys)};"
                         f" expected {expected}")
    return _check_batch(data, labels, path, expected, fn)


def _field(batch, key):
    """batch[b'key'] (as pickled by CIFAR) or batch['key'], else None."""
    value = batch.get(key.encode())
    return batch.get(key) if value is None else value


def _check_batch(data, labels, path, expected, fn):
    if not (isinstance(data, np.ndarray) and data.dtype == np.uint8
            and data.ndim == 2 and data.shape[1] == 3072):
        got = (f"{data.dtype} array of shape {data.shape}"
               if isinstance(data, np.ndarray) else type(data).__name__)
        raise ValueError(f"{fn}: {str(path)!r}: b'data' is a {got}; "
                         f"expected {expected}")
    try:
        labels = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError):
        labels = np.zeros((0, 0))
    if (labels.shape != (len(data),) or labels.size
            and not 0 <= labels.min() <= labels.max() <= 9):
        raise ValueError(f"{fn}: {str(path)!r}: b'labels' do not match "
                         f"the {len(data)} images; expected {expected}")
    return data, labels


def write_cifar10_like(root, n_per_batch=10, seed=0):
    """Write small fake batches in CIFAR-10's python format.

    For tests, and for readers who want to try `load_cifar10` without the
    real data. Each class gets its own mean colour, plus noise, so a model
    can learn something from the fake images.

    Parameters
    ----------
    root : str or path-like
        Folder to write ``data_batch_1`` .. ``data_batch_5`` and
        ``test_batch`` into (created if missing; files are overwritten).
    n_per_batch : int
        Images per file, >= 1.
    seed : int
        Seed of the images and labels, in [0, 2**32).

    Returns
    -------
    pathlib.Path
        `root`, ready for ``load_cifar10(root)``.
    """
    fn = "write_cifar10_like"
    _check_count(n_per_batch, "n_per_batch", fn)
    if n_per_batch is None:
        raise TypeError(f"{fn}: n_per_batch must be an int, got None")
    check_seed(seed, fn)
    rng = np.random.default_rng(seed)
    colours = rng.integers(40, 216, size=(10, 3, 1))
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for name in CIFAR10_FILES:
        labels = rng.integers(0, 10, size=n_per_batch)
        noise = rng.normal(0, 30, size=(n_per_batch, 3, 1024))
        data = np.clip(colours[labels] + noise, 0, 255).astype(np.uint8)
        batch = {b"batch_label": f"fake {name}".encode(),
                 b"labels": [int(v) for v in labels],
                 b"data": data.reshape(n_per_batch, 3072),
                 b"filenames": [f"fake_{i}.png".encode()
                                for i in range(n_per_batch)]}
        with open(root / name, "wb") as file:
            pickle.dump(batch, file, protocol=3)
    return root
