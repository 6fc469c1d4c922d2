# Every lesson's recordings as a viewer and a handout need them: the JSON
# draws right in every Trace Event viewer (jsoncheck.py: no slices that
# overlap in doubles, no tid 0, every flow end inside a slice, no OS pid,
# nothing at ts 0); the PNG is opaque and says its 2x density; and a
# recording on the virtual clock is the same bytes every time: lesson 11
# twice, and scripts/record-lessons.sh twice over every lesson.
. tests/cli/lib.sh
n=0
for lesson in lessons/[0-9]*.lua; do
  name=$(basename "$lesson" .lua)
  $BIN --headless --auto --clock virtual --speed 0 --record "$T/$name.json" \
    --record "$T/$name.png" "$lesson" > "$T/log" 2>&1 || fail "$name: $(tail -5 "$T/log")"
  python3 tests/cli/jsoncheck.py --any "$T/$name.json" > "$T/check" || fail "$(cat "$T/check")"
  python3 tests/cli/pngcheck.py --density 2 --no-pixels "$T/$name.png" 1000 200 > "$T/check" ||
    fail "$(cat "$T/check")"
  grep -q "\"pid\":$$\b" "$T/$name.json" && fail "$name.json holds an OS pid"
  n=$((n + 1))
done
[ "$n" -ge 19 ] || fail "only $n lessons found"
# The same lesson twice: the same bytes, in every format.
for i in 1 2; do
  $BIN --headless --auto --clock virtual --speed 0 --record "$T/r$i.svg" --record "$T/r$i.png" \
    --record "$T/r$i.json" lessons/11-deadlock.lua > /dev/null 2>&1 || fail "lesson 11, run $i"
done
for ext in svg png json; do
  cmp "$T/r1.$ext" "$T/r2.$ext" || fail "lesson 11 recorded twice: the .$ext files differ"
done
# The script that makes lessons/pictures: twice, the same files.
scripts/record-lessons.sh "$T/p1" > "$T/log" 2>&1 || fail "record-lessons: $(tail -5 "$T/log")"
scripts/record-lessons.sh "$T/p2" > "$T/log" 2>&1 || fail "record-lessons again: $(tail -5 "$T/log")"
diff -r "$T/p1" "$T/p2" > /dev/null || fail "record-lessons twice: $(diff -rq "$T/p1" "$T/p2" | head -3)"
[ "$(ls "$T/p1" | wc -l)" -ge 38 ] || fail "record-lessons wrote $(ls "$T/p1" | wc -l) files"
echo "ok: $n lessons"
