# `make bench`: detection quality, detector throughput, requests and cost per scored transaction, end-to-end
# runs, API latency and cold start, measured beside baselines in one run (under 15 minutes on two cores).
# Tables on stdout; figures in bench/results.json; what each means in bench/README.md.
BENCH_DATA ?= ../shared/data/fdh-dev.csv.gz

bench: $(PY_STAMP)
	$(BIN)/python -m bench --data $(BENCH_DATA)
