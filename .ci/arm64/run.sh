#!/usr/bin/env bash
# Runs unit tests on Arm64 (AdvSimd paths) on an x64 machine, under qemu-user: publishes tests/Unpooling.Tests
# self-contained for linux-arm64 with InProcessRunner.cs as its entry point (runner.targets, injected through
# CustomAfterMicrosoftCommonTargets; the test project itself is unchanged, and the build goes to its own artifacts
# folder), then runs the published program under qemu-aarch64-static with Debian's arm64 C and C++ libraries.
#
#   bash .ci/arm64/run.sh                     the width-direct kernel tests and the element-type tests
#   bash .ci/arm64/run.sh --class MaxPool2D   any selection InProcessRunner.cs accepts (--trait NAME=VALUE,
#                                             --class TEXT, --verbose); no arguments after a lone -- = every test
#
# Installs qemu-user-static, binfmt-support and libc6/libstdc++6/libgcc-s1-arm64-cross with apt-get when missing
# (root). Not part of .ci/run: emulation makes the default selection take several minutes.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

sysroot=/usr/aarch64-linux-gnu
if ! command -v qemu-aarch64-static >/dev/null 2>&1 || [ ! -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || [ ! -e "$sysroot/lib/libstdc++.so.6" ]; then
  echo "arm64: installing qemu-user-static and Debian's arm64 cross libraries with apt-get"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static binfmt-support libc6-arm64-cross \
    libstdc++6-arm64-cross libgcc-s1-arm64-cross >/dev/null
fi

if [ $# -eq 0 ]; then
  set -- --trait Widths=Direct --class ElementTypeTests --class ElementIndexGridTests
elif [ "$1" = "--" ]; then
  shift
fi

out=/tmp/unpooling-arm64
start=$SECONDS
echo "arm64: publishing tests/Unpooling.Tests for linux-arm64 (self-contained) into $out/publish"
dotnet publish tests/Unpooling.Tests -c Release -r linux-arm64 --self-contained \
  -p:CustomAfterMicrosoftCommonTargets="$root/.ci/arm64/runner.targets" -p:InvariantGlobalization=true \
  --artifacts-path "$out/artifacts" -o "$out/publish" -tl:off -v:minimal
echo "arm64: published in $((SECONDS - start)) s; running under qemu-aarch64-static: $*"
start=$SECONDS
# W^X off: .NET writes code through a second, writable mapping of the executable pages, which qemu-user's
# self-modifying-code detection presumably does not see, so patched stubs can run stale translations (seen here without
# these settings: NullReferenceExceptions
# thrown from the reflection stub that invokes the test, and a SIGSEGV, in tests that pass in isolation). Tiered
# compilation off: each method is compiled once, optimized, and never patched again.
DOTNET_EnableWriteXorExecute=0 DOTNET_TieredCompilation=0 qemu-aarch64-static -L "$sysroot" "$out/publish/Unpooling.Tests" "$@"
echo "arm64: tests ran in $((SECONDS - start)) s"
