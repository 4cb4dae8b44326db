// A fake GitHub (REST API + raw host) serving one in-memory marketplace repository, so the
// GitHub import flow runs offline. Only the endpoints the import uses (ingestion.md §4.2).

import { createServer } from "node:http";

/** `files` = { "path/in/repo": "text" } of `owner/repo` on branch `main`. */
export async function startFakeGitHub({ owner, repo, files }) {
  const sha = "0123456789abcdef0123456789abcdef01234567";
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const path = decodeURIComponent(url.pathname);
    requests.push(`${req.method} ${path}`);
    const json = (status, body) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const api = `/api/repos/${owner}/${repo}`;
    if (path === api) return json(200, { name: repo, full_name: `${owner}/${repo}`, default_branch: "main", private: false });
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
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    apiUrl: `${base}/api`,
    rawUrl: `${base}/raw`,
    requests,
    stop: () => new Promise((r) => server.close(r)),
  };
}
