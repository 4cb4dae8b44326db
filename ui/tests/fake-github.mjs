// A fake GitHub (REST API + raw host + OAuth device flow) serving one in-memory marketplace
// repository, so the GitHub import and sign-in flows run offline. Only the endpoints the app
// uses (ingestion.md §4.2 and §5), like crates/testkit/src/fake_github.rs does for Rust tests.
//
// `files` is read on every request: a test may change it (e.g. bump a version) meanwhile.
// With `private: true` the repository answers 404 (as GitHub does) unless the request carries
// the token the device flow hands out.

import { createServer } from "node:http";

export const FAKE_TOKEN = "gho_fake_device_flow_token";
export const FAKE_USER_CODE = "WDJB-MJHT";

/** `files` = { "path/in/repo": "text" } of `owner/repo` on branch `main`. */
export async function startFakeGitHub({
  owner,
  repo,
  files,
  private: isPrivate = false,
  user = { login: "octo-tester", avatar_url: "", email: "octo@example.invalid" },
  pendingPolls = 1,
}) {
  const sha = "0123456789abcdef0123456789abcdef01234567";
  const deviceCode = "fake-device-code";
  const requests = [];
  let polls = 0;

  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => handle(req, res, body));
  });

  const handle = (req, res, body) => {
    const url = new URL(req.url, "http://x");
    const path = decodeURIComponent(url.pathname);
    requests.push(`${req.method} ${path}`);
    const json = (status, value) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(value));
    };
    const authorized = (req.headers.authorization ?? "").replace(/^(Bearer|token)\s+/i, "") === FAKE_TOKEN;

    // ---- OAuth device flow (github.com/login/…) ----
    if (req.method === "POST" && path === "/oauth/login/device/code") {
      const form = new URLSearchParams(body);
      if (!form.get("client_id")) return json(200, { error: "unauthorized_client", error_description: "no client id" });
      polls = 0;
      return json(200, {
        device_code: deviceCode,
        user_code: FAKE_USER_CODE,
        verification_uri: "https://github.com/login/device",
        expires_in: 900,
        interval: 1,
      });
    }
    if (req.method === "POST" && path === "/oauth/login/oauth/access_token") {
      const form = new URLSearchParams(body);
      if (form.get("device_code") !== deviceCode) return json(200, { error: "incorrect_device_code", error_description: "The device_code provided is not valid." });
      polls += 1;
      if (polls <= pendingPolls) return json(200, { error: "authorization_pending", error_description: "pending" });
      return json(200, { access_token: FAKE_TOKEN, token_type: "bearer", scope: "read:user,public_repo" });
    }
    if (path === "/api/user") return authorized ? json(200, user) : json(401, { message: "Bad credentials" });

    // ---- the repository ----
    if (isPrivate && !authorized) {
      if (path.startsWith("/raw/")) {
        res.writeHead(404, { "Content-Type": "text/plain" });
        return res.end("404: Not Found");
      }
      return json(404, { message: "Not Found" });
    }
    const api = `/api/repos/${owner}/${repo}`;
    if (path === api) return json(200, { name: repo, full_name: `${owner}/${repo}`, default_branch: "main", private: isPrivate });
    if (path === `${api}/branches/main`) return json(200, { name: "main", commit: { sha } });
    if (path.startsWith(`${api}/git/trees/`)) {
      return json(200, { sha, truncated: false, tree: Object.keys(files).map((p) => ({ path: p, type: "blob", mode: "100644", sha })) });
    }
    for (const ref of ["main", sha]) {
      const prefix = `/raw/${owner}/${repo}/${ref}/`;
      if (path.startsWith(prefix)) {
        const file = files[path.slice(prefix.length)];
        if (file == null) {
          res.writeHead(404, { "Content-Type": "text/plain" });
          return res.end("404: Not Found");
        }
        res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
        return res.end(file);
      }
    }
    json(404, { message: "Not Found" });
  };

  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    apiUrl: `${base}/api`,
    rawUrl: `${base}/raw`,
    oauthUrl: `${base}/oauth`,
    /** The server environment that points the app at this fake (and gives it a client id). */
    env: {
      SKILL_BUILDER_GITHUB_API_URL: `${base}/api`,
      SKILL_BUILDER_GITHUB_RAW_URL: `${base}/raw`,
      SKILL_BUILDER_GITHUB_OAUTH_URL: `${base}/oauth`,
      SKILL_BUILDER_GITHUB_CLIENT_ID: "fake-client-id",
    },
    requests,
    stop: () => new Promise((r) => server.close(r)),
  };
}
