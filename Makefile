# asrllm: `make demo` (set up + run the CPU mini recipe), `make test` (set up + run the tests).
SHELL := /bin/bash
PY := tools/venv/bin/python
PYTEST_ARGS ?=

.PHONY: help install test check demo smoke wheels clean

help:
	@echo "make install   create tools/venv and install system + Python dependencies (idempotent)"
	@echo "make test      install, then run the test suite (CPU, includes the mini recipe smoke run)"
	@echo "make check     install, then the fast tier: tests not marked slow (the edit-test loop)"
	@echo "make demo      install, then run egs/mini/asr_llm at demo size"
	@echo "make smoke     install, then run egs/mini/asr_llm --smoke true"
	@echo "make wheels    download wheels for an offline GPU machine (tools/prepare_offline_wheels.sh)"

install:
	@bash tools/install.sh

test: install
	@set +e; HF_HUB_OFFLINE=1 $(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc

# the fast tier: every test not marked slow (end-to-end recipe runs are); make test runs both
check: install
	@HF_HUB_OFFLINE=1 $(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

demo: install
	cd egs/mini/asr_llm && ./run.sh && local/show_demo.sh

smoke: install
	cd egs/mini/asr_llm && ./run.sh --smoke true

wheels:
	bash tools/prepare_offline_wheels.sh

clean:
	rm -rf egs/mini/asr_llm/{data,dump,exp,data_smoke,dump_smoke,exp_smoke}
