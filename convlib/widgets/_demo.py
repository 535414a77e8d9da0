"""The base of the demos: an anywidget whose logic is all JavaScript.

Each demo's script (a ``.js`` file beside this module) defines a global
namespace with a ``mount(element, config)`` function that draws the demo
and answers its controls in the browser. It draws with the shared kit,
``kit.js`` (global ``convlibKit``: strings, shape rules, formatting,
controls, grids, charts, pictures), which is loaded before it with the
book's palette (`convlib.palette`) and the demos' string table
(``strings/``: the kit's and this demo's) put in (`kit_source`). The kit and the script serve
twice:

- as the widget's ES module (``_esm``), so the demo is a real widget in
  JupyterLab, and in the static book, where the vendored widget manager and
  anywidget front end draw it from the saved widget state with no kernel;
- as a plain ``text/html`` fallback in the same output, for viewers with
  no widget manager (nbviewer, GitHub, a plain HTML export).

Element ids come from a counter, so a notebook run from the top gives the
same HTML every time (nbval compares it).
"""
import itertools
import json
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from .. import _args, palette
from ._strings import table_for, text

_HERE = Path(__file__).parent
_COUNTER = itertools.count(1)
KIT = "kit.js"  # the shared kit, loaded before every demo script
# The object in kit.js that kit_source replaces by the kit's data.
KIT_DATA = "/*convlib-data*/{}/*end*/"


def plain_lists(array):
    """`array` as nested lists of Python numbers for a demo's config:
    ints where every value is whole, floats otherwise."""
    if np.all(np.mod(array, 1) == 0):
        return array.astype(int).tolist()
    return array.tolist()


def bounded_int(value, bounds, name, fn):
    """A demo's integer control checked against its (lowest, highest)
    `bounds`: the value as an int, else a TypeError or ValueError
    naming `fn` and `name`."""
    lo, hi = bounds
    value = _args.check_int(value, name, fn, minimum=lo)
    if value > hi:
        raise ValueError(f"{fn}: {name} must be at most {hi} in the "
                         f"explorer, got {value}")
    return value


def script_source(filename):
    """Text of a JavaScript asset of this package, e.g. 'window_stepper.js'."""
    return (_HERE / filename).read_text(encoding="utf-8")


def kit_source(scripts=()):
    """kit.js with its data put in: the palette's roles and series
    (`convlib.palette.as_config`) and the strings of the kit and of the
    demo `scripts` (`_strings.table_for`)."""
    kit = script_source(KIT)
    if kit.count(KIT_DATA) != 1:
        raise RuntimeError(f"{KIT} must hold its data object once")
    data = json.dumps({"palette": palette.as_config(),
                       "strings": table_for(scripts)},
                      ensure_ascii=False, separators=(",", ":"))
    return kit.replace(KIT_DATA, data.replace("</", "<\\/"))


def demo_source(script, parts=()):
    """The shared kit (`kit_source`), the optional kit `parts` the demo
    loads with it (e.g. ``("kit_nn.js",)``), then the demo's `script`."""
    return "\n".join([kit_source([script]), *map(script_source, parts),
                      script_source(script)])


def _module(script, namespace, name, parts=()):
    """An ES module that mounts the demo of `script` in the widget element."""
    return (
        f"{demo_source(script, parts)}\n"
        "export default {\n"
        "  render({ model, el }) {\n"
        f"    el.classList.add('convlib-demo', 'convlib-{name}');\n"
        f"    globalThis.{namespace}.mount(el, model.get('config'));\n"
        "  }\n"
        "};\n")


class Demo(anywidget.AnyWidget):
    """A demo drawn by JavaScript from the settings in `config`.

    ``config["controls"]``, when there, holds the bounds and options of
    the demo's controls (the JavaScript builds its controls from them);
    the repr leaves it out. Subclasses set ``name`` (CSS class
    ``convlib-<name>``), ``script`` (the ``.js`` file) and ``namespace``
    (the global it defines), and
    ``_esm = Demo.module_for(script, namespace, name)``. A demo that
    needs an optional part of the kit (``kit_nn.js``: a network's forward
    pass) names it in ``kit_parts`` and passes it to `module_for`.
    """

    config = traitlets.Dict().tag(sync=True)
    name = script = namespace = ""
    kit_parts = ()

    @staticmethod
    def module_for(script, namespace, name, parts=()):
        return _module(script, namespace, name, parts)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items()
                         if k != "controls")
        return f"{type(self).__name__}({args})"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = repr(self)
        data["text/html"] = self.fallback_html()
        return bundle

    def fallback_html(self):
        """The demo as HTML with an inline script (a fresh element id)."""
        element_id = f"convlib-{self.name}-{next(_COUNTER)}"
        config = json.dumps(self.config).replace("</", "<\\/")
        return (
            f'<div id="{element_id}" class="convlib-demo '
            f'convlib-{self.name}">'
            f"<noscript>{text('kit.noscript')}</noscript></div>\n"
            f"<script>\n{demo_source(self.script, self.kit_parts)}\n"
            f"{self.namespace}.mount(document.getElementById("
            f'"{element_id}"), {config});\n</script>')
