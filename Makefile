# Entry points for people: `make` builds, `make check` runs every test,
# `make demo` is the product tour (two throwaway local servers, `pgshuttle
# serve`, an online migration to follow on the monitoring page; Ctrl-C ends
# it), `make demo-terminal` / `make demo-online` the terminal-only demos,
# `make install` installs the binary and the systemd unit under PREFIX
# (default /usr/local; DESTDIR=/tmp/x make install stages it elsewhere).
# Each target runs scripts/bootstrap first, so a fresh machine needs nothing else.

BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
PREFIX    ?= /usr/local

.PHONY: all build bootstrap check check-unit check-asan demo demo-terminal demo-online bench clean format install

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# All tests: unit tests, the sanitizer build of the unit tests, integration tests.
check: build
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DPGSHUTTLE_SANITIZE=ON -DPGSHUTTLE_INTEGRATION=OFF $(CMAKE_ARGS) >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ctest --output-on-failure -L unit
	cd $(BUILD_DIR) && ctest --output-on-failure $(CTEST_ARGS)

check-unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L unit

demo: build
	@scripts/demo/tour

demo-terminal: build
	@scripts/demo/run

demo-online: build
	@scripts/demo/run --online

bench: build
	@scripts/bootstrap --bench
	@bench/offline.sh

# The binary to PREFIX/bin, pgshuttle.service to PREFIX/lib/systemd/system
# (ExecStart at PREFIX/bin/pgshuttle), its sysusers.d entry, the docs.
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix "$(PREFIX)"

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
