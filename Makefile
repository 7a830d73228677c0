# roost: `make` builds the release binary; `make demo` and `make test` are the README's set-up
# commands (each installs what it needs from Debian's packages first, as root).
SWIFT ?= swift
# Fully static, linked by lld with the hot path's functions side by side (scripts/roost.order,
# made by `make order-file`): a command's resident memory is the pages its code touches. Each
# function gets its own section (-function-sections) so that the linker can move it alone: without
# it a source file's whole .text follows any one of its functions to the front. A warning fails
# the build: a warning is a defect, and one here once hid an Optional("...") in an error message.
ORDER := $(CURDIR)/scripts/roost.order
RELEASE := -c release -Xswiftc -warnings-as-errors --static-swift-stdlib -Xswiftc -static-executable -Xswiftc -use-ld=lld \
	-Xswiftc -Xfrontend -Xswiftc -function-sections \
	-Xlinker --symbol-ordering-file=$(ORDER) -Xlinker --no-warn-symbol-ordering
BIN := .build/release/roost
FIXTURES := $(CURDIR)/.build/fixtures
ROOTFS := $(FIXTURES)/rootfs

# The cgroup v2 lane (Tools/test-vm/run.sh): a qemu VM with Debian bookworm's own kernel and cgroup2
# as the only hierarchy runs the integration tests VM_TESTS selects, a swift-testing --filter regex
# over test IDs (module.Type/function() and the file name). `make test` runs it after the host tests.
VM_TESTS ?= IntegrationTests

# The systemd lane: the same kernel booting a debootstrapped bookworm with systemd as PID 1
# (Tools/test-vm/systemd-image.sh), for the --systemd-cgroup driver. `make test` runs it after
# the cgroup v2 lane.
VM_SYSTEMD_TESTS ?= SystemdCgroupTests|SystemdDriverTests|GlobalFlagTests

.PHONY: all build deps rootfs demo test fuzz fuzz-build test-vm test-vm-only test-vm-systemd test-vm-systemd-only test-vm-selinux test-vm-selinux-only bench order-file unit integration lint clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build $(RELEASE) --product roost

$(ROOTFS)/bin/busybox: Tests/fixtures/make-rootfs.sh Tests/fixtures/sdnotify.c Tests/fixtures/escape.c
	Tests/fixtures/make-rootfs.sh $(ROOTFS)

# A host wrapper that refuses clone3 with ENOSYS (Tests/fixtures/noclone3.c), for roost's fallback.
$(FIXTURES)/noclone3: Tests/fixtures/noclone3.c
	mkdir -p $(FIXTURES) && cc -O2 -o $@ $<

rootfs: deps $(ROOTFS)/bin/busybox $(FIXTURES)/noclone3

demo: deps build rootfs
	@rm -rf .build/demo && mkdir -p .build/demo
	@cp -a $(ROOTFS) .build/demo/rootfs
	@cd .build/demo && ../release/roost spec
	@sed -i 's/"terminal": true/"terminal": false/; s/"sh"$$/"sh", "-c", "echo hello from roost in $$(hostname): $$(id); cat \/proc\/self\/status | grep -E ^NoNewPrivs"/' .build/demo/config.json
	cd .build/demo && ../release/roost run demo-$$$$

# dbus: RoostDBusTests talk to a real dbus-daemon (skipped, saying so, without it).
# check-stdout.sh: the scripts whose output is captured print only their value, packages or not.
test: deps build rootfs
	@scripts/deps.sh dbus
	@scripts/check-stdout.sh
	ROOST_BINARY=$(CURDIR)/$(BIN) ROOST_ROOTFS=$(ROOTFS) $(SWIFT) test --disable-xctest
	@$(MAKE) --no-print-directory fuzz-build
	@scripts/fuzz.sh $(FUZZ_TEST_SECONDS)
	@TEST_VM_SKIP_OK=1 $(MAKE) --no-print-directory test-vm-only
	@TEST_VM_SKIP_OK=1 $(MAKE) --no-print-directory test-vm-systemd-only
	@TEST_VM_SKIP_OK=1 $(MAKE) --no-print-directory test-vm-selinux-only

# libFuzzer over the config.json/process.json decoder, the state file reader and the in-root
# resolver (Fuzz/, scripts/fuzz.sh), coverage-instrumented with AddressSanitizer in .build-fuzz.
# `make fuzz` runs each target FUZZ_SECONDS; `make test` runs a short pass. FUZZ_MERGE=1 keeps
# the new inputs that add coverage in Fuzz/corpus. SwiftPM's `--sanitize fuzzer` makes libFuzzer's
# main the program's; the combined -sanitize=fuzzer,address after it is what instruments every
# module (SwiftPM passes one -sanitize= per sanitizer, and the compiler keeps only the last).
FUZZ_SECONDS ?= 120
FUZZ_TEST_SECONDS ?= 15
fuzz-build: deps
	$(SWIFT) build --scratch-path .build-fuzz --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -DROOST_FUZZER --product roost-fuzz

fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZ_SECONDS)

# The test binary is the debug build `swift test` makes; the VM runs it against the static binary.
test-vm: deps build rootfs
	$(SWIFT) build --build-tests
	@$(MAKE) --no-print-directory test-vm-only

test-vm-only:
	ROOST_BINARY=$(CURDIR)/$(BIN) ROOST_ROOTFS=$(ROOTFS) Tools/test-vm/run.sh '$(VM_TESTS)'

test-vm-systemd: deps build rootfs
	$(SWIFT) build --build-tests
	@$(MAKE) --no-print-directory test-vm-systemd-only

test-vm-systemd-only:
	VM_SYSTEMD=1 ROOST_BINARY=$(CURDIR)/$(BIN) ROOST_ROOTFS=$(ROOTFS) Tools/test-vm/run.sh '$(VM_SYSTEMD_TESTS)'

# The SELinux boot (Tools/test-vm/selinux.sh): the same VM with security=selinux and Debian's
# default policy loaded (permissive), running only the tests VM_SELINUX_TESTS selects.
VM_SELINUX_TESTS ?= SELinuxTests

test-vm-selinux: deps build rootfs
	$(SWIFT) build --build-tests
	@$(MAKE) --no-print-directory test-vm-selinux-only

test-vm-selinux-only:
	ROOST_BINARY=$(CURDIR)/$(BIN) ROOST_ROOTFS=$(ROOTFS) Tools/test-vm/selinux.sh '$(VM_SELINUX_TESTS)'

# roost against crun and runc (Debian's packages), side by side: bench/results/latest.json.
# QUICK=1 make bench for a one-minute try-out.
bench: deps build rootfs
	@scripts/deps.sh crun runc time
	bench/run.sh

# Re-records scripts/roost.order from the current code (scripts/functrace.c, natively), then relinks with it.
order-file: build rootfs
	scripts/order-file.sh
	rm -f $(BIN)
	$(MAKE) build

clean:
	rm -rf .build .build-fuzz
