#!/usr/bin/env bash
# Puts Flink's GPU external-resource driver (org.apache.flink:flink-external-resource-gpu, the Flink
# version of pom.xml) and its discovery scripts into DIR, the layout of a Flink plugins/ folder:
#   jobs/cluster/fetch-gpu-plugin.sh DIR
#
# Maven cannot resolve this artifact: its POM's parent (flink-external-resources) is not published on
# Maven Central, and every resolving goal (dependency:get, dependency:copy, a <dependency>) reads the
# POM and fails, -Dtransitive=false included. So the jar itself is downloaded from the repository
# Maven uses for Central (the mirror of it in Maven's settings, if any: `mvn dependency:list-repositories`
# names it; MAVEN_CENTRAL_URL overrides) and checked against the checksum published beside it
# (.sha256, or .sha1 where Central has no .sha256). A copy already in the local Maven repository is
# used as it is. Needs curl, sha1sum/sha256sum and unzip (or the JDK's jar).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
die() { echo "fetch-gpu-plugin: $*" >&2; exit 2; }
[[ $# -eq 1 ]] || die "usage: $0 DIR"
dest=$1
mkdir -p "$dest"

version=$(sed -n 's:.*<flink.version>\(.*\)</flink.version>.*:\1:p' "$root/pom.xml")
[[ -n $version ]] || die "no <flink.version> in $root/pom.xml"
name="flink-external-resource-gpu-$version.jar"
path="org/apache/flink/flink-external-resource-gpu/$version/$name"

# The URL Maven downloads Central's artifacts from: its mirror when settings.xml declares one.
central_url() {
  if [[ -n ${MAVEN_CENTRAL_URL:-} ]]; then echo "${MAVEN_CENTRAL_URL%/}"; return; fi
  local line
  line=$(cd "$root" && mvn -B dependency:list-repositories 2>/dev/null | grep -E '^ \* central \(' || true)
  if [[ $line == *"mirrored by"* ]]; then
    sed -E 's/.* mirrored by [^ ]+ \(([^,]+),.*/\1/' <<<"$line"
  elif [[ -n $line ]]; then
    sed -E 's/^ \* central \(([^,]+),.*/\1/' <<<"$line"
  else
    echo "https://repo.maven.apache.org/maven2"
  fi
}

# Downloads the jar and its published checksum, verifies, then moves the jar into place.
download() { # TARGET
  local base algorithm expected actual
  base="$(central_url)/$path"
  tmp=$(mktemp "$1.XXXXXX")
  trap 'rm -f "$tmp"' EXIT
  echo "fetch-gpu-plugin: downloading $base" >&2
  curl -fsSL --retry 3 -o "$tmp" "$base" || die "could not download $base"
  for algorithm in sha256 sha1; do
    expected=$(curl -fsSL --retry 3 "$base.$algorithm" 2>/dev/null | awk '{print $1}') || expected=""
    [[ -n $expected ]] && break
  done
  [[ -n $expected ]] || die "no checksum (.sha256 or .sha1) published beside $base"
  actual=$(${algorithm}sum "$tmp" | awk '{print $1}')
  [[ ${actual,,} == "${expected,,}" ]] \
    || die "checksum mismatch for $base: $algorithm $actual, published $expected"
  chmod 644 "$tmp" && mv "$tmp" "$1"
  echo "fetch-gpu-plugin: $name verified ($algorithm $actual)" >&2
}

if [[ ! -f $dest/$name ]]; then
  cached="${MAVEN_REPO:-$HOME/.m2/repository}/$path"
  if [[ -f $cached ]]; then cp "$cached" "$dest/$name"; else download "$dest/$name"; fi
fi
# The discovery scripts the driver runs live inside its jar.
(cd "$dest" && { unzip -oq "$name" '*.sh' 2>/dev/null || jar xf "$name" nvidia-gpu-discovery.sh gpu-discovery-common.sh; } \
  && chmod +x ./*.sh)
