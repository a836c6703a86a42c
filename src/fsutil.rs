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
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
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
}
