# The README's two set-up commands are `make run` and `make test`; both install
# what is missing (scripts/bootstrap.sh) and build first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
DATA       ?= ./lakehouse-data
LISTEN     ?= 127.0.0.1:8080
CMAKE_ARGS ?=

.PHONY: all deps build run test unit smoke e2e asan bench format format-check clean

all: build

deps:
	@scripts/bootstrap.sh >/dev/null

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Serves with the staffing demo data loaded (lakehouse demo; a no-op when loaded).
run: build
	scripts/run_with_demo.sh $(BUILD)/lakehouse $(DATA) $(LISTEN)

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

smoke: build
	tests/smoke/run_all.sh $(BUILD)/lakehouse

# The web UI in headless Chromium (playwright-core from the bootstrap cache);
# screenshots land in $(BUILD)/e2e-screenshots.
e2e: build
	node tests/e2e/run.mjs $(BUILD)/lakehouse

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLAKEHOUSE_SANITIZE=ON \
	  -DLAKEHOUSE_BUILD_BENCH=OFF $(CMAKE_ARGS)

asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

test: unit smoke e2e asan

bench: build
	$(BUILD)/bench/storage_bench
	$(BUILD)/bench/ingest_bench
	$(BUILD)/bench/query_bench
	$(BUILD)/bench/vectors_bench
	$(BUILD)/bench/retrieval_bench
	$(BUILD)/bench/gateway_bench
	$(BUILD)/bench/changes_bench

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
