# The README's two set-up commands are `make run` and `make test`; both install
# what is missing (scripts/bootstrap.sh) and build first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= 2
DATA       ?= ./lakehouse-data
LISTEN     ?= 127.0.0.1:8080
CMAKE_ARGS ?=

.PHONY: all deps build build-binary build-tested run test unit smoke e2e asan tsan tidy layers bench format format-check clean

all: build

deps:
	@scripts/bootstrap.sh >/dev/null

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The server and command line alone: what `make run`, the smoke tests and the
# browser tests need.
build-binary: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target lakehouse

# The binary and the unit tests (the benches build with `make bench`).
build-tested: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target lakehouse unit_tests

# Serves with the staffing demo data loaded (lakehouse demo; a no-op when loaded).
run: build-binary
	scripts/run_with_demo.sh $(BUILD)/lakehouse $(DATA) $(LISTEN)

unit: build-tested
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

smoke: build-binary
	SMOKE_JOBS=$(JOBS) tests/smoke/run_all.sh $(BUILD)/lakehouse

# The web UI in headless Chromium (playwright-core from the bootstrap cache);
# screenshots land in $(BUILD)/e2e-screenshots.
e2e: build-binary
	node tests/e2e/run.mjs $(BUILD)/lakehouse

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLAKEHOUSE_SANITIZE=ON \
	  -DLAKEHOUSE_BUILD_BENCH=OFF $(CMAKE_ARGS)

# Sanitized tests run in $(JOBS) shard processes (scripts/gtest_shards.sh says why).
asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  scripts/gtest_shards.sh $(JOBS) $(ASAN_BUILD)/tests/unit/unit_tests

# The concurrency tests alone under ThreadSanitizer (see tests/unit/CMakeLists.txt;
# tests/tsan.supp says what is suppressed and why). Left out: the tests that
# start storaged or catalogd, and two single-threaded index tests (a 10,000-item
# recall check and a snapshot round trip) that take minutes under TSan and
# whose threaded paths SearchesInterleaveWithBatchAdds covers.
TSAN_FILTER = -*OverHttp*:SideBySideTest.*:VectorIndexTest.RecallOnSiftMeetsTheBar:VectorIndexTest.SnapshotRestoreGivesTheSameAnswers

$(TSAN_BUILD)/build.ninja:
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DLAKEHOUSE_SANITIZE_THREAD=ON \
	  -DLAKEHOUSE_BUILD_BENCH=OFF $(CMAKE_ARGS)

tsan: deps $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target concurrency_tests
	TSAN_OPTIONS="halt_on_error=1 detect_deadlocks=0 suppressions=$(CURDIR)/tests/tsan.supp" \
	  scripts/gtest_shards.sh $(JOBS) $(TSAN_BUILD)/tests/unit/concurrency_tests \
	  --gtest_filter='$(TSAN_FILTER)'

# The unit tests run once, under ASan+UBSan (`make unit` runs them unsanitized,
# the quicker loop while working).
test: format-check layers smoke e2e asan tsan

bench: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target lakehouse \
	  storage_bench ingest_bench query_bench vectors_bench retrieval_bench gateway_bench changes_bench
	$(BUILD)/bench/storage_bench
	$(BUILD)/bench/ingest_bench
	$(BUILD)/bench/query_bench
	$(BUILD)/bench/vectors_bench
	$(BUILD)/bench/retrieval_bench
	$(BUILD)/bench/gateway_bench
	$(BUILD)/bench/changes_bench

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

# clang-format, and every file in src/ opening with a line that states its job.
format-check: deps
	clang-format --dry-run -Werror $$(git ls-files '*.cpp' '*.h')
	scripts/check_file_heads.sh

# Every include in src/ names a part its folder declares (docs/design.md).
layers:
	scripts/check_layers.sh

# clang-tidy with .clang-tidy's checks over src/, on the build's compile commands.
tidy: build-tested
	git ls-files 'src/*.cpp' | xargs -P $(JOBS) -n 4 clang-tidy -p $(BUILD) --quiet

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
