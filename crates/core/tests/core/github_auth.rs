//! Device-flow sign-in, logout and feedback issues against the fake GitHub (no internet).
//! Each app is pointed at its own fake through its options.

use crate::support;

use skill_builder_core::github::auth::{self, GitHubAuthResult, GithubPollForTokenArgs};
use skill_builder_core::github::feedback::{self, CreateGithubIssueArgs, CreateGithubIssueRequest};
use skill_builder_core::{settings, ErrorKind};
use skill_builder_testkit::fake_github::{FakeGitHub, PollReply};

#[tokio::test]
async fn github_device_flow_logout_and_feedback_issues() {
    let fake = FakeGitHub::start().await;
    let (_data, app) = support::open_with(|o| {
        support::use_github(o, &fake);
        o.github_client_id = Some("test-client-id".into());
        o.feedback_repo = Some("acme/feedback".into());
    });
    let token = "gho_SECRETtoken0987654321";
    fake.add_user(
        token,
        "octocat",
        "https://avatars.example/octo.png",
        Some("octo@example.com"),
    );

    // Not signed in.
    assert_eq!(
        auth::github_get_user(&app, Default::default()).unwrap(),
        None
    );
    let req = |labels: Vec<&str>| CreateGithubIssueArgs {
        request: CreateGithubIssueRequest {
            title: "Crash on import".into(),
            body: "Steps…".into(),
            labels: labels.into_iter().map(str::to_string).collect(),
        },
    };
    let e = feedback::create_github_issue(&app, req(vec!["bug"]))
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        "Not signed in to GitHub. Sign in with GitHub in Settings."
    );

    // Start.
    let start = auth::github_start_device_flow(&app, Default::default())
        .await
        .unwrap();
    assert_eq!(start.device_code, "fake-device-code");
    assert_eq!(start.user_code, "ABCD-1234");
    assert_eq!(start.interval, 5);
    assert_eq!(start.expires_in, 900);
    let r = fake.requests().last().unwrap().clone();
    assert_eq!(r.path, "/oauth/login/device/code");
    assert_eq!(r.header("accept").as_deref(), Some("application/json"));
    let body = String::from_utf8(r.body.clone()).unwrap();
    assert!(body.contains("client_id=test-client-id"), "{body}");
    assert!(body.contains("scope=read%3Auser+public_repo"), "{body}");

    // Poll: pending, slow_down (new interval forwarded), expired, denied, then success.
    fake.script_polls(vec![
        PollReply::Pending,
        PollReply::SlowDown(10),
        PollReply::Expired,
        PollReply::Denied,
        PollReply::Token(token.into()),
    ]);
    let poll = || {
        auth::github_poll_for_token(
            &app,
            GithubPollForTokenArgs {
                device_code: "fake-device-code".into(),
            },
        )
    };
    assert_eq!(poll().await.unwrap(), GitHubAuthResult::Pending);
    assert_eq!(
        serde_json::to_value(GitHubAuthResult::Pending).unwrap(),
        serde_json::json!({"status": "pending"})
    );
    let slow = poll().await.unwrap();
    assert_eq!(slow, GitHubAuthResult::SlowDown { interval: Some(10) });
    assert_eq!(
        serde_json::to_value(&slow).unwrap(),
        serde_json::json!({"status": "slow_down", "interval": 10})
    );
    assert_eq!(poll().await.unwrap(), GitHubAuthResult::Expired);
    assert_eq!(poll().await.unwrap(), GitHubAuthResult::Denied);
    assert_eq!(settings::load(&app).unwrap().github_oauth_token, None);
    let ok = poll().await.unwrap();
    let GitHubAuthResult::Success { user } = &ok else {
        panic!("{ok:?}")
    };
    assert_eq!(user.login, "octocat");
    assert_eq!(user.email.as_deref(), Some("octo@example.com"));
    let v = serde_json::to_value(&ok).unwrap();
    assert_eq!(v["status"], "success");
    assert_eq!(v["user"]["avatar_url"], "https://avatars.example/octo.png");
    assert!(
        !v.to_string().contains(token),
        "the token is never returned"
    );
    let user_req = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/user")
        .unwrap();
    assert_eq!(
        user_req.header("authorization"),
        Some(format!("Bearer {token}"))
    );
    let s = settings::load(&app).unwrap();
    assert_eq!(s.github_oauth_token.as_deref(), Some(token));
    assert_eq!(s.github_user_login.as_deref(), Some("octocat"));
    assert_eq!(
        s.github_user_avatar.as_deref(),
        Some("https://avatars.example/octo.png")
    );
    assert_eq!(s.github_user_email.as_deref(), Some("octo@example.com"));
    assert_eq!(
        auth::github_get_user(&app, Default::default())
            .unwrap()
            .unwrap(),
        user.clone()
    );

    // An invalid device code is an error naming GitHub's code.
    let e = auth::github_poll_for_token(
        &app,
        GithubPollForTokenArgs {
            device_code: "other".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(
        e.message
            .starts_with("GitHub OAuth error: incorrect_device_code — "),
        "{e}"
    );

    // Feedback: allowed labels created (existing = 422 is fine), others dropped; the issue lands.
    fake.add_label("acme/feedback", "bug");
    let long_title = "x".repeat(400);
    let created = feedback::create_github_issue(
        &app,
        CreateGithubIssueArgs {
            request: CreateGithubIssueRequest {
                title: long_title,
                body: "Steps to reproduce".into(),
                labels: vec![
                    "bug".into(),
                    "Enhancement".into(),
                    "llm-invented-label".into(),
                ],
            },
        },
    )
    .await
    .unwrap();
    assert_eq!(created.number, 1);
    assert_eq!(created.url, "https://github.com/acme/feedback/issues/1");
    let issue = &fake.issues()[0];
    assert_eq!(issue["title"].as_str().unwrap().len(), 256);
    assert_eq!(issue["labels"], serde_json::json!(["bug", "enhancement"]));
    assert_eq!(fake.labels("acme/feedback"), vec!["bug", "enhancement"]);
    let issue_req = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/repos/acme/feedback/issues")
        .unwrap();
    assert_eq!(
        issue_req.header("authorization"),
        Some(format!("Bearer {token}"))
    );

    // A rejected token: the error never contains it.
    settings::update(&app, |s| {
        s.github_oauth_token = Some("gho_unknownTOKEN".into())
    })
    .unwrap();
    let e = feedback::create_github_issue(&app, req(vec![]))
        .await
        .unwrap_err();
    assert!(
        e.message.contains("GitHub API error (401 Unauthorized)"),
        "{e}"
    );
    assert!(!e.message.contains("gho_unknownTOKEN"));
    fake.set_rate_limited(Some(1_900_000_000));
    let e = feedback::create_github_issue(&app, req(vec![]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(e.message.contains("2030-03-17T17:46:40Z"));
    assert!(!e.message.contains("gho_unknownTOKEN"));
    fake.set_rate_limited(None);

    // Logout clears everything.
    auth::github_logout(&app, Default::default()).unwrap();
    let s = settings::load(&app).unwrap();
    assert_eq!(
        (
            s.github_oauth_token,
            s.github_user_login,
            s.github_user_avatar,
            s.github_user_email
        ),
        (None, None, None, None)
    );
    assert_eq!(
        auth::github_get_user(&app, Default::default()).unwrap(),
        None
    );
    let e = feedback::create_github_issue(&app, req(vec![]))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    for r in fake.requests() {
        assert!(!r.path.contains(token) && r.query.as_deref().is_none_or(|q| !q.contains(token)));
    }
}

/// The OAuth client id and the feedback repository are settings (no placeholder built in);
/// the environment variables override them; neither set is an error saying what to set.
#[tokio::test]
async fn client_id_and_feedback_repository_come_from_settings() {
    let fake = FakeGitHub::start().await;
    let (data, app) = support::open_with(|o| support::use_github(o, &fake));
    let token = "gho_SettingsTOKEN1234567890";
    fake.add_user(token, "octocat", "https://avatars.example/o.png", None);
    let issue = || CreateGithubIssueArgs {
        request: CreateGithubIssueRequest {
            title: "Feedback".into(),
            body: "Body".into(),
            labels: vec![],
        },
    };

    // Unset: sign-in and feedback refuse, naming the setting and the variable.
    let e = auth::github_start_device_flow(&app, Default::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("`github_oauth_client_id`"), "{e}");
    assert!(e.message.contains("SKILL_BUILDER_GITHUB_CLIENT_ID"), "{e}");
    let poll = auth::github_poll_for_token(
        &app,
        GithubPollForTokenArgs {
            device_code: "fake-device-code".into(),
        },
    );
    let e = poll.await.unwrap_err();
    assert!(e.message.contains("`github_oauth_client_id`"), "{e}");
    settings::update(&app, |s| s.github_oauth_token = Some(token.into())).unwrap();
    let e = feedback::create_github_issue(&app, issue())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("`feedback_repository`"), "{e}");
    assert!(e.message.contains("SKILL_BUILDER_FEEDBACK_REPO"), "{e}");
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());

    // A feedback repository that is not owner/repo is refused when saved.
    let e = settings::save_settings(
        &app,
        serde_json::from_value(serde_json::json!({
            "settings": {"feedback_repository": "not-a-repository"}
        }))
        .unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("feedback_repository"), "{e}");

    // Set in Settings: used.
    settings::save_settings(
        &app,
        serde_json::from_value(serde_json::json!({"settings": {
            "github_oauth_client_id": " Ov23liFromSettings ",
            "feedback_repository": "acme/from-settings",
        }}))
        .unwrap(),
    )
    .unwrap();
    let s = settings::get_settings(&app).unwrap();
    assert_eq!(
        s.github_oauth_client_id.as_deref(),
        Some("Ov23liFromSettings")
    );
    auth::github_start_device_flow(&app, Default::default())
        .await
        .unwrap();
    let body = String::from_utf8(fake.requests().last().unwrap().body.clone()).unwrap();
    assert!(body.contains("client_id=Ov23liFromSettings&"), "{body}");
    let created = feedback::create_github_issue(&app, issue()).await.unwrap();
    assert_eq!(
        created.url,
        "https://github.com/acme/from-settings/issues/1"
    );

    // The environment variables (an app opened with them in its options) override the settings.
    let app = support::open_at(data.path(), |o| {
        support::use_github(o, &fake);
        o.github_client_id = Some("Ov23liFromEnv".into());
        o.feedback_repo = Some("acme/from-env".into());
    });
    auth::github_start_device_flow(&app, Default::default())
        .await
        .unwrap();
    let body = String::from_utf8(fake.requests().last().unwrap().body.clone()).unwrap();
    assert!(body.contains("client_id=Ov23liFromEnv&"), "{body}");
    let created = feedback::create_github_issue(&app, issue()).await.unwrap();
    assert_eq!(created.url, "https://github.com/acme/from-env/issues/2");
}
