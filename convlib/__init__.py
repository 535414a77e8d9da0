"""convlib: the layers of a convolutional network, written three ways.

Submodules (import the one you need; only `numpy` is required):

- `convlib.naive`   loops written to be read: the definitions as code
- `convlib.numpy`   vectorised NumPy forward and backward passes
- `convlib.torch`   the same ops from tensor primitives, for autograd
- `convlib.shapes`  output sizes, receptive fields, parameter counts
- `convlib.matrix`  a convolution written as its matrix T (small shapes)
- `convlib.widgets` and `convlib.plot`  the demos and figures of the book
- `convlib.data`    small data sets made locally (MNIST-1D, digits) and a
                    loader for CIFAR-10 batches already on disk
- `convlib.train`   a seeded training loop for torch models, with a
                    progress bar, per-epoch history and evaluation
- `convlib.grading` exercise self-checks and the bulk grader
"""
__version__ = "0.1.0"
