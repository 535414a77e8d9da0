"""The book's one palette: the colours of figures (`convlib.plot`) and of
the demos (the kit receives these values, see `convlib.widgets`).

One concept has one colour across a chapter's figures and its demo. Two
kinds of colour:

- `ROLES`: what a colour means in grids and pictures (the window being
  read, padding, the kernel, an output cell, a hole, an error, ...);
- `SERIES`: an ordered list for things that only need telling apart
  (groups, curves, networks). Based on Okabe & Ito's colour-blind-safe
  set; meaning is never carried by colour alone (labels, markers, line
  styles carry it too).

Colour-vision deficiencies: tests/test_palette.py simulates deuteranopia
and protanopia (Machado et al. 2009, full severity) and keeps a CIEDE2000
difference of at least 15 between any two colours of each set drawn side
by side, on the white page:

- the whole `SERIES` (a figure may use all of it at once);
- the grid fills: a plain cell (white), "pad", "window", "kernel", "out";
- the coverage map's fills: white, "pad", "hole", "kernel";
- the text and line colours: white, "line", "error", "muted".

Fills stay light enough for black text (contrast at least 7:1). The
values were moved from Okabe & Ito's (and the kit's former tints) only as
far as those checks needed. Change a value only with the test passing.

Nothing here imports matplotlib or ipywidgets.
"""

# Categorical colours, in the order a figure or demo uses them.
SERIES = (
    "#0072B2",  # blue
    "#C55100",  # vermillion (darker than Okabe & Ito's, apart from orange)
    "#009A70",  # bluish green
    "#DDA0AF",  # pink (lighter than their reddish purple, apart from blue)
    "#E69B01",  # orange
    "#54B1EA",  # sky blue
    "#000000",  # black
    "#F9FF42",  # yellow
)

# Colours with a meaning, used the same way in every figure and demo.
ROLES = {
    "window": "#FFD345",   # the window (input cells being read)
    "pad": "#B5B5B5",      # padding cells
    "kernel": "#B0D7FC",   # kernel taps
    "out": "#CDDEAF",      # output cells already computed
    "hole": "#F4A682",     # input cells no output reads (holes)
    "error": "#B00020",    # error text
    "line": "#0072B2",     # connections and the main curve
    "muted": "#6B6B6B",    # secondary text, cells outside the input
    "grid": "#666666",     # cell borders
}


# Marker shapes that go with SERIES (matplotlib's letters; the demos' kit
# draws the same shapes): group j of a figure or demo is SERIES[j] with
# MARKERS[j], and a thing that mixes several groups is ROLES["muted"]
# with MIXED_MARKER, so that shape carries the meaning as well as colour.
MARKERS = "os^Dv<>p"
MIXED_MARKER = "X"


def series(i):
    """The i-th categorical colour (cycling)."""
    return SERIES[i % len(SERIES)]


def as_config():
    """The palette as plain data for a demo's config."""
    return {"roles": dict(ROLES), "series": list(SERIES)}
