# Shared by the bench scripts (sourced, not run): the GNU time they measure
# peak memory with, and how its report is read.

# Exits 2 with the package to install when /usr/bin/time is not GNU time.
require_gnu_time() {
    if ! /usr/bin/time -v true >/dev/null 2>&1; then
        echo "bench: GNU time is needed for peak memory: apt-get install -y time" >&2
        exit 2
    fi
}

# "seconds peak_MB" from a GNU time -v report.
time_figures() {
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
        /Maximum resident set size/ { kb = $2 }
        END { printf "%.2f %.1f\n", s, kb / 1024 }' "$1"
}

# Starts moto on a free port of 127.0.0.1 with fake static credentials and no
# user AWS configuration; sets URL and stops the server when the script exits.
# $1: the file moto's log goes to.
start_moto() {
    export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=bench-not-a-secret AWS_REGION=us-east-1
    export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_MAX_ATTEMPTS AWS_RETRY_MODE
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    URL="http://127.0.0.1:$port"
    .venv/bin/moto_server -H 127.0.0.1 -p "$port" >"$1" 2>&1 &
    MOTO_PID=$!
    trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
    for _ in $(seq 100); do
        curl -sf "$URL/moto-api/" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "bench: moto did not start on $URL" >&2
    exit 1
}
