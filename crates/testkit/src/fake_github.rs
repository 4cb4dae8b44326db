//! A fake GitHub on 127.0.0.1: REST API (`/api`), raw file host (`/raw`) and OAuth host
//! (`/oauth`) in one server. Repositories are built by the test from folders on disk (file
//! bytes and exec bits kept); every request is recorded so tests can check headers.
//!
//! Point an app at it with its three URLs ([`FakeGitHub::api_url`], [`FakeGitHub::raw_url`],
//! [`FakeGitHub::oauth_url`]) in the app's options, or in a child process's
//! `SKILL_BUILDER_GITHUB_*_URL` variables.

use crate::http::{json_response, Recorded, ScriptedServer};
use axum::body::Body;
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// One file of a commit: bytes and executable bit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FakeFile {
    pub bytes: Vec<u8>,
    pub executable: bool,
}

#[derive(Debug, Clone, Default)]
struct FakeRepo {
    default_branch: String,
    /// branch → (commit sha, files)
    branches: BTreeMap<String, (String, BTreeMap<String, FakeFile>)>,
}

/// What one poll of `/login/oauth/access_token` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollReply {
    Pending,
    SlowDown(u64),
    Expired,
    Denied,
    Token(String),
}

#[derive(Default)]
struct State {
    repos: HashMap<String, FakeRepo>,
    /// `Some(reset epoch)` → every API/raw request answers 403 rate limited.
    rate_limited: Option<i64>,
    /// `Some(seconds)` → answers 429 with `retry-after`.
    retry_after: Option<u64>,
    polls: VecDeque<PollReply>,
    /// token → user JSON
    users: HashMap<String, Value>,
    labels: BTreeMap<String, BTreeSet<String>>,
    issues: Vec<Value>,
    /// raw paths (repo-relative) answered with 404 although listed in the tree
    missing_raw: BTreeSet<String>,
}

pub struct FakeGitHub {
    server: ScriptedServer,
    state: Arc<Mutex<State>>,
}

fn fake_sha(seed: &impl Hash) -> String {
    let mut out = String::new();
    for salt in 0u8..3 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut h);
        seed.hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out.truncate(40);
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads every regular file below `dir` (relative `/` paths, bytes, exec bit).
pub fn files_from_dir(dir: &Path) -> BTreeMap<String, FakeFile> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, FakeFile>) {
        let mut entries: Vec<_> = std::fs::read_dir(d).expect("read_dir").flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let ty = e.file_type().expect("file_type");
            if ty.is_dir() {
                walk(root, &p, out);
            } else if ty.is_file() {
                #[cfg(unix)]
                let executable = {
                    use std::os::unix::fs::PermissionsExt;
                    e.metadata().expect("metadata").permissions().mode() & 0o111 != 0
                };
                #[cfg(not(unix))]
                let executable = false;
                let rel = p
                    .strip_prefix(root)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(
                    rel,
                    FakeFile {
                        bytes: std::fs::read(&p).expect("read"),
                        executable,
                    },
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn rate_limit_response(reset: i64) -> Response {
    Response::builder()
        .status(403)
        .header("content-type", "application/json")
        .header("x-ratelimit-limit", "60")
        .header("x-ratelimit-remaining", "0")
        .header("x-ratelimit-reset", reset.to_string())
        .body(Body::from(
            json!({"message": "API rate limit exceeded for 127.0.0.1."}).to_string(),
        ))
        .unwrap()
}

fn retry_after_response(secs: u64) -> Response {
    Response::builder()
        .status(429)
        .header("content-type", "application/json")
        .header("retry-after", secs.to_string())
        .body(Body::from(
            json!({"message": "You have exceeded a secondary rate limit."}).to_string(),
        ))
        .unwrap()
}

fn bytes_response(status: u16, bytes: Vec<u8>) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Body::from(bytes))
        .unwrap()
}

fn not_found() -> Response {
    json_response(
        404,
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com"}),
    )
}

fn bearer(req: &Recorded) -> Option<String> {
    req.header("authorization")
        .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
}

fn form(req: &Recorded) -> HashMap<String, String> {
    String::from_utf8_lossy(&req.body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(&v.replace('+', " "))))
        .collect()
}

impl State {
    /// Finds `(repo, sha, files)` for a ref that is a branch name or a commit sha.
    fn commit(&self, key: &str, reference: &str) -> Option<(String, &BTreeMap<String, FakeFile>)> {
        let repo = self.repos.get(key)?;
        if let Some((sha, files)) = repo.branches.get(reference) {
            return Some((sha.clone(), files));
        }
        repo.branches
            .values()
            .find(|(sha, _)| sha == reference)
            .map(|(sha, files)| (sha.clone(), files))
    }

    fn api(&mut self, req: &Recorded, path: &str) -> Response {
        let segs: Vec<String> = path.split('/').map(percent_decode).collect();
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        match (req.method.as_str(), segs.as_slice()) {
            ("GET", ["user"]) => match bearer(req).and_then(|t| self.users.get(&t).cloned()) {
                Some(u) => json_response(200, u),
                None => json_response(401, json!({"message": "Bad credentials"})),
            },
            ("GET", ["repos", o, r]) => match self.repos.get(&format!("{o}/{r}")) {
                Some(repo) => json_response(
                    200,
                    json!({"full_name": format!("{o}/{r}"), "default_branch": repo.default_branch, "private": false}),
                ),
                None => not_found(),
            },
            ("GET", ["repos", o, r, "branches", rest @ ..]) => {
                let branch = rest.join("/");
                match self
                    .repos
                    .get(&format!("{o}/{r}"))
                    .and_then(|repo| repo.branches.get(&branch))
                {
                    Some((sha, _)) => {
                        json_response(200, json!({"name": branch, "commit": {"sha": sha}}))
                    }
                    None => json_response(404, json!({"message": "Branch not found"})),
                }
            }
            ("GET", ["repos", o, r, "git", "trees", rest @ ..]) => {
                let reference = rest.join("/");
                let Some((sha, files)) = self.commit(&format!("{o}/{r}"), &reference) else {
                    return json_response(404, json!({"message": "Not Found"}));
                };
                let mut dirs = BTreeSet::new();
                let mut tree = Vec::new();
                for (p, f) in files {
                    let mut acc = String::new();
                    let parts: Vec<&str> = p.split('/').collect();
                    for d in &parts[..parts.len() - 1] {
                        if !acc.is_empty() {
                            acc.push('/');
                        }
                        acc.push_str(d);
                        dirs.insert(acc.clone());
                    }
                    tree.push(json!({
                        "path": p,
                        "mode": if f.executable { "100755" } else { "100644" },
                        "type": "blob",
                        "sha": fake_sha(&f.bytes),
                        "size": f.bytes.len(),
                    }));
                }
                for d in dirs {
                    tree.push(
                        json!({"path": d, "mode": "040000", "type": "tree", "sha": fake_sha(&d)}),
                    );
                }
                tree.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
                json_response(200, json!({"sha": sha, "tree": tree, "truncated": false}))
            }
            ("POST", ["repos", o, r, "labels"]) => {
                if bearer(req).is_none_or_unknown(&self.users) {
                    return json_response(401, json!({"message": "Requires authentication"}));
                }
                let name = req.json()["name"].as_str().unwrap_or_default().to_string();
                let set = self.labels.entry(format!("{o}/{r}")).or_default();
                if set.insert(name.clone()) {
                    json_response(201, json!({"name": name}))
                } else {
                    json_response(
                        422,
                        json!({"message": "Validation Failed", "errors": [{"code": "already_exists"}]}),
                    )
                }
            }
            ("POST", ["repos", o, r, "issues"]) => {
                if bearer(req).is_none_or_unknown(&self.users) {
                    return json_response(401, json!({"message": "Requires authentication"}));
                }
                let n = self.issues.len() as u64 + 1;
                let mut issue = req.json();
                issue["number"] = json!(n);
                issue["repo"] = json!(format!("{o}/{r}"));
                issue["html_url"] = json!(format!("https://github.com/{o}/{r}/issues/{n}"));
                self.issues.push(issue.clone());
                json_response(201, issue)
            }
            _ => not_found(),
        }
    }

    fn raw(&self, path: &str) -> Response {
        let segs: Vec<String> = path.split('/').map(percent_decode).collect();
        if segs.len() < 4 {
            return bytes_response(404, b"404: Not Found".to_vec());
        }
        let key = format!("{}/{}", segs[0], segs[1]);
        // The ref may contain '/': try every split point.
        for split in 3..segs.len() {
            let reference = segs[2..split].join("/");
            if let Some((_, files)) = self.commit(&key, &reference) {
                let file = segs[split..].join("/");
                if self.missing_raw.contains(&file) {
                    return bytes_response(404, b"404: Not Found".to_vec());
                }
                return match files.get(&file) {
                    Some(f) => bytes_response(200, f.bytes.clone()),
                    None => bytes_response(404, b"404: Not Found".to_vec()),
                };
            }
        }
        bytes_response(404, b"404: Not Found".to_vec())
    }

    fn oauth(&mut self, req: &Recorded, path: &str) -> Response {
        let f = form(req);
        match path {
            "login/device/code" => {
                if f.get("client_id").is_none_or_empty() {
                    return json_response(
                        200,
                        json!({"error": "unauthorized_client", "error_description": "no client id"}),
                    );
                }
                json_response(
                    200,
                    json!({
                        "device_code": "fake-device-code",
                        "user_code": "ABCD-1234",
                        "verification_uri": "https://github.com/login/device",
                        "expires_in": 900,
                        "interval": 5
                    }),
                )
            }
            "login/oauth/access_token" => {
                if f.get("device_code").map(String::as_str) != Some("fake-device-code") {
                    return json_response(
                        200,
                        json!({"error": "incorrect_device_code", "error_description": "The device_code provided is not valid."}),
                    );
                }
                match self.polls.pop_front().unwrap_or(PollReply::Pending) {
                    PollReply::Pending => json_response(
                        200,
                        json!({"error": "authorization_pending", "error_description": "pending"}),
                    ),
                    PollReply::SlowDown(i) => json_response(
                        200,
                        json!({"error": "slow_down", "error_description": "too fast", "interval": i}),
                    ),
                    PollReply::Expired => json_response(
                        200,
                        json!({"error": "expired_token", "error_description": "expired"}),
                    ),
                    PollReply::Denied => json_response(
                        200,
                        json!({"error": "access_denied", "error_description": "denied"}),
                    ),
                    PollReply::Token(t) => json_response(
                        200,
                        json!({"access_token": t, "token_type": "bearer", "scope": "read:user,public_repo"}),
                    ),
                }
            }
            _ => not_found(),
        }
    }
}

trait OptExt {
    fn is_none_or_empty(&self) -> bool;
}
impl OptExt for Option<&String> {
    fn is_none_or_empty(&self) -> bool {
        self.is_none_or(|s| s.is_empty())
    }
}
trait TokenExt {
    fn is_none_or_unknown(&self, users: &HashMap<String, Value>) -> bool;
}
impl TokenExt for Option<String> {
    fn is_none_or_unknown(&self, users: &HashMap<String, Value>) -> bool {
        self.as_ref().is_none_or(|t| !users.contains_key(t))
    }
}

impl FakeGitHub {
    /// Starts the server (inside a tokio runtime).
    pub async fn start() -> FakeGitHub {
        let state = Arc::new(Mutex::new(State::default()));
        let s = state.clone();
        let server = ScriptedServer::start(move |req: &Recorded| {
            let mut st = s.lock().unwrap();
            let path = req.path.trim_start_matches('/');
            let (area, rest) = path.split_once('/').unwrap_or((path, ""));
            if area == "api" || area == "raw" {
                if let Some(reset) = st.rate_limited {
                    return rate_limit_response(reset);
                }
                if let Some(secs) = st.retry_after {
                    return retry_after_response(secs);
                }
            }
            match area {
                "api" => st.api(req, rest),
                "raw" => st.raw(rest),
                "oauth" => st.oauth(req, rest),
                _ => not_found(),
            }
        })
        .await;
        FakeGitHub { server, state }
    }

    pub fn api_url(&self) -> String {
        format!("{}/api", self.server.url())
    }
    pub fn raw_url(&self) -> String {
        format!("{}/raw", self.server.url())
    }
    pub fn oauth_url(&self) -> String {
        format!("{}/oauth", self.server.url())
    }

    /// Adds (or replaces) branch `branch` of `owner/repo` with the files of `dir`. The first
    /// branch added becomes the default branch. Returns the branch's commit sha.
    pub fn add_repo_from_dir(&self, owner: &str, repo: &str, branch: &str, dir: &Path) -> String {
        self.set_branch_files(owner, repo, branch, files_from_dir(dir))
    }

    /// Adds (or replaces) a branch with the given files.
    pub fn set_branch_files(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        files: BTreeMap<String, FakeFile>,
    ) -> String {
        let sha = fake_sha(&(branch, &files));
        let mut st = self.state.lock().unwrap();
        let r = st.repos.entry(format!("{owner}/{repo}")).or_default();
        if r.default_branch.is_empty() {
            r.default_branch = branch.to_string();
        }
        r.branches.insert(branch.to_string(), (sha.clone(), files));
        sha
    }

    pub fn set_default_branch(&self, owner: &str, repo: &str, branch: &str) {
        let mut st = self.state.lock().unwrap();
        st.repos
            .entry(format!("{owner}/{repo}"))
            .or_default()
            .default_branch = branch.to_string();
    }

    /// Every API and raw request answers 403 rate-limited (reset at `reset_epoch`); `None` ends it.
    pub fn set_rate_limited(&self, reset_epoch: Option<i64>) {
        self.state.lock().unwrap().rate_limited = reset_epoch;
    }

    /// Every API and raw request answers 429 with `retry-after: secs`; `None` ends it.
    pub fn set_retry_after(&self, secs: Option<u64>) {
        self.state.lock().unwrap().retry_after = secs;
    }

    /// The raw host answers 404 for this repo-relative path (although the tree lists it).
    pub fn hide_raw_file(&self, path: &str) {
        self.state
            .lock()
            .unwrap()
            .missing_raw
            .insert(path.to_string());
    }

    /// Queues the answers of the next token polls (then `authorization_pending`).
    pub fn script_polls(&self, replies: Vec<PollReply>) {
        self.state.lock().unwrap().polls = replies.into();
    }

    /// Makes `token` valid for `/user` (and issue/label creation).
    pub fn add_user(&self, token: &str, login: &str, avatar_url: &str, email: Option<&str>) {
        self.state.lock().unwrap().users.insert(
            token.to_string(),
            json!({"login": login, "avatar_url": avatar_url, "email": email}),
        );
    }

    /// Issues created so far (the request JSON plus `number`, `repo`, `html_url`).
    pub fn issues(&self) -> Vec<Value> {
        self.state.lock().unwrap().issues.clone()
    }

    /// Labels that exist in `owner/repo`.
    pub fn labels(&self, owner_repo: &str) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .labels
            .get(owner_repo)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Pre-creates a label (so creating it again answers 422).
    pub fn add_label(&self, owner_repo: &str, name: &str) {
        self.state
            .lock()
            .unwrap()
            .labels
            .entry(owner_repo.to_string())
            .or_default()
            .insert(name.to_string());
    }

    /// Every request received so far (paths include the `/api`, `/raw`, `/oauth` prefix).
    pub fn requests(&self) -> Vec<Recorded> {
        self.server.requests()
    }
}
