# Every lesson's recordings as a handout and a viewer need them: the
# picture follows the rules (picturecheck.py on its display list: no text
# over another or outside its panel, no two rows of one name, no empty row,
# every step title whole); the JSON draws right in every Trace Event viewer
# (jsoncheck.py: no slices that overlap in doubles, no tid 0, every flow end
# inside a slice, no OS pid, nothing at ts 0). The PNGs (opaque, 2x density)
# and the same bytes every time: test_lesson_recordings.sh.
. tests/cli/lib.sh
n=0
for lesson in lessons/[0-9]*.lua; do
  name=$(basename "$lesson" .lua)
  $BIN --headless --auto --clock virtual --speed 0 --record "$T/$name.json" \
    --record "$T/$name.dl" "$lesson" > "$T/log" 2>&1 || fail "$name: $(tail -5 "$T/log")"
  n=$((n + 1))
done
[ "$n" -ge 19 ] || fail "only $n lessons found"
python3 tests/cli/picturecheck.py "$T"/*.dl > "$T/check" || fail "$(cat "$T/check")"
python3 tests/cli/jsoncheck.py --any "$T"/*.json > "$T/check" || fail "$(cat "$T/check")"
# processes go by their order (1, 2, ...), never by this run's OS pid
! grep -l "\"pid\":$$[,}]" "$T"/*.json || fail "an OS pid in the JSON"
echo "ok: $n lessons"
