#!/usr/bin/env bash
# The steps of the trailaudit GitHub Action (action.yml), one phase per call:
#   run.sh prepare   check inputs; decide how trailaudit is installed (release binary, source build
#                    or a given binary) and which release; outputs mode, tag, target, release-url,
#                    cache-key, cache-restore-key, upload
#   run.sh install   download the release archive and verify its SHA-256 against the release's
#                    SHA256SUMS before anything runs, or build from the action's source
#                    (cargo install --locked), or take the given binary; outputs binary, version
#   run.sh audit     run the audit, append the Markdown report to $GITHUB_STEP_SUMMARY, set the outputs;
#                    never fails because of findings (the SARIF upload comes after it)
#   run.sh conclude  fail the step per fail-on, once the report and the upload are done
# Inputs arrive as TA_* environment variables, never spliced into code.
# tests/action.rs runs these steps as the runner would, against a release served from 127.0.0.1.
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

boolean() { # name value
  case "$2" in
    true | false) ;;
    *) die "$1 must be true or false (got '$2')" ;;
  esac
}

# SHA-256 of a file, in hex: sha256sum on Linux, shasum on macOS runners.
sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -c1-64
  else
    shasum -a 256 "$1" | cut -c1-64
  fi
}

# The value of `version = "..."` in the [package] table of the action's Cargo.toml.
crate_version() {
  sed -n '/^\[package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' "${GITHUB_ACTION_PATH:?}/Cargo.toml" | head -n 1
}

# The release target (Rust triple) of this runner, from RUNNER_OS / RUNNER_ARCH.
runner_target() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    *) die "no trailaudit release binary for runner ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; use install: source" ;;
  esac
}

# owner/name of the action's repository: github.action_repository, else the
# runner's checkout path (…/_actions/<owner>/<name>/<ref>), else Cargo.toml's
# `repository`.
action_repository() {
  if [ -n "${TA_ACTION_REPOSITORY:-}" ]; then
    printf '%s\n' "$TA_ACTION_REPOSITORY"
    return
  fi
  case "${GITHUB_ACTION_PATH:?}" in
    */_actions/*/*/*)
      local rest="${GITHUB_ACTION_PATH#*/_actions/}"
      printf '%s\n' "$(cut -d/ -f1-2 <<<"$rest")"
      return
      ;;
  esac
  sed -n 's|^repository = "https://github.com/\(.*\)"$|\1|p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1
}

# The ref in `uses: owner/name@<ref>`: github.action_ref, else the last part of
# the runner's checkout path; empty for a local action (`uses: ./`).
action_ref() {
  if [ -n "${TA_ACTION_REF:-}" ]; then
    printf '%s\n' "$TA_ACTION_REF"
    return
  fi
  case "${GITHUB_ACTION_PATH:?}" in
    */_actions/*/*/*) printf '%s\n' "$(basename "$GITHUB_ACTION_PATH")" ;;
  esac
}

# URL of a release asset: <base>/download/<tag>/<name>, or <base>/latest/download/<name>
# (the URL layout of GitHub releases).
asset_url() { # tag name
  if [ "$1" = latest ]; then
    printf '%s/latest/download/%s\n' "$RELEASE_URL" "$2"
  else
    printf '%s/download/%s/%s\n' "$RELEASE_URL" "$1" "$2"
  fi
}

# Downloads a URL to a file; fails on HTTP errors. Redirects (GitHub sends
# release downloads to its storage) must stay on HTTPS.
download() { # url file
  curl --fail --silent --show-error --location --retry 3 --retry-delay 2 \
    --proto '=https,http' --proto-redir '=https' --output "$2" "$1"
}

prepare() {
  fail_on_flag >/dev/null
  command -v jq >/dev/null || die "jq is required (preinstalled on GitHub-hosted runners)"
  boolean upload-sarif "${TA_UPLOAD_SARIF:-true}"
  output upload "${TA_UPLOAD_SARIF:-true}"
  boolean fail-on-new "${TA_FAIL_ON_NEW:-false}"
  if [ "${TA_FAIL_ON_NEW:-false}" = true ] && [ -z "${TA_BASELINE:-}" ]; then
    die "fail-on-new needs the baseline input (a previous JSON report)"
  fi

  local version="${TA_VERSION:-auto}" install="${TA_INSTALL:-release}" mode tag=""
  case "$version" in
    auto | latest) ;;
    v[0-9]* | [0-9]*)
      [[ "$version" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "version must be auto, latest or a release such as v1.2.3 (got '$version')"
      ;;
    *) die "version must be auto, latest or a release such as v1.2.3 (got '$version')" ;;
  esac
  local own
  own="v$(crate_version)"
  [ "$own" != v ] || die "no package version in the action's Cargo.toml"
  RELEASE_URL="${TA_RELEASE_URL:-}"
  if [ -z "$RELEASE_URL" ]; then
    local repo
    repo="$(action_repository)"
    [ -n "$repo" ] || die "cannot tell the action's repository; set release-url"
    RELEASE_URL="https://github.com/$repo/releases"
  fi
  RELEASE_URL="${RELEASE_URL%/}"

  case "$install" in
    prebuilt | source)
      [ "$install" = source ] || [ -n "${TA_BINARY:-}" ] || die "install 'prebuilt' needs the binary input"
      [ "$version" = auto ] || echo "::warning title=trailaudit::version '$version' is ignored with install: $install"
      mode="$install"
      ;;
    release)
      mode=release
      case "$version" in
        latest) tag=latest ;;
        v*) tag="$version" ;;
        [0-9]*) tag="v$version" ;;
        auto)
          # The release this very action belongs to: its tag, or a commit SHA
          # that the release of the same version was built from. Any other ref
          # (a branch, a local checkout) has no release: build that source.
          local ref
          ref="$(action_ref)"
          if [ "$ref" = "$own" ]; then
            tag="$own"
          elif [[ "$ref" =~ ^[0-9a-f]{40}$ ]]; then
            local commit_file="${RUNNER_TEMP:?RUNNER_TEMP is not set}/trailaudit-source-commit.txt"
            if download "$(asset_url "$own" source-commit.txt)" "$commit_file" 2>/dev/null &&
              [ "$(tr -d '[:space:]' <"$commit_file")" = "$ref" ]; then
              tag="$own"
            else
              echo "::notice title=trailaudit::commit $ref is not the commit of release $own; building trailaudit from source"
              mode=source
            fi
          else
            echo "::notice title=trailaudit::the action's ref '${ref:-(local)}' is not a release; building trailaudit from source (pin a release tag, or its commit SHA, to install the release binary)"
            mode=source
          fi
          ;;
      esac
      if [ "$mode" = release ] && [ "$tag" != latest ] && [ "$tag" != "$own" ]; then
        echo "::warning title=trailaudit::release $tag differs from this action's version $own; the action's steps were written for $own"
      fi
      ;;
    *) die "install must be release, source or prebuilt (got '$install')" ;;
  esac

  output mode "$mode"
  output tag "$tag"
  output release-url "$RELEASE_URL"
  if [ "$mode" = release ]; then
    output target "$(runner_target)"
  else
    output target ""
  fi
  if [ "$mode" = source ]; then
    local lock="${GITHUB_ACTION_PATH:?}/Cargo.lock"
    [ -f "$lock" ] || die "no Cargo.lock in the action's source ($lock)"
    local prefix="trailaudit-source-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-"
    output cache-key "$prefix$(sha256 "$lock")"
    output cache-restore-key "$prefix"
  else
    output cache-key "" && output cache-restore-key ""
  fi
}

# Downloads trailaudit-<target>.tar.gz and SHA256SUMS of release $TA_TAG,
# checks the archive's SHA-256 against its line in SHA256SUMS, and only then
# unpacks it. Prints the path of the binary.
install_release() {
  local tag="${TA_TAG:?}" target="${TA_TARGET:?}"
  RELEASE_URL="${TA_RELEASE_URL:?}"
  local archive="trailaudit-$target.tar.gz"
  local dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/trailaudit-release"
  rm -rf "$dir"
  mkdir -p "$dir/download"
  local started=$SECONDS
  download "$(asset_url "$tag" SHA256SUMS)" "$dir/download/SHA256SUMS" || die "cannot download SHA256SUMS of release $tag from $RELEASE_URL"
  download "$(asset_url "$tag" "$archive")" "$dir/download/$archive" || die "cannot download $archive of release $tag from $RELEASE_URL"
  local expected actual
  expected="$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1 }' "$dir/download/SHA256SUMS")"
  if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
    rm -rf "$dir"
    die "SHA256SUMS of release $tag has no checksum for $archive; nothing was installed or run"
  fi
  actual="$(sha256 "$dir/download/$archive")"
  if [ "$actual" != "$expected" ]; then
    rm -rf "$dir"
    die "checksum mismatch for $archive of release $tag: SHA256SUMS says $expected, the download is $actual; nothing was installed or run"
  fi
  echo "$archive: SHA-256 $actual matches SHA256SUMS" >&2
  tar -xzf "$dir/download/$archive" -C "$dir"
  local bin="$dir/trailaudit-$target/trailaudit"
  [ -x "$bin" ] || die "$archive of release $tag holds no trailaudit-$target/trailaudit"
  echo "trailaudit $tag ($target) installed in $((SECONDS - started))s" >&2
  printf '%s\n' "$bin"
}

install() {
  local bin
  case "${TA_MODE:?}" in
    prebuilt)
      bin="${TA_BINARY:?}"
      [ -x "$bin" ] || die "binary '$bin' is not an executable file"
      ;;
    release) bin="$(install_release)" ;;
    source)
      command -v cargo >/dev/null || die "cargo is required to build trailaudit from source (or use install: release)"
      # The same directory the cache steps restore and save: registry in ~/.cargo, build and binary here.
      local root="$HOME/.cache/trailaudit"
      local started=$SECONDS
      CARGO_TARGET_DIR="$root/target" cargo install --locked --force --path "${GITHUB_ACTION_PATH:?}" --root "$root"
      echo "trailaudit built from source in $((SECONDS - started))s"
      bin="$root/bin/trailaudit"
      ;;
    *) die "unknown install mode '${TA_MODE}'" ;;
  esac
  local version
  version="$("$bin" --version)" || die "'$bin --version' failed"
  version="${version#trailaudit }"
  echo "trailaudit $version"
  if [ "$TA_MODE" = release ] && [ "${TA_TAG:-}" != latest ] && [ "v$version" != "$TA_TAG" ]; then
    die "release $TA_TAG holds trailaudit $version"
  fi
  output version "$version"
  output binary "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
}

# `<organization id>[-shard-<indices>-of-<count>]` of an organization-wide
# snapshot (its top-level `organization`), empty for any other. Streamed, and
# only up to `accounts`: the scope comes first, the accounts can be large.
organization_scope() { # snapshot
  jq -n -r --stream '
    [label $done | inputs | if .[0][0] == "accounts" then break $done else . end
      | select(length == 2 and .[0][0] == "organization") | .[0][1:] as $p
      | if $p == ["id"] then {id: .[1]} elif $p == ["shards", "count"] then {count: .[1]}
        elif $p[0:2] == ["shards", "indices"] then {indices: [.[1]]} else empty end]
    | reduce .[] as $x ({}; .id = ($x.id // .id) | .count = ($x.count // .count) | .indices += ($x.indices // []))
    | select(.id) | .id + (if .count then "-shard-\(.indices | map(tostring) | join("+"))-of-\(.count)" else "" end)' "$1"
}

# The code scanning category of this audit, so that matrix legs (one account,
# one shard or one snapshot each) do not replace each other's alerts:
# trailaudit-<organization>[-shard-<k>-of-<n>] for an organization snapshot,
# trailaudit-<account> for a one-account snapshot, else
# trailaudit-<snapshot file name>; then -<framework> when one was chosen.
sarif_category() { # json snapshot
  local subject=""
  [ ! -f "$2" ] || subject="$(organization_scope "$2" 2>/dev/null)" || subject=""
  if [ -n "$subject" ]; then
    :
  elif [ "$(jq -r '.snapshot.accounts | length' "$1")" = 1 ]; then
    subject="$(jq -r '.snapshot.accounts[0]' "$1")"
  else
    subject="$(basename "$2" .json)"
  fi
  local category="trailaudit-$subject${TA_FRAMEWORK:+-$TA_FRAMEWORK}"
  printf '%s\n' "${category//[^A-Za-z0-9._+-]/-}"
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
  [ "${TA_FAIL_ON_NEW:-false}" != true ] || args+=(--fail-on-new)

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
    if [ -n "${TA_SARIF_CATEGORY:-}" ]; then
      output sarif-category "$TA_SARIF_CATEGORY"
    elif [ -f "$json" ]; then
      output sarif-category "$(sarif_category "$json" "$snapshot")"
    else
      output sarif-category trailaudit
    fi
  else
    output sarif-file "" && output sarif-category ""
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
      # fail-on: none waives findings, as the CLI's --fail-on none does; errors
      # (exit 3: data not collected, a rule broke) still fail the step, since
      # a result that could not be judged must never read as a pass.
      if [ "${TA_FAIL_ON:-}" = none ] && [ "$code" = 1 ]; then
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
