// JSON-lines framing, input validation and the stdout writer.

export const INCOMING_TYPES = new Set([
  'agent_request',
  'stream_start',
  'stream_message',
  'stream_end',
  'cancel',
  'ping',
  'shutdown',
]);

const PERMISSION_MODES = new Set(['default', 'acceptEdits', 'plan', 'dontAsk']);

function nonEmptyString(v) {
  return typeof v === 'string' && v.length > 0;
}

/**
 * Parse and validate one input line.
 * Returns {ok:true, msg} or {ok:false, message} where message is the text of
 * an `error` line to send WITHOUT a request_id ("Unrecognized input: ...").
 */
export function parseInputLine(line) {
  const unrecognized = { ok: false, message: `Unrecognized input: ${line.slice(0, 200)}` };
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return unrecognized;
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return unrecognized;
  if (typeof msg.type !== 'string' || !INCOMING_TYPES.has(msg.type)) return unrecognized;
  switch (msg.type) {
    case 'agent_request':
      if (!nonEmptyString(msg.request_id)) return unrecognized;
      break;
    case 'stream_start':
      if (!nonEmptyString(msg.request_id) || !nonEmptyString(msg.session_id)) return unrecognized;
      break;
    case 'stream_message':
      if (!nonEmptyString(msg.request_id) || !nonEmptyString(msg.session_id)) return unrecognized;
      break;
    case 'stream_end':
      if (!nonEmptyString(msg.session_id)) return unrecognized;
      break;
    case 'cancel':
      if (!nonEmptyString(msg.request_id)) return unrecognized;
      break;
    default:
      break;
  }
  return { ok: true, msg };
}

/**
 * The spellings of an on/off switch, shared with the backend (Rust
 * `agents::switch_on`; both test the list in test-support/switch-spellings.json):
 * after trimming and lower-casing, "1", "true", "yes" and "on" mean on; anything
 * else (including "0", "false", "no", "off" and "") means off. A boolean is itself.
 */
export const SWITCH_ON = Object.freeze(['1', 'true', 'yes', 'on']);

export function switchOn(v) {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return false;
  return SWITCH_ON.includes(v.trim().toLowerCase());
}

/**
 * Mock is decided per request, from the request's own config only. The
 * sidecar's environment is never consulted: a process started while mock mode
 * was on may serve a real request later, and must not answer it with canned output.
 */
export function isMock(config) {
  return Boolean(config) && switchOn(config.mock);
}

/**
 * Validate a SidecarConfig. Returns null when fine, else a human message.
 * Required: prompt (string), cwd (non-empty string, existing dir checked by
 * the caller), apiKey (non-empty) unless mock or ANTHROPIC_API_KEY is set in
 * the sidecar's environment. Optional fields are type-checked.
 */
export function validateConfig(config, { env = process.env } = {}) {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return 'config must be an object';
  if (typeof config.prompt !== 'string') return 'config.prompt must be a string';
  if (!nonEmptyString(config.cwd)) return 'config.cwd must be a non-empty string';
  if (config.apiKey !== undefined && config.apiKey !== null && typeof config.apiKey !== 'string') {
    return 'config.apiKey must be a string';
  }
  if (config.mock !== undefined && config.mock !== null && !['boolean', 'string'].includes(typeof config.mock)) {
    return 'config.mock must be a boolean (or a switch string such as "1" / "true")';
  }
  if (!isMock(config) && !nonEmptyString(config.apiKey) && !nonEmptyString(env.ANTHROPIC_API_KEY)) {
    return 'config.apiKey is required (or ANTHROPIC_API_KEY in the sidecar environment) unless mock mode is on';
  }
  const optStrings = [
    'model',
    'agentName',
    'sessionId',
    'pathToClaudeCodeExecutable',
    'skillName',
    'workspaceDir',
    'skillDir',
    'contextDir',
    'purpose',
    'author',
  ];
  for (const k of optStrings) {
    if (config[k] !== undefined && config[k] !== null && typeof config[k] !== 'string') {
      return `config.${k} must be a string`;
    }
  }
  for (const k of ['allowedTools', 'betas']) {
    const v = config[k];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      return `config.${k} must be an array of strings`;
    }
  }
  for (const k of ['maxTurns', 'maxThinkingTokens', 'mockDelayMs']) {
    const v = config[k];
    if (v !== undefined && v !== null && !(Number.isInteger(v) && v >= 0)) {
      return `config.${k} must be a non-negative integer`;
    }
  }
  if (config.permissionMode !== undefined && config.permissionMode !== null) {
    if (config.permissionMode === 'bypassPermissions') {
      return 'config.permissionMode "bypassPermissions" is not supported (it refuses to run as root); use "acceptEdits" with allowedTools';
    }
    if (!PERMISSION_MODES.has(config.permissionMode)) {
      return `config.permissionMode must be one of ${[...PERMISSION_MODES].join(', ')}`;
    }
  }
  if (
    config.mockStep !== undefined &&
    config.mockStep !== null &&
    typeof config.mockStep !== 'string' &&
    !Number.isInteger(config.mockStep)
  ) {
    return 'config.mockStep must be a step number (0-3) or a scenario name';
  }
  if (config.stepId !== undefined && config.stepId !== null && !Number.isInteger(config.stepId)) {
    return 'config.stepId must be an integer';
  }
  return null;
}

/**
 * Tag an SDK/mock message with our request_id as the first key. SDK messages
 * may carry their own `request_id` (the Anthropic API request id); it is kept
 * as `api_request_id` so it cannot clobber ours.
 */
export function tag(requestId, msg) {
  const { request_id: apiRequestId, ...rest } = msg || {};
  const out = { request_id: requestId, ...rest };
  if (apiRequestId !== undefined && apiRequestId !== requestId) out.api_request_id = apiRequestId;
  return out;
}

/**
 * Writer for stdout: one JSON object per line, every known secret replaced by
 * "[REDACTED]" (belt and braces: nothing we send should contain a key).
 */
export class LineWriter {
  constructor(stream) {
    this.stream = stream;
    this.secrets = new Set();
    this.closed = false;
  }

  addSecret(s) {
    if (typeof s === 'string' && s.length >= 8) this.secrets.add(s);
  }

  redact(text) {
    let out = text;
    for (const s of this.secrets) {
      if (out.includes(s)) out = out.split(s).join('[REDACTED]');
    }
    return out;
  }

  send(obj) {
    if (this.closed) return;
    let line;
    try {
      line = JSON.stringify(obj);
    } catch (err) {
      line = JSON.stringify({
        ...(obj && obj.request_id ? { request_id: obj.request_id } : {}),
        type: 'error',
        message: `sidecar could not serialize a message: ${err.message}`,
      });
    }
    this.stream.write(`${this.redact(line)}\n`);
  }

  /** Resolves once everything written so far has been handed to the OS. */
  flush() {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.stream.write('', () => resolve());
    });
  }
}
