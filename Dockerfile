# trailaudit container image: the static (musl) binary on distroless/static.
#
#   docker build -t trailaudit .
#   docker run --rm --read-only -v "$PWD:/work" -w /work trailaudit audit --snapshot snapshot.json
#
# Build stage: Rust on Alpine, whose native target is musl, so the binary
# needs no libc at run time (ring and mimalloc, the only C code, are linked in).
# Final stage: gcr.io/distroless/static (CA certificates, /etc/passwd with
# nonroot = 65532, tzdata; no shell, no package manager). The binary writes
# only where it is told (reports, snapshots; temporary files beside them and
# in $TMPDIR), so the image runs with a read-only root file system.
# Base images are pinned by digest (the tag beside it says what it is);
# .github/dependabot.yml proposes updates.

FROM rust:1.95-alpine@sha256:606fd313a0f49743ee2a7bd49a0914bab7deedb12791f3a846a34a4711db7ed2 AS build
WORKDIR /src
# .dockerignore lets in only what the build reads: the manifest, the lock
# file, build.rs, src/ and policies/ (embedded in the binary).
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin trailaudit \
 && install -D -m 0755 target/release/trailaudit /out/trailaudit
# Refuse a binary that would need a dynamic loader (it could not start on
# distroless/static). No pipe: readelf writes to a file grep then reads.
RUN readelf --program-headers --dynamic /out/trailaudit >/tmp/elf \
 && if grep -e 'program interpreter' -e NEEDED /tmp/elf; then \
      echo "trailaudit is dynamically linked" >&2; exit 1; \
    fi \
 && /out/trailaudit --version

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
LABEL org.opencontainers.image.title="trailaudit" \
      org.opencontainers.image.description="Audit how AWS CloudTrail is set up, as policy-as-code (Rego)" \
      org.opencontainers.image.source="https://github.com/trailaudit/trailaudit" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/trailaudit /usr/local/bin/trailaudit
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/trailaudit"]
CMD ["--help"]
