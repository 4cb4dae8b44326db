import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Sidecar, makeSkillLayout } from '../test-support/sidecar.js';

test('mock refine session: each message is a turn that edits SKILL.md, tagged with its own request_id', async () => {
  const L = makeSkillLayout('refine-me');
  const skillFile = path.join(L.skillDir, 'SKILL.md');
  fs.writeFileSync(skillFile, '---\nname: refine-me\ndescription: d\nmodified: 2020-01-01\n---\n# Refine Me\n\nBody.\n');
  const sc = new Sidecar();
  try {
    await sc.ready();
    const config = {
      prompt: 'refine: add a section about retries',
      cwd: L.workspace,
      agentName: 'refine-skill',
      allowedTools: ['Read', 'Edit', 'Write', 'Glob', 'Grep', 'Task'],
      maxTurns: 400,
      mock: true,
      mockDelayMs: 0,
      skillName: L.skill,
      workspaceDir: L.workspaceDir,
      skillDir: L.skillDir,
    };
    sc.send({ type: 'stream_start', request_id: 'refine-refine-me-1', session_id: 'sess-1', config });
    // Queued early: must not be consumed before turn 1 ends.
    sc.send({ type: 'stream_message', request_id: 'refine-refine-me-2', session_id: 'sess-1', user_message: 'also mention idempotency' });
    await sc.waitForLine((l) => l.request_id === 'refine-refine-me-2' && l.type === 'turn_complete', { what: 'turn 2' });

    const t1 = sc.forRequest('refine-refine-me-1');
    const t2 = sc.forRequest('refine-refine-me-2');
    const kinds = (ls) => ls.map((l) => (l.type === 'system' ? `system/${l.subtype}` : l.type));
    assert.deepEqual(kinds(t1).slice(0, 3), ['system/init_start', 'system/sdk_ready', 'system/init']);
    assert.deepEqual(kinds(t1).slice(-2), ['result', 'turn_complete']);
    assert.deepEqual(kinds(t2).slice(-2), ['result', 'turn_complete']);
    assert.ok(!kinds(t2).includes('system/init'));
    assert.equal(t1.at(-1).session_id, 'sess-1');
    // Turn 2 starts only after turn 1's terminal line.
    const idx = (pred) => sc.lines.findIndex(pred);
    assert.ok(idx((l) => l.request_id === 'refine-refine-me-1' && l.type === 'turn_complete') < idx((l) => l.request_id === 'refine-refine-me-2'));
    // Running totals grow.
    const r1 = t1.find((l) => l.type === 'result');
    const r2 = t2.find((l) => l.type === 'result');
    assert.ok(r2.usage.input_tokens > r1.usage.input_tokens);
    assert.equal(r1.session_id, r2.session_id);
    // Edits really happened.
    const edits = t1.filter((l) => l.type === 'assistant').flatMap((l) => l.message.content).filter((b) => b.type === 'tool_use' && b.name === 'Edit');
    assert.ok(edits.length >= 1);
    const text = fs.readFileSync(skillFile, 'utf8');
    assert.match(text, /## Refinement Notes/);
    assert.match(text, /add a section about retries/);
    assert.match(text, /also mention idempotency/);
    assert.doesNotMatch(text, /modified: 2020-01-01/);

    // End: no session_exhausted; further messages are refused.
    sc.send({ type: 'stream_end', session_id: 'sess-1' });
    await new Promise((r) => setTimeout(r, 100));
    sc.send({ type: 'stream_message', request_id: 'refine-refine-me-3', session_id: 'sess-1', user_message: 'more' });
    const err = await sc.waitForLine((l) => l.request_id === 'refine-refine-me-3' && l.type === 'error', { what: 'closed error' });
    assert.match(err.message, /Unknown or closed session/);
    assert.ok(!sc.lines.some((l) => l.type === 'session_exhausted'));
  } finally {
    const { code } = await sc.stop();
    assert.equal(code, 0);
  }
});

test('a session whose query ends by itself reports session_exhausted', async () => {
  const L = makeSkillLayout('exhaust');
  const sc = new Sidecar();
  try {
    await sc.ready();
    // maxTurns 1: the mock session stops after the first turn (like the SDK's turn limit).
    sc.send({
      type: 'stream_start',
      request_id: 'q-1',
      session_id: 'sess-x',
      config: { prompt: 'hello', cwd: L.workspace, agentName: 'helper', mock: true, mockDelayMs: 0, maxTurns: 1 },
    });
    const ex = await sc.waitForLine((l) => l.type === 'session_exhausted', { what: 'session_exhausted' });
    assert.equal(ex.request_id, 'q-1');
    assert.equal(ex.session_id, 'sess-x');
    const kinds = sc.forRequest('q-1').map((l) => l.type);
    assert.deepEqual(kinds.slice(-3), ['result', 'turn_complete', 'session_exhausted']);
  } finally {
    await sc.stop();
  }
});

test('a refine session and a workflow request share one process', async () => {
  const L = makeSkillLayout('shared');
  const sc = new Sidecar();
  try {
    await sc.ready();
    const base = { cwd: L.workspace, mock: true, mockDelayMs: 5, skillName: L.skill, workspaceDir: L.workspaceDir, skillDir: L.skillDir };
    sc.send({ type: 'stream_start', request_id: 'refine-shared-1', session_id: 's', config: { ...base, prompt: 'tidy up', agentName: 'refine-skill' } });
    sc.send({ type: 'agent_request', request_id: 'shared-step0-1', config: { ...base, prompt: 'research', agentName: 'research-orchestrator' } });
    await sc.complete('shared-step0-1');
    await sc.waitForLine((l) => l.request_id === 'refine-shared-1' && l.type === 'turn_complete', { what: 'turn' });
    assert.equal(sc.forRequest('shared-step0-1').filter((l) => l.type === 'turn_complete').length, 0);
    assert.equal(sc.forRequest('refine-shared-1').filter((l) => l.type === 'request_complete').length, 0);
    sc.send({ type: 'stream_end', session_id: 's' });
  } finally {
    await sc.stop();
  }
});
