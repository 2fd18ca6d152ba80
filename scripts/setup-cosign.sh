#!/usr/bin/env bash
# Builds the real `cosign` that the trust interoperability tests sign and verify against, with this
# machine's Go, from the Go module proxy, into the same cache as scripts/install-tools.sh. Prints the bin
# directory (the only thing written to stdout) so callers can do: PATH="$(scripts/setup-cosign.sh):$PATH".
#
# The version is pinned: v3.1.3 is the newest release on the proxy, and its go.mod asks for Go 1.26.0, so
# the local toolchain builds it without fetching another one.
set -euo pipefail

COSIGN_VERSION="${COSIGN_VERSION:-v3.1.3}"
COSIGN_MODULE="github.com/sigstore/cosign/v3/cmd/cosign"

tools_dir="${BULWARK_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark/tools}"
bin_dir="$tools_dir/bin"
stamp="$tools_dir/cosign.version"
mkdir -p "$bin_dir"

if [[ -x "$bin_dir/cosign" && -f "$stamp" && "$(cat "$stamp")" == "$COSIGN_VERSION" ]]; then
  echo "setup-cosign: cosign $COSIGN_VERSION already built" >&2
  echo "$bin_dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "setup-cosign: the 'go' command is required to build cosign (https://go.dev/doc/install)" >&2
  exit 1
fi

echo "setup-cosign: building cosign $COSIGN_VERSION (several minutes the first time)" >&2
started=$SECONDS
# GOTOOLCHAIN=local: use the machine's Go and fail loudly rather than fetch another toolchain.
# COSIGN_BUILD_JOBS=1 keeps the build off the other cores of a shared machine (slower, same result).
GOBIN="$bin_dir" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0 \
  go install ${COSIGN_BUILD_JOBS:+-p "$COSIGN_BUILD_JOBS"} -trimpath -ldflags="-s -w" "$COSIGN_MODULE@$COSIGN_VERSION" >&2
echo "$COSIGN_VERSION" >"$stamp"
echo "setup-cosign: built cosign in $((SECONDS - started))s" >&2
echo "$bin_dir"
