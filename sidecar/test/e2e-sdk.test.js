// End to end with the REAL @anthropic-ai/claude-agent-sdk (its bundled Claude
// Code CLI) against a scripted fake Anthropic Messages API on 127.0.0.1.
// Nothing here touches the internet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Sidecar, makeSkillLayout, tmpDir } from '../test-support/sidecar.js';
import { startFakeAnthropic } from '../test-support/fake-anthropic.js';

const FAKE_KEY = 'sk-ant-fake-e2e-0123456789abcdef';

function offlineEnv(fake) {
  const home = tmpDir('sidecar-home-');
  return {
    ANTHROPIC_BASE_URL: fake.url,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    HOME: home,
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
    // Never reach out through a proxy from the test machine's environment.
    HTTPS_PROXY: '',
    HTTP_PROXY: '',
    https_proxy: '',
    http_proxy: '',
    NO_PROXY: '127.0.0.1,localhost',
  };
}

test('real SDK: agent_request writes a file through the Write tool and reports the fake usage', { timeout: 120000 }, async () => {
  const L = makeSkillLayout('e2e-skill');
  const target = path.join(L.contextDir, 'research-plan.md');
  const content = '---\npurpose: domain\n---\n# Research Plan\n\nWritten by the real SDK.\n';
  const usage1 = { input_tokens: 1200, output_tokens: 80, cache_read_input_tokens: 30, cache_creation_input_tokens: 400 };
  const usage2 = { input_tokens: 1500, output_tokens: 20, cache_read_input_tokens: 430, cache_creation_input_tokens: 0 };
  const fake = await startFakeAnthropic({
    expectedKey: FAKE_KEY,
    script: (req) => {
      if (!req.text.includes(target)) return { blocks: [{ type: 'text', text: 'OK.' }], usage: { input_tokens: 1, output_tokens: 1 } };
      if (req.toolResultCount === 0) {
        return {
          blocks: [
            { type: 'text', text: 'Writing the research plan.' },
            { type: 'tool_use', name: 'Write', input: { file_path: target, content } },
          ],
          stop_reason: 'tool_use',
          usage: usage1,
        };
      }
      return { blocks: [{ type: 'text', text: 'Research complete: 1 file written.' }], stop_reason: 'end_turn', usage: usage2 };
    },
  });
  const sc = new Sidecar({ env: offlineEnv(fake) });
  try {
    await sc.ready();
    const id = 'e2e-skill-step0-1700000000000';
    sc.send({
      type: 'agent_request',
      request_id: id,
      config: {
        prompt: `Write the research plan to ${target} and finish with one sentence.`,
        apiKey: FAKE_KEY,
        cwd: L.workspace,
        model: 'claude-sonnet-4-6',
        allowedTools: ['Read', 'Write', 'Edit', 'Glob', 'Grep'],
        maxTurns: 5,
        permissionMode: 'acceptEdits',
      },
    });
    await sc.complete(id, { timeout: 90000 });
    const lines = sc.forRequest(id);
    const kinds = lines.map((l) => (l.type === 'system' ? `system/${l.subtype}` : l.type));
    assert.deepEqual(kinds.slice(0, 2), ['system/init_start', 'system/sdk_ready']);
    assert.ok(kinds.includes('system/init'), kinds.join(','));
    assert.deepEqual(kinds.slice(-2), ['result', 'request_complete']);
    assert.ok(!kinds.includes('error'), JSON.stringify(lines.filter((l) => l.type === 'error')));

    // SDK system/init is forwarded as a normal message with our request_id.
    const init = lines.find((l) => l.type === 'system' && l.subtype === 'init');
    assert.equal(init.permissionMode, 'acceptEdits');
    assert.equal(init.model, 'claude-sonnet-4-6');

    // The agent really wrote the file through the Write tool.
    assert.equal(fs.readFileSync(target, 'utf8'), content);
    const toolUse = lines
      .filter((l) => l.type === 'assistant')
      .flatMap((l) => l.message.content)
      .find((b) => b.type === 'tool_use');
    assert.equal(toolUse.name, 'Write');
    assert.equal(toolUse.input.file_path, target);
    const toolResult = lines.find((l) => l.type === 'user' && Array.isArray(l.message.content) && l.message.content[0].type === 'tool_result');
    assert.ok(toolResult && !toolResult.message.content[0].is_error, JSON.stringify(toolResult));
    // SDK messages carry their own API request id; ours stays in request_id.
    for (const l of lines) assert.equal(l.request_id, id);

    // The result carries the fake usage numbers (summed over both API calls).
    const result = lines.find((l) => l.type === 'result');
    assert.equal(result.subtype, 'success');
    assert.equal(result.is_error, false);
    assert.equal(result.num_turns, 2);
    assert.equal(result.result, 'Research complete: 1 file written.');
    assert.equal(result.usage.input_tokens, usage1.input_tokens + usage2.input_tokens);
    assert.equal(result.usage.output_tokens, usage1.output_tokens + usage2.output_tokens);
    assert.equal(result.usage.cache_read_input_tokens, usage1.cache_read_input_tokens + usage2.cache_read_input_tokens);
    assert.equal(result.usage.cache_creation_input_tokens, usage1.cache_creation_input_tokens + usage2.cache_creation_input_tokens);
    const mu = result.modelUsage['claude-sonnet-4-6'];
    assert.equal(mu.inputTokens, 2700);
    assert.equal(mu.outputTokens, 100);
    assert.ok(result.total_cost_usd > 0);

    // What the CLI called: streaming POST /v1/messages?beta=true with our key.
    const streaming = fake.requests.filter((r) => r.path === '/v1/messages' && r.body.stream);
    assert.ok(streaming.length >= 2);
    assert.match(streaming[0].query, /beta=true/);
    for (const r of fake.requests) assert.equal(r.keyOk, true, `${r.method} ${r.path} carried the configured key`);
    assert.deepEqual(fake.requests.filter((r) => r.path !== '/v1/messages' && r.path !== '/v1/messages/count_tokens'), []);

    // The key never leaves the process on stdout/stderr.
    assert.ok(!sc.rawStdout.join('\n').includes(FAKE_KEY));
    assert.ok(!sc.stderr.includes(FAKE_KEY));
  } finally {
    await sc.stop();
    await fake.close();
  }
});

test('real SDK: streaming session turns end with result + turn_complete under each request_id', { timeout: 120000 }, async () => {
  const L = makeSkillLayout('e2e-refine');
  const skillFile = path.join(L.skillDir, 'SKILL.md');
  const fake = await startFakeAnthropic({
    expectedKey: FAKE_KEY,
    script: (req) => {
      const last = req.body.messages?.at(-1);
      const lastText = typeof last?.content === 'string' ? last.content : (last?.content || []).map((b) => b.text || '').join(' ');
      if (lastText.includes('first change')) {
        return {
          blocks: [{ type: 'tool_use', name: 'Write', input: { file_path: skillFile, content: '# Skill\n\nv1\n' } }],
          stop_reason: 'tool_use',
          usage: { input_tokens: 100, output_tokens: 10 },
        };
      }
      if (req.toolResultCount === 1 && !req.text.includes('second change')) {
        return { blocks: [{ type: 'text', text: 'Turn one done.' }], usage: { input_tokens: 110, output_tokens: 5 } };
      }
      return { blocks: [{ type: 'text', text: 'Turn two done.' }], usage: { input_tokens: 120, output_tokens: 6 } };
    },
  });
  const sc = new Sidecar({ env: { ...offlineEnv(fake), ANTHROPIC_API_KEY: FAKE_KEY } });
  try {
    await sc.ready();
    sc.send({
      type: 'stream_start',
      request_id: 'refine-e2e-refine-1',
      session_id: 'sess-e2e',
      config: {
        prompt: `Make the first change to ${skillFile}.`,
        cwd: L.workspace,
        model: 'claude-sonnet-4-6',
        allowedTools: ['Read', 'Edit', 'Write', 'Glob', 'Grep'],
        maxTurns: 400,
      },
    });
    await sc.waitForLine((l) => l.request_id === 'refine-e2e-refine-1' && l.type === 'turn_complete', { what: 'turn 1', timeout: 90000 });
    assert.equal(fs.readFileSync(skillFile, 'utf8'), '# Skill\n\nv1\n');
    sc.send({ type: 'stream_message', request_id: 'refine-e2e-refine-2', session_id: 'sess-e2e', user_message: 'Now the second change.' });
    await sc.waitForLine((l) => l.request_id === 'refine-e2e-refine-2' && l.type === 'turn_complete', { what: 'turn 2', timeout: 90000 });
    const t1 = sc.forRequest('refine-e2e-refine-1').map((l) => l.type);
    const t2 = sc.forRequest('refine-e2e-refine-2');
    assert.deepEqual(t1.slice(-2), ['result', 'turn_complete']);
    assert.deepEqual(t2.map((l) => l.type).slice(-2), ['result', 'turn_complete']);
    const r2 = t2.find((l) => l.type === 'result');
    assert.equal(r2.result, 'Turn two done.');
    sc.send({ type: 'stream_end', session_id: 'sess-e2e' });
    const { code } = await sc.stop();
    assert.equal(code, 0);
    assert.ok(!sc.lines.some((l) => l.type === 'session_exhausted'));
    assert.ok(!sc.rawStdout.join('\n').includes(FAKE_KEY));
  } finally {
    await sc.stop();
    await fake.close();
  }
});

test('real SDK: cancel ends a request with one error line and interrupts a session turn', { timeout: 120000 }, async () => {
  const L = makeSkillLayout('e2e-cancel');
  // The fake API answers only after 30 s: both runs are cancelled before that.
  const fake = await startFakeAnthropic({ script: () => ({ blocks: [{ type: 'text', text: 'late' }], delayMs: 30000 }) });
  const sc = new Sidecar({ env: { ...offlineEnv(fake), ANTHROPIC_API_KEY: FAKE_KEY } });
  try {
    await sc.ready();
    const config = { prompt: 'hello', cwd: L.workspace, allowedTools: ['Read'], maxTurns: 3 };
    sc.send({ type: 'agent_request', request_id: 'c-req', config });
    sc.send({ type: 'stream_start', request_id: 'c-sess-1', session_id: 'c-sess', config });
    await sc.waitFor(() => fake.requests.filter((r) => r.body.stream).length >= 2, { what: 'both API calls', timeout: 60000 });
    sc.send({ type: 'cancel', request_id: 'c-req' });
    sc.send({ type: 'cancel', request_id: 'c-sess-1' });
    await sc.complete('c-req', { timeout: 30000 });
    await sc.waitForLine((l) => l.request_id === 'c-sess-1' && l.type === 'turn_complete', { what: 'interrupted turn', timeout: 30000 });
    const req = sc.forRequest('c-req').filter((l) => ['result', 'error'].includes(l.type));
    assert.equal(req.length, 1);
    assert.equal(req[0].type, 'error');
    assert.match(req[0].message, /cancel|abort/i);
    sc.send({ type: 'stream_end', session_id: 'c-sess' });
    const { code } = await sc.stop();
    assert.equal(code, 0);
  } finally {
    await sc.stop();
    await fake.close();
  }
});
