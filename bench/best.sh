# Sourced by the bench scripts: `best CMD...` runs CMD `$runs` times (stdout discarded) and prints
# the shortest wall-clock time in seconds.
best() {
  local best=""
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null
    t1=$(date +%s.%N)
    local dt; dt=$(awk "BEGIN { print $t1 - $t0 }")
    if [ -z "$best" ] || awk "BEGIN { exit !($dt < $best) }"; then best=$dt; fi
  done
  echo "$best"
}
