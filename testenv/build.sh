#!/usr/bin/env bash
# Builds the control plane the integration tests start — kube-apiserver and etcd — from the Go module
# proxy with this machine's Go, once, into a per-version cache directory that later runs reuse.
# Prints that directory (the only thing written to stdout); progress goes to stderr.
#
# kube-apiserver comes from the k8s.io/kubernetes module, which cannot be `go install`ed directly:
# its go.mod points the k8s.io/* staging modules at local directories (`=> ./staging/src/...`) that are
# not part of the published module. So it is built inside a throwaway module whose replace directives
# point each staging module at its published release (k8s.io/api v0.37.2 for Kubernetes v1.37.2, …),
# generated from the kubernetes go.mod itself so a new pin needs no hand-edited list.
# etcd's server module has the same problem with its sibling modules (`=> ../api`), which a
# throwaway module also solves: replace directives of dependencies are ignored.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
KUBERNETES_VERSION="${BULWARK_KUBERNETES_VERSION:-$KUBERNETES_VERSION}"
ETCD_VERSION="${BULWARK_ETCD_VERSION:-$ETCD_VERSION}"

root="${BULWARK_TESTENV_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark/testenv}"
out="$root/${KUBERNETES_VERSION}-etcd-${ETCD_VERSION}"
mkdir -p "$out"

if ! command -v go >/dev/null 2>&1; then
  echo "testenv/build.sh: the 'go' command is required to build kube-apiserver and etcd (https://go.dev/doc/install)" >&2
  exit 1
fi

# Two test runs starting at once would each spend minutes on the same build; the second waits instead.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$root/.build.lock"
  flock 9
fi

# GOTOOLCHAIN=local: use the machine's Go and fail loudly rather than fetch another toolchain.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"

work="$(mktemp -d "${TMPDIR:-/tmp}/bulwark-build-testenv.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Writes the binary next to its final name, then renames: a reader never sees a half-written file,
# and an interrupted build leaves nothing that looks finished.
install_binary() {
  local built="$1" name="$2"
  chmod 0755 "$built"
  mv -f "$built" "$out/$name"
}

build_kube_apiserver() {
  local version="$KUBERNETES_VERSION"
  local staging="v0.${version#v1.}" # Kubernetes v1.X.Y ships its staging modules as v0.X.Y
  local major minor
  major="$(echo "$version" | sed -E 's/^v([0-9]+)\..*/\1/')"
  minor="$(echo "$version" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')"
  local mod="$work/kube-apiserver"
  mkdir -p "$mod"
  cd "$mod"
  go mod init bulwark.invalid/testenv-kube-apiserver >/dev/null 2>&1

  local gomod
  gomod="$(go mod download -json "k8s.io/kubernetes@$version" | sed -nE 's/^[[:space:]]*"GoMod": "(.*)",?$/\1/p')"
  if [[ -z "$gomod" || ! -f "$gomod" ]]; then
    echo "testenv/build.sh: could not download k8s.io/kubernetes@$version from the module proxy" >&2
    return 1
  fi
  local -a edits=("-require=k8s.io/kubernetes@$version")
  local module
  while read -r module; do
    edits+=("-replace=$module=$module@$staging")
  done < <(sed -nE 's#^[[:space:]]*(k8s\.io/[a-z0-9./-]+)[[:space:]]+=>[[:space:]]+\./staging/.*#\1#p' "$gomod")
  if (( ${#edits[@]} < 10 )); then
    echo "testenv/build.sh: found no staging replace directives in k8s.io/kubernetes@$version go.mod" >&2
    return 1
  fi
  go mod edit "${edits[@]}"
  echo "testenv/build.sh: resolving k8s.io/kubernetes $version dependencies (${#edits[@]} module pins)" >&2
  go get "k8s.io/kubernetes/cmd/kube-apiserver@$version" >&2

  # The same version stamps the Kubernetes release build sets, so /version reports the real release.
  local ldflags="-s -w" pkg
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  echo "testenv/build.sh: compiling kube-apiserver $version" >&2
  go build -trimpath -ldflags="$ldflags" -o "$out/.kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
  install_binary "$out/.kube-apiserver.tmp" kube-apiserver
}

build_etcd() {
  local version="$ETCD_VERSION"
  local mod="$work/etcd"
  mkdir -p "$mod"
  cd "$mod"
  go mod init bulwark.invalid/testenv-etcd >/dev/null 2>&1
  echo "testenv/build.sh: resolving etcd $version dependencies" >&2
  go get "go.etcd.io/etcd/server/v3@$version" >&2
  echo "testenv/build.sh: compiling etcd $version" >&2
  go build -trimpath -ldflags="-s -w" -o "$out/.etcd.tmp" go.etcd.io/etcd/server/v3
  install_binary "$out/.etcd.tmp" etcd
}

build_one() {
  local name="$1" fn="$2" version="$3"
  if [[ -x "$out/$name" ]]; then
    echo "testenv/build.sh: $name $version already built" >&2
    return 0
  fi
  echo "testenv/build.sh: building $name $version (several minutes the first time)" >&2
  local started=$SECONDS
  "$fn"
  echo "testenv/build.sh: built $name $version in $((SECONDS - started))s" >&2
}

build_one etcd build_etcd "$ETCD_VERSION"
build_one kube-apiserver build_kube_apiserver "$KUBERNETES_VERSION"

echo "$out"
