# avstack: two commands set everything up on a fresh Debian/Ubuntu machine with Go:
#   make sim    the main job: a closed-loop drive in the simulator on an embedded NATS server
#   make test   the whole test suite
# Both install what is missing first (make deps).

SHELL := /bin/bash
GO ?= go
BIN := bin
AVSTACK := $(BIN)/avstack
# Real test data (see README): tests read it through AVSTACK_TESTDATA; default to the shared
# folder beside the repository when it exists.
AVSTACK_TESTDATA ?= $(abspath $(wildcard ../shared/testdata))
export AVSTACK_TESTDATA
SCENARIO ?= configs/scenarios/lane_keep_straight.yaml
SEED ?= 1
SIMFLAGS ?=
APT_PACKAGES := libopencv-dev protobuf-compiler pkg-config
PROTOC_GEN_GO_VERSION := v1.36.12
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
GOTEST_FLAGS ?= -timeout 14m

.PHONY: all deps build test test-go test-noasm test-avx2 sim suite bench proto fuzz vet clean

all: build

# Installs the Debian packages that are missing; does nothing when all are there.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v $(GO) >/dev/null || { echo "deps: Go is not installed (https://go.dev/dl/)"; exit 1; }
	@pkg-config --exists opencv4 || { echo "deps: pkg-config cannot find opencv4"; exit 1; }

build: deps
	$(GO) build -o $(AVSTACK) ./cmd/avstack

# The whole suite: default dispatch (AVX-512 where the CPU has it), then the nn kernels forced
# onto the AVX2 path and onto the pure-Go path (-tags noasm).
test: deps
	$(GO) vet ./...
	$(GO) test $(GOTEST_FLAGS) ./...
	AVSTACK_CPU=avx2 $(GO) test $(GOTEST_FLAGS) ./nn/gemm/... ./nn/kernels/...
	$(GO) test $(GOTEST_FLAGS) -tags noasm ./nn/...

sim: build
	./$(AVSTACK) sim --scenario $(SCENARIO) --seed $(SEED) --driver stack $(SIMFLAGS)

# Every scenario of configs/scenarios, 10 seeds each, with the full stack (issue 8; ~15-25 min
# on two cores). Exit 1 unless every run passes; the JSON goes to suite.json.
suite: build
	./$(AVSTACK) sim --suite configs/scenarios --seeds 10 --driver stack --json > suite.json

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 20x ./bus/ ./nn/gemm/ ./perception/... ./sim/...

# Regenerates the Go from the .proto files (the generated code is committed).
proto: deps
	GOBIN=$(abspath $(BIN)) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	PATH="$(abspath $(BIN)):$$PATH" protoc -I msg/proto -I /usr/include \
	  --go_out=. --go_opt=module=github.com/avstack/avstack \
	  msg/proto/foxglove/foxglove.proto msg/proto/avstack/v1/avstack.proto

vet:
	$(GO) vet ./...

clean:
	rm -rf $(BIN)
