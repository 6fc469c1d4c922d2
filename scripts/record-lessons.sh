#!/usr/bin/env bash
# Records every lesson as a diagram for handouts and slides: headless,
# played through without pauses, on the virtual clock and unpaced, so the
# picture is the same every time. One SVG per lesson, named like the lesson
# (01-concepts.svg), and a PNG beside it when this threadlab writes PNG;
# then the HTML page to explore (01-concepts.html) and the animations
# (01-concepts.gif, 01-concepts.apng). Those three are not committed
# (.gitignore): re-recording them on every change would bloat the history.
# A lesson that plays on the real clock (lab.clock{clock = "real"}: the
# process lessons) draws one real run, different each time: its pictures
# are kept when they exist, so running this leaves the folder as it was
# unless a virtual-clock lesson changed; REAL=1 records them again too.
#   scripts/record-lessons.sh [DIR]     DIR defaults to lessons/pictures
#   TL_BIN   the threadlab binary (default ./threadlab)
#   ANIM=0   no animations (they take a few seconds a lesson)
# Exits non-zero when a lesson could not be recorded or its checks failed.
set -u
cd "$(dirname "$0")/.."
BIN=${TL_BIN:-./threadlab}
DIR=${1:-lessons/pictures}
[ -x "$BIN" ] || { echo "record-lessons: no $BIN (run make first)" >&2; exit 1; }
mkdir -p "$DIR" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# PNG comes with the timeline window's painter; older builds say the format
# is unknown, and then SVG is all we record.
formats=svg
if "$BIN" --headless -e '' --record "$tmp/probe.png" >/dev/null 2>"$tmp/probe.err" &&
   [ -s "$tmp/probe.png" ]; then
  formats="svg png html"
  [ "${ANIM:-1}" != 0 ] && formats="$formats gif apng"
else
  echo "record-lessons: no PNG from this threadlab ($(head -n 1 "$tmp/probe.err")); SVG only"
fi

recorded=0 failed=0
for lesson in lessons/[0-9]*.lua; do
  [ -f "$lesson" ] || continue
  name=$(basename "$lesson" .lua)
  # A real-clock lesson keeps each picture it has (the committed SVG and
  # PNG) and records only the forms missing (its page and animations,
  # which are not committed): a fresh checkout stays as it was.
  real=0
  [ "${REAL:-0}" != 1 ] && grep -q 'clock = "real"' "$lesson" && real=1
  args=() missing=""
  for ext in $formats; do
    [ "$real" = 1 ] && [ -f "$DIR/$name.$ext" ] && continue
    args+=(--record "$DIR/$name.$ext")
    missing="$missing $ext"
  done
  if [ -z "$missing" ]; then
    printf 'kept      %-32s (real clock: REAL=1 records it again)\n' "$name"
    continue
  fi
  if "$BIN" --headless --auto --clock virtual --speed 0 "${args[@]}" "$lesson" \
       >"$tmp/log" 2>&1 </dev/null; then
    recorded=$((recorded + 1))
    printf 'recorded  %-32s%s\n' "$name" "$missing"
  else
    failed=$((failed + 1))
    printf 'FAILED    %s\n' "$name"
    tail -n 8 "$tmp/log" | sed 's/^/          | /'
  fi
done
echo "$recorded recorded into $DIR, $failed failed"
[ "$failed" -eq 0 ]
