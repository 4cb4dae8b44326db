// Spawn the sidecar as the backend does and talk JSON lines to it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ENTRY = path.resolve(here, '../src/main.js');

const created = [];
process.on('exit', () => {
  if (process.env.SIDECAR_TEST_KEEP_TMP) return;
  for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp folder, removed when the test process exits (keep: SIDECAR_TEST_KEEP_TMP=1). */
export function tmpDir(prefix = 'sidecar-test-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(d);
  return d;
}

/** Make a workspace + skills layout like the backend does. */
export function makeSkillLayout(skill = 'sales-pipeline') {
  const root = tmpDir();
  const workspace = path.join(root, 'workspace');
  const skills = path.join(root, 'skills');
  const workspaceDir = path.join(workspace, skill);
  const skillDir = path.join(skills, skill);
  const contextDir = path.join(skillDir, 'context');
  for (const d of [workspaceDir, contextDir, path.join(skillDir, 'references'), path.join(workspace, '.claude')]) {
    fs.mkdirSync(d, { recursive: true });
  }
  return { root, workspace, skills, workspaceDir, skillDir, contextDir, skill };
}

export class Sidecar {
  constructor({ env = {}, args = ['--persistent'], inheritEnv = true } = {}) {
    const baseEnv = inheritEnv ? { ...process.env } : {};
    delete baseEnv.SKILL_BUILDER_MOCK_AGENTS;
    delete baseEnv.ANTHROPIC_API_KEY;
    delete baseEnv.ANTHROPIC_BASE_URL;
    this.proc = spawn(process.execPath, [ENTRY, ...args], {
      env: { ...baseEnv, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.lines = []; // parsed stdout lines
    this.rawStdout = [];
    this.stderr = '';
    this.nonJson = [];
    this.waiters = [];
    let buf = '';
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.trim()) continue;
        this.rawStdout.push(line);
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          this.nonJson.push(line);
        }
        this.poke();
      }
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (c) => {
      this.stderr += c;
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        this.poke();
        resolve({ code, signal });
      });
    });
  }

  poke() {
    for (const w of [...this.waiters]) w();
  }

  send(obj) {
    this.proc.stdin.write(`${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n`);
  }

  /** Wait until predicate(lines) returns a truthy value; returns it. */
  waitFor(predicate, { timeout = 10000, what = 'condition' } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        let v;
        try {
          v = predicate(this.lines);
        } catch (e) {
          return finish(e);
        }
        if (v) return finish(null, v);
        if (this.exitCode !== undefined) return finish(new Error(`sidecar exited (${this.exitCode}) before ${what}; stderr:\n${this.stderr}`));
        return undefined;
      };
      const timer = setTimeout(() => finish(new Error(`timeout waiting for ${what}; lines:\n${this.rawStdout.join('\n').slice(-4000)}\nstderr:\n${this.stderr.slice(-4000)}`)), timeout);
      // Also poll, for predicates that look at more than stdout lines.
      const poll = setInterval(check, 50);
      const finish = (err, v) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== check);
        if (err) reject(err);
        else resolve(v);
      };
      this.waiters.push(check);
      check();
    });
  }

  waitForLine(pred, opts) {
    return this.waitFor((lines) => lines.find(pred), opts);
  }

  ready(opts) {
    return this.waitForLine((l) => l.type === 'sidecar_ready', { what: 'sidecar_ready', ...opts });
  }

  forRequest(id) {
    return this.lines.filter((l) => l.request_id === id);
  }

  /** Wait for request_complete of an agent_request. */
  complete(id, opts) {
    return this.waitForLine((l) => l.request_id === id && l.type === 'request_complete', { what: `request_complete ${id}`, ...opts });
  }

  async stop() {
    if (this.exitCode !== undefined) return this.exited;
    try {
      this.send({ type: 'shutdown' });
    } catch {
      // stdin closed
    }
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }
}
