#!/usr/bin/env bash
# Installs what the `bulwark image` integration tests talk to, from Debian's packages:
#   docker-registry  the reference OCI registry (Distribution), started per test on 127.0.0.1
#   apache2-utils    htpasswd, which writes the bcrypt entries the registry's basic auth requires
#   mmdebstrap       builds the real Debian root filesystems of the test images (with dpkg's own status)
#   rpm              writes a real sqlite rpmdb for the rpm inventory test
#   skopeo           a second, independent OCI client that copies (and, where built with sigstore, signs)
#                    the images the trust tests verify
# Idempotent: nothing is fetched when every tool is present. Needs root (or sudo) for apt-get.
set -euo pipefail

declare -A wanted=(
  [docker-registry]=docker-registry
  [htpasswd]=apache2-utils
  [mmdebstrap]=mmdebstrap
  [rpmbuild]=rpm
  [skopeo]=skopeo
)

missing=()
for tool in "${!wanted[@]}"; do
  if ! command -v "$tool" >/dev/null 2>&1 && [[ ! -x "/usr/bin/$tool" ]]; then
    missing+=("${wanted[$tool]}")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup-image-tools: docker-registry, htpasswd, mmdebstrap, rpm and skopeo present" >&2
  exit 0
fi

sudo_cmd=()
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo -n); else
    echo "setup-image-tools: need root to install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup-image-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >&2
# --no-install-recommends: the registry's package would otherwise pull in nothing useful here.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
# Debian's package enables and starts a system-wide registry on :5000; the tests start their own on
# loopback with a free port, so the service is stopped and disabled where systemd runs.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  "${sudo_cmd[@]}" systemctl disable --now docker-registry >&2 || true
fi
echo "setup-image-tools: done" >&2
