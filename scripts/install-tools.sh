#!/usr/bin/env bash
# Builds the renderers that `bulwark scan --kustomize/--helm` shells out to, with this machine's Go,
# from the Go module proxy, into a cache directory that later runs reuse. Prints the bin directory
# (the only thing written to stdout) so callers can do: PATH="$(scripts/install-tools.sh):$PATH".
#
# Versions are pinned: both build with Go 1.26 (their go.mod asks for no newer toolchain).
set -euo pipefail

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.2}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"

tools_dir="${BULWARK_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark/tools}"
bin_dir="$tools_dir/bin"
mkdir -p "$bin_dir"

if ! command -v go >/dev/null 2>&1; then
  echo "install-tools: the 'go' command is required to build kustomize and helm (https://go.dev/doc/install)" >&2
  exit 1
fi

# A stamp file per tool records the version built, so a changed pin rebuilds and an unchanged one is free.
build() {
  local name="$1" module="$2" version="$3"
  local stamp="$tools_dir/$name.version"
  if [[ -x "$bin_dir/$name" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    echo "install-tools: $name $version already built" >&2
    return 0
  fi
  echo "install-tools: building $name $version (this takes a few minutes the first time)" >&2
  local started=$SECONDS
  # GOTOOLCHAIN=local: use the machine's Go and fail loudly rather than fetch another toolchain.
  GOBIN="$bin_dir" GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0 \
    go install -trimpath -ldflags="-s -w" "$module@$version" >&2
  echo "$version" >"$stamp"
  echo "install-tools: built $name in $((SECONDS - started))s" >&2
}

build kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
build helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"

echo "$bin_dir"
