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
