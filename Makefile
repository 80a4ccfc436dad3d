# T1 Support. A newcomer needs two commands: `make up` (run the product) and `make test` (run the suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
BUF := tools/buf/node_modules/.bin/buf
ENGINES := python3 -m infra.engines
# promtool comes with Debian's prometheus package, which the engine manager installs (infra/engines/prometheus.py).
PROMTOOL := promtool
RULES := deploy/prometheus/rules.yml
RULES_TEST := deploy/prometheus/rules.test.yml
# buf breaking compares proto/ with this git ref (main by default; CI compares a clone of main with itself).
BREAKING_AGAINST ?= main

.PHONY: help bootstrap gen check-gen breaking lint fmt test test-unit test-console console up down kb-import eval-hints eval-hints-all eval-intent \
	infra-up infra-down infra-status bench promtool rules-check rules-test compose-check chart-check logs

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

bootstrap:  ## install uv, the locked virtualenv and buf (cached; idempotent)
	@scripts/bootstrap.sh

gen: bootstrap  ## regenerate gen/ from proto/ (the only codegen path: grpcio-tools)
	@scripts/gen.sh

check-gen: bootstrap  ## fail when gen/ is not what proto/ generates
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && scripts/gen.sh $$tmp/gen >/dev/null && \
	  if ! diff -r -q gen $$tmp/gen >/dev/null; then \
	    diff -r -q gen $$tmp/gen; echo "gen/ is stale: run 'make gen' and commit the result" >&2; exit 1; fi

breaking: bootstrap  ## buf breaking (FILE) against $(BREAKING_AGAINST)
	@if git cat-file -e $(BREAKING_AGAINST):buf.yaml 2>/dev/null; then \
	  $(BUF) breaking --against '.git#ref=$(BREAKING_AGAINST)'; \
	else echo "buf breaking: $(BREAKING_AGAINST) has no buf.yaml yet; nothing to compare"; fi

lint: bootstrap check-gen breaking rules-check compose-check chart-check  ## buf lint + format, ruff, mypy, stale gen/, breaking changes, Prometheus rules, compose, the Helm chart
	$(BUF) lint
	$(BUF) format --diff --exit-code
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

promtool:  ## install promtool when missing (the prometheus package, as `python3 -m infra.engines install prometheus` does)
	@command -v $(PROMTOOL) >/dev/null || $(ENGINES) install prometheus

rules-check: promtool  ## promtool check rules: the recording and alert rules parse
	$(PROMTOOL) check rules $(RULES)

rules-test: promtool  ## promtool test rules: each alert fires and stays quiet as its tests say
	$(PROMTOOL) test rules $(RULES_TEST)

compose-check:  ## docker-compose.yml against the Compose spec and our rules (checker built with Go, cached)
	@python3 -m infra.tools.composecheck

# helm (v4) and kubeconform are built with Go from infra/helm/go.mod, the Kubernetes schemas made offline (cached
# under ~/.cache/t1; the first run takes a few minutes).
chart-check: bootstrap  ## helm lint + helm template | kubeconform -strict of deploy/helm/t1-support (default and ci/*-values.yaml)
	$(PY) -m infra.helm

fmt: bootstrap  ## format proto and Python
	$(BUF) format -w
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

infra-up:  ## install (cached) and start Kafka, FerretDB, Redis, S3, Prometheus on loopback
	@$(ENGINES) up

infra-down:  ## stop every engine; no process is left behind
	@$(ENGINES) down

infra-status:  ## one line per engine
	@$(ENGINES) status

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

console: frontend/node_modules/.package-lock.json  ## build the operator console into frontend/dist
	cd frontend && npm run build

test-console: frontend/node_modules/.package-lock.json  ## typecheck and test the console
	cd frontend && npm run typecheck && npm test

test: lint rules-test test-console console infra-up  ## install, start the engines, run the whole suite
	$(VENV)/bin/pytest

test-unit: bootstrap  ## the tests that need no engine
	$(VENV)/bin/pytest tests/unit

FILE ?= $(firstword $(wildcard ../shared/data/vtb_belarus_faq.xlsx) data/kb/vtb_belarus_faq.xlsx)
QUERIES ?= $(firstword $(wildcard ../shared/data/hints_dev.jsonl ../../shared/data/hints_dev.jsonl) ../shared/data/hints_dev.jsonl)
# the variants beside our copy of a known FAQ (data/kb/<name>.variants.jsonl), if there is one
VARIANTS ?= $(wildcard data/kb/$(basename $(notdir $(FILE))).variants.jsonl)

kb-import: bootstrap infra-up  ## import a knowledge-base .xlsx: make kb-import FILE=path.xlsx [VARIANTS=path.jsonl]
	@eval "$$($(ENGINES) env)" && $(PY) -m services.ml.kb_import "$(FILE)" $(if $(VARIANTS),--variants "$(VARIANTS)")

# eval-hints: VARIANTS only when given on the command line (VARIANTS= for none); otherwise the file beside a
# known FAQ (data/kb/<name>.variants.jsonl), none for a foreign knowledge base.
eval-hints: bootstrap  ## hints quality and latency: make eval-hints QUERIES=path.jsonl [KB=faq.xlsx] [VARIANTS=path.jsonl] [OFFTOPIC=path.jsonl]
	@$(PY) -m services.ml.eval --queries "$(QUERIES)" $(if $(KB),--kb "$(KB)") \
	  $(if $(filter command line,$(origin VARIANTS)),--variants "$(VARIANTS)") $(if $(OFFTOPIC),--offtopic "$(OFFTOPIC)")

eval-hints-all: bootstrap  ## hints figures of this FAQ and the second-domain set (data/eval), tune and held-out
	@$(PY) -m services.ml.eval --all

eval-intent: bootstrap  ## hints for conversations: make eval-intent CONVERSATIONS=data/eval/conversations/vtb.jsonl
	@$(PY) -m services.ml.eval_intent --conversations "$(or $(CONVERSATIONS),data/eval/conversations/vtb.jsonl)"

up: bootstrap console infra-up  ## run the product on loopback; Ctrl-C stops it (SCALE=2: two instances of each service)
	@$(PY) -m scripts.stack $(if $(SCALE),--scale $(SCALE))

bench: bootstrap  ## data-path benchmarks as JSON lines (starts what it needs): make bench ARGS="--duration 10 --rates 100"
	@$(PY) -m bench $(ARGS)

logs:  ## follow the services' logs: make logs [TICKET=id] [TRACE=id] [SERVICE=name] [LEVEL=warning]
	@$(PY) -m scripts.logs $(if $(TICKET),--ticket "$(TICKET)") $(if $(TRACE),--trace "$(TRACE)") \
	  $(if $(SERVICE),--service "$(SERVICE)") $(if $(LEVEL),--level "$(LEVEL)")

down:  ## stop the product and the engines
	@$(PY) -m scripts.stack --stop || true
	@$(ENGINES) down
