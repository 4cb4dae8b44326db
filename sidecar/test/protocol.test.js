import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sidecar, tmpDir } from '../test-support/sidecar.js';
import fs from 'node:fs';
import { parseInputLine, validateConfig, tag, switchOn, isMock } from '../src/protocol.js';

test('first line is exactly sidecar_ready, ping gets pong, shutdown exits 0', async () => {
  const sc = new Sidecar();
  try {
    await sc.ready();
    assert.equal(sc.rawStdout[0], '{"type":"sidecar_ready"}');
    sc.send({ type: 'ping' });
    await sc.waitForLine((l) => l.type === 'pong', { what: 'pong' });
    sc.send({ type: 'shutdown' });
    const { code } = await sc.exited;
    assert.equal(code, 0);
    assert.deepEqual(sc.nonJson, []);
  } finally {
    await sc.stop();
  }
});

test('stdin EOF behaves like shutdown', async () => {
  const sc = new Sidecar();
  await sc.ready();
  sc.proc.stdin.end();
  const { code } = await sc.exited;
  assert.equal(code, 0);
});

test('stdin EOF while a request runs aborts it: no more output files are written', async () => {
  const dir = tmpDir();
  const sc = new Sidecar({ env: { SKILL_BUILDER_MOCK_DELAY_MS: '300' } });
  try {
    await sc.ready();
    const skillDir = `${dir}/skills/s`;
    const fs = await import('node:fs');
    fs.mkdirSync(`${skillDir}/context`, { recursive: true });
    fs.mkdirSync(`${dir}/ws/s`, { recursive: true });
    sc.send({ type: 'agent_request', request_id: 'eof-1', config: { prompt: 'p', cwd: dir, mock: true, mockStep: 0, skillName: 's', skillDir, workspaceDir: `${dir}/ws/s` } });
    await sc.waitForLine((l) => l.request_id === 'eof-1' && l.type === 'system', { what: 'first line' });
    sc.proc.stdin.end();
    const { code } = await sc.exited;
    assert.equal(code, 0);
    assert.equal(fs.existsSync(`${skillDir}/context/clarifications.json`), false);
  } finally {
    await sc.stop();
  }
});

test('malformed lines get an error without request_id and the process survives', async () => {
  const sc = new Sidecar();
  try {
    await sc.ready();
    sc.send('this is not json');
    sc.send('');
    sc.send('[1,2,3]');
    sc.send({ type: 'no_such_type' });
    sc.send({ type: 'ping' });
    await sc.waitForLine((l) => l.type === 'pong', { what: 'pong' });
    const errors = sc.lines.filter((l) => l.type === 'error');
    assert.equal(errors.length, 3);
    for (const e of errors) {
      assert.equal(e.request_id, undefined);
      assert.match(e.message, /^Unrecognized input: /);
    }
    assert.equal(errors[0].message, 'Unrecognized input: this is not json');
    // Long garbage is cut to 200 characters.
    sc.send('x'.repeat(500));
    const long = await sc.waitFor((ls) => ls.filter((l) => l.type === 'error')[3], { what: 'fourth error' });
    assert.equal(long.message, `Unrecognized input: ${'x'.repeat(200)}`);
    assert.equal(sc.exitCode, undefined);
  } finally {
    await sc.stop();
  }
});

test('requests without required fields: no request_id -> unrecognized; bad config -> error tagged with request_id', async () => {
  const cwd = tmpDir();
  const sc = new Sidecar();
  try {
    await sc.ready();
    sc.send({ type: 'agent_request', config: { prompt: 'x', cwd, mock: true } });
    sc.send({ type: 'agent_request', request_id: '', config: { prompt: 'x', cwd, mock: true } });
    sc.send({ type: 'stream_message', request_id: 'r' });
    await sc.waitFor((ls) => ls.filter((l) => l.type === 'error').length >= 3, { what: '3 errors' });
    for (const e of sc.lines.filter((l) => l.type === 'error')) {
      assert.equal(e.request_id, undefined);
      assert.match(e.message, /^Unrecognized input/);
    }

    // No prompt.
    sc.send({ type: 'agent_request', request_id: 'bad-1', config: { cwd, mock: true } });
    // No API key and no mock.
    sc.send({ type: 'agent_request', request_id: 'bad-2', config: { prompt: 'x', cwd } });
    // cwd that does not exist.
    sc.send({ type: 'agent_request', request_id: 'bad-3', config: { prompt: 'x', cwd: `${cwd}/nope`, mock: true } });
    // bypassPermissions is refused.
    sc.send({ type: 'agent_request', request_id: 'bad-4', config: { prompt: 'x', cwd, apiKey: 'sk-test-abcdefgh', permissionMode: 'bypassPermissions' } });
    // config missing entirely.
    sc.send({ type: 'agent_request', request_id: 'bad-5' });
    for (const id of ['bad-1', 'bad-2', 'bad-3', 'bad-4', 'bad-5']) {
      await sc.complete(id);
      const lines = sc.forRequest(id);
      assert.deepEqual(lines.map((l) => l.type), ['error', 'request_complete'], id);
      assert.match(lines[0].message, /^Invalid config: /);
    }
    assert.match(sc.forRequest('bad-1')[0].message, /prompt/);
    assert.match(sc.forRequest('bad-2')[0].message, /apiKey/);
    assert.match(sc.forRequest('bad-3')[0].message, /cwd/);
    assert.match(sc.forRequest('bad-4')[0].message, /bypassPermissions/);
    // The API key of a rejected request is never echoed.
    assert.ok(!sc.rawStdout.join('\n').includes('sk-test-abcdefgh'));
    assert.ok(!sc.stderr.includes('sk-test-abcdefgh'));
    sc.send({ type: 'ping' });
    await sc.waitForLine((l) => l.type === 'pong', { what: 'pong' });
  } finally {
    await sc.stop();
  }
});

test('stream_message for an unknown session and duplicate stream_start give tagged errors', async () => {
  const cwd = tmpDir();
  const sc = new Sidecar();
  try {
    await sc.ready();
    sc.send({ type: 'stream_message', request_id: 'm1', session_id: 'nope', user_message: 'hi' });
    const e = await sc.waitForLine((l) => l.request_id === 'm1' && l.type === 'error', { what: 'm1 error' });
    assert.match(e.message, /Unknown or closed session/);
    sc.send({ type: 'stream_end', session_id: 'also-unknown' }); // ignored
    sc.send({ type: 'cancel', request_id: 'not-running' }); // ignored
    const cfg = { prompt: 'hello', cwd, mock: true, mockDelayMs: 0 };
    sc.send({ type: 'stream_start', request_id: 's1', session_id: 'sess', config: cfg });
    sc.send({ type: 'stream_start', request_id: 's2', session_id: 'sess', config: cfg });
    const dup = await sc.waitForLine((l) => l.request_id === 's2' && l.type === 'error', { what: 'dup error' });
    assert.match(dup.message, /already exists/);
    await sc.waitForLine((l) => l.request_id === 's1' && l.type === 'turn_complete', { what: 's1 turn_complete' });
    sc.send({ type: 'stream_end', session_id: 'sess' });
  } finally {
    const { code } = await sc.stop();
    assert.equal(code, 0);
  }
});

test('parseInputLine / validateConfig / tag units', () => {
  assert.equal(parseInputLine('{"type":"ping"}').ok, true);
  assert.equal(parseInputLine('{"type":"cancel"}').ok, false);
  assert.equal(parseInputLine('null').ok, false);
  assert.equal(validateConfig({ prompt: 'p', cwd: '/', apiKey: 'k' }, { env: {} }), null);
  assert.equal(validateConfig({ prompt: 'p', cwd: '/' }, { env: { ANTHROPIC_API_KEY: 'k' } }), null);
  // The environment never switches mock on: only the request's config does.
  assert.match(validateConfig({ prompt: 'p', cwd: '/' }, { env: { SKILL_BUILDER_MOCK_AGENTS: '1' } }), /apiKey/);
  assert.equal(validateConfig({ prompt: 'p', cwd: '/', mock: true }, { env: {} }), null);
  assert.equal(validateConfig({ prompt: 'p', cwd: '/', mock: 'true' }, { env: {} }), null);
  assert.match(validateConfig({ prompt: 'p', cwd: '/', mock: 1 }, { env: {} }), /config\.mock/);
  assert.match(validateConfig({ prompt: 'p', cwd: '/' }, { env: {} }), /apiKey/);
  assert.match(validateConfig({ prompt: 'p', cwd: '/', apiKey: 'k', maxTurns: 'x' }, { env: {} }), /maxTurns/);
  assert.match(validateConfig({ prompt: 'p', cwd: '/', apiKey: 'k', allowedTools: 'Read' }, { env: {} }), /allowedTools/);
  // Our request_id is first; an SDK message's own request_id survives as api_request_id.
  const t = tag('ours', { type: 'assistant', request_id: 'req_api_1' });
  assert.deepEqual(Object.keys(t), ['request_id', 'type', 'api_request_id']);
  assert.equal(t.request_id, 'ours');
  assert.equal(t.api_request_id, 'req_api_1');
});

test('--info prints one JSON line with the SDK version and CLI path', async () => {
  const sc = new Sidecar({ args: ['--info'] });
  const { code } = await sc.exited;
  assert.equal(code, 0);
  assert.equal(sc.lines.length, 1);
  const info = sc.lines[0];
  assert.equal(info.type, 'sidecar_info');
  assert.match(info.sdk_version, /^\d+\.\d+\.\d+/);
  assert.ok(info.cli_path === null || typeof info.cli_path === 'string');
});

test('switch spellings: the list shared with the backend (test-support/switch-spellings.json)', () => {
  const list = JSON.parse(fs.readFileSync(new URL('../test-support/switch-spellings.json', import.meta.url), 'utf8'));
  for (const v of list.on) {
    assert.equal(switchOn(v), true, JSON.stringify(v));
    assert.equal(isMock({ mock: v }), true, JSON.stringify(v));
  }
  for (const v of list.off) {
    assert.equal(switchOn(v), false, JSON.stringify(v));
    assert.equal(isMock({ mock: v }), false, JSON.stringify(v));
  }
  assert.equal(switchOn(true), true);
  assert.equal(switchOn(false), false);
  assert.equal(switchOn(undefined), false);
  assert.equal(isMock({}), false);
  assert.equal(isMock(null), false);
});
