# SPDX-License-Identifier: Apache-2.0
# measure: recompute TEE launch measurements. See README.md.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR     ?=

CC          ?= cc
CFLAGS      ?= -O2 -g
WERROR      ?=
# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer into build-san/.
SAN         ?=
BUILD       ?= $(if $(SAN),build-san,build)
FUZZ_SECONDS ?= 30
FUZZ_CC     ?= clang
VECTORS     ?= $(abspath ../shared/vectors)

PKGS     := libcrypto libcbor libcjson zlib sqlite3
# Headers only, loaded at run time (dlopen) by the one part that needs them: libpq when a
# postgresql:// pin store is opened, libcurl at the first fetch, libtss2-mu at the first TPM
# structure, libarchive when a tar is read (image/libarchive.c).
DLPKGS   := libpq libcurl tss2-mu libarchive
TESTPKGS := cmocka
# Debian/Ubuntu packages that provide the pkg-config modules above.
DEBS     := pkg-config libssl-dev libcbor-dev libcjson-dev zlib1g-dev libcmocka-dev libarchive-dev libsqlite3-dev libpq-dev \
            libcurl4-openssl-dev libtss2-dev

comma    := ,
SANFLAGS := $(if $(SAN),-fsanitize=address$(comma)undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(DLPKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
            -Wvla -Wno-missing-field-initializers
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS     = $(PKG_LIBS) -ldl -lpthread -lm

LIB_SRCS := $(wildcard common/*.c eif/*.c ovmf/*.c tdx/*.c compare/*.c pin/*.c image/*.c)
CLI_SRCS := $(wildcard measure/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c tests/conformance/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)
FUZZ_SRCS := $(if $(FUZZ),tests/fuzz/$(FUZZ).c,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all check check-san demo install uninstall bench fuzz clean deps test-deps

all: deps $(BUILD)/measure

# Everything that compiles waits for deps (order-only: it does not force a
# rebuild), so the first make -j on a fresh machine has the headers first.
$(BUILD)/measure: $(CLI_OBJS) $(BUILD)/libmeasure.a | deps
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libmeasure.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(BUILD)/libmeasure.a | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(BUILD)/libmeasure.a \
		$(ALL_LDFLAGS) $(LIBS) $(shell pkg-config --libs cmocka)

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

# Installs missing build dependencies on Debian/Ubuntu, or says what to run.
deps:
	@missing=""; for p in $(PKGS) $(DLPKGS) $(TESTPKGS); do \
	  pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "measure: missing build dependencies:$$missing"; \
	  if command -v apt-get >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	    else echo "measure: run as root: apt-get install -y $(DEBS)"; exit 1; fi; \
	    echo "measure: installing: $$SUDO apt-get install -y $(DEBS)"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEBS) >/dev/null || exit 1; \
	  else echo "measure: install the development packages for:$$missing (Debian: apt-get install $(DEBS))"; exit 1; fi; \
	fi

check: deps $(BUILD)/measure $(UNIT_BINS)
	@BUILD=$(BUILD) VECTORS=$(VECTORS) sh tests/run.sh

check-san:
	$(MAKE) SAN=1 check

demo: deps $(BUILD)/measure
	@sh tests/demo.sh $(BUILD)/measure

bench: deps $(BUILD)/measure $(BUILD)/tests/bench/verify_bench $(BUILD)/tests/bench/tlog_bench \
		$(BUILD)/tests/bench/pin_bench
	@VECTORS=$(VECTORS) VERIFY_BENCH=$(BUILD)/tests/bench/verify_bench TLOG_BENCH=$(BUILD)/tests/bench/tlog_bench \
		PIN_BENCH=$(BUILD)/tests/bench/pin_bench \
		sh tests/bench/run.sh $(BUILD)/measure

# libFuzzer harnesses, each run for FUZZ_SECONDS with the fixtures as seeds; FUZZ=name runs one.
# The library is compiled once for them (instrumented) and each harness links against it;
# fuzz_compare_cli, fuzz_batch_split and fuzz_snp_batch also link the command line (measure/*.c but main.c).
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=build-fuzz/obj/%.o)
FUZZ_CLI_OBJS := $(filter-out build-fuzz/obj/measure/main.o,$(CLI_SRCS:%.c=build-fuzz/obj/%.o))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)

build-fuzz/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

build-fuzz/libmeasure.a: $(FUZZ_LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

build-fuzz/fuzz_compare_cli build-fuzz/fuzz_batch_split build-fuzz/fuzz_snp_batch: build-fuzz/%: tests/fuzz/%.c $(FUZZ_CLI_OBJS) build-fuzz/libmeasure.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS) -ldl -lpthread -lm

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libmeasure.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS) -ldl -lpthread -lm

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_CLI_OBJS:.o=.d)

fuzz: deps $(FUZZ_BINS)
	@set -e; for bin in $(FUZZ_BINS); do \
	  name=$$(basename $$bin); \
	  case $$name in fuzz_compare_cli|fuzz_snp_batch) mask=-close_fd_mask=3 ;; *) mask="" ;; esac; \
	  mkdir -p build-fuzz/corpus-$$name; \
	  case $$name in fuzz_eif) seeds=fixtures/eif ;; fuzz_ovmf) seeds=fixtures/snp ;; *) seeds=tests/fuzz/seeds/$$name ;; esac; \
	  [ -d $$seeds ] || seeds=""; \
	  echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
	  $$bin $$mask -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 -artifact_prefix=build-fuzz/ \
	    -max_len=65536 build-fuzz/corpus-$$name $$seeds 2>build-fuzz/$$name.log || \
	    { tail -50 build-fuzz/$$name.log; exit 1; }; \
	  grep -E '^Done [0-9]+ runs' build-fuzz/$$name.log | sed "s/^/fuzz: $$name: /"; \
	done

install: $(BUILD)/measure
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BUILD)/measure $(DESTDIR)$(BINDIR)/measure
	install -m 0644 docs/measure.1 $(DESTDIR)$(MANDIR)/man1/measure.1
	install -m 0644 docs/completion/measure.bash $(DESTDIR)$(BASHCOMPDIR)/measure

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/measure $(DESTDIR)$(MANDIR)/man1/measure.1 $(DESTDIR)$(BASHCOMPDIR)/measure

clean:
	rm -rf build build-san build-fuzz build-bench
