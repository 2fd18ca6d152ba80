#!/usr/bin/env bash
# Builds upstream `skopeo` for the trust interoperability tests, with this machine's Go, into the user's cache
# (~/.cache/bulwark/skopeo/<version>/skopeo), once. Debian's skopeo has its sigstore support patched out, so it
# can neither sign with a sigstore key nor enforce a `sigstoreSigned` policy; this build can. Prints the
# binary's path (the only thing written to stdout): BULWARK_SKOPEO="$(scripts/setup-skopeo.sh)".
#
# The module proxy serves skopeo v1.16.1 but will not list its versions, so `go install skopeo@version` fails;
# instead a throwaway module requires it and builds its command. The checksum database has no record of the
# skopeo module itself, so its hashes are pinned in that module's go.sum (Go checks go.sum before asking the
# database); every dependency is still checked against the database as usual.
set -euo pipefail

SKOPEO_VERSION="v1.16.1"
SKOPEO_MODULE="github.com/containers/skopeo"
# The hashes of the module zip and of its go.mod, as the proxy served them.
SKOPEO_SUMS="$SKOPEO_MODULE $SKOPEO_VERSION h1:2H/GNi5tOzZPC67+6sU+QmOB0new1Tx23gN6Pqk5LxA=
$SKOPEO_MODULE $SKOPEO_VERSION/go.mod h1:7xfVZkduQRxXrnzufxUVfNgJvBk+zYM9nnqRGbSarwM="
# openpgp: a pure-Go signer for simple signing (no gpgme, so no cgo); btrfs and devicemapper need C headers
# and are irrelevant to copying between registries.
BUILD_TAGS="containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper"

install_dir="${XDG_CACHE_HOME:-$HOME/.cache}/bulwark/skopeo/$SKOPEO_VERSION"
binary="$install_dir/skopeo"

if [[ -x "$binary" ]] && "$binary" --version 2>/dev/null | grep -Eq "version ${SKOPEO_VERSION#v}( |$)"; then
  echo "setup-skopeo: skopeo $SKOPEO_VERSION already built" >&2
  echo "$binary"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "setup-skopeo: the 'go' command is required to build skopeo $SKOPEO_VERSION (https://go.dev/doc/install)" >&2
  exit 1
fi

echo "setup-skopeo: building skopeo $SKOPEO_VERSION (a few minutes the first time)" >&2
started=$SECONDS
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat >"$work/go.mod" <<EOF
module skopeobuild

go 1.22

require $SKOPEO_MODULE $SKOPEO_VERSION
EOF
cat >"$work/tools.go" <<EOF
//go:build tools

package tools

import _ "$SKOPEO_MODULE/cmd/skopeo"
EOF
printf '%s\n' "$SKOPEO_SUMS" >"$work/go.sum"

# GOTOOLCHAIN=local: use the machine's Go and fail loudly rather than fetch another toolchain.
# SKOPEO_BUILD_JOBS=1 keeps the build off the other cores of a shared machine (slower, same result).
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
(cd "$work" && go mod tidy >&2)
# tidy keeps the pinned lines only if the download matched them; make sure they are still the ones in use.
while IFS= read -r line; do
  if ! grep -qxF "$line" "$work/go.sum"; then
    echo "setup-skopeo: go.sum lost the pinned hash '$line'; refusing to build an unverified skopeo" >&2
    exit 1
  fi
done <<<"$SKOPEO_SUMS"

mkdir -p "$install_dir"
(cd "$work" && go build ${SKOPEO_BUILD_JOBS:+-p "$SKOPEO_BUILD_JOBS"} -trimpath -ldflags="-s -w" -tags "$BUILD_TAGS" \
  -o "$work/skopeo" "$SKOPEO_MODULE/cmd/skopeo" >&2)
# Installed only once it built completely, so a cut-short build is never mistaken for a good one.
mv "$work/skopeo" "$binary"
echo "setup-skopeo: built $("$binary" --version) in $((SECONDS - started))s" >&2
echo "$binary"
