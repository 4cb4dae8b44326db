import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOptions, buildEnv } from '../src/sdk.js';

test('SDK options follow the config; acceptEdits by default, never bypass', () => {
  const ac = new AbortController();
  const config = {
    prompt: 'p',
    cwd: '/work',
    apiKey: 'sk-secret-123456',
    model: 'claude-sonnet-4-6',
    agentName: 'research-orchestrator',
    allowedTools: ['Read', 'Write'],
    maxTurns: 7,
    betas: ['interleaved-thinking-2025-05-14'],
    maxThinkingTokens: 8000,
    sessionId: 'abc',
  };
  const env = { PATH: '/bin', ANTHROPIC_BASE_URL: 'http://127.0.0.1:1', SKILL_BUILDER_MOCK_AGENTS: '1' };
  const o = buildOptions(config, { abortController: ac, env, onStderr: () => {} });
  assert.equal(o.permissionMode, 'acceptEdits');
  assert.equal(o.allowDangerouslySkipPermissions, undefined);
  assert.deepEqual(o.allowedTools, ['Read', 'Write']);
  assert.equal(o.cwd, '/work');
  assert.equal(o.agent, 'research-orchestrator');
  assert.equal(o.model, 'claude-sonnet-4-6');
  assert.equal(o.maxTurns, 7);
  assert.equal(o.resume, 'abc');
  // interleaved-thinking is sent by the CLI itself; this SDK only accepts context-1m.
  assert.equal(o.betas, undefined);
  assert.deepEqual(buildOptions({ ...config, betas: ['context-1m-2025-08-07', 'x'] }, { env }).betas, ['context-1m-2025-08-07']);
  assert.deepEqual(o.thinking, { type: 'enabled', budgetTokens: 8000 });
  assert.deepEqual(o.systemPrompt, { type: 'preset', preset: 'claude_code' });
  assert.deepEqual(o.settingSources, ['project']);
  assert.equal(o.abortController, ac);
  assert.equal(typeof o.stderr, 'function');
  assert.equal(o.env.ANTHROPIC_API_KEY, 'sk-secret-123456');
  assert.equal(o.env.ANTHROPIC_BASE_URL, 'http://127.0.0.1:1');
  assert.equal(o.env.PATH, '/bin');
  assert.equal(o.env.SKILL_BUILDER_MOCK_AGENTS, undefined);
  // The given environment is not mutated.
  assert.equal(env.ANTHROPIC_API_KEY, undefined);
});

test('defaults: maxTurns 50, no thinking, no agent/model when absent', () => {
  const o = buildOptions({ prompt: 'p', cwd: '/w' }, { env: { ANTHROPIC_API_KEY: 'from-env' } });
  assert.equal(o.maxTurns, 50);
  assert.equal(o.thinking, undefined);
  assert.equal(o.agent, undefined);
  assert.equal(o.model, undefined);
  assert.equal(o.allowedTools, undefined);
  assert.equal(o.env.ANTHROPIC_API_KEY, 'from-env');
  assert.equal(buildOptions({ prompt: 'p', cwd: '/w', maxThinkingTokens: 0 }, { env: {} }).thinking, undefined);
  assert.equal(buildEnv({ apiKey: '' }, { ANTHROPIC_API_KEY: 'x' }).ANTHROPIC_API_KEY, 'x');
});
