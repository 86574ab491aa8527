#!/usr/bin/env bash
# Install the Korean web font (Noto Sans KR, regular and bold) from npm into the
# site's static folder. A bare machine has no Korean font: without this,
# Chromium draws Hangul and hanja as empty boxes.
set -euo pipefail
version=5.3.0
npm_dir=build/npm
dest=src/sinmun/web/static/fonts
npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error "@fontsource/noto-sans-kr@$version" >/dev/null
pkg="$npm_dir/node_modules/@fontsource/noto-sans-kr"
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/files"
for weight in 400 700; do
  cp "$pkg"/files/noto-sans-kr-*-"$weight"-normal.woff2 "$dest.tmp/files/"
  # Only woff2 is shipped: every browser that runs this site reads it.
  sed -E "s#, url\(\./files/[^)]*\.woff\) format\('woff'\)##" "$pkg/$weight.css" >> "$dest.tmp/fonts.css"
done
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "fonts: Noto Sans KR $version ($(ls "$dest/files" | wc -l) files) in $dest"
