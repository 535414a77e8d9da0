# CNN Layers, Interactively — every task a reader, learner or maintainer runs.
#   make book    set up .venv if needed, build the HTML book into _build/html
#   make course-book  the same book without the exercises' solutions
#   make test    everything: unit tests, notebooks (nbval), book build, browser
#   make lab     JupyterLab on the project's kernel
#   make serve   serve the built book on http://127.0.0.1:$(PORT)
#   make bench   speed of convlib.numpy against torch, default and one thread
#   make release        write exercises/*.ipynb from exercises/source/
#   make release-check  exit 1 if a released exercise notebook is stale
#   make cjk-font     rebuild the book's Chinese web font (after new terms)
#   make translations refresh the Chinese edition's catalogues (locale/)
#   make setup-cell   rewrite every notebook's set-up cell from _config.yml
#                     (REF=v0.2.0 pins another release first)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
BOOK_FLAGS ?= -W -n --keep-going
PYTEST_FLAGS ?=

.PHONY: venv book course-book test unit notebooks book-test browser lab \
        serve bench release release-check clean cjk-font setup-cell \
        vendor-axe translations

venv: $(STAMP)

# The pinned packages need Python 3.11.5 or later (soupsieve; matplotlib
# and NumPy need 3.11): say so plainly rather than let pip fail to resolve.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))' || \
	  { echo "make: the book needs Python 3.11.5 or later; $(PYTHON) is" \
	    "$$($(PYTHON) -V 2>&1). Install one and run e.g." \
	    "make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	$(BIN)/python scripts/translations.py build
	@echo
	@echo "The book is in _build/html: open file://$(CURDIR)/_build/html/index.html"
	@echo "(the Chinese edition, 中文版, in _build/html/zh)"
	@echo "or run 'make serve' and browse http://127.0.0.1:$(PORT)/"

# The public site of a course: the book without the exercises' solutions
# (book/_ext/exercise_solutions.py reads EXERCISE_SOLUTIONS), built apart
# from the book's own _build.
course-book: $(STAMP)
	EXERCISE_SOLUTIONS=0 $(BIN)/jupyter-book build . $(BOOK_FLAGS) \
	  --path-output _build/course
	@echo
	@echo "The course book (no solutions) is in _build/course/_build/html"

# Debian's chromium for the browser tests (never a downloaded browser).
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# The unit tests: no chromium (tests marked `browser` are left out, see
# pyproject.toml) and no built book (tests/test_book.py).
unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_FLAGS) -p no:cacheprovider tests \
	  -m "not browser" --ignore=tests/test_book.py

notebooks: $(STAMP)
	$(BIN)/pytest $(PYTEST_FLAGS) -p no:cacheprovider --nbval \
	  --nbval-current-env chapters book/how_to_use.ipynb exercises/source

book-test: $(STAMP) browser
	$(BIN)/pytest $(PYTEST_FLAGS) -p no:cacheprovider tests/test_book.py \
	  tests/test_browser.py tests/test_widget_browser.py

# One pytest run: unit tests, book and browser tests (on the book just
# built), and nbval over every chapter and exercise source. The book shows
# the outputs stored in the notebooks, so each notebook runs once, here.
# The run is spread over one worker per core, a whole file per worker (a
# notebook's cells stay in order): on 2 cores 246 s instead of 313 s
# serially. TEST_JOBS=0 runs it in one process. It ends with a time
# ledger (tests/conftest.py): the slowest tests, each notebook's seconds
# and the budget of the README.
TEST_JOBS ?= auto
test: $(STAMP) browser
	$(MAKE) book
	$(BIN)/pytest $(PYTEST_FLAGS) -p no:cacheprovider --nbval \
	  --nbval-current-env --ignore=tests/hostile \
	  --ignore=tests/grading_class \
	  -n $(TEST_JOBS) --dist loadfile --durations=15 \
	  tests chapters book/how_to_use.ipynb exercises/source

# JupyterLab refuses to start as root unless told: containers and many
# cloud machines run as root, so the flag is added there (uid 0 only).
lab: $(STAMP)
	$(BIN)/jupyter lab $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

serve:
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 \
	  --directory _build/html

# convlib.numpy against torch at the machine's default thread count and
# at one thread, each library in its own process (benchmarks/README.md):
# about 10 minutes, the demos' latency in headless chromium last.
# BENCH_FLAGS=--quick: the random sweep only (3 min); --smoke: seconds,
# figures meaningless. It reports without judging: exit status 0 whatever
# the ratios (BENCH_FLAGS=--strict: 1 when a target is missed). On a new
# machine, refit the cost model first: benchmarks/fit_costs.py --write.
# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, set on some machines for old
# OpenBLAS builds, slow the current numpy: the benchmark runs without them
# (tests and CI keep them).
BENCH_FLAGS ?=
bench: $(STAMP)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
	  $(BIN)/python benchmarks/bench.py $(BENCH_FLAGS)

# The Chinese edition's catalogues (locale/zh_CN/LC_MESSAGES/*.po) after
# an English edit: new messages arrive empty, changed ones fuzzy; ends
# with a table of what needs translating (scripts/translations.py).
translations: $(STAMP)
	$(BIN)/python scripts/translations.py update

release: $(STAMP)
	$(BIN)/python -m convlib.grading release

# `make release --check` cannot work: make reads --check as its own option
# (--check-symlink-times). This is the check: nothing is written.
release-check: $(STAMP)
	$(BIN)/python -m convlib.grading release --check

# The Chinese web font holds exactly the CJK characters of the sources:
# rebuild it when a page gains one (tests/test_cjk_font.py says so). It
# does nothing when the font is up to date; otherwise it says what it must
# download (Debian's fonts-noto-cjk, 56.5 MB, cached for the next run).
cjk-font: $(STAMP)
	$(BIN)/python scripts/cjk_font.py

# The set-up cell installs convlib from repository.url of _config.yml at
# repository.ref; REF=<tag or commit> pins another release first.
setup-cell: $(STAMP)
	$(BIN)/python scripts/setup_cell.py $(if $(REF),--ref $(REF))

clean:
	rm -rf _build .pytest_cache .hypothesis

# axe-core for the accessibility checks of the browser tests, vendored in
# tests/_vendor/axe-core so that the tests run offline without Node.js.
# Refresh it (needs npm and the network once) after changing the version.
AXE_VERSION ?= 4.14.1
vendor-axe:
	rm -rf .axe-tmp && mkdir .axe-tmp
	cd .axe-tmp && npm pack --silent axe-core@$(AXE_VERSION)
	tar -xzf .axe-tmp/axe-core-$(AXE_VERSION).tgz -C .axe-tmp
	cp .axe-tmp/package/axe.min.js .axe-tmp/package/LICENSE \
	  .axe-tmp/package/LICENSE-3RD-PARTY.txt tests/_vendor/axe-core/
	cd tests/_vendor/axe-core && sha256sum axe.min.js > SHA256
	rm -rf .axe-tmp
