//! The git operations the store is made of: fetch the branch's tip, list and read files of a
//! commit, build a commit with plumbing (no work tree) and push it fast-forward only.

use std::ffi::OsString;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use super::cmd::Git;
use super::layout::{parse_name, Name};
use crate::domain::error::{Error, Result};

/// Fetch refs made unique per fetch, so that two processes sharing a cache never race on one.
static FETCHES: AtomicU64 = AtomicU64::new(0);

/// How a push went.
pub enum Pushed {
    /// The branch is now the pushed commit.
    Done,
    /// The remote refused it (somebody else appended first): fetch and decide again.
    Rejected(String),
}

impl Git {
    /// Creates the bare cache repository if it is not there yet.
    pub async fn ensure_cache(&self) -> Result<()> {
        if self.cache.join("HEAD").is_file() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.cache).map_err(|e| {
            Error::failed(format!(
                "cannot create the git state cache {}: {e}",
                self.cache.display()
            ))
        })?;
        let path = self.cache.to_string_lossy().into_owned();
        let out = self
            .run(
                &["init", "--quiet", "--bare", "--template=", &path],
                None,
                &[],
            )
            .await?;
        // Another process may have made it at the same moment.
        if out.ok || self.cache.join("HEAD").is_file() {
            Ok(())
        } else {
            Err(self.failure("creating the cache repository", &out.stderr))
        }
    }

    /// The tip of `branch` on the remote, its objects fetched into the cache (None: the branch
    /// does not exist yet).
    pub async fn fetch(&self, branch: &str) -> Result<Option<String>> {
        let n = FETCHES.fetch_add(1, Ordering::Relaxed);
        let local = format!("refs/rollout/fetch/{}-{n}", std::process::id());
        let spec = format!("+refs/heads/{branch}:{local}");
        let out = self
            .run(
                &[
                    "fetch",
                    "--quiet",
                    "--no-tags",
                    "--no-write-fetch-head",
                    "--no-auto-gc",
                    &self.remote,
                    &spec,
                ],
                None,
                &[],
            )
            .await?;
        if !out.ok {
            if out.stderr.contains("couldn't find remote ref") {
                return Ok(None);
            }
            return Err(self.failure("fetching the state branch", &out.stderr));
        }
        let tip = self
            .ok(
                "reading the fetched tip",
                &["rev-parse", "--verify", &local],
                None,
            )
            .await?;
        self.ok(
            "forgetting the fetch ref",
            &["update-ref", "-d", &local],
            None,
        )
        .await?;
        Ok(Some(String::from_utf8_lossy(&tip).trim().to_string()))
    }

    /// The record files of commit `tip` (every file under `records/`).
    pub async fn list_records(&self, tip: &str) -> Result<Vec<Name>> {
        Ok(self
            .list(tip, "records")
            .await?
            .into_iter()
            .filter_map(|(path, oid)| parse_name(&path, &oid))
            .collect())
    }

    /// Every file under `dir` of commit `tip`: (path, blob).
    pub async fn list(&self, tip: &str, dir: &str) -> Result<Vec<(String, String)>> {
        let out = self
            .ok(
                "listing the state branch",
                &["ls-tree", "-r", "-z", "--full-tree", tip, "--", dir],
                None,
            )
            .await?;
        let mut files = Vec::new();
        for item in out.split(|b| *b == 0).filter(|i| !i.is_empty()) {
            let item = String::from_utf8_lossy(item);
            let Some((meta, path)) = item.split_once('\t') else {
                continue;
            };
            let mut meta = meta.split(' ');
            if let (Some(_), Some("blob"), Some(oid)) = (meta.next(), meta.next(), meta.next()) {
                files.push((path.to_string(), oid.to_string()));
            }
        }
        Ok(files)
    }

    /// The contents of the objects `specs` name (a blob id, or `COMMIT:PATH`); None for one
    /// that does not exist.
    pub async fn blobs(&self, specs: &[String]) -> Result<Vec<Option<Vec<u8>>>> {
        if specs.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = specs.join("\n");
        input.push('\n');
        let out = self
            .ok(
                "reading the state branch",
                &["cat-file", "--batch"],
                Some(input.as_bytes()),
            )
            .await?;
        parse_batch(&out, specs.len()).ok_or_else(|| {
            Error::provider(format!(
                "{}: `git cat-file` answered what it was not asked",
                self.place
            ))
        })
    }

    /// A commit on `parent` (None: the first) changing `files` (path, content), with `at` as
    /// its author and committer time and the fixed identity `rollout <rollout@localhost>`:
    /// the commit and the blob of each file.
    pub async fn commit(
        &self,
        parent: Option<&str>,
        files: &[(String, Vec<u8>)],
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<(String, Vec<String>)> {
        let scratch = tempfile::Builder::new()
            .prefix("build-")
            .tempdir_in(&self.cache)?;
        let mut paths = String::new();
        for (i, (_, content)) in files.iter().enumerate() {
            let file = scratch.path().join(i.to_string());
            std::fs::write(&file, content)?;
            paths.push_str(&file.to_string_lossy());
            paths.push('\n');
        }
        let oids = self
            .ok(
                "storing a record",
                &["hash-object", "-w", "--no-filters", "--stdin-paths"],
                Some(paths.as_bytes()),
            )
            .await?;
        let oids: Vec<String> = String::from_utf8_lossy(&oids)
            .lines()
            .map(str::to_string)
            .collect();
        let mut info = String::new();
        for ((path, _), oid) in files.iter().zip(&oids) {
            info.push_str(&format!("100644 blob {oid}\t{path}\n"));
        }
        let index: Vec<(&str, OsString)> = vec![(
            "GIT_INDEX_FILE",
            scratch.path().join("index").into_os_string(),
        )];
        let base = parent.unwrap_or("--empty");
        self.ok_env("building a commit", &["read-tree", base], None, &index)
            .await?;
        self.ok_env(
            "building a commit",
            &["update-index", "--add", "--index-info"],
            Some(info.as_bytes()),
            &index,
        )
        .await?;
        let tree = self
            .ok_env("building a commit", &["write-tree"], None, &index)
            .await?;
        let tree = String::from_utf8_lossy(&tree).trim().to_string();
        let commit = self.commit_tree(&tree, parent, message, at).await?;
        Ok((commit, oids))
    }

    async fn commit_tree(
        &self,
        tree: &str,
        parent: Option<&str>,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<String> {
        let date = OsString::from(format!("@{} +0000", at.timestamp()));
        let env = [
            ("GIT_AUTHOR_DATE", date.clone()),
            ("GIT_COMMITTER_DATE", date),
        ];
        let mut args = vec!["commit-tree", tree];
        if let Some(parent) = parent {
            args.extend(["-p", parent]);
        }
        let out = self
            .ok_env("building a commit", &args, Some(message.as_bytes()), &env)
            .await?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// Pushes `commit` to `branch`, fast-forward only: the remote takes it only if the branch
    /// is still its parent (or does not exist for a first commit).
    pub async fn push(&self, commit: &str, branch: &str) -> Result<Pushed> {
        let spec = format!("{commit}:refs/heads/{branch}");
        let mut args = vec!["push", "--porcelain", "--quiet", "--no-verify"];
        // A remote on a path is received by a git this machine runs, which reads the user's
        // global config (`-c` does not reach it): keep hooks out of it too.
        if is_local(&self.remote) {
            args.push("--receive-pack=git -c core.hooksPath=/dev/null receive-pack");
        }
        args.extend([self.remote.as_str(), &spec]);
        let out = self.run(&args, None, &[]).await?;
        if out.ok {
            return Ok(Pushed::Done);
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        match stdout.lines().find(|l| l.starts_with('!')) {
            // `!<TAB>from:to<TAB>[rejected] (fetch first)`: the reason is the last part.
            Some(line) => Ok(Pushed::Rejected(
                self.clean(line.rsplit('\t').next().unwrap_or(line)),
            )),
            None => Err(self.failure("pushing to the state branch", &out.stderr)),
        }
    }
}

/// Whether git reaches `remote` on this machine's file system (a path or `file://`), not
/// through a server: a `scheme://` URL or an scp-like `host:path` is remote.
fn is_local(remote: &str) -> bool {
    if let Some((scheme, _)) = remote.split_once("://") {
        return scheme == "file";
    }
    match (remote.find(':'), remote.find('/')) {
        (Some(colon), Some(slash)) => slash < colon,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// The objects of a `git cat-file --batch` answer, in order.
fn parse_batch(out: &[u8], count: usize) -> Option<Vec<Option<Vec<u8>>>> {
    let mut found = Vec::with_capacity(count);
    let mut rest = out;
    for _ in 0..count {
        let end = rest.iter().position(|b| *b == b'\n')?;
        let header = std::str::from_utf8(&rest[..end]).ok()?;
        rest = &rest[end + 1..];
        if header.ends_with(" missing") || header.ends_with(" ambiguous") {
            found.push(None);
            continue;
        }
        let size: usize = header.rsplit(' ').next()?.parse().ok()?;
        let content = rest.get(..size)?.to_vec();
        rest = rest.get(size + 1..)?;
        found.push(Some(content));
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::{is_local, parse_batch};

    #[test]
    fn paths_are_local_urls_are_not() {
        for local in [
            "/srv/state.git",
            "../state.git",
            "state.git",
            "./a:b",
            "file:///srv/s.git",
        ] {
            assert!(is_local(local), "{local}");
        }
        for remote in [
            "git@host:team/s.git",
            "host:s.git",
            "ssh://h/s.git",
            "git://h/s.git",
        ] {
            assert!(!is_local(remote), "{remote}");
        }
    }

    #[test]
    fn batch_answers_split_in_order() {
        let out = b"abc blob 2\nhi\nx:seq missing\ndef blob 0\n\n";
        let found = parse_batch(out, 3).unwrap();
        assert_eq!(found, vec![Some(b"hi".to_vec()), None, Some(Vec::new())]);
        assert_eq!(parse_batch(b"abc blob 9\nhi\n", 1), None);
    }
}
