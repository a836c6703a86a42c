#!/usr/bin/env bash
# The steps of the trailaudit GitHub Action (action.yml), one phase per call:
#   run.sh prepare   check inputs; outputs mode, upload, lock-hash
#   run.sh install   build from the action's source (cargo install --locked) or use a prebuilt binary; output binary
#   run.sh audit     run the audit, append the Markdown report to $GITHUB_STEP_SUMMARY, set the outputs;
#                    never fails because of findings (the SARIF upload comes after it)
#   run.sh conclude  fail the step per fail-on, once the report and the upload are done
# Inputs arrive as TA_* environment variables, never spliced into code.
# tests/action.rs runs these steps as the runner would.
set -euo pipefail

die() {
  echo "::error title=trailaudit::$*" >&2
  exit 2
}

# Writes name=value to $GITHUB_OUTPUT. A value with a line break could forge
# other outputs, so it is refused.
output() {
  case "$2" in
    *$'\n'* | *$'\r'*) die "output $1 would contain a line break" ;;
  esac
  printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

fail_on_flag() {
  case "${TA_FAIL_ON:-}" in
    "" | none) ;;
    critical | high | medium | low | info) printf '%s\n' "$TA_FAIL_ON" ;;
    *) die "fail-on must be critical, high, medium, low, info or none (got '${TA_FAIL_ON}')" ;;
  esac
}

prepare() {
  fail_on_flag >/dev/null
  command -v jq >/dev/null || die "jq is required (preinstalled on GitHub-hosted runners)"
  case "${TA_UPLOAD_SARIF:-true}" in
    true | false) output upload "${TA_UPLOAD_SARIF:-true}" ;;
    *) die "upload-sarif must be true or false (got '${TA_UPLOAD_SARIF}')" ;;
  esac
  case "${TA_VERSION:-source}" in
    source)
      local lock="${GITHUB_ACTION_PATH:?}/Cargo.lock"
      [ -f "$lock" ] || die "no Cargo.lock in the action's source ($lock)"
      output mode source
      output lock-hash "$(sha256sum "$lock" | cut -c1-64)"
      ;;
    prebuilt)
      [ -n "${TA_BINARY:-}" ] || die "version 'prebuilt' needs the binary input"
      output mode prebuilt
      ;;
    *) die "version must be 'source' or 'prebuilt' (got '${TA_VERSION}')" ;;
  esac
}

install() {
  local bin
  case "${TA_MODE:?}" in
    prebuilt)
      bin="${TA_BINARY:?}"
      [ -x "$bin" ] || die "binary '$bin' is not an executable file"
      ;;
    source)
      command -v cargo >/dev/null || die "cargo is required to build trailaudit from source (or use version: prebuilt)"
      # The same directory the cache step saves: registry in ~/.cargo, build and binary here.
      local root="$HOME/.cache/trailaudit"
      local started=$SECONDS
      CARGO_TARGET_DIR="$root/target" cargo install --locked --force --path "${GITHUB_ACTION_PATH:?}" --root "$root"
      echo "trailaudit installed in $((SECONDS - started))s"
      bin="$root/bin/trailaudit"
      ;;
    *) die "unknown install mode '${TA_MODE}'" ;;
  esac
  "$bin" --version
  output binary "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
}

audit() {
  local bin="${TA_BIN:?the install step did not name a binary}"
  local tmp="${RUNNER_TEMP:?RUNNER_TEMP is not set}"
  local markdown="$tmp/trailaudit-summary.md" stderr="$tmp/trailaudit-stderr.txt"
  local json="${TA_JSON_FILE:-}"
  [ -n "$json" ] || json="$tmp/trailaudit-report.json"
  rm -f "$markdown" "$json"
  mkdir -p "$(dirname "$json")"
  if [ -n "${TA_SARIF_FILE:-}" ]; then
    rm -f "$TA_SARIF_FILE"
    mkdir -p "$(dirname "$TA_SARIF_FILE")"
  fi

  # GitHub refuses a step summary over 1 MiB (and then shows none): keep the
  # report under it; findings beyond are counted, and the JSON lists them all.
  local args=(audit --format text --markdown "$markdown" --markdown-max-bytes 1000000 --json "$json")
  [ -z "${TA_SARIF_FILE:-}" ] || args+=(--sarif "$TA_SARIF_FILE")
  local snapshot
  if [ -n "${TA_SNAPSHOT:-}" ]; then
    snapshot="$TA_SNAPSHOT"
    args+=(--snapshot "$snapshot")
    [ -z "${TA_REGIONS:-}" ] || echo "::warning title=trailaudit::regions is ignored when auditing a recorded snapshot"
  else
    snapshot="${TA_SAVE_SNAPSHOT:-trailaudit-snapshot.json}"
    mkdir -p "$(dirname "$snapshot")"
    args+=(--save-snapshot "$snapshot")
    [ -z "${TA_REGIONS:-}" ] || args+=(--regions "$TA_REGIONS")
  fi
  [ -z "${TA_CONFIG:-}" ] || args+=(--config "$TA_CONFIG")
  local dir
  while IFS= read -r dir; do
    dir="${dir#"${dir%%[![:space:]]*}"}"
    dir="${dir%"${dir##*[![:space:]]}"}"
    [ -z "$dir" ] || args+=(--policy-dir "$dir")
  done <<<"${TA_POLICY_DIR:-}"
  [ -z "${TA_FRAMEWORK:-}" ] || args+=(--framework "$TA_FRAMEWORK")
  local fail_on
  fail_on="$(fail_on_flag)"
  [ -z "$fail_on" ] || args+=(--fail-on "$fail_on")
  [ -z "${TA_BASELINE:-}" ] || args+=(--baseline "$TA_BASELINE")

  # The report quotes AWS strings: stop the runner reading workflow commands
  # (`::error::`, `::add-mask::`) in it while it prints.
  local token code=0
  token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  echo "::stop-commands::$token"
  "$bin" "${args[@]}" 2>"$stderr" || code=$?
  cat "$stderr" >&2
  echo "::$token::"
  output exit-code "$code"

  local summary="${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}"
  if [ -f "$markdown" ]; then
    cat "$markdown" >>"$summary"
  else
    {
      echo "# trailaudit: could not run (exit $code)"
      echo
      echo '```text'
      # Error text can carry input strings: keep it inside a fence it cannot close.
      sed 's/```/` ` `/g' "$stderr"
      echo '```'
    } >>"$summary"
  fi

  if [ -f "$json" ]; then
    output passed "$(jq -r '.summary.by_status.pass' "$json")"
    output failed "$(jq -r '.summary.by_status.fail' "$json")"
    output errors "$(jq -r '.summary.by_status.error' "$json")"
    output new "$(jq -r '.summary.baseline.new // empty' "$json")"
    output json-file "$json"
  else
    output passed "" && output failed "" && output errors "" && output new "" && output json-file ""
  fi
  if [ -n "${TA_SARIF_FILE:-}" ] && [ -f "$TA_SARIF_FILE" ]; then
    output sarif-file "$TA_SARIF_FILE"
  else
    output sarif-file ""
  fi
  if [ -f "$snapshot" ]; then output snapshot-file "$snapshot"; else output snapshot-file ""; fi
  echo "trailaudit exited with $code"
}

conclude() {
  local code="${TA_EXIT_CODE:-}"
  [ -n "$code" ] || die "the audit step recorded no exit code"
  case "$code" in
    0) echo "trailaudit: nothing failing at the fail-on threshold, no errors" ;;
    1 | 3)
      if [ "${TA_FAIL_ON:-}" = none ]; then
        echo "::warning title=trailaudit::exit $code ignored (fail-on: none)"
        return 0
      fi
      if [ "$code" = 1 ]; then
        echo "::error title=trailaudit::failing results at or above fail-on (see the job summary)"
      else
        echo "::error title=trailaudit::some results are errors: data could not be collected or a rule broke (see the job summary)"
      fi
      exit "$code"
      ;;
    *)
      echo "::error title=trailaudit::trailaudit could not run (exit $code; see the audit step's log)"
      exit "$code"
      ;;
  esac
}

case "${1:-}" in
  prepare | install | audit | conclude) "$1" ;;
  *) die "usage: run.sh prepare|install|audit|conclude" ;;
esac
