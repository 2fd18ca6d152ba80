#!/usr/bin/env bash
# Run by `npm test` before the tests: gets the real components the integration tests talk to.
# On a developer's machine a component that cannot be had is reported and its tests skip with a
# message; under CI (CI=true) every component is required, so nothing skips silently.
set -uo pipefail
cd "$(dirname "$0")/.."

required() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "test-setup: $1 — required under CI" >&2
    exit 1
  fi
  echo "test-setup: $1 — the tests that need it will skip" >&2
}

bash scripts/install-tools.sh >/dev/null || required "could not build kustomize and helm (needs Go)"
bash testenv/build.sh >/dev/null || required "could not build kube-apiserver and etcd with testenv/build.sh (needs Go)"
bash scripts/setup-postgres.sh >/dev/null || required "could not start PostgreSQL with scripts/setup-postgres.sh"
bash scripts/setup-image-tools.sh >/dev/null || required "could not install docker-registry, htpasswd, mmdebstrap, rpm and skopeo with scripts/setup-image-tools.sh"
bash scripts/setup-cosign.sh >/dev/null || required "could not build cosign with scripts/setup-cosign.sh (needs Go)"
bash scripts/setup-skopeo.sh >/dev/null || required "could not build upstream skopeo (with sigstore) with scripts/setup-skopeo.sh (needs Go)"
exit 0
