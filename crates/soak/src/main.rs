//! Crash soak (issue 9, item 2): rounds of "start a mock build with the CLI, SIGKILL the CLI or
//! its Node sidecar at a random point, run the start-up sequence (stale locks, orphaned
//! sessions, reconciliation), resume the build with the CLI, check nothing was lost".
//!
//! After every round it checks: `PRAGMA integrity_check` is `ok`; every skill that had reached
//! `completed` still is, with its `SKILL.md` on disk and in git HEAD; the previous HEAD is an
//! ancestor of the new one (no commit lost) and no git lock file is left; no sidecar of this
//! round is still running once the restart finished; no lock of a dead PID is left in
//! `skill_locks`.
//!
//! Two more kinds of round kill work that is not an agent: an **upload** round SIGKILLs
//! `import zip` of a large archive mid-extraction, a **commit** round SIGKILLs the CLI while it
//! commits a checkpoint of a skill with thousands of files. After the restart no staging folder
//! (`.staging/` content, `.zip-extract-*`, `*.moving-*`) and no lock of a dead PID may be left,
//! and an upload is either installed whole or not at all.
//!
//! Usage: `soak [--rounds N] [--seed S] [--bin target/release/skill-builder] [--data-dir D]`.
//! The seed is printed first; the same seed replays the same targets and kill points.

use clap::Parser;
use skill_builder_core::options::Options;
use skill_builder_core::App;
use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "soak",
    about = "Crash soak of the mock workflow (SIGKILL app or sidecar, restart, resume, check)"
)]
struct Opts {
    /// Number of kill rounds.
    #[arg(long, default_value_t = 5)]
    rounds: u32,
    /// RNG seed (default: from the clock). Printed at the start.
    #[arg(long)]
    seed: Option<u64>,
    /// The `skill-builder` binary (default: next to this binary).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Data dir to use (default: a fresh temp dir, removed at the end unless --keep).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Keep the temp data dir.
    #[arg(long)]
    keep: bool,
    /// SKILL_BUILDER_MOCK_DELAY_MS for the mock agents (a build then takes ~1–2 s).
    #[arg(long, default_value_t = 30)]
    delay_ms: u64,
    /// Kill points are drawn uniformly from [min-kill-ms, max-kill-ms] after the CLI started.
    #[arg(long, default_value_t = 30)]
    min_kill_ms: u64,
    #[arg(long, default_value_t = 1500)]
    max_kill_ms: u64,
    /// How long a (resumed) build may take before the round fails.
    #[arg(long, default_value_t = 120)]
    timeout_s: u64,
}

/// SplitMix64: small, seedable, good enough to pick kill points.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi.saturating_sub(lo) + 1)
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Target {
    /// The CLI during a mock build.
    App,
    /// The CLI's Node sidecar during a mock build.
    Sidecar,
    /// The CLI during `import zip` of a large archive.
    Upload,
    /// The CLI while it commits a checkpoint of a skill with many files.
    Commit,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::App => "app",
            Target::Sidecar => "sidecar",
            Target::Upload => "upload",
            Target::Commit => "commit",
        }
    }

    /// Picks the round's target: builds most of the time (they exercise the most code), an
    /// upload or a commit every few rounds.
    fn draw(rng: &mut Rng) -> Target {
        match rng.next() % 6 {
            0 | 1 => Target::App,
            2 | 3 => Target::Sidecar,
            4 => Target::Upload,
            _ => Target::Commit,
        }
    }
}

/// The skill the upload rounds import, its ZIP's file name and size.
const UPLOAD_SKILL: &str = "soak-upload";
const UPLOAD_FILES: usize = 400;
const UPLOAD_FILE_BYTES: usize = 128 * 1024;
/// An upload round kills within this many ms after extraction started (it takes ~0.2 s).
const UPLOAD_KILL_MAX_MS: u64 = 150;
/// Files added to a built skill before a commit round's checkpoint commit.
const COMMIT_FILES: usize = 3000;

struct RoundResult {
    round: u32,
    skill: String,
    target: Target,
    kill_ms: u64,
    /// Whether a process was actually killed (the build may have finished first).
    killed: bool,
    /// Workflow state right after the kill (`step N status`).
    state_at_kill: String,
    outcome: String,
    /// Startup figures: stale locks reclaimed / orphaned sessions closed.
    startup: String,
    failures: Vec<String>,
    /// Sidecars of the round still running at the first check that exited within the grace.
    late_exits: usize,
}

struct Env {
    bin: PathBuf,
    data: PathBuf,
    logs: PathBuf,
    delay_ms: u64,
    timeout: Duration,
}

const TAG_VAR: &str = "SKILL_BUILDER_SOAK_TAG";

impl Env {
    fn cli(&self, tag: &str, log: &str, args: &[&str]) -> std::io::Result<Child> {
        let out = File::create(self.logs.join(format!("{log}.out")))?;
        let err = File::create(self.logs.join(format!("{log}.err")))?;
        Command::new(&self.bin)
            .arg("--data-dir")
            .arg(&self.data)
            .args(args)
            .env("SKILL_BUILDER_MOCK_DELAY_MS", self.delay_ms.to_string())
            .env("SKILL_BUILDER_KEYCHAIN", "0")
            .env(TAG_VAR, tag)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
    }

    fn db(&self) -> rusqlite::Connection {
        let p = self.data.join("skill-builder.db");
        let c = rusqlite::Connection::open(&p).expect("open the database");
        c.busy_timeout(Duration::from_secs(10)).ok();
        c
    }
}

// ---- /proc helpers ----

/// (pid, ppid) of every process.
fn processes() -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ..." — comm may contain spaces and ')'.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut f = rest.split_whitespace();
        let state = f.next().unwrap_or("");
        if state == "Z" {
            continue; // a zombie is gone, only not reaped yet
        }
        if let Some(ppid) = f.next().and_then(|s| s.parse().ok()) {
            out.push((pid, ppid));
        }
    }
    out
}

fn cmdline(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
        .unwrap_or_default()
}

fn is_sidecar(pid: u32) -> bool {
    cmdline(pid).contains("sidecar/src/main.js")
}

fn has_tag(pid: u32, tag: &str) -> bool {
    let want = format!("{TAG_VAR}={tag}");
    std::fs::read(format!("/proc/{pid}/environ"))
        .map(|b| b.split(|c| *c == 0).any(|kv| kv == want.as_bytes()))
        .unwrap_or(false)
}

/// Sidecar processes whose parent is `parent`.
fn sidecars_of(parent: u32) -> Vec<u32> {
    processes()
        .into_iter()
        .filter(|(_, pp)| *pp == parent)
        .map(|(p, _)| p)
        .filter(|p| is_sidecar(*p))
        .collect()
}

/// Sidecar processes started by this round (they inherit the round's tag), plus `known`.
fn live_sidecars(tag: &str, known: &BTreeSet<u32>) -> Vec<u32> {
    processes()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| is_sidecar(*p) && (has_tag(*p, tag) || known.contains(p)))
        .collect()
}

fn sigkill(pid: u32) -> bool {
    // SAFETY: plain kill(2) on a PID we started (or its child).
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) == 0 }
}

fn pid_alive(pid: u32) -> bool {
    skill_builder_core::locks::pid_alive(pid)
}

fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let t = Instant::now();
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        if t.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn status_text(s: Option<ExitStatus>) -> String {
    match s {
        None => "timeout".into(),
        Some(s) => match s.code() {
            Some(c) => format!("exit {c}"),
            None => "signal".into(),
        },
    }
}

// ---- checks ----

fn run_state(env: &Env, skill: &str) -> Option<(i64, String)> {
    env.db()
        .query_row(
            "SELECT current_step, status FROM workflow_runs WHERE skill_name = ?1",
            [skill],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()
}

fn completed_skills(env: &Env) -> BTreeSet<String> {
    let c = env.db();
    let mut st = c
        .prepare("SELECT skill_name FROM workflow_runs WHERE status = 'completed'")
        .unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .flatten()
        .collect()
}

fn head_oid(repo: &git2::Repository) -> Option<git2::Oid> {
    repo.head().ok().and_then(|h| h.target())
}

fn in_head(repo: &git2::Repository, rel: &str) -> bool {
    repo.head()
        .ok()
        .and_then(|h| h.peel_to_tree().ok())
        .is_some_and(|t| t.get_path(Path::new(rel)).is_ok())
}

/// Lock files git leaves behind when killed mid-write (`index.lock`, `HEAD.lock`, refs).
fn git_lock_files(git_dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![git_dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "objects") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "lock") {
                out.push(p.strip_prefix(git_dir).unwrap_or(&p).display().to_string());
            }
        }
    }
    out
}

struct Checker {
    finished: BTreeSet<String>,
    head: Option<git2::Oid>,
}

impl Checker {
    fn check(
        &mut self,
        env: &Env,
        skill: &str,
        tag: &str,
        known_sidecars: &BTreeSet<u32>,
        r: &mut RoundResult,
    ) {
        let f = &mut r.failures;
        // 1. integrity
        let ic: String = env
            .db()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap_or_else(|e| e.to_string());
        if ic != "ok" {
            f.push(format!("integrity_check: {ic}"));
        }
        // 2. finished skills: still completed, SKILL.md on disk and in HEAD.
        let skills_dir = env.data.join("skills");
        let now = completed_skills(env);
        let repo = git2::Repository::open(&skills_dir).ok();
        for s in &self.finished {
            if !now.contains(s) {
                f.push(format!("lost skill {s}: no longer completed"));
            }
            if !skills_dir.join(s).join("SKILL.md").is_file() {
                f.push(format!("lost skill {s}: SKILL.md missing"));
            }
            if let Some(repo) = &repo {
                if !in_head(repo, &format!("{s}/SKILL.md")) {
                    f.push(format!("lost commit: {s}/SKILL.md not in HEAD"));
                }
            }
        }
        if matches!(r.target, Target::App | Target::Sidecar | Target::Commit)
            && !now.contains(skill)
        {
            f.push(format!(
                "{skill} not completed after the resume ({:?})",
                run_state(env, skill)
            ));
        }
        self.finished.extend(now);
        // 3. git: HEAD only grows, no lock file left.
        match &repo {
            None => f.push("skills folder is not a git repository".into()),
            Some(repo) => {
                let head = head_oid(repo);
                if let (Some(old), Some(new)) = (self.head, head) {
                    let ok = old == new || repo.graph_descendant_of(new, old).unwrap_or(false);
                    if !ok {
                        f.push(format!(
                            "lost commit: HEAD {old} is not an ancestor of {new}"
                        ));
                    }
                } else if self.head.is_some() {
                    f.push("HEAD vanished".into());
                }
                self.head = head.or(self.head);
                let locks = git_lock_files(repo.path());
                if !locks.is_empty() {
                    f.push(format!("git lock files left: {}", locks.join(", ")));
                }
            }
        }
        // 4. orphans: no sidecar of this round may outlive the restart (grace for one that
        //    is exiting right now: it must be gone within 5 s).
        let first = live_sidecars(tag, known_sidecars);
        if !first.is_empty() {
            let t = Instant::now();
            let mut left = first.clone();
            while !left.is_empty() && t.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(20));
                left = live_sidecars(tag, known_sidecars);
            }
            if left.is_empty() {
                r.late_exits += first.len();
            } else {
                for p in &left {
                    f.push(format!("orphaned sidecar pid {p}: {}", cmdline(*p)));
                    sigkill(*p);
                }
            }
        }
        // 5. no lock of a dead PID.
        let c = env.db();
        let mut st = c
            .prepare("SELECT skill_name, pid FROM skill_locks")
            .unwrap();
        let locks: Vec<(String, u32)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .flatten()
            .collect();
        for (s, pid) in locks {
            if !pid_alive(pid) {
                f.push(format!("stale lock on {s} (dead pid {pid})"));
            }
        }
        // 6. no staging folder left behind by a killed upload, import or move.
        let left = staging_leftovers(&env.data);
        if !left.is_empty() {
            f.push(format!("staging left: {}", left.join(", ")));
        }
        // 7. an upload is installed whole or not at all.
        if let Some(problem) = half_installed_upload(env) {
            f.push(problem);
        }
    }
}

/// Staging entries under the data dir (git's own folders skipped): anything in a `.staging`
/// folder but its `.gitignore`, and `.zip-extract-*` / `*.moving-*` folders anywhere.
fn staging_leftovers(data: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![data.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            let rel = p.strip_prefix(data).unwrap_or(&p).display().to_string();
            if name.starts_with(".zip-extract-") || name.contains(".moving-") {
                out.push(rel);
            } else if name == ".staging" && ft.is_dir() {
                let inside: Vec<String> = std::fs::read_dir(&p)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n != ".gitignore")
                    .collect();
                if !inside.is_empty() {
                    out.push(format!("{rel}/{{{}}}", inside.join(",")));
                }
            } else if ft.is_dir() && name != ".git" && name != "logs" {
                stack.push(p);
            }
        }
    }
    out
}

/// A problem when the upload skill is half there: a folder without all its files, or a
/// folder and a database row that disagree.
fn half_installed_upload(env: &Env) -> Option<String> {
    let dir = env.data.join("workspace/.claude/skills").join(UPLOAD_SKILL);
    let row: bool = env
        .db()
        .query_row(
            "SELECT EXISTS(SELECT 1 FROM workspace_skills WHERE skill_name = ?1)",
            [UPLOAD_SKILL],
            |r| r.get(0),
        )
        .unwrap_or(false);
    let files = std::fs::read_dir(dir.join("references"))
        .map(|rd| rd.count())
        .unwrap_or(0);
    let folder = dir.exists();
    if folder != row {
        return Some(format!(
            "upload half installed: folder {folder}, database row {row}"
        ));
    }
    if folder && (files != UPLOAD_FILES || !dir.join("SKILL.md").is_file()) {
        return Some(format!(
            "upload half installed: {files} of {UPLOAD_FILES} reference files"
        ));
    }
    None
}

/// Writes the archive the upload rounds import: SKILL.md and `UPLOAD_FILES` incompressible
/// references, so that extracting it takes long enough to be killed in the middle.
fn write_upload_zip(path: &Path, rng: &mut Rng) -> std::io::Result<()> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(File::create(path)?);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let skill_md = format!(
        "---\nname: {UPLOAD_SKILL}\ndescription: A large skill the crash soak uploads and kills mid-way.\n---\n\n# Soak upload\n"
    );
    w.start_file(format!("{UPLOAD_SKILL}/SKILL.md"), opts)?;
    w.write_all(skill_md.as_bytes())?;
    let mut buf = vec![0u8; UPLOAD_FILE_BYTES];
    for i in 0..UPLOAD_FILES {
        for chunk in buf.chunks_mut(8) {
            let v = rng.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        w.start_file(format!("{UPLOAD_SKILL}/references/r{i:04}.md"), opts)?;
        w.write_all(&buf)?;
    }
    w.finish()?;
    Ok(())
}

// ---- one round ----

fn startup(env: &Env) -> Result<String, String> {
    // Secrets in the database, as the CLI runs here (`SKILL_BUILDER_KEYCHAIN=0`).
    let options = Options {
        keychain: false,
        ..Options::from_env()
    };
    let app =
        App::open_with(Some(env.data.clone()), options).map_err(|e| format!("App::open: {e}"))?;
    let rep =
        skill_builder_core::startup::run_startup(&app).map_err(|e| format!("startup: {e}"))?;
    app.shutdown();
    let notes = rep
        .reconciliation
        .as_ref()
        .map(|r| r.notifications.len())
        .unwrap_or(0);
    Ok(format!(
        "locks {} sess {} notes {}{}",
        rep.stale_locks_reclaimed,
        rep.orphaned_sessions_closed,
        notes,
        if rep.warnings.is_empty() {
            String::new()
        } else {
            format!(" warn {}", rep.warnings.len())
        }
    ))
}

/// Runs a CLI command to its end (set-up between rounds); a failure is the round's failure.
fn run_to_end(env: &Env, tag: &str, log: &str, args: &[&str]) -> Result<(), String> {
    let mut c = env
        .cli(tag, log, args)
        .map_err(|e| format!("cannot start the CLI: {e}"))?;
    match wait_timeout(&mut c, env.timeout) {
        Some(s) if s.success() => Ok(()),
        st => Err(format!("{log} failed ({}); see {log}.err", status_text(st))),
    }
}

/// The command a round runs and kills, after its set-up: a build, an upload of the large ZIP
/// (the previous round's copy removed first), or a reset whose checkpoint commit holds
/// `COMMIT_FILES` new files.
fn round_command(
    env: &Env,
    tag: &str,
    k: u32,
    target: Target,
    skill: &str,
) -> Result<Vec<String>, String> {
    let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match target {
        Target::App | Target::Sidecar => Ok(own(&["build", skill, "--mock"])),
        Target::Upload => {
            let zip = env.logs.join("upload.zip");
            if !zip.is_file() {
                write_upload_zip(&zip, &mut Rng(u64::from(k)))
                    .map_err(|e| format!("cannot write {}: {e}", zip.display()))?;
            }
            let id: Option<String> = env
                .db()
                .query_row(
                    "SELECT skill_id FROM workspace_skills WHERE skill_name = ?1",
                    [UPLOAD_SKILL],
                    |r| r.get(0),
                )
                .ok();
            if let Some(id) = id {
                let args = format!("{{\"skillId\":\"{id}\"}}");
                run_to_end(
                    env,
                    tag,
                    &format!("r{k}-unimport"),
                    &["call", "delete_imported_skill", &args],
                )?;
            }
            Ok(own(&["import", "zip", zip.to_str().unwrap_or_default()]))
        }
        Target::Commit => {
            let refs = env.data.join("skills").join(skill).join("references");
            for i in 0..COMMIT_FILES {
                let p = refs.join(format!("extra-{k}-{i:04}.md"));
                std::fs::write(&p, format!("# Extra {k}/{i}\n"))
                    .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            }
            let args = format!("{{\"skillName\":\"{skill}\",\"fromStepId\":3}}");
            Ok(own(&["call", "reset_workflow_step", &args]))
        }
    }
}

fn round(env: &Env, chk: &mut Checker, k: u32, target: Target, kill_ms: u64) -> RoundResult {
    let skill = match target {
        Target::Upload => UPLOAD_SKILL.to_string(),
        // A commit round resets a skill an earlier round built.
        Target::Commit => chk.finished.iter().next().cloned().unwrap_or_default(),
        Target::App | Target::Sidecar => format!("s{k}"),
    };
    let tag = format!("{}-{k}", std::process::id());
    let mut r = RoundResult {
        round: k,
        skill: skill.clone(),
        target,
        kill_ms,
        killed: false,
        state_at_kill: String::new(),
        outcome: String::new(),
        startup: String::new(),
        failures: Vec::new(),
        late_exits: 0,
    };
    let mut known: BTreeSet<u32> = BTreeSet::new();
    let args = match round_command(env, &tag, k, target, &skill) {
        Ok(a) => a,
        Err(e) => {
            r.outcome = "set-up failed".into();
            r.failures.push(e);
            return r;
        }
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = match env.cli(&tag, &format!("r{k}-{}", target.name()), &args) {
        Ok(c) => c,
        Err(e) => {
            r.outcome = "spawn failed".into();
            r.failures.push(format!("cannot start the CLI: {e}"));
            return r;
        }
    };
    let pid = child.id();
    let t0 = Instant::now();
    let mut kill_at = Duration::from_millis(kill_ms);
    let mut exited: Option<ExitStatus> = None;
    // An upload's extraction is short and starts after the CLI's own start-up, which varies:
    // its kill point counts from the moment the staging folder appears.
    let mut staging_seen = target != Target::Upload;
    // Wait for the kill point (or the CLI's own exit), remembering its sidecars.
    while !staging_seen || t0.elapsed() < kill_at {
        if !staging_seen && !staging_leftovers(&env.data).is_empty() {
            staging_seen = true;
            kill_at = t0.elapsed() + Duration::from_millis(kill_ms % UPLOAD_KILL_MAX_MS);
        }
        known.extend(sidecars_of(pid));
        if let Ok(Some(s)) = child.try_wait() {
            exited = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut first_status = None;
    if exited.is_none() {
        match target {
            Target::App | Target::Upload | Target::Commit => {
                known.extend(sidecars_of(pid));
                r.killed = sigkill(pid);
                r.kill_ms = t0.elapsed().as_millis() as u64;
                first_status = child.wait().ok();
            }
            Target::Sidecar => {
                // The sidecar may not be up yet (or be between two CLI steps): wait for it.
                let mut victim = None;
                while victim.is_none() {
                    victim = sidecars_of(pid).into_iter().next();
                    if victim.is_some() {
                        break;
                    }
                    if let Ok(Some(s)) = child.try_wait() {
                        exited = Some(s);
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                if let Some(v) = victim {
                    known.insert(v);
                    r.killed = sigkill(v);
                    r.kill_ms = t0.elapsed().as_millis() as u64;
                    first_status = wait_timeout(&mut child, env.timeout);
                    if first_status.is_none() {
                        r.failures
                            .push("the CLI hung after its sidecar was killed".into());
                    }
                }
            }
        }
    }
    if let Some(s) = exited {
        first_status = Some(s);
    }
    r.state_at_kill = run_state(env, &skill)
        .map(|(s, st)| format!("step {s} {st}"))
        .unwrap_or_else(|| "no run".into());
    let first = status_text(first_status);

    // Restart: the start-up sequence (stale locks, orphaned sessions, reconciliation), then
    // the CLI resumes the build from the current step.
    match startup(env) {
        Ok(s) => r.startup = s,
        Err(e) => {
            r.startup = "failed".into();
            r.failures.push(e);
        }
    }
    let completed =
        target == Target::Upload || run_state(env, &skill).is_some_and(|(_, st)| st == "completed");
    if completed {
        r.outcome = if r.killed {
            format!("{first}; completed at kill")
        } else {
            format!("{first}; finished before kill")
        };
    } else {
        match env.cli(&tag, &format!("r{k}-resume"), &["build", &skill, "--mock"]) {
            Ok(mut c) => {
                let st = wait_timeout(&mut c, env.timeout);
                let ok = st.is_some_and(|s| s.success());
                r.outcome = format!(
                    "{first}; resume {}",
                    if ok { "ok".into() } else { status_text(st) }
                );
                if !ok {
                    r.failures.push(format!(
                        "resume failed ({}); see r{k}-resume.err",
                        status_text(st)
                    ));
                }
            }
            Err(e) => r.failures.push(format!("cannot restart the CLI: {e}")),
        }
    }
    chk.check(env, &skill, &tag, &known, &mut r);
    r
}

fn main() {
    let o = Opts::parse();
    let seed = o.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    let bin = o.bin.clone().unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("skill-builder")))
            .unwrap_or_else(|| PathBuf::from("skill-builder"))
    });
    if !bin.is_file() {
        eprintln!(
            "soak: {} not found; build it first (cargo build --release -p skill-builder-cli) or pass --bin",
            bin.display()
        );
        std::process::exit(2);
    }
    let tmp = tempfile::Builder::new()
        .prefix("sb-soak-")
        .tempdir()
        .unwrap();
    let root = o
        .data_dir
        .clone()
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let env = Env {
        bin,
        data: root.join("data"),
        logs: root.join("logs"),
        delay_ms: o.delay_ms,
        timeout: Duration::from_secs(o.timeout_s),
    };
    std::fs::create_dir_all(&env.logs).unwrap();
    println!(
        "soak: seed {seed}, {} rounds, mock delay {} ms, kill points {}–{} ms, data {}",
        o.rounds,
        o.delay_ms,
        o.min_kill_ms,
        o.max_kill_ms,
        env.data.display()
    );
    println!(
        "{:>5} | {:<5} | {:<7} | {:>7} | {:<18} | {:<40} | {:<22} | checks",
        "round", "skill", "target", "kill ms", "state at kill", "outcome", "startup"
    );
    let mut rng = Rng(seed);
    let mut chk = Checker {
        finished: BTreeSet::new(),
        head: None,
    };
    let mut results = Vec::new();
    let started = Instant::now();
    for k in 1..=o.rounds {
        let target = match Target::draw(&mut rng) {
            Target::Commit if chk.finished.is_empty() => Target::App,
            t => t,
        };
        let kill_ms = rng.range(o.min_kill_ms, o.max_kill_ms);
        let r = round(&env, &mut chk, k, target, kill_ms);
        let checks = if r.failures.is_empty() {
            if r.late_exits > 0 {
                format!("ok ({} sidecar exiting at check)", r.late_exits)
            } else {
                "ok".into()
            }
        } else {
            format!("FAIL: {}", r.failures.join("; "))
        };
        println!(
            "{:>5} | {:<5} | {:<7} | {:>7} | {:<18} | {:<40} | {:<22} | {checks}",
            r.round,
            r.skill,
            r.target.name(),
            if r.killed {
                r.kill_ms.to_string()
            } else {
                format!("({})", r.kill_ms)
            },
            r.state_at_kill,
            r.outcome,
            r.startup,
        );
        results.push(r);
    }
    let kills = results.iter().filter(|r| r.killed).count();
    let kills_of = |t: Target| results.iter().filter(|r| r.killed && r.target == t).count();
    let failed: Vec<&RoundResult> = results.iter().filter(|r| !r.failures.is_empty()).collect();
    let count = |pat: &str| {
        results
            .iter()
            .flat_map(|r| &r.failures)
            .filter(|f| f.contains(pat))
            .count()
    };
    println!(
        "\nsummary: seed {seed}; {} rounds in {:.0} s; {kills} kills ({} app, {} sidecar, {} upload, {} commit), {} rounds finished before the kill point; \
         {} failed rounds — integrity {}, lost skills {}, lost commits {}, git locks {}, orphans {}, stale locks {}, staging left {}, half uploads {}, resume failures {}",
        results.len(),
        started.elapsed().as_secs_f64(),
        kills_of(Target::App),
        kills_of(Target::Sidecar),
        kills_of(Target::Upload),
        kills_of(Target::Commit),
        results.len() - kills,
        failed.len(),
        count("integrity"),
        count("lost skill"),
        count("lost commit") + count("HEAD"),
        count("git lock"),
        count("orphaned"),
        count("stale lock"),
        count("staging left"),
        count("half installed"),
        count("resume") + count("not completed"),
    );
    if o.keep || o.data_dir.is_some() || !failed.is_empty() {
        let kept = tmp.keep();
        println!("data and logs kept in {}", kept.display());
    }
    if !failed.is_empty() {
        std::process::exit(1);
    }
}
