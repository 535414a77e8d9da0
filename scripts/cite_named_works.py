"""Add citations where a chapter names a work without citing it (issue 33).

Edits only the sources of the Markdown cells listed here (by cell id);
outputs, metadata and every other cell are left as they are. It is
idempotent (an edit already made is skipped), so that it can be run again
after a merge that took another version of a chapter:

    .venv/bin/python scripts/cite_named_works.py

tests/test_front_matter.py checks the result (every work a chapter names
is cited there); once merged, this script has done its job.
"""
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EDITS = {
    "chapters/01_convolution.ipynb": {
        "0d96fbce": [("The first layer of ResNet applies",
                      "The first layer of ResNet {cite:p}`he2016deep` applies")],
    },
    "chapters/02_conv_variants.ipynb": {
        "8ed4f8df": [("and ShuffleNet put batch normalisation after each",
                      "and ShuffleNet put batch normalisation\n"
                      "{cite:p}`ioffe2015batch` after each")],
    },
    "chapters/04_dilated_hdc.ipynb": {
        "8fcbe375": [("`convlib.train.fit` (Adam, learning rate",
                      "`convlib.train.fit` (Adam {cite:p}`kingma2015adam`, "
                      "learning rate")],
    },
    "chapters/05_pooling.ipynb": {
        "ch5-017": [("is the max pooling after\nResNet's first convolution",
                     "is the max pooling after\nthe first convolution of "
                     "ResNet {cite:p}`he2016deep`")],
        "ch5-041": [("(ResNet,\nMobileNet) end that way",
                     "(ResNet {cite:p}`he2016deep`,\nMobileNet "
                     "{cite:p}`howard2017mobilenets`) end that way")],
        "ch5-052": [("(分数最大池化, Graham 2014)",
                     "(分数最大池化, {cite:t}`graham2014fractional`)"),
                    ("networks (FCN, DeepLabV3, LR-ASPP), not layers.",
                     "networks (FCN {cite:p}`long2015fully`, DeepLabV3\n"
                     "  {cite:p}`chen2017rethinking`, LR-ASPP\n"
                     "  {cite:p}`howard2019searching`), not layers.")],
        "ch5-082": [("Fractional max pooling (Graham 2014) shrinks",
                     "Fractional max pooling {cite:p}`graham2014fractional`"
                     " shrinks")],
    },
    "chapters/06_linear.ipynb": {
        "ch6-013": [("1. A ResNet's last feature map is $(N, 512, 7, 7)$.",
                     "1. The last feature map of ResNet-18 "
                     "{cite:p}`he2016deep` is\n   $(N, 512, 7, 7)$.")],
        "ch6-049": [("(AlexNet's first linear layer)",
                     "(AlexNet's first linear layer\n   "
                     "{cite:p}`krizhevsky2012imagenet`)")],
    },
    "chapters/07_activations.ipynb": {
        "c027": [("much like dropout.",
                  "much like dropout {cite:p}`srivastava2014dropout`.")],
        "c040": [("- **{term}`SiLU`** (Swish) "
                  "{cite:p}`ramachandran2017searching`:\n"
                  "  $x\\,\\sigma(x)$, derivative",
                  "- **{term}`SiLU`** (Sigmoid 线性单元), named by\n"
                  "  {cite:t}`hendrycks2016gelu`, used by "
                  "{cite:t}`elfwing2018sigmoid`\n"
                  "  and, as {term}`Swish` with $\\beta = 1$, by\n"
                  "  {cite:t}`ramachandran2017searching`:\n"
                  "  $x\\,\\sigma(x)$, derivative")],
        "c069": [("Batch normalisation and\ncareful initialisation",
                  "Batch normalisation\n{cite:p}`ioffe2015batch` and "
                  "careful initialisation")],
        "c074": [('SELU comes with its own "alpha dropout".)',
                  'SELU comes with its own "alpha dropout"\n'
                  "{cite:p}`klambauer2017selu`.)")],
        "c075": [("on scikit-learn's $8 \\times 8$ handwritten\ndigits",
                  "on scikit-learn's $8 \\times 8$ handwritten\ndigits "
                  "{cite:p}`alpaydin1998optical`")],
    },
}


def main():
    edited = []
    for rel, cells in EDITS.items():
        path = ROOT / rel
        nb = nbformat.read(path, as_version=4)
        by_id = {c.get("id"): c for c in nb.cells}
        for cell_id, changes in cells.items():
            cell = by_id[cell_id]
            assert cell.cell_type == "markdown", (rel, cell_id)
            for old, new in changes:
                if new in cell.source:
                    continue
                assert cell.source.count(old) == 1, (rel, cell_id, old)
                cell.source = cell.source.replace(old, new)
            edited.append(f"{rel} cell {cell_id}")
        nbformat.write(nb, path)
    print("\n".join(edited))


if __name__ == "__main__":
    sys.exit(main())
