#!/usr/bin/env bash
# The moto server (PyPI `moto[server]`) in the project virtualenv `.venv`, used by
# the collector's integration tests and bench/collect.sh as a local AWS stand-in.
#   scripts/moto.sh install        create .venv and install the pinned moto if missing
#   scripts/moto.sh run PORT       run moto_server on 127.0.0.1:PORT in the foreground
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.5
venv=.venv

install() {
  if [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    return 0
  fi
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  echo "moto $MOTO_VERSION installed in $venv" >&2
}

case "${1:-install}" in
  install) install ;;
  run) install; exec "$venv/bin/moto_server" -H 127.0.0.1 -p "${2:?port}" ;;
  *) echo "usage: scripts/moto.sh install | run PORT" >&2; exit 2 ;;
esac
