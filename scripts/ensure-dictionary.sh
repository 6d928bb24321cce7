#!/usr/bin/env bash
# Makes sure lindera's IPADIC dictionary is built locally, so `cargo build` never downloads it.
#
# lindera's build script looks in $LINDERA_BUILD_DICTIONARY_CACHE_DIR (set for every cargo command
# by .cargo/config.toml) before downloading. We fill that cache from Debian's mecab-ipadic sources,
# which come from the package registry. Idempotent: does nothing when the dictionary is present.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cache="$root/target/lindera-cache"
src="${MECAB_IPADIC_DIR:-/usr/share/mecab/dic/ipadic}"

if compgen -G "$cache/*-fmt*/lindera-ipadic/metadata.json" >/dev/null; then
  exit 0
fi

if [ ! -f "$src/Noun.csv" ]; then
  echo "ensure-dictionary: installing Debian's mecab-ipadic (IPADIC sources)" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq mecab-ipadic >/dev/null
fi

crate_dir="$(cargo metadata --format-version 1 --locked 2>/dev/null | python3 -c '
import json, sys, os
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p["name"] == "lindera-ipadic":
        print(os.path.dirname(p["manifest_path"])); break
')"
if [ -z "$crate_dir" ]; then
  echo "ensure-dictionary: cannot find the lindera-ipadic crate (cargo fetch failed?)" >&2
  exit 1
fi
echo "ensure-dictionary: building IPADIC from $src for $(basename "$crate_dir")" >&2
cargo run --quiet --locked --release -p dict-builder -- --src "$src" --crate-dir "$crate_dir" --cache "$cache"
