import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Sidecar, makeSkillLayout } from '../test-support/sidecar.js';

test('concurrent requests in one process keep their request_ids apart', async () => {
  const A = makeSkillLayout('alpha');
  const B = makeSkillLayout('beta');
  const sc = new Sidecar();
  try {
    await sc.ready();
    const cfg = (L, agentName, delay) => ({
      prompt: 'go',
      cwd: L.workspace,
      agentName,
      mock: true,
      mockDelayMs: delay,
      skillName: L.skill,
      workspaceDir: L.workspaceDir,
      skillDir: L.skillDir,
    });
    sc.send({ type: 'agent_request', request_id: 'alpha-step0-1', config: cfg(A, 'research-orchestrator', 15) });
    sc.send({ type: 'agent_request', request_id: 'beta-step3-1', config: cfg(B, 'generate-skill', 10) });
    sc.send({ type: 'agent_request', request_id: 'beta-other-1', config: cfg(B, 'whatever', 5) });
    // The read loop never blocks on agent work.
    sc.send({ type: 'ping' });
    await sc.waitForLine((l) => l.type === 'pong', { what: 'pong' });
    for (const id of ['alpha-step0-1', 'beta-step3-1', 'beta-other-1']) await sc.complete(id);

    // Lines really interleaved.
    const order = sc.lines.filter((l) => l.request_id).map((l) => l.request_id);
    const firstDone = order.indexOf('beta-other-1');
    assert.ok(order.slice(0, order.lastIndexOf('alpha-step0-1')).includes('beta-step3-1'), 'interleaved');
    assert.ok(firstDone >= 0);

    for (const id of ['alpha-step0-1', 'beta-step3-1', 'beta-other-1']) {
      const lines = sc.forRequest(id);
      const init = lines.find((l) => l.type === 'system' && l.subtype === 'init');
      const results = lines.filter((l) => l.type === 'result');
      assert.equal(results.length, 1, id);
      assert.equal(results[0].session_id, init.session_id, id);
      for (const l of lines.filter((x) => x.session_id && x.type !== 'request_complete')) {
        assert.equal(l.session_id, init.session_id, `${id}: foreign session in ${JSON.stringify(l).slice(0, 200)}`);
      }
      assert.equal(lines.at(-1).type, 'request_complete');
    }
    // Each wrote into its own skill.
    assert.ok(fs.existsSync(path.join(A.contextDir, 'clarifications.json')));
    assert.ok(!fs.existsSync(path.join(A.skillDir, 'SKILL.md')));
    assert.ok(fs.existsSync(path.join(B.skillDir, 'SKILL.md')));
    assert.ok(!fs.existsSync(path.join(B.contextDir, 'clarifications.json')));
  } finally {
    await sc.stop();
  }
});

test('shutdown waits for running requests to settle, then exits 0', async () => {
  const L = makeSkillLayout('late');
  const sc = new Sidecar();
  await sc.ready();
  sc.send({
    type: 'agent_request',
    request_id: 'late-step0-1',
    config: { prompt: 'go', cwd: L.workspace, agentName: 'research-orchestrator', mock: true, mockDelayMs: 20, skillDir: L.skillDir, skillName: L.skill },
  });
  await sc.waitForLine((l) => l.request_id === 'late-step0-1' && l.type === 'assistant', { what: 'assistant' });
  sc.send({ type: 'shutdown' });
  sc.send({ type: 'agent_request', request_id: 'too-late', config: { prompt: 'go', cwd: L.workspace, mock: true } });
  const { code } = await sc.exited;
  assert.equal(code, 0);
  const lines = sc.forRequest('late-step0-1');
  assert.equal(lines.at(-2).type, 'result');
  assert.equal(lines.at(-1).type, 'request_complete');
  assert.match(sc.forRequest('too-late')[0].message, /shutting down/);
});

test('SIGTERM aborts current work and exits 0', async () => {
  const L = makeSkillLayout('sig');
  const sc = new Sidecar();
  await sc.ready();
  sc.send({
    type: 'agent_request',
    request_id: 'sig-step3-1',
    config: { prompt: 'go', cwd: L.workspace, agentName: 'generate-skill', mock: true, mockDelayMs: 500, skillDir: L.skillDir, skillName: L.skill },
  });
  await sc.waitForLine((l) => l.request_id === 'sig-step3-1' && l.type === 'system' && l.subtype === 'init', { what: 'init' });
  sc.proc.kill('SIGTERM');
  const { code } = await sc.exited;
  assert.equal(code, 0);
  const terminal = sc.forRequest('sig-step3-1').filter((l) => ['result', 'error'].includes(l.type));
  assert.equal(terminal.length, 1);
});
