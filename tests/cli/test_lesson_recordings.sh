# A recording on the virtual clock holds no OS pid and no wall time: the
# same lesson recorded twice is the same bytes in every format, and
# scripts/record-lessons.sh run twice writes the same files, its PNGs
# opaque and marked with their 2x density (pHYs).
. tests/cli/lib.sh
# The same lesson twice: the same bytes, in every format.
for i in 1 2; do
  $BIN --headless --auto --clock virtual --speed 0 --record "$T/r$i.svg" --record "$T/r$i.png" \
    --record "$T/r$i.json" lessons/11-deadlock.lua > /dev/null 2>&1 || fail "lesson 11, run $i"
done
for ext in svg png json; do
  cmp "$T/r1.$ext" "$T/r2.$ext" || fail "lesson 11 recorded twice: the .$ext files differ"
done
# The script that makes lessons/pictures: twice, the same files (its pages
# too; its animations, slow, are test_record_anim's). (Under a
# sanitizer 38 recordings twice outlast the test's time; lesson 11 above is
# the same check, and a sanitizer does not change what is written.)
if [ -n "${TL_SANITIZER:-}" ]; then echo "ok (record-lessons twice: release builds only)"; exit 0; fi
# (a failure names the lesson and its last lines)
said() { grep -A8 '^FAILED' "$T/log"; tail -1 "$T/log"; }
ANIM=0 scripts/record-lessons.sh "$T/p1" > "$T/log" 2>&1 || fail "record-lessons: $(said)"
cp -r "$T/p1" "$T/p2"
# Again over the same folder, as a teacher refreshing lessons/pictures does:
# every virtual-clock lesson (the process lessons too) draws the same
# bytes, and a real-clock lesson (the fork bomb's, lab.clock{clock =
# "real"}: one real run, different each time) is kept, so the folder, and
# git status, stay as they were.
ANIM=0 scripts/record-lessons.sh "$T/p2" > "$T/log" 2>&1 || fail "record-lessons again: $(said)"
expect_has "$(cat "$T/log")" "kept      36-" "a real-clock lesson's pictures kept"
diff -r "$T/p1" "$T/p2" > /dev/null || fail "record-lessons twice: $(diff -rq "$T/p1" "$T/p2" | head -3)"
[ "$(ls "$T/p1" | wc -l)" -ge 38 ] || fail "record-lessons wrote $(ls "$T/p1" | wc -l) files"
# Every PNG is opaque and says it is drawn at twice the pixels.
python3 tests/cli/pngcheck.py --density 2 --no-pixels "$T"/p1/*.png > "$T/check" ||
  fail "$(cat "$T/check")"
echo ok
