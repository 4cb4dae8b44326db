import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Sidecar, makeSkillLayout } from '../test-support/sidecar.js';

function stepConfig(layout, agentName, extra = {}) {
  return {
    prompt: `Run ${agentName} for ${layout.skill}`,
    cwd: layout.workspace,
    model: 'claude-sonnet-4-6',
    agentName,
    allowedTools: ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'Bash', 'Task', 'Skill'],
    maxTurns: 50,
    mock: true,
    mockDelayMs: 0,
    skillName: layout.skill,
    workspaceDir: layout.workspaceDir,
    skillDir: layout.skillDir,
    ...extra,
  };
}

async function runRequest(sc, id, config) {
  sc.send({ type: 'agent_request', request_id: id, config });
  await sc.complete(id);
  return sc.forRequest(id);
}

function assertRealisticRun(lines, id) {
  const types = lines.map((l) => (l.type === 'system' ? `system/${l.subtype}` : l.type));
  assert.deepEqual(types.slice(0, 3), ['system/init_start', 'system/sdk_ready', 'system/init'], id);
  assert.equal(types.at(-1), 'request_complete');
  assert.equal(types.at(-2), 'result');
  for (const l of lines) assert.equal(l.request_id, id);
  const result = lines.at(-2);
  assert.equal(result.subtype, 'success');
  assert.equal(result.is_error, false);
  assert.equal(result.total_cost_usd, 0);
  assert.ok(result.num_turns >= 1);
  assert.ok(result.usage.input_tokens > 0 && result.usage.output_tokens > 0);
  const mu = result.modelUsage['claude-sonnet-4-6'];
  assert.equal(mu.inputTokens, result.usage.input_tokens);
  assert.equal(mu.costUSD, 0);
  assert.equal(result.session_id, lines[2].session_id);
  return result;
}

test('mock workflow: every step writes its outputs where the config says', async () => {
  const L = makeSkillLayout('sales-pipeline');
  fs.writeFileSync(
    path.join(L.workspaceDir, 'user-context.md'),
    '# User Context\n\n### Skill\n**Name**: sales-pipeline\n**Purpose**: Organization specific data engineering standards\n**Description**: Pipeline standards for sales data\n',
  );
  const sc = new Sidecar();
  try {
    await sc.ready();

    // Step 0: research plan + clarifications (answers null, no refinements).
    const s0 = await runRequest(sc, 'sales-pipeline-step0-1', stepConfig(L, 'research-orchestrator', { stepId: 0 }));
    assertRealisticRun(s0, 'sales-pipeline-step0-1');
    const toolUses = s0.filter((l) => l.type === 'assistant').flatMap((l) => l.message.content).filter((b) => b.type === 'tool_use');
    assert.ok(toolUses.some((b) => b.name === 'Write' && b.input.file_path === path.join(L.contextDir, 'clarifications.json')));
    assert.ok(s0.some((l) => l.type === 'user' && l.message.content[0].type === 'tool_result'));
    const plan = fs.readFileSync(path.join(L.contextDir, 'research-plan.md'), 'utf8');
    assert.match(plan, /^---\npurpose: data-engineering\n/);
    assert.match(plan, /topic_relevance: relevant/);
    const clar = JSON.parse(fs.readFileSync(path.join(L.contextDir, 'clarifications.json'), 'utf8'));
    assert.equal(clar.version, '1');
    const qs = clar.sections.flatMap((s) => s.questions);
    assert.equal(clar.metadata.question_count, qs.length);
    assert.equal(clar.metadata.section_count, clar.sections.length);
    assert.deepEqual(clar.metadata.priority_questions, qs.filter((q) => q.must_answer).map((q) => q.id));
    for (const q of qs) {
      assert.equal(q.answer_choice, null);
      assert.equal(q.answer_text, null);
      assert.deepEqual(q.refinements, []);
      assert.ok(q.choices.at(-1).is_other);
    }

    // The user answers Q1 (kept by step 1).
    qs[0].answer_choice = 'B';
    qs[1].answer_text = 'The ERP, except for forecast data which lives in the CRM';
    qs[1].answer_choice = 'custom';
    fs.writeFileSync(path.join(L.contextDir, 'clarifications.json'), JSON.stringify(clar, null, 2));

    // Gate: answer evaluator writes answer-evaluation.json into the workspace dir.
    const g = await runRequest(sc, 'sales-pipeline-gate-eval-2', stepConfig(L, 'answer-evaluator', { model: 'claude-haiku-4-5', allowedTools: ['Read', 'Write'] }));
    assert.equal(g.at(-2).type, 'result');
    const ev = JSON.parse(fs.readFileSync(path.join(L.workspaceDir, 'answer-evaluation.json'), 'utf8'));
    assert.equal(ev.verdict, 'mixed');
    assert.equal(ev.total_count, qs.length);
    assert.equal(ev.answered_count, 2);
    assert.equal(ev.per_question.length, qs.length);

    // Step 1: refinements added, answers untouched.
    const s1 = await runRequest(sc, 'sales-pipeline-step1-3', stepConfig(L, 'detailed-research', { stepId: 1 }));
    assertRealisticRun(s1, 'sales-pipeline-step1-3');
    const clar1 = JSON.parse(fs.readFileSync(path.join(L.contextDir, 'clarifications.json'), 'utf8'));
    const qs1 = clar1.sections.flatMap((s) => s.questions);
    assert.equal(qs1[0].answer_choice, 'B');
    assert.equal(qs1[1].answer_choice, 'custom');
    const refs = qs1.flatMap((q) => q.refinements);
    assert.equal(refs.length, 3);
    assert.equal(clar1.metadata.refinement_count, 3);
    assert.equal(refs[0].id, 'R1.1');
    assert.equal(refs[0].parent_question_id, 'Q1');
    assert.equal(refs[0].answer_choice, null);

    // Step 2: decisions.md, not contradictory.
    const s2 = await runRequest(sc, 'sales-pipeline-step2-4', stepConfig(L, 'confirm-decisions', { stepId: 2 }));
    assertRealisticRun(s2, 'sales-pipeline-step2-4');
    const dec = fs.readFileSync(path.join(L.contextDir, 'decisions.md'), 'utf8');
    assert.match(dec, /^---\ndecision_count: 8\nconflicts_resolved: 0\nround: 1\n---/);
    assert.doesNotMatch(dec, /contradictory_inputs/);
    assert.match(dec, /### D1: Primary use case\n- \*\*Original question\*\*: .+\n- \*\*Decision\*\*: Analytical modelling\n/);
    assert.match(dec, /The ERP, except for forecast data/);
    assert.equal((dec.match(/^### D\d+:/gm) || []).length, 8);

    // Step 3: SKILL.md, references, evaluations.
    const s3 = await runRequest(sc, 'sales-pipeline-step3-5', stepConfig(L, 'generate-skill', { stepId: 3 }));
    assertRealisticRun(s3, 'sales-pipeline-step3-5');
    const skill = fs.readFileSync(path.join(L.skillDir, 'SKILL.md'), 'utf8');
    // Only Agent Skills keys at the top level; version, author and dates as metadata strings.
    assert.match(skill, /^---\nname: sales-pipeline\ndescription: .+\nmetadata:\n  version: "1\.0\.0"\n  author: ".+"\n  created: "\d{4}-\d\d-\d\d"\n  modified: "\d{4}-\d\d-\d\d"\n---\n/);
    assert.doesNotMatch(skill, /scope_recommendation|contradictory_inputs/);
    assert.match(skill, /## Getting Started/); // standards purpose
    const refFiles = fs.readdirSync(path.join(L.skillDir, 'references'));
    assert.ok(refFiles.length >= 3 && refFiles.length <= 8);
    for (const f of refFiles) assert.match(skill, new RegExp(`references/${f}`));
    const evals = fs.readFileSync(path.join(L.contextDir, 'evaluations.md'), 'utf8');
    assert.equal((evals.match(/^## Scenario/gm) || []).length, 3);
    // The eval suite and trigger queries, so `skill-builder eval` can run at once.
    const suite = JSON.parse(fs.readFileSync(path.join(L.skillDir, 'evals', 'evals.json'), 'utf8'));
    assert.equal(suite.skill_name, 'sales-pipeline');
    assert.ok(suite.evals.length >= 3);
    for (const e of suite.evals) {
      assert.ok(Number.isInteger(e.id) && e.prompt && e.expectations.length >= 1);
      assert.deepEqual(e.files, []);
    }
    const triggers = JSON.parse(fs.readFileSync(path.join(L.skillDir, 'evals', 'triggers.json'), 'utf8'));
    const should = triggers.filter((q) => q.should_trigger === true).length;
    const shouldNot = triggers.filter((q) => q.should_trigger === false).length;
    assert.ok(should >= 8 && should <= 10 && shouldNot >= 8 && shouldNot <= 10, `${should}/${shouldNot}`);
  } finally {
    const { code } = await sc.stop();
    assert.equal(code, 0);
  }
});

test('mockStep overrides agentName; missing output dir is a clear error', async () => {
  const L = makeSkillLayout('x-skill');
  const sc = new Sidecar();
  try {
    await sc.ready();
    const lines = await runRequest(sc, 'r-step2', stepConfig(L, 'some-custom-agent', { mockStep: 'step0' }));
    assert.equal(lines.at(-2).type, 'result');
    assert.ok(fs.existsSync(path.join(L.contextDir, 'research-plan.md')));

    const cfg = stepConfig(L, 'generate-skill');
    delete cfg.skillDir;
    const bad = await runRequest(sc, 'r-bad', cfg);
    const err = bad.find((l) => l.type === 'error');
    assert.ok(err, 'error line');
    assert.match(err.message, /config\.skillDir/);
    assert.equal(bad.at(-1).type, 'request_complete');
  } finally {
    await sc.stop();
  }
});

test('mock is decided per request: SKILL_BUILDER_MOCK_AGENTS in the environment is ignored', async () => {
  const L = makeSkillLayout('generic');
  // A sidecar started while mock mode was on keeps the variable in its environment ...
  const sc = new Sidecar({ env: { SKILL_BUILDER_MOCK_AGENTS: '1' } });
  try {
    await sc.ready();
    // ... but a request that does not ask for mock is a real one (here: refused, no key).
    const real = await runRequest(sc, 'real-1', { prompt: 'Test the skill', cwd: L.workspace, agentName: 'test-plan-with' });
    const err = real.find((l) => l.type === 'error');
    assert.ok(err, JSON.stringify(real));
    assert.match(err.message, /apiKey is required/);
    assert.ok(!real.some((l) => l.type === 'result'), 'no canned result for a real request');

    // The request's own switch (any accepted spelling) turns mock on; generic agents answer with text.
    const lines = await runRequest(sc, 'test-with-1', { prompt: 'Test the skill', cwd: L.workspace, agentName: 'test-plan-with', mock: 'true', mockDelayMs: 0 });
    const result = lines.at(-2);
    assert.equal(result.type, 'result');
    assert.match(result.result, /Mock response from test-plan-with/);
    // Generic runs write nothing into the workspace.
    assert.deepEqual(fs.readdirSync(L.workspace).sort(), ['.claude', 'generic']);
  } finally {
    await sc.stop();
  }
});

test('cancel aborts a running mock request with an error_during_execution result', async () => {
  const L = makeSkillLayout('cancel-me');
  const sc = new Sidecar();
  try {
    await sc.ready();
    sc.send({ type: 'agent_request', request_id: 'slow', config: stepConfig(L, 'generate-skill', { mockDelayMs: 200 }) });
    await sc.waitForLine((l) => l.request_id === 'slow' && l.type === 'assistant', { what: 'first assistant' });
    sc.send({ type: 'cancel', request_id: 'slow' });
    await sc.complete('slow');
    const lines = sc.forRequest('slow');
    const result = lines.find((l) => l.type === 'result');
    assert.equal(result.subtype, 'error_during_execution');
    assert.equal(result.is_error, true);
    assert.deepEqual(result.errors, ['Mock agent cancelled']);
    assert.equal(lines.filter((l) => ['result', 'error'].includes(l.type)).length, 1, 'exactly one terminal line');
  } finally {
    await sc.stop();
  }
});
