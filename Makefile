# Ringfold: `make` builds everything into build/lib, `make test` runs every test, `make demo` trains the
# Fashion-MNIST example on 2 ranks (installing the data set when it can), `make demo-elastic` the same on 4 ranks with one SIGKILLed mid-run, `make demo-ring` runs the ring demo,
# `make install` puts the libraries, the BOM and their sources and javadoc jars into the local Maven repository
# (INSTALL_REPO=DIR for another one), `make docs` writes the API reference to build/api.
# `make compare` trains one model as data, pipeline and 2-D parallel and prints the measured comparison.
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
# make demo: ranks, epochs and where the Fashion-MNIST IDX files are (Debian's dataset-fashion-mnist by default)
DEMO_NP ?= 2
EPOCHS ?= 10
PIPELINE_EPOCHS ?= 10
FASHION_MNIST ?= /usr/share/datasets/fashion-mnist
EXAMPLES_JAR := build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar

.PHONY: all build test install docs demo demo-elastic demo-pipeline demo-ring compare fashion-mnist-data clean
# make install: the local repository to install into (empty: Maven's own, ~/.m2/repository)
INSTALL_REPO ?=

all: build

build:
	@# a fresh folder: no jar of an older build (a replaced dependency) stays on the ranks' class path; the
	@# distribution module fills it (and build/lib/api) at package, after every module it takes a jar from
	@rm -rf build/lib
	$(MVN) $(MVN_FLAGS) -DskipTests package
	@# AOT caches for the launcher and the ranks (see launch's ClassDataSharing): ranks with the Vector API module
	@# trained on the 2-rank ring demo (collectives and kernels), ranks without it and the launcher on a 2-rank hello,
	@# ranks that talk TCP on the same hello with -dev tcp
	@rm -f build/lib/*.jsa build/lib/*.aot
	@{ RINGFOLD_CDS=dump bin/mpjrun -np 2 -cp $(EXAMPLES_JAR) dev.ringfold.examples.RingDemo && \
		RINGFOLD_CDS=dump bin/mpjrun -np 2 -cp $(EXAMPLES_JAR) dev.ringfold.examples.Hello && \
		RINGFOLD_CDS=dump bin/mpjrun -np 2 -dev tcp -cp $(EXAMPLES_JAR) dev.ringfold.examples.Hello; } \
		> build/cds-training.log 2>&1 || { echo "start-up cache training failed (see build/cds-training.log); ranks start without it"; rm -f build/lib/*.aot; }
	@echo "built: $$(ls build/lib/*.jar | wc -l) jars in build/lib; run ranks with bin/mpjrun"

# build first: the multi-process tests of every module start ranks with bin/mpjrun, which runs from build/lib.
# As root it first installs the packages the peer tests need (.ci/packages.sh); at the end it lists every skipped
# test, and the command that installs what they missed.
test: build
	@bash .ci/packages.sh install
	@$(MVN) $(MVN_FLAGS) verify; rc=$$?; bash .ci/packages.sh report; exit $$rc

# every library module, ringfold-bom, and their -sources and -javadoc jars (hpc-tests, bench and distribution stay out: not libraries)
install:
	$(MVN) $(MVN_FLAGS) -Pinstall -DskipTests $(if $(INSTALL_REPO),-Dmaven.repo.local=$(abspath $(INSTALL_REPO))) install

# the API reference of every library module in one tree, build/api/index.html, and Open MPI's Java API apart,
# build/api/openmpi-java: javadoc reads the modules as modules, and mpj and openmpi-java both hold package mpi
docs:
	$(MVN) $(MVN_FLAGS) -DskipTests -pl '!openmpi-java,!distribution,!hpc-tests' -DexcludePackageNames='dev.ringfold.bench*:dev.ringfold.testsupport*' compile org.apache.maven.plugins:maven-javadoc-plugin:aggregate
	$(MVN) $(MVN_FLAGS) -DskipTests -pl openmpi-java -am compile org.apache.maven.plugins:maven-javadoc-plugin:javadoc
	@rm -rf build/api && mkdir -p build && cp -r target/reports/apidocs build/api && \
		cp -r openmpi-java/target/reports/apidocs build/api/openmpi-java
	@echo "API reference: build/api/index.html (Open MPI's Java API: build/api/openmpi-java/index.html)"

demo: build fashion-mnist-data
	bin/mpjrun -np $(DEMO_NP) --no-tag-output -cp $(EXAMPLES_JAR) dev.ringfold.examples.fashion.FashionMnistTraining \
		--epochs $(EPOCHS) --data $(FASHION_MNIST)

# Elastic data parallelism (docs/data-parallel.md): 4 ranks, rank 2 SIGKILLs itself in epoch 2 (global step
# ELASTIC_KILL_STEP, mid-backward), the other 3 shrink, redo that step and train on; mpjrun lets them go on and
# starts a replacement, which the survivors take in at a step boundary (back to 4 replicas)
ELASTIC_KILL_STEP ?= 700
demo-elastic: build fashion-mnist-data
	bin/mpjrun -np 4 --elastic 2:4 --max-replacements 1 --no-tag-output -cp $(EXAMPLES_JAR) \
		dev.ringfold.examples.fashion.FashionMnistTraining --epochs $(EPOCHS) --data $(FASHION_MNIST) \
		--elastic 2:4 --kill-rank 2 --kill-at-step $(ELASTIC_KILL_STEP)

# The deep MLP pipelined: 2 stages (np=2), then 2 stages × 2 replicas (np=4); docs/pipeline.md
demo-pipeline: build fashion-mnist-data
	bin/mpjrun -np 2 --no-tag-output -cp $(EXAMPLES_JAR) dev.ringfold.examples.fashion.FashionMnistPipeline \
		--stages 2 --epochs $(PIPELINE_EPOCHS) --data $(FASHION_MNIST)
	bin/mpjrun -np 4 --no-tag-output -cp $(EXAMPLES_JAR) dev.ringfold.examples.fashion.FashionMnistPipeline \
		--stages 2 --epochs $(PIPELINE_EPOCHS) --data $(FASHION_MNIST)

# Data or model parallel, measured (docs/compare.md): every strategy on COMPARE_NP ranks, the table, build/compare/*.svg
COMPARE_NP ?= 4
COMPARE_ARGS ?=
compare: build fashion-mnist-data
	bin/ringfold-compare -np $(COMPARE_NP) --data $(FASHION_MNIST) $(COMPARE_ARGS)

demo-ring: build
	bin/mpjrun -np $(NP) -cp $(EXAMPLES_JAR) dev.ringfold.examples.RingDemo

# The data set from the package manager when it is missing and we can (root, apt-get); otherwise say what to do.
fashion-mnist-data:
	@if ls $(FASHION_MNIST)/train-images-idx3-ubyte* >/dev/null 2>&1; then exit 0; fi; \
	if [ "$(FASHION_MNIST)" = /usr/share/datasets/fashion-mnist ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Fashion-MNIST is missing: installing Debian's dataset-fashion-mnist with apt-get"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; } || exit 1; \
	else \
		echo "Fashion-MNIST is missing from $(FASHION_MNIST). Install it with 'sudo apt-get install dataset-fashion-mnist'" \
			"(Debian, Ubuntu), or run 'make demo FASHION_MNIST=DIR' with a folder of its IDX files" \
			"(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz)." >&2; \
		exit 1; \
	fi

clean:
	$(MVN) $(MVN_FLAGS) -q clean
	rm -rf build
