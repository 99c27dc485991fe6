//! Replacing a file so that a reader or a crash sees the old file or the new one, never a part.
//! The file provider's flags file and the checklist run state are written this way.

use std::fs::{File, Permissions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

fn file_name(file: &Path) -> String {
    file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Temp files of `file` are `.NAME-XXXXXX.tmp` beside it.
#[must_use]
pub fn temp_prefix(file: &Path) -> String {
    format!(".{}-", file_name(file))
}

/// Replaces `file` with `bytes` so that readers see the old file or the new one, never a part:
/// a temp file in the same directory with the old file's mode and owner, fsync, rename, fsync
/// of the directory. Returns a warning when the owner could not be kept.
pub fn replace(file: &Path, bytes: &[u8]) -> std::io::Result<Option<String>> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let old = std::fs::metadata(file).ok();
    // A new file gets 0666 less the umask, as any program's new file would.
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(file))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    let mut warning = None;
    if let Some(old) = &old {
        let mine = tmp.as_file().metadata()?;
        if (mine.uid(), mine.gid()) != (old.uid(), old.gid()) {
            if let Err(e) =
                std::os::unix::fs::fchown(tmp.as_file(), Some(old.uid()), Some(old.gid()))
            {
                // Not allowed to give the file away: keep at least its group where we may.
                let group = std::os::unix::fs::fchown(tmp.as_file(), None, Some(old.gid()));
                warning = Some(format!(
                    "{} is now owned by uid {} (was uid {}{}): {e}",
                    file_name(file),
                    mine.uid(),
                    old.uid(),
                    if group.is_ok() {
                        "; its group is kept"
                    } else {
                        ""
                    }
                ));
            }
        }
        // After chown, which may clear set-id bits.
        tmp.as_file()
            .set_permissions(Permissions::from_mode(old.mode() & 0o7777))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(file).map_err(|e| e.error)?;
    // The new file is in place: from here on the change is made, and an error only means it may
    // not survive a power loss.
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        let note = format!(
            "{} was replaced, but its directory could not be synced: {e}",
            file_name(file)
        );
        warning = Some(warning.map_or(note.clone(), |w| format!("{w}; {note}")));
    }
    Ok(warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_text_replaces_the_old_keeping_its_mode_and_no_temp_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state.json");
        assert_eq!(replace(&file, b"first").unwrap(), None);
        std::fs::set_permissions(&file, Permissions::from_mode(0o640)).unwrap();
        assert_eq!(replace(&file, b"second").unwrap(), None);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "second");
        let mode = std::fs::metadata(&file).unwrap().mode() & 0o7777;
        assert_eq!(mode, 0o640);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["state.json"]);
    }
}
