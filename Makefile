# clvsim - build, test, bench, install.
#
#   make            build ./clvsim (-O2 -fopenmp, strict warnings)
#   make run        install missing packages, build, run the default scenario
#   make test       build and run every cmocka suite in tests/
#   make golden     rewrite the stored outputs of tests/golden/ (cases.txt)
#   make debug      build-debug/clvsim: -O0 -g and invariant asserts (CLV_DEBUG)
#   make asan       build-asan/clvsim and every suite under Address+UB sanitizers
#   make bench      the inner-loop benchmark (bench/README.md)
#   make fuzz       a short libFuzzer run of the scenario loader (needs clang)
#   make soak       concurrent writers and the largest accepted runs under
#                   /usr/bin/time -v (minutes; tests/soak/soak.sh)
#   make install PREFIX=/usr/local DESTDIR=   (docs into DOCDIR = PREFIX/share/doc/clvsim)
#
# Flags are layered: FINAL_CFLAGS = $(STD) $(WARN) $(OPT) $(DEBUG) $(CFLAGS).

PREFIX  ?= /usr/local
DESTDIR ?=
DOCDIR  ?= $(PREFIX)/share/doc/clvsim
BUILD   ?= build
BIN     ?= clvsim

CC      ?= cc
CXX     ?= c++
STD      = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wwrite-strings \
           -Wformat=2 -Wundef -Wvla -Wdouble-promotion -Wno-unused-parameter
OPT     ?= -O2 -fopenmp
DEBUG   ?= -DNDEBUG
DEPS     = -MMD -MP
LIBS     = $(shell pkg-config --libs gsl yaml-0.1 jansson nettle libxml-2.0 2>/dev/null || echo -lgsl -lgslcblas -lyaml -ljansson -lnettle -lxml2) -lm
# libxml2: the tests parse the HTML report with it (tests/test_html_report.c).
XML_CFLAGS = $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
CMOCKA   = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

FINAL_CFLAGS  = $(STD) $(WARN) $(OPT) $(DEBUG) $(DEPS) $(CFLAGS)
FINAL_LDFLAGS = $(OPT) $(LDFLAGS)

# Sources are found in the stage folders of sim/ (no hand-kept list).
SIM_SRC  = $(wildcard sim/*/*.c)
LIB_SRC  = $(filter-out sim/cli/main.c,$(SIM_SRC))
LIB_OBJ  = $(LIB_SRC:sim/%.c=$(BUILD)/sim/%.o)
# Shared test code: a tests/*.c with a header of its own (e.g.
# tests/test_helpers.c beside test_helpers.h) is linked into every suite;
# every other tests/test_*.c is a suite.
TEST_SHARED_SRC = $(wildcard $(patsubst %.h,%.c,$(wildcard tests/*.h)))
TEST_SHARED_OBJ = $(TEST_SHARED_SRC:tests/%.c=$(BUILD)/tests/%.o)
TEST_SRC = $(filter-out $(TEST_SHARED_SRC),$(wildcard tests/test_*.c))
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# C++ oracles linked into some suites (e.g. the PCG reference for test_rng).
TEST_CXX_OBJ = $(patsubst tests/%.cpp,$(BUILD)/tests/%.o,$(wildcard tests/*_ref.cpp))

.PHONY: all deps run test test-suites check golden debug asan bench fuzz soak install clean FORCE

all: $(BIN)

$(BIN): $(BUILD)/sim/cli/main.o $(BUILD)/libclvsim.a
	$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libclvsim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/sim/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(FINAL_CFLAGS) -Isim -I$(BUILD)/gen -c -o $@ $<

# Help texts name the installed documentation: DOCDIR is written into a
# header, rewritten only when it changes (so `make install PREFIX=...`
# rebuilds the commands that name it, and nothing else).
$(BUILD)/gen/clv_docdir.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define CLV_DOCDIR "$(DOCDIR)"' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(filter $(BUILD)/sim/cli/%,$(LIB_OBJ)) $(BUILD)/sim/cli/main.o: $(BUILD)/gen/clv_docdir.h

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(FINAL_CFLAGS) -Isim $(XML_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/tests/%_ref.o: tests/%_ref.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 $(CXXFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(TEST_SHARED_OBJ) $(BUILD)/libclvsim.a $(TEST_CXX_OBJ)
	$(CXX) $(FINAL_LDFLAGS) -o $@ $^ $(CMOCKA) $(LIBS)

# Every suite runs from the top directory, so tests find scenarios/ and
# tests/data/. The first failing suite fails the target.
test: deps
	@$(MAKE) --no-print-directory test-suites

test-suites: $(BIN) $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; CLVSIM=$(abspath $(BIN)) $$t; done
	@echo "all test suites passed"

check: test

# Rewrite tests/golden/ from tests/golden/cases.txt: only when a change of
# numbers is intended, and explained in the commit that carries it.
golden: $(BIN)
	CLVSIM=$(abspath $(BIN)) sh tests/golden/refresh.sh

debug:
	$(MAKE) BUILD=build-debug BIN=build-debug/clvsim OPT="-O0 -g -fopenmp" DEBUG="-DCLV_DEBUG"

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fopenmp -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" DEBUG="-DCLV_DEBUG" BIN=build-asan/clvsim test

bench: $(BIN) $(BUILD)/libclvsim.a
	$(MAKE) -C bench

fuzz:
	$(MAKE) -C tests/fuzz run

# Minutes, not seconds: not part of `make test` (docs/robustness.md, "Soak").
soak: $(BIN)
	@sh .ci/deps.sh time
	sh tests/soak/soak.sh $(BIN)

install: clvsim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/clvsim/plots \
	           $(DESTDIR)$(PREFIX)/share/clvsim/scenarios $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(DOCDIR)/img
	install -m 755 clvsim $(DESTDIR)$(PREFIX)/bin/clvsim
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/clvsim/plots/
	install -m 644 scenarios/*.yaml $(DESTDIR)$(PREFIX)/share/clvsim/scenarios/
	install -m 644 docs/clvsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 docs/*.md $(DESTDIR)$(DOCDIR)/
	install -m 644 docs/img/*.png $(DESTDIR)$(DOCDIR)/img/

# Install missing Debian packages (as root; otherwise print the apt-get line).
deps:
	@sh .ci/deps.sh

# The main job on the built-in default scenario (the textbook example).
run: deps
	@$(MAKE) --no-print-directory $(BIN)
	./$(BIN) run

clean:
	rm -rf build build-debug build-asan build-fuzz clvsim

-include $(wildcard $(BUILD)/sim/*/*.d $(BUILD)/tests/*.d)
