//! Small filesystem helpers shared by the snapshot writer and the reporters.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: a reader sees the old file or the new
/// one, never half of it (temporary file in the same directory, then rename).
///
/// A path that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a
/// FIFO) is written in place: renaming over a device node would replace it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// [`write_atomic`] for content produced as it is written (a large report):
/// `write` gets a buffered writer; if it fails, the file at `path` is left as it was.
///
/// A regular file that is read-only is not replaced (renaming over it would
/// succeed, silently discarding the protection): that is an error.
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && meta.permissions().readonly()
    {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "the file is read-only; it was not replaced"));
    }
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        let mut out = std::io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        write(&mut out)?;
        return out.flush();
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".trailaudit-").suffix(".tmp");
    // tempfile creates 0600 files; a report or snapshot should be as readable
    // as any file the user writes (0644 before umask), or keep its old mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    if !dir.is_dir() {
        let what = if dir.exists() { "is not a directory" } else { "does not exist" };
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, format!("directory {} {what}", dir.display())));
    }
    // tempfile's errors name the temporary file (`... at path "dir/.trailaudit-x1y2.tmp"`),
    // a name the user never chose and cannot find afterwards: keep the cause only.
    let tmp = builder.tempfile_in(dir).map_err(|e| {
        let text = e.to_string();
        std::io::Error::new(e.kind(), text.split(" at path ").next().unwrap_or(&text).to_owned())
    })?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, tmp);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(std::io::IntoInnerError::into_error)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// One file a command reads or writes, with the option that names it.
#[derive(Debug, Clone, Copy)]
pub struct Named<'a> {
    pub option: &'a str,
    pub path: &'a Path,
}

/// Refuses, before any work, a set of files where an output would overwrite
/// an input (`--output` = `--snapshot`) or another output (`--json X --sarif X`:
/// one report would be lost). Files are compared by identity (device and inode)
/// when they exist, else by canonical directory and name, so `./a.json`,
/// `a.json` and a hard link are one file. Outputs that are not regular files
/// (`/dev/null`, `/dev/stdout`) may be shared.
pub fn check_distinct(inputs: &[Named<'_>], outputs: &[Named<'_>]) -> Result<(), String> {
    let keyed: Vec<(Named<'_>, Option<FileKey>)> = outputs.iter().map(|o| (*o, file_key(o.path))).collect();
    for (i, (out, key)) in keyed.iter().enumerate() {
        let Some(key) = key else { continue };
        if let Some(input) = inputs.iter().find(|input| file_key(input.path).as_ref() == Some(key)) {
            return Err(format!(
                "{} {} is the same file as {} {}: writing it would destroy the input; choose another path",
                out.option,
                out.path.display(),
                input.option,
                input.path.display()
            ));
        }
        if let Some((other, _)) = keyed[..i].iter().find(|(_, k)| k.as_ref() == Some(key)) {
            return Err(format!(
                "{} {} and {} {} are the same file: one report would replace the other; give each its own path",
                other.option,
                other.path.display(),
                out.option,
                out.path.display()
            ));
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum FileKey {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(std::path::PathBuf),
}

/// What identifies the file at `path`; `None` for something that is not a
/// regular file (a device, a FIFO), which any number of options may name.
fn file_key(path: &Path) -> Option<FileKey> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => None,
        #[cfg(unix)]
        Ok(meta) => {
            use std::os::unix::fs::MetadataExt;
            Some(FileKey::Inode(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        Ok(_) => std::fs::canonicalize(path).ok().map(FileKey::Path),
        Err(_) => {
            let name = path.file_name()?;
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            Some(FileKey::Path(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()).join(name)))
        }
    }
}

static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Notes whether standard output was closed (`>&-`) when the process
/// started, first thing in `main`. On Unix, Rust's runtime then opens
/// `/dev/null` on descriptor 1, read-write (a shell's `>/dev/null` opens it
/// write-only), so what is written there would be discarded without an error;
/// where no runtime reopens it, std discards writes to the closed descriptor
/// (EBADF) just as silently. [`check_stdout_open`] fails instead. Only std is
/// used (no `/proc`): it holds on every Unix. Elsewhere nothing is noted; a
/// pipe closed by its reader is an error on every platform ([`write_error`]).
pub fn note_closed_stdout() {
    #[cfg(unix)]
    {
        use std::io::Read;
        use std::os::fd::AsFd;
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let closed = match std::io::stdout().as_fd().try_clone_to_owned() {
            // Descriptor 1 is not open at all.
            Err(_) => true,
            Ok(fd) => {
                let mut file = std::fs::File::from(fd);
                let is_null = match (file.metadata(), std::fs::metadata("/dev/null")) {
                    (Ok(out), Ok(null)) => out.file_type().is_char_device() && out.rdev() == null.rdev(),
                    _ => false,
                };
                // Readable: opened read-write, as the runtime does and no output redirection.
                is_null && file.read(&mut [0u8; 1]).is_ok()
            }
        };
        STDOUT_CLOSED.store(closed, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What a failed write or flush to standard output means, as an error: a
/// pipe closed by its reader (`| head`, a consumer that died) lost the rest
/// of the output, which is said, never taken for success (exit 2, where a
/// tool killed by SIGPIPE would exit 141: both fail under `set -o pipefail`).
pub fn write_error(err: std::io::Error) -> std::io::Error {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        std::io::Error::new(err.kind(), "the reader closed the pipe (broken pipe); the output is incomplete")
    } else {
        err
    }
}

/// Fails when standard output was closed when the process started
/// ([`note_closed_stdout`]): a report written there would be lost.
pub fn check_stdout_open() -> std::io::Result<()> {
    if STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(std::io::Error::other("standard output is closed; the report would be lost"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{write_atomic, write_atomic_with};

    #[test]
    fn replaces_regular_files_whole_and_writes_devices_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"first, longer content").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o044, 0o044, "readable by group and others");
        }
        write_atomic(std::path::Path::new("/dev/null"), b"discarded").unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file(), "/dev/null must stay a device");
    }

    #[test]
    fn a_missing_directory_is_named_and_no_temporary_file_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/report.json");
        let err = write_atomic(&path, b"x").unwrap_err().to_string();
        assert_eq!(err, format!("directory {} does not exist", dir.path().join("missing").display()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let locked = dir.path().join("locked");
            std::fs::create_dir(&locked).unwrap();
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
            if let Err(e) = write_atomic(&locked.join("r.json"), b"x") {
                // (root may write anyway; a refusal must not name the temporary file)
                assert!(!e.to_string().contains(".trailaudit-"), "{e}");
            }
        }
    }

    #[test]
    fn a_writer_that_fails_halfway_leaves_the_old_file_and_no_litter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"old report").unwrap();
        let failed = write_atomic_with(&path, |out| {
            out.write_all(&[b'x'; 100_000])?;
            Err(std::io::Error::other("serializer gave up"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "serializer gave up");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old report");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["report.json"], "the temporary file is removed");
    }

    #[test]
    fn outputs_equal_to_inputs_or_each_other_are_refused() {
        use super::{Named, check_distinct};
        let dir = tempfile::tempdir().unwrap();
        let snapshot = dir.path().join("snap.json");
        std::fs::write(&snapshot, "{}").unwrap();
        let link = dir.path().join("link.json");
        std::fs::hard_link(&snapshot, &link).unwrap();
        let input = [Named { option: "--snapshot", path: &snapshot }];
        let err = check_distinct(&input, &[Named { option: "--output", path: &link }]).unwrap_err();
        assert!(err.contains("--output") && err.contains("is the same file as --snapshot"), "{err}");
        let fresh = dir.path().join("r.json");
        let dotted = dir.path().join(".").join("r.json");
        let err =
            check_distinct(&input, &[Named { option: "--json", path: &fresh }, Named { option: "--sarif", path: &dotted }]).unwrap_err();
        assert!(err.contains("--json") && err.contains("--sarif") && err.contains("are the same file"), "{err}");
        let devnull = std::path::Path::new("/dev/null");
        check_distinct(&input, &[Named { option: "--json", path: devnull }, Named { option: "--sarif", path: devnull }]).unwrap();
        check_distinct(&input, &[Named { option: "--json", path: &fresh }]).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_file_is_not_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"kept").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let err = write_atomic(&path, b"new").unwrap_err();
        assert!(err.to_string().contains("read-only"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept");
    }
}
