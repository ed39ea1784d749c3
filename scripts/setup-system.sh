#!/usr/bin/env bash
# Installs the system tools the tests need, only when missing, from Debian's
# packages: iproute2 (ip), nftables (nft), kubectl, dnsutils (dig, nslookup,
# host), curl, openssl. Runs as root on a fresh Debian machine.
set -euo pipefail
need=()
command -v ip >/dev/null || need+=(iproute2)
command -v nft >/dev/null || need+=(nftables)
command -v dig >/dev/null || need+=(dnsutils)
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
# Debian's own kubectl is the kubernetes-client package; a machine that has a
# newer kubectl from elsewhere keeps it.
command -v kubectl >/dev/null || need+=(kubernetes-client)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing ${need[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
