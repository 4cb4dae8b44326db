// Mock agent runtime: an SDK-shaped `query()` that replays canned runs and
// writes realistic step outputs to the folders named in the config (never
// parsed from the prompt). See README.md "Mock mode".
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as C from './content.js';

const MODEL_ALIASES = { sonnet: 'claude-sonnet-4-6', haiku: 'claude-haiku-4-5', opus: 'claude-opus-4-6' };
const DEFAULT_TOOLS = ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'Bash', 'Task', 'Skill'];

export const SCENARIOS = ['step0', 'step1', 'step2', 'step3', 'answer-evaluator', 'refine', 'generic'];

const STEP_BY_NUMBER = ['step0', 'step1', 'step2', 'step3'];
const SCENARIO_ALIASES = {
  research: 'step0',
  'research-orchestrator': 'step0',
  'detailed-research': 'step1',
  'confirm-decisions': 'step2',
  'generate-skill': 'step3',
  'answer-evaluator': 'answer-evaluator',
  gate: 'answer-evaluator',
  'refine-skill': 'refine',
  'rewrite-skill': 'refine',
  refine: 'refine',
};

function scenarioFromName(name) {
  if (name === undefined || name === null) return null;
  if (Number.isInteger(name) || /^\d+$/.test(String(name))) return STEP_BY_NUMBER[Number(name)] || null;
  const s = String(name);
  if (SCENARIOS.includes(s)) return s;
  if (SCENARIO_ALIASES[s]) return SCENARIO_ALIASES[s];
  if (s.startsWith('research-')) return 'step0';
  return null;
}

/** Which canned run to replay: mockStep > agentName > stepId > generic. */
export function resolveScenario(config) {
  if (config.mockStep !== undefined && config.mockStep !== null) {
    const s = scenarioFromName(config.mockStep);
    if (!s) throw new Error(`unknown config.mockStep ${JSON.stringify(config.mockStep)}; use 0-3 or one of ${SCENARIOS.join(', ')}`);
    return s;
  }
  return scenarioFromName(config.agentName) || scenarioFromName(config.stepId) || 'generic';
}

/** Output folders, all from structured config fields. */
export function resolveDirs(config) {
  const skillDir = config.skillDir ? path.resolve(config.cwd || '.', config.skillDir) : null;
  const contextDir = config.contextDir
    ? path.resolve(config.cwd || '.', config.contextDir)
    : skillDir
      ? path.join(skillDir, 'context')
      : null;
  let workspaceDir = config.workspaceDir ? path.resolve(config.cwd || '.', config.workspaceDir) : null;
  if (!workspaceDir && config.skillName && config.cwd) workspaceDir = path.join(config.cwd, config.skillName);
  return { skillDir, contextDir, workspaceDir };
}

function need(dirs, key, scenario) {
  if (!dirs[key]) throw new Error(`mock ${scenario} needs config.${key}`);
  return dirs[key];
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function writeFile(file, content) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

// ---- actions: what a tool call does; each returns the tool_result text ----

function readAction(file) {
  return {
    name: 'Read',
    input: { file_path: file },
    run() {
      if (!fs.existsSync(file)) return { text: `File does not exist: ${file}`, isError: true };
      const text = fs.readFileSync(file, 'utf8');
      const numbered = text
        .split('\n')
        .slice(0, 40)
        .map((l, i) => `${String(i + 1).padStart(6)}\t${l}`)
        .join('\n');
      return { text: numbered, result: { type: 'text', file: { filePath: file, numLines: text.split('\n').length } } };
    },
  };
}

function writeAction(file, content) {
  return {
    name: 'Write',
    input: { file_path: file, content },
    run() {
      const existed = fs.existsSync(file);
      writeFile(file, content);
      return {
        text: `File ${existed ? 'updated' : 'created'} successfully at: ${file}`,
        result: { type: existed ? 'update' : 'create', filePath: file, content },
      };
    },
  };
}

function editAction(file, oldString, newString) {
  return {
    name: 'Edit',
    input: { file_path: file, old_string: oldString, new_string: newString, replace_all: false },
    run() {
      const text = fs.readFileSync(file, 'utf8');
      const at = text.lastIndexOf(oldString);
      if (at < 0) return { text: `String to replace not found in file: ${oldString}`, isError: true };
      writeFile(file, text.slice(0, at) + newString + text.slice(at + oldString.length));
      return {
        text: `The file ${file} has been updated successfully.`,
        result: { filePath: file, oldString, newString },
      };
    },
  };
}

// ---- scenarios: a plan is {rounds:[{text, actions}], final} ----

function planStep0(config, dirs) {
  const ctx = need(dirs, 'contextDir', 'step0');
  const facts = C.skillFacts(config, dirs);
  const doc = C.clarifications(facts);
  const ucFile = dirs.workspaceDir ? path.join(dirs.workspaceDir, 'user-context.md') : null;
  const uc = ucFile && fs.existsSync(ucFile) ? [readAction(ucFile)] : [];
  return {
    rounds: [
      { text: `I'll start by reading the user context for ${facts.name}.`, actions: uc },
      {
        text: 'Research is complete. Writing the research plan and the clarification questions.',
        actions: [
          writeAction(path.join(ctx, 'research-plan.md'), C.researchPlan(facts)),
          writeAction(path.join(ctx, 'clarifications.json'), `${JSON.stringify(doc, null, 2)}\n`),
        ],
      },
    ],
    final: `Research complete: ${doc.metadata.section_count} sections, ${doc.metadata.question_count} questions written.`,
  };
}

function planStep1(config, dirs) {
  const ctx = need(dirs, 'contextDir', 'step1');
  const file = path.join(ctx, 'clarifications.json');
  const facts = C.skillFacts(config, dirs);
  const rounds = [{ text: 'Reading the answered clarifications.', actions: [readAction(file)] }];
  return {
    rounds,
    // Computed lazily so the file is read after the Read tool ran.
    finalRound() {
      const doc = readJson(file) || C.clarifications(facts);
      const added = C.addRefinements(doc);
      return {
        round: {
          text: `Adding ${added} refinement questions.`,
          actions: [writeAction(file, `${JSON.stringify(doc, null, 2)}\n`)],
        },
        final: `Detailed research complete: ${added} refinements added.`,
      };
    },
  };
}

function planStep2(config, dirs) {
  const ctx = need(dirs, 'contextDir', 'step2');
  const file = path.join(ctx, 'clarifications.json');
  const facts = C.skillFacts(config, dirs);
  return {
    rounds: [{ text: 'Reading the clarifications and answers.', actions: [readAction(file)] }],
    finalRound() {
      const text = C.decisions(facts, readJson(file));
      const count = (text.match(/^### D\d+:/gm) || []).length;
      return {
        round: { text: 'Writing the decisions.', actions: [writeAction(path.join(ctx, 'decisions.md'), text)] },
        final: `Decisions complete: ${count} decisions, 0 conflicts.`,
      };
    },
  };
}

function planStep3(config, dirs) {
  const skillDir = need(dirs, 'skillDir', 'step3');
  const ctx = need(dirs, 'contextDir', 'step3');
  const facts = C.skillFacts(config, dirs);
  const refs = C.referenceFiles(facts);
  const existing = path.join(skillDir, 'SKILL.md');
  let created = null;
  if (fs.existsSync(existing)) {
    // Top-level `created:` is how skills were written before the metadata rule.
    const m = fs.readFileSync(existing, 'utf8').match(/^\s*created:\s*"?([^"\s]+)"?/m);
    if (m) created = m[1];
  }
  return {
    rounds: [
      { text: 'Reading the decisions.', actions: [readAction(path.join(ctx, 'decisions.md'))] },
      {
        text: `Writing SKILL.md and ${refs.length} reference files.`,
        actions: [
          writeAction(existing, C.skillMd(facts, refs, { created })),
          ...refs.map((r) => writeAction(path.join(skillDir, 'references', r.file), r.content)),
        ],
      },
      { text: 'Writing the evaluation scenarios.', actions: [writeAction(path.join(ctx, 'evaluations.md'), C.evaluations(facts))] },
      {
        text: 'Writing the eval suite and the trigger queries.',
        actions: [
          writeAction(path.join(skillDir, 'evals', 'evals.json'), C.evalsJson(facts)),
          writeAction(path.join(skillDir, 'evals', 'triggers.json'), C.triggersJson(facts)),
        ],
      },
    ],
    final: `Skill generated: SKILL.md, ${refs.length} reference files, 3 evaluation scenarios, 3 evals and 16 trigger queries.`,
  };
}

function planAnswerEvaluator(config, dirs) {
  const ws = need(dirs, 'workspaceDir', 'answer-evaluator');
  const ctx = need(dirs, 'contextDir', 'answer-evaluator');
  const file = path.join(ctx, 'clarifications.json');
  return {
    rounds: [{ text: 'Evaluating the answers.', actions: [readAction(file)] }],
    finalRound() {
      const ev = C.answerEvaluation(readJson(file));
      return {
        round: { text: 'Writing the evaluation.', actions: [writeAction(path.join(ws, 'answer-evaluation.json'), `${JSON.stringify(ev, null, 2)}\n`)] },
        final: `Evaluation: ${ev.verdict} (${ev.answered_count}/${ev.total_count} answered).`,
      };
    },
  };
}

function planRefine(config, dirs, userText) {
  const skillDir = need(dirs, 'skillDir', 'refine');
  const file = path.join(skillDir, 'SKILL.md');
  const note = String(userText || config.prompt || 'refine').replace(/\s+/g, ' ').trim().slice(0, 200);
  if (!fs.existsSync(file)) {
    const facts = C.skillFacts(config, dirs);
    return {
      rounds: [{ text: 'SKILL.md does not exist yet; writing a first version.', actions: [writeAction(file, C.skillMd(facts, C.referenceFiles(facts)))] }],
      final: 'Created SKILL.md.',
    };
  }
  return {
    rounds: [{ text: 'Reading the current skill.', actions: [readAction(file)] }],
    finalRound() {
      const text = fs.readFileSync(file, 'utf8');
      const trimmed = text.replace(/\s+$/, '');
      const lastLine = trimmed.slice(trimmed.lastIndexOf('\n') + 1);
      const addition = `${lastLine}\n\n## Refinement Notes\n\n- ${note}`;
      const actions = [editAction(file, lastLine, addition)];
      const modified = text.match(/^(\s*)modified:.*$/m);
      if (modified) actions.push(editAction(file, modified[0], `${modified[1]}modified: ${JSON.stringify(C.today())}`));
      return {
        round: { text: 'Applying the requested change to SKILL.md.', actions },
        final: 'Updated SKILL.md (1 section added).',
      };
    },
  };
}

function planGeneric(config) {
  const who = config.agentName || 'agent';
  return {
    rounds: [],
    final: `Mock response from ${who}: the request was received and no model was called.`,
  };
}

function makePlan(scenario, config, dirs, userText) {
  switch (scenario) {
    case 'step0':
      return planStep0(config, dirs);
    case 'step1':
      return planStep1(config, dirs);
    case 'step2':
      return planStep2(config, dirs);
    case 'step3':
      return planStep3(config, dirs);
    case 'answer-evaluator':
      return planAnswerEvaluator(config, dirs);
    case 'refine':
      return planRefine(config, dirs, userText);
    default:
      return planGeneric(config);
  }
}

// ---- message stream ----

function abortError() {
  const e = new Error('Mock agent cancelled');
  e.name = 'AbortError';
  return e;
}

function sleep(ms, signal) {
  if (!ms) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function userText(msg) {
  const c = msg?.message?.content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((b) => (typeof b === 'string' ? b : b?.text || '')).join('\n');
  return '';
}

/**
 * SDK-shaped mock query. `prompt` is a string (one-shot) or an async iterable
 * of SDK user messages (streaming session: one canned turn per message).
 * Returns an async iterable with `interrupt()` (aborts the current turn) and
 * `close()`.
 */
export function mockQuery({ prompt, config, abortController, delayMs }) {
  const model = MODEL_ALIASES[config.model] || config.model || 'claude-sonnet-4-6';
  const sessionId = randomUUID();
  const delay = Number.isInteger(delayMs) ? delayMs : 25;
  const outer = abortController?.signal;
  let turnAbort = null;
  const totals = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, turns: 0, apiMs: 0 };
  const scenario = resolveScenario(config);
  const dirs = resolveDirs(config);
  const streaming = typeof prompt !== 'string';

  function usageFor(roundIndex, chars) {
    return {
      input_tokens: 1500 + 400 * roundIndex,
      output_tokens: 20 + Math.ceil(chars / 4),
      cache_read_input_tokens: roundIndex > 0 ? 1200 : 0,
      cache_creation_input_tokens: roundIndex === 0 ? 1200 : 0,
    };
  }

  function assistant(msgId, block, usage, stopReason = null) {
    return {
      type: 'assistant',
      message: {
        id: msgId,
        type: 'message',
        role: 'assistant',
        model,
        content: [block],
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      },
      parent_tool_use_id: null,
      session_id: sessionId,
      uuid: randomUUID(),
    };
  }

  function result({ started, numTurns, text, error }) {
    const usage = {
      input_tokens: totals.input,
      output_tokens: totals.output,
      cache_creation_input_tokens: totals.cacheWrite,
      cache_read_input_tokens: totals.cacheRead,
      server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
      service_tier: 'standard',
    };
    const base = {
      type: 'result',
      subtype: error ? 'error_during_execution' : 'success',
      is_error: Boolean(error),
      duration_ms: Date.now() - started,
      duration_api_ms: totals.apiMs,
      num_turns: numTurns,
      stop_reason: error ? null : 'end_turn',
      session_id: sessionId,
      total_cost_usd: 0,
      usage,
      modelUsage: {
        [model]: {
          inputTokens: totals.input,
          outputTokens: totals.output,
          cacheReadInputTokens: totals.cacheRead,
          cacheCreationInputTokens: totals.cacheWrite,
          webSearchRequests: 0,
          costUSD: 0,
          contextWindow: 200000,
          maxOutputTokens: 32000,
        },
      },
      permission_denials: [],
      uuid: randomUUID(),
    };
    if (error) base.errors = [error];
    else base.result = text;
    return base;
  }

  async function* runTurn(turnScenario, text, signal) {
    const started = Date.now();
    let numTurns = 0;
    const check = () => {
      if (signal.aborted) throw abortError();
    };
    const account = (u) => {
      totals.input += u.input_tokens;
      totals.output += u.output_tokens;
      totals.cacheRead += u.cache_read_input_tokens;
      totals.cacheWrite += u.cache_creation_input_tokens;
      totals.apiMs += 40;
    };
    try {
      const plan = makePlan(turnScenario, config, dirs, text);
      const rounds = [...plan.rounds];
      let final = plan.final;
      let finalRoundPending = typeof plan.finalRound === 'function';
      for (let i = 0; i < rounds.length || finalRoundPending; i += 1) {
        if (i >= rounds.length) {
          const f = plan.finalRound();
          rounds.push(f.round);
          final = f.final;
          finalRoundPending = false;
        }
        const round = rounds[i];
        await sleep(delay, signal);
        check();
        numTurns += 1;
        const msgId = `msg_mock_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
        const chars = (round.text || '').length + round.actions.reduce((a, x) => a + JSON.stringify(x.input).length, 0);
        const usage = usageFor(totals.turns + numTurns - 1, chars);
        account(usage);
        if (round.text) yield assistant(msgId, { type: 'text', text: round.text }, usage);
        const ids = [];
        for (const action of round.actions) {
          const id = `toolu_mock_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
          ids.push(id);
          await sleep(delay, signal);
          check();
          yield assistant(msgId, { type: 'tool_use', id, name: action.name, input: action.input }, usage);
        }
        for (let k = 0; k < round.actions.length; k += 1) {
          check();
          const out = round.actions[k].run();
          await sleep(delay, signal);
          yield {
            type: 'user',
            message: {
              role: 'user',
              content: [{ tool_use_id: ids[k], type: 'tool_result', content: out.text, ...(out.isError ? { is_error: true } : {}) }],
            },
            parent_tool_use_id: null,
            session_id: sessionId,
            uuid: randomUUID(),
            timestamp: new Date().toISOString(),
            ...(out.result ? { tool_use_result: out.result } : {}),
          };
        }
      }
      await sleep(delay, signal);
      check();
      numTurns += 1;
      const usage = usageFor(totals.turns + numTurns - 1, final.length);
      account(usage);
      yield assistant(`msg_mock_${randomUUID().replace(/-/g, '').slice(0, 24)}`, { type: 'text', text: final }, usage, 'end_turn');
      totals.turns += numTurns;
      yield result({ started, numTurns, text: final });
    } catch (err) {
      totals.turns += numTurns;
      if (err && err.name === 'AbortError') {
        yield result({ started, numTurns, error: 'Mock agent cancelled' });
        return;
      }
      throw err;
    }
  }

  function initMessage() {
    return {
      type: 'system',
      subtype: 'init',
      cwd: config.cwd,
      session_id: sessionId,
      tools: Array.isArray(config.allowedTools) ? config.allowedTools : DEFAULT_TOOLS,
      mcp_servers: [],
      model,
      permissionMode: config.permissionMode || 'acceptEdits',
      slash_commands: [],
      apiKeySource: 'none',
      claude_code_version: 'mock',
      output_style: 'default',
      agents: config.agentName ? [config.agentName] : [],
      skills: [],
      plugins: [],
      mock: true,
      mock_scenario: scenario,
      uuid: randomUUID(),
    };
  }

  async function* generate() {
    yield initMessage();
    if (!streaming) {
      turnAbort = new AbortController();
      const link = () => turnAbort.abort();
      outer?.addEventListener('abort', link, { once: true });
      if (outer?.aborted) turnAbort.abort();
      try {
        yield* runTurn(scenario, prompt, turnAbort.signal);
      } finally {
        outer?.removeEventListener('abort', link);
      }
      return;
    }
    for await (const msg of prompt) {
      if (outer?.aborted) throw abortError();
      turnAbort = new AbortController();
      const link = () => turnAbort.abort();
      outer?.addEventListener('abort', link, { once: true });
      // Sessions: refine-like agents edit SKILL.md per turn, others answer generically.
      const turnScenario = scenario === 'refine' ? 'refine' : 'generic';
      try {
        yield* runTurn(turnScenario, userText(msg), turnAbort.signal);
      } finally {
        outer?.removeEventListener('abort', link);
      }
      if (Number.isInteger(config.maxTurns) && config.maxTurns > 0 && totals.turns >= config.maxTurns) return;
    }
  }

  const iterator = generate();
  return {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    next: (v) => iterator.next(v),
    return: (v) => iterator.return(v),
    async interrupt() {
      turnAbort?.abort();
    },
    close() {
      turnAbort?.abort();
    },
  };
}
