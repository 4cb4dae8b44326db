//! Fetching a repository from any git URL (issue 17, "Import from any git URL"): into a fresh
//! bare folder, shallow (depth 1) where the transport allows it, pinned to one commit. The
//! pinned commit's tree is then read straight from the object database — nothing is checked
//! out — so its entry count, file sizes (from the object headers, never inflated) and paths
//! are checked before the caller writes a single file.
//!
//! Local sources follow git's own rule: a plain path (`/srv/skills.git`) is not fetched, its
//! object database is borrowed (an alternate, as `git clone --shared` does: nothing is copied,
//! and a 2 GiB blob is judged by its header alone); `file://` goes through libgit2's local
//! transport, a full fetch since that transport cannot fetch shallow.
//!
//! Credentials and the wording of errors follow [`super::auth`]'s rule, as publish does.

use super::auth::{callbacks, redact_url, RemoteTarget};
use crate::error::{Error, Result};
use git2::{
    AutotagOption, Direction, FetchOptions, ObjectType, Oid, Remote, RemoteCallbacks, Repository,
    TreeWalkMode, TreeWalkResult,
};
use std::cell::Cell;
use std::path::Path;

/// The ref a pinned fetch lands on in the bare folder.
const PINNED_REF: &str = "refs/skill-builder/pinned";
/// Largest symlink target read (a link is a path, never a payload).
const MAX_LINK_BYTES: u64 = 4096;
/// What a fetched tree may hold.
#[derive(Debug, Clone, Copy)]
pub struct TreeLimits {
    /// Files, links, submodules and folders of the whole tree.
    pub max_entries: usize,
    /// One file's size, from its object header.
    pub max_file_bytes: u64,
    /// All files together.
    pub max_total_bytes: u64,
    /// Bytes received from the remote (the pack), so a hostile remote cannot fill the disk.
    pub max_fetch_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Executable,
    /// A symbolic link and the path it points to (as stored, not resolved).
    Symlink(String),
    Submodule,
}

/// One non-folder entry of the pinned tree.
#[derive(Debug, Clone)]
pub struct RepoEntry {
    /// Repository-relative, `/`-separated.
    pub path: String,
    pub kind: EntryKind,
    /// From the object header (0 for a submodule).
    pub size: u64,
    oid: Oid,
}

/// A repository fetched into a bare folder and pinned to one commit.
pub struct PinnedRepo {
    repo: Repository,
    /// The pinned commit (full hex id).
    pub commit: String,
    /// What the ref resolved to on the remote: `refs/heads/main`, `refs/tags/v1`, or a commit id.
    pub resolved_ref: String,
    /// Every file, link and submodule of the commit's tree, in tree order.
    pub entries: Vec<RepoEntry>,
}

impl PinnedRepo {
    pub fn entry(&self, path: &str) -> Option<&RepoEntry> {
        self.entries.iter().find(|e| e.path == path)
    }

    /// The bytes of a regular file; `None` when the tree has no such file. Refused (before
    /// reading) when larger than `max`.
    pub fn read(&self, path: &str, max: u64) -> Result<Option<Vec<u8>>> {
        match self.entry(path) {
            Some(e) if matches!(e.kind, EntryKind::File | EntryKind::Executable) => {
                if e.size > max {
                    return Err(Error::invalid(format!(
                        "'{path}' is {} bytes, more than the {max} bytes it may have",
                        e.size
                    )));
                }
                self.read_entry(e).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The id of the folder `path`'s tree in the pinned commit (`""`: the root; `None`: no such
    /// folder). Equal
    /// ids mean identical folders, whatever else changed in the repository.
    pub fn folder_tree(&self, path: &str) -> Option<String> {
        let commit = self
            .repo
            .find_commit(Oid::from_str(&self.commit).ok()?)
            .ok()?;
        let tree = commit.tree().ok()?;
        if path.is_empty() {
            return Some(tree.id().to_string());
        }
        let entry = tree.get_path(Path::new(path)).ok()?;
        (entry.kind() == Some(ObjectType::Tree)).then(|| entry.id().to_string())
    }

    /// The bytes of an entry's blob (the caller has checked its size).
    pub fn read_entry(&self, e: &RepoEntry) -> Result<Vec<u8>> {
        blob_bytes(&self.repo, e.oid, &e.path)
    }
}

/// Fetches `reference` (a branch, a tag or a commit id; default: the remote's HEAD) from
/// `access.url` into `dir` (created; must not exist) and checks the pinned commit's tree
/// against `limits`. Fails with `invalid_input` naming the first rule a tree breaks.
pub fn fetch_pinned(
    dir: &Path,
    access: RemoteTarget<'_>,
    reference: Option<&str>,
    limits: &TreeLimits,
) -> Result<PinnedRepo> {
    let shown = redact_url(access.url);
    let repo = Repository::init_bare(dir)
        .map_err(|e| Error::io(format!("cannot create {}: {}", dir.display(), e.message())))?;
    let heads = list_remote(access)?;
    let wanted = pick_ref(&heads, reference, &shown)?;
    let commit_id = match local_objects(access.url)? {
        Some(objects) => {
            let odb = repo.odb().map_err(internal)?;
            odb.add_disk_alternate(&objects.to_string_lossy())
                .map_err(internal)?;
            local_commit(&repo, &wanted, &shown)?
        }
        None => {
            let mut remote = repo
                .remote_anonymous(access.url)
                .map_err(|e| remote_err(access, e))?;
            fetch_wanted(&repo, &mut remote, access, &wanted, limits, &shown)?
        }
    };
    let (commit, entries) = {
        let commit = repo
            .find_object(commit_id, None)
            .and_then(|o| o.peel_to_commit())
            .map_err(|_| {
                Error::not_found(format!(
                    "'{}' at {shown} is not a commit; give a branch, a tag or a commit id",
                    wanted.label()
                ))
            })?;
        let entries = checked_entries(&repo, &commit.tree().map_err(internal)?, limits)?;
        (commit.id().to_string(), entries)
    };
    Ok(PinnedRepo {
        repo,
        resolved_ref: match &wanted {
            Wanted::Ref { name, .. } => name.clone(),
            Wanted::Commit(_) => commit.clone(),
        },
        commit,
        entries,
    })
}

// ---- the remote's refs ----

struct Head {
    name: String,
    oid: Oid,
    symref: Option<String>,
}

enum Wanted {
    /// A ref of the remote; `oid` is its commit (annotated tags peeled).
    Ref { name: String, oid: Oid },
    /// A commit id, full or abbreviated.
    Commit(String),
}

impl Wanted {
    fn label(&self) -> &str {
        match self {
            Wanted::Ref { name, .. } => name,
            Wanted::Commit(c) => c,
        }
    }
}

fn list_remote(access: RemoteTarget<'_>) -> Result<Vec<Head>> {
    let mut remote = Remote::create_detached(access.url).map_err(|e| remote_err(access, e))?;
    let conn = remote
        .connect_auth(Direction::Fetch, Some(callbacks(access)), None)
        .map_err(|e| remote_err(access, e))?;
    let heads = conn
        .list()
        .map_err(|e| remote_err(access, e))?
        .iter()
        .map(|h| Head {
            name: h.name().to_string(),
            oid: h.oid(),
            symref: h.symref_target().map(str::to_string),
        })
        .collect();
    Ok(heads)
}

fn pick_ref(heads: &[Head], reference: Option<&str>, shown: &str) -> Result<Wanted> {
    let find = |name: &str| heads.iter().find(|h| h.name == name);
    // An annotated tag is listed twice: the tag object, then `^{}` with its commit.
    let commit_of = |h: &Head| find(&format!("{}^{{}}", h.name)).map_or(h.oid, |p| p.oid);
    let Some(r) = reference.map(str::trim).filter(|r| !r.is_empty()) else {
        let head = find("HEAD").ok_or_else(|| {
            Error::not_found(format!(
                "the repository at {shown} has no HEAD (is it empty?); pass --ref with a branch"
            ))
        })?;
        let name = head
            .symref
            .as_deref()
            .filter(|t| find(t).is_some())
            .unwrap_or("HEAD");
        return Ok(Wanted::Ref {
            name: name.to_string(),
            oid: head.oid,
        });
    };
    let candidates = [
        r.starts_with("refs/").then(|| r.to_string()),
        Some(format!("refs/heads/{r}")),
        Some(format!("refs/tags/{r}")),
    ];
    for c in candidates.into_iter().flatten() {
        if let Some(h) = find(&c) {
            return Ok(Wanted::Ref {
                name: c,
                oid: commit_of(h),
            });
        }
    }
    if (4..=40).contains(&r.len()) && r.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(Wanted::Commit(r.to_ascii_lowercase()));
    }
    Err(Error::not_found(format!(
        "ref '{r}' not found at {shown}; give a branch, a tag or a commit id"
    )))
}

// ---- fetching ----

/// The object folder of a source given as a plain absolute path to a repository; `None` for a
/// URL (`file://` included) or an scp-style `host:path`.
fn local_objects(url: &str) -> Result<Option<std::path::PathBuf>> {
    let path = Path::new(url);
    if url.contains("://") || !path.is_absolute() || !path.is_dir() {
        return Ok(None);
    }
    let src = Repository::open(path).map_err(|e| {
        Error::not_found(format!(
            "{url} is not a git repository ({}); give the folder of a repository or a URL",
            e.message()
        ))
    })?;
    Ok(Some(src.path().join("objects")))
}

/// The wanted commit in a repository whose objects are all there (borrowed).
fn local_commit(repo: &Repository, wanted: &Wanted, shown: &str) -> Result<Oid> {
    match wanted {
        Wanted::Ref { oid, .. } => Ok(*oid),
        Wanted::Commit(sha) => find_commit_id(repo, sha, shown),
    }
}

fn find_commit_id(repo: &Repository, sha: &str, shown: &str) -> Result<Oid> {
    let obj = repo.revparse_single(sha).map_err(|e| {
        if e.code() == git2::ErrorCode::Ambiguous {
            Error::invalid(format!(
                "commit id '{sha}' is ambiguous at {shown}; give more digits"
            ))
        } else {
            Error::not_found(format!(
                "no branch, tag or commit '{sha}' at {shown}; give a branch, a tag or a commit id"
            ))
        }
    })?;
    Ok(obj.id())
}

fn fetch_wanted(
    repo: &Repository,
    remote: &mut Remote<'_>,
    access: RemoteTarget<'_>,
    wanted: &Wanted,
    limits: &TreeLimits,
    shown: &str,
) -> Result<Oid> {
    let pinned = [format!("+{}:{PINNED_REF}", wanted.label())];
    match wanted {
        Wanted::Ref { .. } => {
            fetch(remote, access, &pinned, true, limits, shown)?;
            repo.refname_to_id(PINNED_REF).map_err(internal)
        }
        Wanted::Commit(sha) => {
            // A full id is asked for directly where the server allows it; otherwise (or for an
            // abbreviated id) the branches and tags are fetched and the commit found among them.
            if sha.len() == 40 {
                let oid = Oid::from_str(sha).map_err(internal)?;
                match fetch(remote, access, &pinned, true, limits, shown) {
                    Ok(()) => return Ok(oid),
                    Err(e) if e.kind == crate::error::ErrorKind::InvalidInput => return Err(e),
                    Err(e) => tracing::debug!(
                        "{shown}: fetching {sha} by id failed ({e}); fetching branches and tags"
                    ),
                }
            }
            let specs = [
                "+refs/heads/*:refs/skill-builder/heads/*".to_string(),
                "+refs/tags/*:refs/skill-builder/tags/*".to_string(),
            ];
            fetch(remote, access, &specs, false, limits, shown)?;
            find_commit_id(repo, sha, shown)
        }
    }
}

/// Fetches `specs`, shallow when asked and the transport supports it (libgit2's local
/// transport does not: the fetch is then repeated in full).
fn fetch(
    remote: &mut Remote<'_>,
    access: RemoteTarget<'_>,
    specs: &[String],
    shallow: bool,
    limits: &TreeLimits,
    shown: &str,
) -> Result<()> {
    let over = Cell::new(false);
    let run = |remote: &mut Remote<'_>, depth: Option<i32>| {
        let mut fo = FetchOptions::new();
        fo.remote_callbacks(fetch_callbacks(access, &over, limits.max_fetch_bytes))
            .download_tags(AutotagOption::None)
            .update_fetchhead(false);
        if let Some(d) = depth {
            fo.depth(d);
        }
        remote.fetch(specs, Some(&mut fo), None)
    };
    let first = run(remote, shallow.then_some(1));
    let result = match first {
        Err(e) if shallow && !over.get() && e.message().to_lowercase().contains("shallow") => {
            tracing::debug!("{shown}: no shallow fetch over this transport; fetching in full");
            run(remote, None)
        }
        other => other,
    };
    match result {
        Ok(()) => Ok(()),
        Err(_) if over.get() => Err(Error::invalid(format!(
            "refused the repository at {shown}: the download is larger than {} bytes; import from a smaller repository",
            limits.max_fetch_bytes
        ))),
        Err(e) => Err(remote_err(access, e)),
    }
}

/// The credential rule, and a stop once more than `max_bytes` were received (`over` is set).
fn fetch_callbacks<'a>(
    access: RemoteTarget<'a>,
    over: &'a Cell<bool>,
    max_bytes: u64,
) -> RemoteCallbacks<'a> {
    let mut cb = callbacks(access);
    cb.transfer_progress(move |p| {
        let ok = (p.received_bytes() as u64) <= max_bytes;
        if !ok {
            over.set(true);
        }
        ok
    });
    cb
}

// ---- reading and checking the tree ----

fn checked_entries(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    limits: &TreeLimits,
) -> Result<Vec<RepoEntry>> {
    let mut walk = Walk {
        repo,
        odb: repo.odb().map_err(internal)?,
        limits,
        out: Vec::new(),
        count: 0,
        total: 0,
        failure: None,
    };
    let walked = tree.walk(TreeWalkMode::PreOrder, |root, entry| {
        match walk.visit(root, entry) {
            Ok(()) => TreeWalkResult::Ok,
            Err(e) => {
                walk.failure = Some(e);
                TreeWalkResult::Abort
            }
        }
    });
    match (walk.failure, walked) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(internal(e)),
        (None, Ok(())) => Ok(walk.out),
    }
}

/// The state of a tree walk that checks every entry before it is kept.
struct Walk<'r> {
    repo: &'r Repository,
    odb: git2::Odb<'r>,
    limits: &'r TreeLimits,
    out: Vec<RepoEntry>,
    count: usize,
    total: u64,
    failure: Option<Error>,
}

impl Walk<'_> {
    fn visit(&mut self, root: &str, entry: &git2::TreeEntry<'_>) -> Result<()> {
        let max = self.limits;
        self.count += 1;
        if self.count > max.max_entries {
            return Err(Error::invalid(format!(
                "refused the repository: it has more than {} files and folders, the most an import reads; import from a smaller repository",
                max.max_entries
            )));
        }
        let name = entry.name().ok_or_else(|| {
            Error::invalid(format!(
                "refused the repository: a name under '{root}' is not UTF-8"
            ))
        })?;
        let path = format!("{root}{name}");
        check_name(name, &path)?;
        let oid = entry.id();
        let kind = match entry.filemode() {
            0o040000 => return Ok(()),
            0o160000 => {
                let kind = EntryKind::Submodule;
                self.out.push(RepoEntry {
                    path,
                    kind,
                    size: 0,
                    oid,
                });
                return Ok(());
            }
            0o120000 => None,
            0o100755 => Some(EntryKind::Executable),
            _ => Some(EntryKind::File),
        };
        // The header gives the size without inflating the object.
        let (size, otype) = self.odb.read_header(oid).map_err(|e| {
            Error::invalid(format!(
                "refused the repository: cannot read '{path}': {}",
                e.message()
            ))
        })?;
        let size = size as u64;
        if otype != ObjectType::Blob {
            return Err(Error::invalid(format!(
                "refused the repository: '{path}' is not a file"
            )));
        }
        if size > max.max_file_bytes {
            return Err(Error::invalid(format!(
                "refused the repository: '{path}' is {size} bytes, more than the {} bytes one file may have; import from a repository without it",
                max.max_file_bytes
            )));
        }
        self.total += size;
        if self.total > max.max_total_bytes {
            return Err(Error::invalid(format!(
                "refused the repository: its files add up to more than {} bytes; import from a smaller repository",
                max.max_total_bytes
            )));
        }
        let kind = match kind {
            Some(k) => k,
            None => EntryKind::Symlink(link_target(self.repo, oid, size, &path)?),
        };
        self.out.push(RepoEntry {
            path,
            kind,
            size,
            oid,
        });
        Ok(())
    }
}

/// A tree entry name that could leave its folder, or name git's own folder, is refused.
fn check_name(name: &str, path: &str) -> Result<()> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.eq_ignore_ascii_case(".git")
        || name.contains(['/', '\\', '\0']);
    if bad {
        return Err(Error::invalid(format!(
            "refused the repository: unsafe path '{path}' in its tree"
        )));
    }
    Ok(())
}

fn link_target(repo: &Repository, oid: Oid, size: u64, path: &str) -> Result<String> {
    if size > MAX_LINK_BYTES {
        return Err(Error::invalid(format!(
            "refused the repository: the link '{path}' is not a path ({size} bytes)"
        )));
    }
    String::from_utf8(blob_bytes(repo, oid, path)?).map_err(|_| {
        Error::invalid(format!(
            "refused the repository: the link '{path}' is not UTF-8"
        ))
    })
}

fn blob_bytes(repo: &Repository, oid: Oid, path: &str) -> Result<Vec<u8>> {
    let blob = repo
        .find_blob(oid)
        .map_err(|e| Error::internal(format!("cannot read '{path}': {}", e.message())))?;
    Ok(blob.content().to_vec())
}

// ---- errors ----

fn internal(e: git2::Error) -> Error {
    Error::internal(format!("git: {}", e.message()))
}

fn remote_err(access: RemoteTarget<'_>, e: git2::Error) -> Error {
    super::auth::remote_err(access, "fetch from", e)
}
