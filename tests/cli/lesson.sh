# One lesson as a test (tests/run.sh runs each lesson through this): it
# plays through headless on the virtual clock, unpaced, and passes its
# expect checks; and what it records follows the rules: its picture's
# display list passes picturecheck.py (no text over another or outside its
# panel, no two rows of one name, no empty row, every step title whole),
# its Chrome JSON passes jsoncheck.py (no slices that overlap in doubles, no
# tid 0, every flow end inside a slice, nothing at ts 0) and holds no OS pid.
#   bash tests/cli/lesson.sh LESSON.lua
. tests/cli/lib.sh
$BIN --headless --auto --clock virtual --speed 0 --record "$T/lesson.dl" \
  --record "$T/lesson.json" "$1" </dev/null &
pid=$!
wait $pid || exit $?
python3 tests/cli/picturecheck.py "$T/lesson.dl" || fail "the picture's rules"
python3 tests/cli/jsoncheck.py --any "$T/lesson.json" || fail "the JSON"
! grep -q "\"pid\":$pid[,}]" "$T/lesson.json" || fail "its OS pid ($pid) in the JSON"
