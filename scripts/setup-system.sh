#!/usr/bin/env bash
# System packages the project needs beyond Python: a CJK font for the charts' Chinese labels
# (WenQuanYi Micro Hei, freely licensed), Chromium for the browser test of the reports and
# poppler-utils (pdftotext, pdftoppm) to check the reports' printed pages.
# Installed with apt-get when this machine has it and we may use it; otherwise says what is missing.
set -u
need=()
fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk\|source han' || [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || apt-get install -y -qq "${need[@]}" >/dev/null \
    || echo "warning: could not install ${need[*]}; charts may lack CJK glyphs and the browser and print tests will be skipped" >&2
else
  echo "warning: please install ${need[*]} (Debian/Ubuntu: sudo apt-get install ${need[*]})" >&2
fi
exit 0
