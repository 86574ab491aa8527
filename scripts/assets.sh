#!/usr/bin/env bash
# Front-end assets from npm, installed into the site's static folder (never committed):
# - Noto Sans KR (regular, bold): a bare machine has no Korean font, and Chromium
#   draws Hangul and hanja as empty boxes without it;
# - Chart.js (trend charts) and Cytoscape.js (entity networks);
# - Swagger UI (the API's docs page).
set -euo pipefail
npm_dir=build/npm
static=src/sinmun/web/static
npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error \
  "@fontsource/noto-sans-kr@5.3.0" "chart.js@4.6.1" "cytoscape@3.34.4" "swagger-ui-dist@5.35.0" >/dev/null
modules="$npm_dir/node_modules"

fonts="$static/fonts"
rm -rf "$fonts.tmp" && mkdir -p "$fonts.tmp/files"
for weight in 400 700; do
  cp "$modules"/@fontsource/noto-sans-kr/files/noto-sans-kr-*-"$weight"-normal.woff2 "$fonts.tmp/files/"
  # Only woff2 is shipped: every browser that runs this site reads it.
  sed -E "s#, url\(\./files/[^)]*\.woff\) format\('woff'\)##" "$modules/@fontsource/noto-sans-kr/$weight.css" >> "$fonts.tmp/fonts.css"
done
rm -rf "$fonts" && mv "$fonts.tmp" "$fonts"

vendor="$static/vendor"
rm -rf "$vendor.tmp" && mkdir -p "$vendor.tmp"
cp "$modules/chart.js/dist/chart.umd.min.js" "$vendor.tmp/chart.umd.min.js"
cp "$modules/cytoscape/dist/cytoscape.min.js" "$vendor.tmp/cytoscape.min.js"
# The API's docs page (/api/docs), served from here rather than a CDN a closed network cannot reach.
cp "$modules/swagger-ui-dist/swagger-ui-bundle.js" "$modules/swagger-ui-dist/swagger-ui.css" "$vendor.tmp/"
rm -rf "$vendor" && mv "$vendor.tmp" "$vendor"
echo "assets: Noto Sans KR ($(ls "$fonts/files" | wc -l) files), Chart.js, Cytoscape.js, Swagger UI in $static"
