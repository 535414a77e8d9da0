# CNN Layers, Interactively — every task a reader, learner or maintainer runs.
#   make book    set up .venv if needed, build the HTML book into _build/html
#   make course-book  the same book without the exercises' solutions
#   make test    everything: unit tests, notebooks (nbval), book build, browser
#   make lab     JupyterLab on the project's kernel
#   make serve   serve the built book on http://127.0.0.1:$(PORT)
#   make bench   speed of convlib.numpy against torch (and convlib.naive)
#   make cjk-font     rebuild the book's Chinese web font (after new terms)
#   make setup-cell   rewrite every notebook's set-up cell from _config.yml

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
BOOK_FLAGS ?= -W -n --keep-going
PYTEST_FLAGS ?=

.PHONY: venv book course-book test unit notebooks book-test browser lab \
        serve bench release clean cjk-font setup-cell

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo
	@echo "The book is in _build/html: open file://$(CURDIR)/_build/html/index.html"
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

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_FLAGS) -p no:cacheprovider tests \
	  --ignore=tests/test_book.py --ignore=tests/test_browser.py \
	  --ignore=tests/test_widget_browser.py

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
# serially. TEST_JOBS=0 runs it in one process.
TEST_JOBS ?= auto
test: $(STAMP) browser
	$(MAKE) book
	$(BIN)/pytest $(PYTEST_FLAGS) -p no:cacheprovider --nbval \
	  --nbval-current-env --ignore=tests/hostile \
	  --ignore=tests/grading_class \
	  -n $(TEST_JOBS) --dist loadfile \
	  tests chapters book/how_to_use.ipynb exercises/source

lab: $(STAMP)
	$(BIN)/jupyter lab

serve:
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 \
	  --directory _build/html

# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, set on some machines for old
# OpenBLAS builds, slow the current numpy: the benchmark runs without them
# (tests and CI keep them).
bench: $(STAMP)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
	  $(BIN)/python benchmarks/bench.py

release: $(STAMP)
	$(BIN)/python -m convlib.grading release

# The Chinese web font holds exactly the CJK characters of the sources:
# rebuild it when a page gains one (tests/test_cjk_font.py says so).
cjk-font: $(STAMP)
	$(BIN)/python scripts/cjk_font.py

# The set-up cell installs convlib from repository.url of _config.yml.
setup-cell: $(STAMP)
	$(BIN)/python scripts/setup_cell.py

clean:
	rm -rf _build .pytest_cache .hypothesis
