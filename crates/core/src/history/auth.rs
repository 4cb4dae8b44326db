//! The one rule for what `history` offers a remote and says about it, shared by publish's
//! fetch and push ([`super::remote`]) and the import's fetch ([`super::clone`]):
//!
//! - credentials: an ssh remote gets the SSH agent; `https://github.com/…` gets the GitHub
//!   sign-in token as `x-access-token` (no other host ever sees it); `file://` and plain paths
//!   never ask, and nothing is offered if they did;
//! - messages: the URL is shown without its user-info secrets, and the token and those secrets
//!   are cut from libgit2's text too, so no error or log line carries them.

use crate::error::Error;
use git2::{Cred, CredentialType, ErrorClass, ErrorCode, RemoteCallbacks};

/// Credential callbacks before giving up (libgit2 asks again after each refusal).
const MAX_AUTH_ATTEMPTS: u32 = 3;

/// A remote URL and the GitHub token it may be offered.
#[derive(Clone, Copy)]
pub struct RemoteTarget<'a> {
    pub url: &'a str,
    /// The GitHub sign-in token: offered only to `https://github.com/…`.
    pub github_token: Option<&'a str>,
}

/// What one credential request gets.
#[derive(Debug, PartialEq, Eq)]
enum Offer<'a> {
    SshAgent(&'a str),
    GithubToken(&'a str),
    /// The system's own HTTP credentials (Negotiate/NTLM), as the git CLI would use.
    SystemDefault,
    Nothing,
}

fn offer<'a>(
    target: RemoteTarget<'a>,
    url: &str,
    user: Option<&'a str>,
    allowed: CredentialType,
) -> Offer<'a> {
    if is_local(url) {
        return Offer::Nothing;
    }
    if allowed.contains(CredentialType::SSH_KEY) {
        return Offer::SshAgent(user.unwrap_or("git"));
    }
    if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
        if let Some(token) = target.github_token.filter(|_| is_github_https(url)) {
            return Offer::GithubToken(token);
        }
    }
    if allowed.contains(CredentialType::DEFAULT) {
        return Offer::SystemDefault;
    }
    Offer::Nothing
}

/// Callbacks that answer credential requests by [`offer`]'s rule; callers add their own
/// progress or push callbacks.
pub(super) fn callbacks(target: RemoteTarget<'_>) -> RemoteCallbacks<'_> {
    let mut cb = RemoteCallbacks::new();
    let mut attempts = 0u32;
    cb.credentials(move |url, user, allowed| {
        attempts += 1;
        if attempts > MAX_AUTH_ATTEMPTS {
            return Err(git2::Error::from_str(
                "the remote refused every credential offered",
            ));
        }
        match offer(target, url, user, allowed) {
            Offer::SshAgent(user) => Cred::ssh_key_from_agent(user),
            Offer::GithubToken(token) => Cred::userpass_plaintext("x-access-token", token),
            Offer::SystemDefault => Cred::default(),
            Offer::Nothing => Err(git2::Error::from_str(
                "no credentials for this remote (sign in to GitHub for https://github.com, or use an ssh URL with the SSH agent)",
            )),
        }
    });
    cb
}

/// `file://…` or a path: the local disk, not a network remote.
fn is_local(url: &str) -> bool {
    let url = url.trim();
    let scheme_end = url.find("://");
    match scheme_end {
        Some(i) => url[..i].eq_ignore_ascii_case("file"),
        // `host:path` (scp-style) is ssh; a Windows drive (`C:\…`) or a path is local.
        None => match url.find(':') {
            Some(i) => i == 1 || url[..i].contains(['/', '\\']),
            None => true,
        },
    }
}

/// `https://github.com/…` (any case, optional `www.`): the only place the token goes.
fn is_github_https(url: &str) -> bool {
    let Some(rest) = url
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("https://"))
        .and_then(|_| url.get(8..))
    else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    host == "github.com" || host == "www.github.com"
}

fn is_http(url: &str) -> bool {
    let l = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    l.starts_with("https://") || l.starts_with("http://")
}

/// Byte range of the `user[:password]` part before `@` in a `scheme://` URL.
fn userinfo(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let host_end = rest.find('/').unwrap_or(rest.len());
    let at = rest[..host_end].rfind('@')?;
    Some((start, start + at))
}

/// The secrets a URL carries: any password, and over http(s) the user name too (a token is
/// often passed as the user, e.g. `https://TOKEN:x-oauth-basic@…`).
fn url_secrets(url: &str) -> Vec<&str> {
    let url = url.trim();
    let Some((start, end)) = userinfo(url) else {
        return Vec::new();
    };
    let info = &url[start..end];
    let parts: Vec<&str> = match info.split_once(':') {
        Some((user, pw)) if is_http(url) => vec![user, pw],
        Some((_, pw)) => vec![pw],
        None if is_http(url) => vec![info],
        None => Vec::new(),
    };
    parts.into_iter().filter(|s| !s.is_empty()).collect()
}

/// `url` trimmed, or `invalid_input` when no transport should be handed it: empty, with a
/// control character, or starting with `-` (it would read as an option to a transport, the kind
/// of URL behind CVE-2017-1000117). One rule for every remote the app talks to.
pub fn check_remote_url(url: &str) -> crate::error::Result<&str> {
    let url = url.trim();
    if url.is_empty() {
        return Err(Error::invalid("URL cannot be empty: give a git URL"));
    }
    if url.chars().any(char::is_control) {
        return Err(Error::invalid("the git URL contains a control character"));
    }
    if url.starts_with('-') {
        return Err(Error::invalid(format!(
            "refused the URL '{}': it starts with '-'; use https://…, ssh://…, \
             git@host:owner/repo.git or file://…",
            redact_url(url)
        )));
    }
    Ok(url)
}

/// `url` without its secrets: the form every message and record uses. An http(s) URL loses its
/// whole user-info; another scheme keeps its user (`ssh://git@host`, needed to connect again)
/// and loses the password.
pub fn redact_url(url: &str) -> String {
    let url = url.trim();
    match userinfo(url) {
        Some((start, end)) if !url_secrets(url).is_empty() => {
            let user = url[start..end].split(':').next().unwrap_or("");
            if is_http(url) || user.is_empty() {
                format!("{}{}", &url[..start], &url[end + 1..])
            } else {
                format!("{}{user}@{}", &url[..start], &url[end + 1..])
            }
        }
        _ => url.to_string(),
    }
}

/// `text` with the URL shown redacted, and the token and the URL's secrets cut out.
pub(super) fn scrub(text: &str, target: RemoteTarget<'_>) -> String {
    let url = target.url.trim();
    let mut out = if url.is_empty() {
        text.to_string()
    } else {
        text.replace(url, &redact_url(url))
    };
    let mut secrets = url_secrets(url);
    secrets.extend(target.github_token.filter(|t| !t.is_empty()));
    // Longest first, so a secret inside another is not left half cut.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in secrets {
        out = out.replace(s, "***");
    }
    out
}

/// A remote's error, worded for the user: `cannot <verb> <url>: <libgit2's text>`, secrets cut.
pub(super) fn remote_err(target: RemoteTarget<'_>, verb: &str, e: git2::Error) -> Error {
    let text = format!(
        "cannot {verb} {}: {}",
        redact_url(target.url),
        scrub(e.message(), target)
    );
    match e.class() {
        // For a network remote, `Os` is the socket (connection refused, unreachable).
        ErrorClass::Os if is_local(target.url) => Error::io(text),
        ErrorClass::Net
        | ErrorClass::Http
        | ErrorClass::Ssh
        | ErrorClass::Ssl
        | ErrorClass::Os
        | ErrorClass::Callback => Error::network(format!(
            "{text}; check the URL, your network and your access (GitHub sign-in for https://github.com, the SSH agent for ssh URLs)"
        )),
        _ if e.code() == ErrorCode::NotFound => {
            Error::not_found(format!("{text}; check the URL"))
        }
        _ => Error::network(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> RemoteTarget<'_> {
        RemoteTarget {
            url,
            github_token: Some("gho_tok"),
        }
    }

    #[test]
    fn the_token_goes_to_github_over_https_only() {
        assert!(is_github_https("https://github.com/o/r.git"));
        assert!(is_github_https("HTTPS://WWW.GitHub.com/o/r"));
        assert!(!is_github_https("http://github.com/o/r"));
        assert!(!is_github_https("https://github.com.evil.example/o/r"));
        assert!(!is_github_https("https://127.0.0.1:9/o/r"));
        assert!(!is_github_https("https://gitlab.com/o/r"));
        assert!(!is_github_https("file:///tmp/r.git"));
        let plain = CredentialType::USER_PASS_PLAINTEXT;
        let gh = "https://github.com/o/r";
        assert_eq!(
            offer(target(gh), gh, None, plain),
            Offer::GithubToken("gho_tok")
        );
        let other = "https://example.com/o/r";
        assert_eq!(offer(target(other), other, None, plain), Offer::Nothing);
    }

    #[test]
    fn ssh_gets_the_agent_and_local_sources_get_nothing() {
        let ssh = "ssh://git@example.com/r.git";
        assert_eq!(
            offer(target(ssh), ssh, Some("git"), CredentialType::SSH_KEY),
            Offer::SshAgent("git")
        );
        let scp = "git@github.com:o/r.git";
        assert!(!is_local(scp));
        assert_eq!(
            offer(target(scp), scp, None, CredentialType::SSH_KEY),
            Offer::SshAgent("git")
        );
        for local in ["file:///srv/r.git", "/srv/r.git", "C:\\r", "./r", "r"] {
            assert!(is_local(local), "{local}");
            assert_eq!(
                offer(target(local), local, None, CredentialType::all()),
                Offer::Nothing,
                "{local}"
            );
        }
    }

    #[test]
    fn secrets_never_show_in_a_url_or_a_message() {
        for (url, shown) in [
            (
                "https://me:s3cret@example.com/a/b.git",
                "https://example.com/a/b.git",
            ),
            ("https://example.com/a@b", "https://example.com/a@b"),
            ("git@github.com:o/r.git", "git@github.com:o/r.git"),
            ("file:///tmp/x", "file:///tmp/x"),
            ("https://TOKEN123@example.com/r", "https://example.com/r"),
            ("ssh://git:pw@example.com/r", "ssh://git@example.com/r"),
            ("ssh://git@example.com/r", "ssh://git@example.com/r"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
        for (url, secret) in [
            ("https://me:s3cret@example.com/a.git", "s3cret"),
            ("https://TOKEN123:x-oauth-basic@github.com/o/r", "TOKEN123"),
            ("ssh://git:pw1234@example.com/r", "pw1234"),
        ] {
            let e = remote_err(
                target(url),
                "push to",
                git2::Error::from_str(&format!("failed for {url} as {secret} with gho_tok")),
            );
            assert!(!e.message.contains(secret), "{}", e.message);
            assert!(!e.message.contains("gho_tok"), "{}", e.message);
            assert!(e.message.contains(&redact_url(url)), "{}", e.message);
        }
    }
}
