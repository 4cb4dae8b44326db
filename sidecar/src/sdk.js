// Building Claude Agent SDK options from a SidecarConfig, and lazy SDK loading.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const SDK_PACKAGE = '@anthropic-ai/claude-agent-sdk';
export const DEFAULT_MAX_TURNS = 50;
export const DEFAULT_PERMISSION_MODE = 'acceptEdits';
// Betas this SDK version accepts in `options.betas`; the CLI warns about and
// ignores any other (it already sends interleaved-thinking etc. by itself).
export const SUPPORTED_BETAS = new Set(['context-1m-2025-08-07']);

let sdkPromise = null;

/** Import the SDK once, on first real (non-mock) use. */
export function loadSdk() {
  if (!sdkPromise) {
    sdkPromise = import(SDK_PACKAGE).catch((err) => {
      sdkPromise = null;
      throw new Error(`cannot load ${SDK_PACKAGE}: ${err.message} (run "npm ci" in the sidecar folder)`);
    });
  }
  return sdkPromise;
}

export function sdkVersion() {
  try {
    const pkgPath = require.resolve(`${SDK_PACKAGE}/package.json`);
    return JSON.parse(fs.readFileSync(pkgPath, 'utf8')).version;
  } catch {
    // The package's exports map may hide package.json: find it by walking up.
    try {
      const entry = require.resolve(SDK_PACKAGE);
      const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(entry), 'package.json'), 'utf8'));
      return pkg.version;
    } catch {
      return null;
    }
  }
}

/** Path of the Claude Code CLI the SDK will run (the per-platform native binary). */
export function findCliPath() {
  const exe = process.platform === 'win32' ? 'claude.exe' : 'claude';
  const base = `${SDK_PACKAGE}-${process.platform}-${process.arch}`;
  for (const pkg of [base, `${base}-musl`]) {
    try {
      const dir = path.dirname(require.resolve(`${pkg}/package.json`));
      const p = path.join(dir, exe);
      if (fs.existsSync(p)) return p;
    } catch {
      // not installed for this platform
    }
  }
  return null;
}

/**
 * The environment given to the SDK: the sidecar's whole environment (so
 * ANTHROPIC_BASE_URL, proxies, HOME... pass through) plus the request's API
 * key. process.env itself is never mutated, so concurrent requests cannot race.
 */
export function buildEnv(config, baseEnv = process.env) {
  const env = { ...baseEnv };
  if (typeof config.apiKey === 'string' && config.apiKey.length > 0) env.ANTHROPIC_API_KEY = config.apiKey;
  // Never let the sidecar's own switches or a parent Claude Code session leak in.
  delete env.SKILL_BUILDER_MOCK_AGENTS;
  delete env.CLAUDECODE;
  if (!env.CLAUDE_AGENT_SDK_CLIENT_APP) env.CLAUDE_AGENT_SDK_CLIENT_APP = 'skill-builder-sidecar/0.1.0';
  return env;
}

/**
 * SDK `query()` options for a request (§2.6 of agents.md, adapted to the
 * pinned SDK version: the CLI is a native binary, thinking uses `thinking`).
 */
export function buildOptions(config, { abortController, onStderr, env = process.env } = {}) {
  const options = {
    cwd: config.cwd,
    env: buildEnv(config, env),
    systemPrompt: { type: 'preset', preset: 'claude_code' },
    settingSources: ['project'],
    permissionMode: config.permissionMode || DEFAULT_PERMISSION_MODE,
    maxTurns: Number.isInteger(config.maxTurns) && config.maxTurns > 0 ? config.maxTurns : DEFAULT_MAX_TURNS,
  };
  if (Array.isArray(config.allowedTools)) options.allowedTools = [...config.allowedTools];
  if (config.agentName) options.agent = config.agentName;
  if (config.model) options.model = config.model;
  if (config.sessionId) options.resume = config.sessionId;
  if (Array.isArray(config.betas)) {
    const betas = config.betas.filter((b) => SUPPORTED_BETAS.has(b));
    if (betas.length > 0) options.betas = betas;
  }
  if (Number.isInteger(config.maxThinkingTokens) && config.maxThinkingTokens > 0) {
    options.thinking = { type: 'enabled', budgetTokens: config.maxThinkingTokens };
  }
  if (config.pathToClaudeCodeExecutable) {
    options.pathToClaudeCodeExecutable = config.pathToClaudeCodeExecutable;
    // An old-style JS CLI runs on the sidecar's own Node runtime.
    if (/\.(c|m)?js$/.test(config.pathToClaudeCodeExecutable)) options.executable = 'node';
  }
  if (abortController) options.abortController = abortController;
  if (onStderr) options.stderr = onStderr;
  return options;
}
