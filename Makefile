# equitylens build. GNU make.
#   make            release build: $(BUILD)/equitylens and $(BUILD)/libequitylens.a
#   make check      every test under AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo       the main job on the bundled demo data (see README)
#   make fuzz       libFuzzer binaries (clang) for every parser, see tests/fuzz/
#   make bench      benchmarks side by side with the peers (see bench/README.md)
# BUILD / SANBUILD may be overridden so that several builds can run at once.
CC      ?= cc
BUILD   ?= build
SANBUILD?= build-san
WARN     = -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 -Wvla \
           -Wno-format-truncation  # snprintf into fixed message buffers truncates on purpose
CSTD     = -std=c17 -D_GNU_SOURCE
CPPFLAGS+= -Iinclude -I/usr/include/postgresql
OPT     ?= -O2 -g
SANFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LIBS     = -lsqlite3 -ljansson -lgsl -lgslcblas -lmicrohttpd -lxlsxwriter -lsodium -lpthread -lm

LIB_SRCS  = $(sort $(wildcard src/core/*.c src/io/*.c src/store/*.c src/report/*.c src/web/*.c))
CLI_SRCS  = $(sort $(wildcard src/cli/*.c))
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS = $(sort $(wildcard tests/fuzz/fuzz_*.c))

define objs
$(patsubst %.c,$(1)/obj/%.o,$(2))
endef

.PHONY: all check unit golden fuzz-replay browser demo fuzz bench clean distclean
all: $(BUILD)/equitylens

# ---- release build ----
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CSTD) $(WARN) $(OPT) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/libequitylens.a: $(call objs,$(BUILD),$(LIB_SRCS))
	@rm -f $@
	@ar rcs $@ $^
$(BUILD)/equitylens: $(call objs,$(BUILD),$(CLI_SRCS)) $(BUILD)/libequitylens.a
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(LIBS)

# ---- sanitizer build (what make check runs) ----
$(SANBUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC(san) $<"
	@$(CC) $(CSTD) $(WARN) $(SANFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@
$(SANBUILD)/libequitylens.a: $(call objs,$(SANBUILD),$(LIB_SRCS))
	@rm -f $@
	@ar rcs $@ $^
$(SANBUILD)/equitylens: $(call objs,$(SANBUILD),$(CLI_SRCS)) $(SANBUILD)/libequitylens.a
	@echo "  LD(san) $@"
	@$(CC) $(SANFLAGS) -o $@ $^ $(LIBS)
$(SANBUILD)/tests/%: $(SANBUILD)/obj/tests/unit/%.o $(SANBUILD)/libequitylens.a
	@mkdir -p $(dir $@)
	@echo "  LD(san) $@"
	@$(CC) $(SANFLAGS) -o $@ $^ -lcmocka $(LIBS)
# fuzz harnesses built with a plain replay driver so make check replays the corpus
$(SANBUILD)/fuzz/%: $(SANBUILD)/obj/tests/fuzz/%.o $(SANBUILD)/obj/tests/fuzz/replay_main.o $(SANBUILD)/libequitylens.a
	@mkdir -p $(dir $@)
	@echo "  LD(san) $@"
	@$(CC) $(SANFLAGS) -o $@ $^ $(LIBS)

UNIT_BINS = $(patsubst tests/unit/%.c,$(SANBUILD)/tests/%,$(UNIT_SRCS))
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(SANBUILD)/fuzz/%,$(FUZZ_SRCS))

export ASAN_OPTIONS = detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1

check: unit golden fuzz-replay browser
	@echo "make check: all tests passed"

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

golden: $(SANBUILD)/equitylens
	@EQUITYLENS=$(abspath $(SANBUILD))/equitylens sh tests/golden/run.sh

fuzz-replay: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do n=$$(basename $$f); \
	  echo "== replay $$n"; $$f tests/fuzz/corpus/$$n/*; done

browser: $(BUILD)/equitylens
	@sh tests/browser/run.sh $(abspath $(BUILD))/equitylens

demo: $(BUILD)/equitylens
	@sh scripts/demo.sh $(BUILD)/equitylens

# libFuzzer binaries for real fuzzing (clang): make fuzz && build-fuzz/fuzz_csv tests/fuzz/corpus/fuzz_csv
fuzz:
	@mkdir -p build-fuzz
	@set -e; for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
	  clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) $$f $(LIB_SRCS) -o build-fuzz/$$n $(LIBS); \
	  echo "built build-fuzz/$$n"; done

bench: $(BUILD)/equitylens
	@sh bench/run.sh $(BUILD)/equitylens

clean:
	rm -rf $(BUILD) $(SANBUILD) build-fuzz

-include $(shell find $(BUILD) $(SANBUILD) -name '*.d' 2>/dev/null)

# keep objects of test and fuzz binaries (make would delete them as intermediates)
.SECONDARY:
