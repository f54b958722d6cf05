#!/usr/bin/env bash
# Looks at a run's report as a person does: writes it (`rollstream report RUN_DIR --out
# OUT_DIR/report`), opens report.html in headless Chromium, checks what the browser shows, and keeps
# screenshots of its sections.
#   jobs/report-screenshots.sh RUN_DIR OUT_DIR            # check, then OUT_DIR/report-{summary,plots,rollouts}.png
#   jobs/report-screenshots.sh --check-only RUN_DIR OUT_DIR   # the check alone (CI)
# The check fails (exit 1, listing every problem) when, after the page loaded in the browser: a plot
# image did not decode, the page has a different number of plots than plots/ holds PNGs, a plot is
# shown narrower than 600 px (its text unreadable), the page is wider than a 1,280 px window (cut
# content), a section (summary, plots, rollouts, config) is missing or says its file is missing or
# empty. Needs Chromium (Debian: `apt-get install --no-install-recommends chromium`); screenshots
# are made smaller with pngquant when it is installed (`apt-get install pngquant`), and left as
# Chromium wrote them otherwise (the script says so).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

check_only=false
if [[ "${1:-}" == --check-only ]]; then
  check_only=true
  shift
fi
if [[ $# -ne 2 ]]; then
  echo "usage: jobs/report-screenshots.sh [--check-only] RUN_DIR OUT_DIR" >&2
  exit 2
fi
run_dir="$1"
out="$2"
browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}"
if [[ -z $browser ]]; then
  echo "report-screenshots: no Chromium found (set CHROMIUM=/path, or on Debian: apt-get install --no-install-recommends chromium)" >&2
  exit 2
fi

# The window the page is checked and shot in: a laptop screen.
width=1280
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
report="$out/report"
rm -rf "$report/plots" # the PNGs of an earlier report would be counted as this one's
"$root/jobs/rollstream" report "$run_dir" --out "$report" >&2

sandbox=()
if [[ $EUID -eq 0 ]]; then
  sandbox=(--no-sandbox) # Chromium refuses to run as root with its sandbox; the page is our own file
fi
browse() {
  # Chromium's D-Bus and GPU complaints on a headless machine go to a log, shown only on failure.
  "$browser" --headless "${sandbox[@]}" --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --virtual-time-budget=10000 "$@" 2>>"$work/chromium.log"
}

# The page as it is, with a script appended that inspects it once loaded and writes its findings
# into the page, which --dump-dom prints.
plots=$(find "$report/plots" -name '*.png' | wc -l)
cat > "$work/check.js" <<EOF
<script>
window.addEventListener('load', () => {
  const problems = [];
  const images = [...document.querySelectorAll('.plots img')];
  if (images.length !== $plots) problems.push('the page shows ' + images.length + ' plots, plots/ holds $plots');
  for (const img of images) {
    if (!img.complete || img.naturalWidth === 0) problems.push('plot did not decode: ' + img.alt);
    else if (img.getBoundingClientRect().width < 600)
      problems.push('plot shown ' + Math.round(img.getBoundingClientRect().width) + ' px wide (< 600): ' + img.alt);
  }
  if (document.documentElement.scrollWidth > window.innerWidth)
    problems.push('page is ' + document.documentElement.scrollWidth + ' px wide in a ' + window.innerWidth + ' px window');
  for (const id of ['summary', 'plots', 'rollouts', 'config'])
    if (!document.getElementById(id)) problems.push('no section #' + id);
  if (document.querySelectorAll('table')[0]?.rows.length < 5) problems.push('the summary has fewer than 5 rows');
  for (const text of ['config.yaml is missing', 'holds no groups yet'])
    if (document.body.innerText.includes(text)) problems.push('the page says: ' + text);
  const result = document.createElement('pre');
  result.id = 'browser-check';
  result.textContent = problems.length ? 'FAILED\n' + problems.join('\n') : 'OK ' + images.length + ' plots';
  document.body.appendChild(result);
});
</script>
EOF
sed -e "/<\/body>/{r $work/check.js" -e "}" "$report/report.html" > "$report/check.html"
browse --window-size="$width,1000" --dump-dom "file://$report/check.html" > "$work/dom.html" || true
rm "$report/check.html"
verdict=$(sed -n '/<pre id="browser-check">/,/<\/pre>/p' "$work/dom.html" | sed -e 's/<[^>]*>//g')
verdict=$(sed -e "s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g" <<< "$verdict")
if [[ $verdict != OK* ]]; then
  echo "report-screenshots: the report of $run_dir as Chromium shows it is broken:" >&2
  echo "${verdict:-(the check never ran: no result in the page; the Chromium log follows)}" >&2
  [[ -n $verdict ]] || tail -20 "$work/chromium.log" >&2
  exit 1
fi
echo "report-screenshots: $verdict, as Chromium shows $report/report.html" >&2
if $check_only; then
  exit 0
fi

# Screenshots: each section from its heading down, one window high. (Chromium's --screenshot of
# report.html#section leaves what scrolled off blank, so the page is cut to the title and section.)
shoot() { # name section height
  cat > "$work/section.js" <<EOF
<script>
window.addEventListener('load', () => {
  const heading = document.getElementById('$2');
  const title = document.querySelector('h1');
  while (heading.previousSibling && heading.previousSibling !== title) heading.previousSibling.remove();
});
</script>
EOF
  sed -e "/<\/body>/{r $work/section.js" -e "}" "$report/report.html" > "$report/section.html"
  browse --window-size="$width,$3" --screenshot="$out/report-$1.png" "file://$report/section.html" > /dev/null
  rm "$report/section.html"
}
shoot summary summary 1250
shoot plots plots 2100
shoot rollouts rollouts 1100
if command -v pngquant > /dev/null; then
  pngquant --force --skip-if-larger --quality=60-90 --ext .png "$out"/report-*.png || true
else
  echo "report-screenshots: pngquant not installed: screenshots left uncompressed" >&2
fi
ls -l "$out"/report-*.png >&2
