# search-insights-wasm — everything goes through these targets.
#   make demo   build, then serve the demo store, the events debugger and the
#               local Insights endpoint on http://127.0.0.1:8080
#   make test   install what is missing, build, run every test suite
#   make build  write pkg/ (script-tag file, npm module, wasm)
#   make bench  side-by-side benchmark against search-insights
SHELL := /bin/bash
PORT ?= 8080
BIND ?= 127.0.0.1

.PHONY: all setup build test demo bench fuzz clean
all: build

setup:
	@scripts/setup.sh

build: setup
	@scripts/build.sh

test: build
	@scripts/test.sh

demo: build
	@scripts/demo.sh --bind $(BIND) --port $(PORT)

bench: build
	@scripts/bench.sh

fuzz: setup
	@scripts/fuzz.sh $(or $(SECONDS),600)

clean:
	rm -rf target pkg/search-insights.min.js pkg/search_insights_wasm_bg.wasm pkg/index.mjs pkg/index-browser.cjs pkg/index-node.mjs pkg/index-node.cjs
