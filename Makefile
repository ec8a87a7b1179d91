# Hearth: the two commands (see README.md).
#   make run    install what is missing, build, start hearthd on 127.0.0.1:2222
#   make test   the same set-up, then every test; ends "N passed, N failed"
#               (JOBS=N: tests at a time; default twice the CPUs)
#   make docs   rewrite docs/protocol.md's operation tables from the server
BUILD ?= build
ASAN_BUILD ?= build-asan
DATA ?= var
LISTEN ?= 127.0.0.1:2222
JOBS ?= 0
# hearthd refuses to run as root unless told to: the demo targets tell it
# when make itself runs as root (as on a fresh VM or in CI).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
DEBS = build-essential pkg-config meson ninja-build python3 libuv1-dev \
	libssh-dev libsqlite3-dev libncurses-dev libjansson-dev libcmark-dev \
	libcmocka-dev libcurl4-openssl-dev openssh-client tmux sqlite3 chromium \
	tzdata python3-aiosmtpd openssl putty-tools libssl-dev

.PHONY: all deps build run test test-asan demo bench docs clean bench-tui

all: build

deps:
	@missing=""; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null || exit 1; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) >/dev/null

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) > $(BUILD)/ninja.out 2>&1; rc=$$?; \
		grep -v '^ninja: no work to do' $(BUILD)/ninja.out; \
		exit $$rc
	@test -x $(BUILD)/hearthd

run: build
	@mkdir -p $(DATA) && chmod 700 $(DATA)
	exec $(BUILD)/hearthd --data $(DATA) --listen $(LISTEN) $(ALLOW_ROOT)

test: build
	@python3 tests/run.py --build $(BUILD) -j $(JOBS)

docs: build
	@python3 tests/docs_ops.py --build $(BUILD) --write

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debug >/dev/null

test-asan: deps $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD) > $(ASAN_BUILD)/ninja.out 2>&1; rc=$$?; \
		grep -v '^ninja: no work to do' $(ASAN_BUILD)/ninja.out; \
		exit $$rc
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		python3 tests/run.py --build $(ASAN_BUILD) --sanitized -j $(JOBS)

DEMO_DATA ?= var-demo
DEMO_LISTEN ?= 127.0.0.1:2223

demo: build
	@python3 tests/demo/seed.py --build $(BUILD) --data $(DEMO_DATA) \
		--port $(lastword $(subst :, ,$(DEMO_LISTEN)))
	@echo
	@echo "  Log in as the demo newcomer Alex:"
	@echo "      ssh -o IdentitiesOnly=yes -i $(DEMO_DATA)/demo_key -p $(lastword $(subst :, ,$(DEMO_LISTEN))) 127.0.0.1"
	@echo
	exec $(BUILD)/hearthd --data $(DEMO_DATA) --listen $(DEMO_LISTEN) \
		$(ALLOW_ROOT)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# Terminal logins at scale (docs/performance.md): N `ssh -tt` logins held,
# beside OpenSSH's sshd, which openssh-server brings (never started as a
# service: the bench runs its own on a spare port).
TUI_MEMBERS ?= 1000
bench-tui: build
	@$(MAKE) --no-print-directory deps DEBS="openssh-server"
	python3 tests/bench/bench_tui_scale.py --build $(BUILD) --members $(TUI_MEMBERS)

# Fuzzing (docs/fuzzing.md): `make fuzz` installs clang, builds the libFuzzer
# targets in $(FUZZ_BUILD) and runs each for FUZZ_TIME seconds from its
# corpus in tests/fuzz/corpus/; a crash fails it. Only this needs clang.
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 25
FUZZ_TARGETS ?= frame proto args render sftp
# llvm-14 brings llvm-symbolizer, for readable crash reports
FUZZ_DEBS = clang-14 libclang-rt-14-dev llvm-14

.PHONY: fuzz fuzz-deps fuzz-build clean-fuzz

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEBS="$(DEBS) $(FUZZ_DEBS)"

$(FUZZ_BUILD)/build.ninja:
	CC=clang-14 meson setup $(FUZZ_BUILD) -Dfuzzing=true >/dev/null

fuzz-build: fuzz-deps $(FUZZ_BUILD)/build.ninja
	@ninja -C $(FUZZ_BUILD) $(addprefix tests/fuzz/fuzz_,$(FUZZ_TARGETS)) \
		>$(FUZZ_BUILD)/ninja.log 2>&1 || { cat $(FUZZ_BUILD)/ninja.log; exit 1; }

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ_TARGETS)

clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_BUILD)
