// The persistent JSON-lines runner: reads requests on stdin, runs the real
// Claude Agent SDK (or the mock runtime), writes tagged messages on stdout.
// Protocol: see README.md and agents.md §2.
import fs from 'node:fs';
import readline from 'node:readline';
import { LineWriter, parseInputLine, validateConfig, isMock, tag } from './protocol.js';
import { buildOptions, loadSdk, sdkVersion, findCliPath, DEFAULT_MAX_TURNS } from './sdk.js';
import { mockQuery } from './mock/query.js';

export const SIDECAR_VERSION = '0.1.0';

let activeWriter = null;

/** Diagnostics on stderr, with every known secret redacted. */
function log(...args) {
  const text = `[sidecar] ${args.join(' ')}\n`;
  process.stderr.write(activeWriter ? activeWriter.redact(text) : text);
}

function errorMessage(err) {
  if (!err) return 'unknown error';
  if (err.name === 'AbortError' || /aborted/i.test(String(err.message))) return `Request cancelled: ${err.message || 'aborted'}`;
  return err.message || String(err);
}

/** A queue of user messages feeding one streaming session. */
class SessionInput {
  constructor() {
    this.items = [];
    this.waiters = [];
    this.closed = false;
  }

  push(item) {
    if (this.closed) return false;
    const w = this.waiters.shift();
    if (w) w(item);
    else this.items.push(item);
    return true;
  }

  close() {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(null);
  }

  next() {
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

export class Runner {
  /**
   * @param {object} opts
   * @param {LineWriter} opts.writer
   * @param {object} [opts.env]       environment (default process.env)
   * @param {(code:number)=>void} [opts.exit]
   */
  constructor({ writer, env = process.env, exit = (code) => process.exit(code) }) {
    this.writer = writer;
    this.env = env;
    this.exit = exit;
    this.requests = new Map(); // request_id -> {abortController, promise}
    this.sessions = new Map(); // session_id -> session
    this.shuttingDown = false;
    activeWriter = writer;
    if (env.ANTHROPIC_API_KEY) writer.addSecret(env.ANTHROPIC_API_KEY);
  }

  send(obj) {
    this.writer.send(obj);
  }

  ready() {
    this.send({ type: 'sidecar_ready' });
  }

  systemLine(requestId, subtype, extra = {}) {
    this.send({ request_id: requestId, type: 'system', subtype, ...extra, timestamp: Date.now() });
  }

  /** Handle one raw input line. */
  handleLine(raw) {
    const line = raw.trim();
    if (!line) return;
    const parsed = parseInputLine(line);
    if (!parsed.ok) {
      this.send({ type: 'error', message: parsed.message });
      return;
    }
    const msg = parsed.msg;
    switch (msg.type) {
      case 'ping':
        this.send({ type: 'pong' });
        break;
      case 'shutdown':
        this.shutdown();
        break;
      case 'agent_request':
        this.startRequest(msg);
        break;
      case 'cancel':
        this.cancel(msg.request_id);
        break;
      case 'stream_start':
        this.startSession(msg);
        break;
      case 'stream_message':
        this.pushSessionMessage(msg);
        break;
      case 'stream_end':
        this.endSession(msg.session_id);
        break;
      default:
        break;
    }
  }

  /** Validate a config; returns an error text or null. */
  checkConfig(config) {
    const problem = validateConfig(config, { env: this.env });
    if (problem) return problem;
    if (config.apiKey) this.writer.addSecret(config.apiKey);
    if (!fs.existsSync(config.cwd) || !fs.statSync(config.cwd).isDirectory()) {
      return `config.cwd does not exist or is not a directory: ${config.cwd}`;
    }
    return null;
  }

  /** Create the SDK (or mock) query. */
  async createQuery(requestId, config, prompt, abortController) {
    const mock = isMock(config);
    this.systemLine(requestId, 'init_start', mock ? { mock: true } : {});
    let q;
    if (mock) {
      q = mockQuery({
        prompt,
        config,
        abortController,
        delayMs: Number.isInteger(config.mockDelayMs)
          ? config.mockDelayMs
          : this.env.SKILL_BUILDER_MOCK_DELAY_MS !== undefined
            ? Number(this.env.SKILL_BUILDER_MOCK_DELAY_MS)
            : undefined,
      });
    } else {
      const sdk = await loadSdk();
      const options = buildOptions(config, {
        abortController,
        env: this.env,
        onStderr: (data) => {
          const current = this.sessionRequestFor?.(requestId) || requestId;
          this.systemLine(current, 'sdk_stderr', { data: String(data) });
        },
      });
      q = sdk.query({ prompt, options });
    }
    this.systemLine(requestId, 'sdk_ready', mock ? { mock: true } : {});
    return q;
  }

  // ---------------------------------------------------------------- requests

  startRequest(msg) {
    const requestId = msg.request_id;
    if (this.shuttingDown) {
      this.send({ request_id: requestId, type: 'error', message: 'sidecar is shutting down' });
      this.send({ request_id: requestId, type: 'request_complete' });
      return;
    }
    if (this.requests.has(requestId)) {
      this.send({ request_id: requestId, type: 'error', message: `request_id ${requestId} is already running` });
      return;
    }
    const abortController = new AbortController();
    const entry = { abortController, promise: null };
    this.requests.set(requestId, entry);
    entry.promise = this.runRequest(requestId, msg.config, abortController).finally(() => {
      this.requests.delete(requestId);
      this.send({ request_id: requestId, type: 'request_complete' });
      this.maybeFinishShutdown();
    });
  }

  async runRequest(requestId, config, abortController) {
    let terminal = false;
    try {
      const problem = this.checkConfig(config);
      if (problem) {
        this.send({ request_id: requestId, type: 'error', message: `Invalid config: ${problem}` });
        terminal = true;
        return;
      }
      const q = await this.createQuery(requestId, config, config.prompt, abortController);
      for await (const message of q) {
        this.send(tag(requestId, message));
        if (message && message.type === 'result') terminal = true;
      }
      if (!terminal) {
        this.send({
          request_id: requestId,
          type: 'error',
          message: abortController.signal.aborted ? 'Request cancelled' : 'Agent ended without a result',
        });
        terminal = true;
      }
    } catch (err) {
      if (!terminal) {
        this.send({ request_id: requestId, type: 'error', message: errorMessage(err) });
        terminal = true;
      } else {
        log(`request ${requestId} failed after its result: ${errorMessage(err)}`);
      }
    }
  }

  cancel(requestId) {
    const entry = this.requests.get(requestId);
    if (entry) {
      entry.abortController.abort();
      return;
    }
    for (const s of this.sessions.values()) {
      if (s.currentRequestId === requestId && s.turnOpen && s.query && typeof s.query.interrupt === 'function') {
        s.query.interrupt().catch((e) => log(`interrupt failed: ${errorMessage(e)}`));
        return;
      }
    }
    log(`cancel: no running request ${requestId}`);
  }

  // ---------------------------------------------------------------- sessions

  sessionRequestFor(requestId) {
    for (const s of this.sessions.values()) {
      if (s.firstRequestId === requestId) return s.currentRequestId;
    }
    return null;
  }

  startSession(msg) {
    const { request_id: requestId, session_id: sessionId, config } = msg;
    if (this.sessions.has(sessionId)) {
      this.send({ request_id: requestId, type: 'error', message: `Session ${sessionId} already exists` });
      return;
    }
    if (this.shuttingDown) {
      this.send({ request_id: requestId, type: 'error', message: 'sidecar is shutting down' });
      return;
    }
    const problem = this.checkConfig(config);
    if (problem) {
      this.send({ request_id: requestId, type: 'error', message: `Invalid config: ${problem}` });
      return;
    }
    const session = {
      id: sessionId,
      firstRequestId: requestId,
      currentRequestId: requestId,
      input: new SessionInput(),
      turnOpen: false,
      turnTerminal: false,
      turnDone: null,
      endedByClient: false,
      abortController: new AbortController(),
      query: null,
      promise: null,
    };
    this.sessions.set(sessionId, session);
    session.input.push({ requestId, text: config.prompt });
    const cfg = { ...config, maxTurns: Number.isInteger(config.maxTurns) && config.maxTurns > 0 ? config.maxTurns : DEFAULT_MAX_TURNS };
    session.promise = this.runSession(session, cfg).finally(() => {
      this.sessions.delete(sessionId);
      this.maybeFinishShutdown();
    });
  }

  /** Yields one user message at a time, and only after the previous turn ended. */
  async *sessionPrompt(session) {
    for (;;) {
      const item = await session.input.next();
      if (!item) return;
      session.currentRequestId = item.requestId;
      session.turnOpen = true;
      session.turnTerminal = false;
      const done = new Promise((resolve) => {
        session.turnDone = resolve;
      });
      yield {
        type: 'user',
        message: { role: 'user', content: item.text },
        parent_tool_use_id: null,
        session_id: '',
      };
      await done;
    }
  }

  endTurn(session) {
    session.turnOpen = false;
    const resolve = session.turnDone;
    session.turnDone = null;
    if (resolve) resolve();
  }

  async runSession(session, config) {
    try {
      const q = await this.createQuery(session.firstRequestId, config, this.sessionPrompt(session), session.abortController);
      session.query = q;
      for await (const message of q) {
        const requestId = session.currentRequestId;
        this.send(tag(requestId, message));
        if (message && message.type === 'result' && session.turnOpen) {
          session.turnTerminal = true;
          this.send({ request_id: requestId, type: 'turn_complete', session_id: session.id });
          this.endTurn(session);
        }
      }
    } catch (err) {
      if (session.turnOpen || !session.endedByClient) {
        this.send({ request_id: session.currentRequestId, type: 'error', session_id: session.id, message: errorMessage(err) });
      } else {
        log(`session ${session.id} ended with: ${errorMessage(err)}`);
      }
    } finally {
      session.input.close();
      this.endTurn(session);
      if (!session.endedByClient) {
        this.send({ request_id: session.currentRequestId, type: 'session_exhausted', session_id: session.id });
      }
    }
  }

  pushSessionMessage(msg) {
    const session = this.sessions.get(msg.session_id);
    if (!session || session.endedByClient || session.input.closed) {
      this.send({ request_id: msg.request_id, type: 'error', message: `Unknown or closed session: ${msg.session_id}` });
      return;
    }
    if (typeof msg.user_message !== 'string') {
      this.send({ request_id: msg.request_id, type: 'error', message: 'stream_message.user_message must be a string' });
      return;
    }
    session.input.push({ requestId: msg.request_id, text: msg.user_message });
  }

  endSession(sessionId) {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    session.endedByClient = true;
    session.input.close();
    return session.promise;
  }

  // ---------------------------------------------------------------- shutdown

  shutdown() {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const id of [...this.sessions.keys()]) this.endSession(id);
    this.maybeFinishShutdown();
  }

  maybeFinishShutdown() {
    if (!this.shuttingDown || this.requests.size > 0 || this.sessions.size > 0 || this.exiting) return;
    this.exiting = true;
    this.writer.flush().then(() => this.exit(0));
  }

  /** SIGTERM/SIGINT: abort everything, exit 0 as soon as settled or after 3 s. */
  abortAll() {
    for (const r of this.requests.values()) r.abortController.abort();
    for (const s of this.sessions.values()) {
      s.endedByClient = true;
      s.input.close();
      s.abortController.abort();
    }
    this.shuttingDown = true;
    setTimeout(() => this.writer.flush().then(() => this.exit(0)), 3000).unref();
    this.maybeFinishShutdown();
  }
}

export async function printInfo() {
  const info = {
    type: 'sidecar_info',
    sidecar_version: SIDECAR_VERSION,
    sdk_version: sdkVersion(),
    cli_path: findCliPath(),
    node_version: process.version,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

/** Start the persistent JSON-lines loop on stdin/stdout. */
export function runPersistent() {
  // stdout is reserved for protocol lines: route stray console output to stderr.
  for (const k of ['log', 'info', 'debug']) console[k] = (...a) => console.error(...a);

  const writer = new LineWriter(process.stdout);
  process.stdout.on('error', (err) => {
    writer.closed = true;
    log(`stdout closed: ${err.message}`);
    process.exit(0);
  });
  const runner = new Runner({ writer });

  process.on('uncaughtException', (err) => {
    process.stderr.write(`[sidecar] uncaught exception: ${writer.redact(String(err && err.stack ? err.stack : err))}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`[sidecar] unhandled rejection: ${writer.redact(String(err && err.stack ? err.stack : err))}\n`);
    process.exit(1);
  });
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => runner.abortAll());

  runner.ready();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    try {
      runner.handleLine(line);
    } catch (err) {
      log(`failed to handle a line: ${writer.redact(errorMessage(err))}`);
      runner.send({ type: 'error', message: `Internal error: ${errorMessage(err)}` });
    }
  });
  // stdin EOF means the backend is gone (exited or was killed): nobody will read the rest of
  // any running request, so abort everything instead of finishing work for no one.
  rl.on('close', () => runner.abortAll());
  return runner;
}
