# Ringfold: `make` builds everything into build/lib, `make test` runs every test, `make demo` runs the demo.
SHELL := /bin/bash
JAVA_HOME := $(shell bin/find-jdk 2>/dev/null)
ifeq ($(JAVA_HOME),)
$(error no JDK 25 found: set JAVA_HOME to a JDK 25 or install one under /usr/lib/jvm (see bin/find-jdk))
endif
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)
MVN ?= mvn
MVN_FLAGS ?= -B -ntp
NP ?= 4

.PHONY: all build test demo bench clean

all: build

build:
	$(MVN) $(MVN_FLAGS) -DskipTests package
	@# start-up archives for the launcher and the ranks, trained on a 2-rank hello (see launch's ClassDataSharing)
	@rm -f build/lib/*.jsa
	@RINGFOLD_CDS=dump bin/mpjrun -np 2 -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar dev.ringfold.examples.Hello \
		> build/cds-training.log 2>&1 || { echo "start-up archive training failed (see build/cds-training.log); ranks start without it"; rm -f build/lib/*.jsa; }
	@echo "built: $$(ls build/lib/*.jar | wc -l) jars in build/lib; run ranks with bin/mpjrun"

# build first: the multi-process tests of every module start ranks with bin/mpjrun, which runs from build/lib
test: build
	$(MVN) $(MVN_FLAGS) verify

demo: build
	bin/mpjrun -np $(NP) -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar dev.ringfold.examples.RingDemo

clean:
	$(MVN) $(MVN_FLAGS) -q clean
	rm -rf build
