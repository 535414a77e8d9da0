#!/usr/bin/env bash
# Regenerate book/_vendor/: the JavaScript the built book would otherwise load
# from CDNs (MathJax, RequireJS, the Jupyter widget manager, anywidget's
# front end). The output is committed; run this only to change a version.
#
#   bash scripts/vendor_js.sh            # needs npm (registry) and the venv
#
# Versions are pinned here; anywidget's front end is copied from the
# anywidget wheel installed in the venv (pinned in requirements.txt), so the
# JS matches the Python side that writes the widget state.
set -euo pipefail

MATHJAX=3.2.2
REQUIREJS=2.3.8
HTML_MANAGER=1.0.15        # @jupyter-widgets/html-manager for ipywidgets 8.1

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/book/_vendor"
python="${PYTHON:-$root/.venv/bin/python}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

npm install --prefix "$tmp" --no-save --no-audit --no-fund --ignore-scripts \
    "mathjax@$MATHJAX" "requirejs@$REQUIREJS" \
    "@jupyter-widgets/html-manager@$HTML_MANAGER" >/dev/null
nm="$tmp/node_modules"

# Only the JavaScript is replaced: book/_vendor/cjk-font (the Chinese web
# font) is made by scripts/cjk_font.py and kept.
rm -rf "$out/mathjax" "$out/requirejs" "$out/html-manager" "$out/anywidget"
mkdir -p "$out/mathjax/output/chtml/fonts" "$out/mathjax/input/tex" \
         "$out/requirejs" "$out/html-manager" "$out/anywidget"

# MathJax: the tex-chtml component, its fonts, the TeX extensions it
# autoloads (\boldsymbol, \cancel, ...) and the menu's lazy-loaded parts.
mj="$nm/mathjax/es5"
cp "$mj/tex-chtml.js" "$out/mathjax/"
cp -r "$mj/output/chtml/fonts/woff-v2" "$out/mathjax/output/chtml/fonts/"
cp -r "$mj/input/tex/extensions" "$out/mathjax/input/tex/"
cp "$nm/mathjax/LICENSE" "$out/mathjax/"

cp "$nm/requirejs/require.js" "$out/requirejs/"
cp "$nm/requirejs/README.md" "$out/requirejs/"

# The widget manager bundle (defines @jupyter-widgets/base, controls,
# html-manager) and the Font Awesome woff2 files its CSS refers to.
hm="$nm/@jupyter-widgets/html-manager"
cp "$hm/dist/embed-amd.js" "$out/html-manager/"
cp "$hm/dist/"*.woff2 "$out/html-manager/"
cp "$hm/dist/embed.js.LICENSE.txt" "$out/html-manager/LICENSE.txt"

# anywidget's front end, byte for byte from the installed wheel.
aw="$("$python" -c \
    'import anywidget, os; print(os.path.dirname(anywidget.__file__))')"
cp "$aw/nbextension/index.js" "$out/anywidget/index.js"
awv="$("$python" -c 'import anywidget; print(anywidget.__version__)')"
cp "$(dirname "$aw")/anywidget-$awv.dist-info/licenses/LICENSE" \
   "$out/anywidget/LICENSE"

cat > "$out/VERSIONS" <<VERS
mathjax $MATHJAX
requirejs $REQUIREJS
@jupyter-widgets/html-manager $HTML_MANAGER
anywidget $awv
VERS
(cd "$out" && find . -type f ! -name SHA256SUMS | LC_ALL=C sort \
    | xargs sha256sum > SHA256SUMS)
du -sh "$out"
