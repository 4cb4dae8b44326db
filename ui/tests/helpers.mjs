// Test harness: starts the real `skill-builder serve` on a temp data dir with mock agents, and
// Debian's Chromium through playwright-core. Everything started here is stopped by `stop()`.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const uiDir = resolve(here, "..");
export const resultsDir = join(uiDir, "test-results");
export const bin = process.env.SKILL_BUILDER_BIN || resolve(uiDir, "../target/debug/skill-builder");
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function serverEnv(dataDir, extra = {}) {
  return {
    ...process.env,
    SKILL_BUILDER_MOCK_AGENTS: "1",
    SKILL_BUILDER_KEYCHAIN: "0",
    SKILL_BUILDER_DATA_DIR: dataDir,
    SKILL_BUILDER_UI_DIR: join(uiDir, "dist"),
    // Keep the tests offline even if something tried to reach out.
    SKILL_BUILDER_GITHUB_API_URL: "http://127.0.0.1:9",
    SKILL_BUILDER_GITHUB_RAW_URL: "http://127.0.0.1:9",
    ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
    ...extra,
  };
}

/** Runs a CLI subcommand on the data dir (e.g. to prepare a built skill). */
export function cli(dataDir, args) {
  const r = spawnSync(bin, ["--data-dir", dataDir, ...args], { env: serverEnv(dataDir), encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`skill-builder ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A fresh temp data dir. */
export function tempDataDir(name) {
  return mkdtempSync(join(tmpdir(), `sb-ui-${name}-`));
}

/**
 * Starts the server (own process group, so its agent sidecars can be stopped with it) and
 * resolves with `{url, origin, token, child, stop}` once it printed its tokened URL.
 */
export async function startServer(dataDir, env = {}) {
  if (!existsSync(bin)) throw new Error(`server binary not found at ${bin}; run cargo build -p skill-builder-cli or set SKILL_BUILDER_BIN`);
  if (!existsSync(join(uiDir, "dist", "index.html"))) throw new Error("ui/dist is not built; run npm run build first");
  const child = spawn(bin, ["--data-dir", dataDir, "serve", "--port", "0", "--no-open"], {
    env: serverEnv(dataDir, env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
    if (process.env.SB_TEST_VERBOSE) process.stderr.write(d);
  });
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not print its URL within 30 s:\n${stderr}`)), 30_000);
    const rl = createInterface({ input: child.stdout });
    rl.once("line", (line) => {
      clearTimeout(timer);
      resolveUrl(line.trim());
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${code}):\n${stderr}`));
    });
  });
  const u = new URL(url);
  const exited = new Promise((r) => child.once("exit", r));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    let timer;
    const done = await Promise.race([exited.then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), 12_000)))]);
    clearTimeout(timer);
    // Whatever is left in its process group (sidecars) goes too.
    try {
      process.kill(-child.pid, done ? "SIGTERM" : "SIGKILL");
    } catch {
      /* group already empty */
    }
    if (!done) await exited;
  };
  return { url, origin: u.origin, token: u.searchParams.get("token"), child, stop, stderr: () => stderr };
}

/** Calls a command over HTTP with the bearer token (for set-up and checks, not for UI flows). */
export async function api(server, name, args = {}) {
  const r = await fetch(`${server.origin}/api/${name}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${server.token}` },
    body: JSON.stringify(args),
  });
  const body = await r.json().catch(() => null);
  return { status: r.status, body };
}

/** Chromium with a fresh profile; resolves with `{context, page, close}`. */
export async function startBrowser(name) {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}; install it with apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), `sb-ui-chromium-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const logs = [];
  page.on("console", (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`[pageerror] ${e.message}`));
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close, logs };
}

export async function screenshot(page, name) {
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true });
}

/**
 * One test's world: data dir, server, browser. `run(fn)` always tears everything down and
 * saves a screenshot (also on failure, as `<name>-failure.png`).
 */
export async function withApp(name, fn, { prepare, env } = {}) {
  const dataDir = tempDataDir(name);
  let server;
  let browser;
  try {
    if (prepare) await prepare(dataDir);
    server = await startServer(dataDir, env);
    browser = await startBrowser(name);
    await browser.page.goto(server.url);
    await fn({ page: browser.page, server, dataDir, browser });
    await screenshot(browser.page, name);
  } catch (e) {
    if (browser) {
      await screenshot(browser.page, `${name}-failure`).catch(() => {});
      if (browser.logs.length) console.error(`browser console of ${name}:\n${browser.logs.join("\n")}`);
    }
    if (server) console.error(`server stderr of ${name}:\n${server.stderr().slice(-4000)}`);
    throw e;
  } finally {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Does this build's server route the command (listed in its OpenAPI description)? */
export async function implemented(server, name) {
  const r = await fetch(`${server.origin}/api/openapi.json`, { headers: { Authorization: `Bearer ${server.token}` } });
  const doc = await r.json();
  return doc.paths?.[`/api/${name}`]?.post !== undefined;
}

export const NOT_AVAILABLE = "This feature is not available in this build yet.";

// ---- a minimal ZIP writer (stored entries), so the tests need no zip dependency ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** `files` = { "path/in/zip": "text" } → a ZIP Buffer. */
export function makeZip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBuf = Buffer.from(name, "utf8");
    const data = Buffer.from(text, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBuf, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE((0o100644 * 0x10000) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const centralBuf = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(centralBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBuf, end]);
}
