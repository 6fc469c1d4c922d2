# --record x.gif and x.apng: the lesson's timeline growing, held at its
# steps, ending on the still picture: the last frame is the still PNG (the
# same pixels in APNG; in GIF each within its 256 colours' reach), at most
# 5 MB, the same bytes from two recordings; the pace options change the
# frame count, and a bad pace is refused.
. tests/cli/lib.sh
# Under a sanitizer painting frames is slow: fewer of them, the same checks.
pace=() few=20 slow=(--anim-fps 2 --anim-seconds 5)
[ -n "${TL_SANITIZER:-}" ] && pace=(--anim-fps 2 --anim-seconds 6) few=4
rec() {
  $BIN --headless --auto --clock virtual --speed 0 ${pace[@]+"${pace[@]}"} "$@" lessons/11-deadlock.lua \
    > "$T/out" 2>&1 || fail "recording: $(tail -n 5 "$T/out")"
}
rec --record "$T/d.gif" --record "$T/d.apng" --record "$T/d.png"
if [ -z "${TL_SANITIZER:-}" ]; then
  rec --record "$T/e.gif" --record "$T/e.apng"
  cmp "$T/d.apng" "$T/e.apng" || fail "two APNG recordings differ"
else
  rec --record "$T/e.gif"
fi
cmp "$T/d.gif" "$T/e.gif" || fail "two GIF recordings differ"
python3 tests/cli/animcheck.py "$T/d.gif" "$T/d.png" --frames "$few" 200 --max-bytes 5000000 \
  --dump 0 "$T/first.png" > "$T/gif" || fail "the GIF: $(cat "$T/gif")"
# (decoding APNG in Python is slow: a sanitizer run, there for the C code,
# checks the GIF only)
[ -n "${TL_SANITIZER:-}" ] || python3 tests/cli/animcheck.py "$T/d.apng" "$T/d.png" \
  --frames "$few" 200 --max-bytes 5000000 || fail "the APNG"
# the first frame is a step held with its caption, not the end
python3 tests/cli/pngcheck.py "$T/first.png" 2000 1000 > /dev/null || fail "the first frame is blank"
cmp -s "$T/first.png" "$T/d.png" && fail "the first frame is the end"
$BIN --headless --anim-fps 0 --record "$T/x.gif" -e 'x = 1' 2> "$T/err"
expect_eq "$?" "2" "a bad --anim-fps refused"
expect_has "$(cat "$T/err")" "--anim-fps takes frames a second" "and explained"
# a slower, shorter pace: fewer frames (release builds: a sanitizer's
# frames are slow, and the pace does not depend on it)
[ -n "${TL_SANITIZER:-}" ] && { echo "ok (the pace options: release builds only)"; exit 0; }
rec "${slow[@]}" --record "$T/s.gif" --record "$T/s.png"
n=$(python3 tests/cli/animcheck.py "$T/s.gif" "$T/s.png" | sed 's/.*frames=\([0-9]*\).*/\1/')
m=$(sed 's/.*frames=\([0-9]*\).*/\1/' "$T/gif")
[ "$n" -lt "$m" ] || fail "${slow[*]} gave $n frames, ${pace[*]:-the default} $m"
echo ok
