//! `skill-builder serve`: the tokened URL is the only stdout line, the API answers with the
//! token, and SIGINT stops the server gracefully and frees the instance's locks.

use crate::support::{command, run, stdout_json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn post(addr: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp[9..12].parse().unwrap();
    let body = resp
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_string();
    (status, body)
}

#[test]
fn serve_prints_url_answers_and_stops_on_sigint() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(dir.path())
        .args(["serve", "--port", "0", "--no-open"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line.trim_end().to_string();
    let rest = url.strip_prefix("http://127.0.0.1:").expect(&url);
    let (port, token) = rest.split_once("/?token=").expect(&url);
    let port: u16 = port.parse().unwrap();
    assert_ne!(port, 0);
    assert!(token.len() >= 32);
    assert!(token
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    let addr = format!("127.0.0.1:{port}");

    assert_eq!(post(&addr, "/api/list_skills", None, "{}").0, 401);
    let (s, b) = post(
        &addr,
        "/api/create_skill",
        Some(token),
        r#"{"name":"served"}"#,
    );
    assert_eq!(s, 200, "{b}");
    let (s, b) = post(
        &addr,
        "/api/acquire_lock",
        Some(token),
        r#"{"skillName":"served"}"#,
    );
    assert_eq!(s, 200, "{b}");
    let (_, b) = post(&addr, "/api/get_locked_skills", Some(token), "");
    assert!(b.contains("served"), "{b}");

    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "serve did not stop after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "the URL is the only stdout line");
    assert!(TcpStream::connect(&addr).is_err(), "no longer listening");

    // The lock was released at exit.
    let o = run(dir.path(), &["call", "get_locked_skills"]);
    assert_eq!(stdout_json(&o), serde_json::json!([]));
}
