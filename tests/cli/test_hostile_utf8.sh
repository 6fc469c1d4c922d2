# Names that are not UTF-8 (a surrogate, an overlong form) come out of
# every writer as U+FFFD: the views share one strict decoder, so the JSON
# is valid UTF-8 as the SVG is (the JSON writer once let a surrogate through).
. tests/cli/lib.sh
code='t = threading.Thread{name="a\xED\xA0\x80b\xC0\xAFc", target=function() end}; t:start(); t:join()'
$BIN --headless --record "$T/h.json" --record "$T/h.svg" -e "$code" || fail "recording"
for f in h.json h.svg; do
  python3 -c "import sys; open(sys.argv[1], 'rb').read().decode('utf-8')" "$T/$f" 2>/dev/null ||
    fail "$f is not valid UTF-8"
done
names=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
print([e['args']['name'] for e in d['traceEvents'] if e.get('name') == 'thread_name'][-1])" "$T/h.json")
expect_eq "$names" "a�b�c" "the JSON's thread name"
expect_has "$(cat "$T/h.svg")" "a�b�c" "the SVG's thread name"
echo ok
