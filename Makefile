# Ringfold: `make` builds everything into build/lib, `make test` runs every test, `make demo` trains the
# Fashion-MNIST example on 2 ranks (installing the data set when it can), `make demo-ring` runs the ring demo.
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

.PHONY: all build test demo demo-pipeline demo-ring fashion-mnist-data bench clean

all: build

build:
	@# the mpi API jars live in build/lib/api since the Open MPI Java API came; an older build left mpj's in build/lib
	@rm -f build/lib/ringfold-mpj-*.jar build/lib/ringfold-openmpi-java-*.jar
	$(MVN) $(MVN_FLAGS) -DskipTests package
	@# start-up archives for the launcher and the ranks, trained on a 2-rank hello (see launch's ClassDataSharing)
	@rm -f build/lib/*.jsa
	@RINGFOLD_CDS=dump bin/mpjrun -np 2 -cp build/lib/ringfold-examples-0.1.0-SNAPSHOT.jar dev.ringfold.examples.Hello \
		> build/cds-training.log 2>&1 || { echo "start-up archive training failed (see build/cds-training.log); ranks start without it"; rm -f build/lib/*.jsa; }
	@echo "built: $$(ls build/lib/*.jar | wc -l) jars in build/lib; run ranks with bin/mpjrun"

# build first: the multi-process tests of every module start ranks with bin/mpjrun, which runs from build/lib
test: build
	$(MVN) $(MVN_FLAGS) verify

demo: build fashion-mnist-data
	bin/mpjrun -np $(DEMO_NP) --no-tag-output -cp $(EXAMPLES_JAR) dev.ringfold.examples.fashion.FashionMnistTraining \
		--epochs $(EPOCHS) --data $(FASHION_MNIST)

# The deep MLP pipelined: 2 stages (np=2), then 2 stages × 2 replicas (np=4); docs/pipeline.md
demo-pipeline: build fashion-mnist-data
	bin/mpjrun -np 2 --no-tag-output -cp $(EXAMPLES_JAR) dev.ringfold.examples.fashion.FashionMnistPipeline \
		--stages 2 --epochs $(PIPELINE_EPOCHS) --data $(FASHION_MNIST)
	bin/mpjrun -np 4 --no-tag-output -cp $(EXAMPLES_JAR) dev.ringfold.examples.fashion.FashionMnistPipeline \
		--stages 2 --epochs $(PIPELINE_EPOCHS) --data $(FASHION_MNIST)

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
