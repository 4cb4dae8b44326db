// A small scripted fake of the Anthropic Messages API (streaming SSE), for
// running the REAL Claude Agent SDK offline. Listens on 127.0.0.1 only.
//
//   const fake = await startFakeAnthropic({ script });
//   process.env.ANTHROPIC_BASE_URL = fake.url;
//   ...
//   await fake.close();
//
// `script(req)` decides the answer to every streaming /v1/messages call:
//   req = { body, toolResultCount, text (all text of system + messages) }
// and returns { blocks: [{type:'text', text} | {type:'tool_use', name, input}],
//               stop_reason, usage: {input_tokens, output_tokens, ...},
//               delayMs? (wait before answering) }.
// Every request is recorded in `fake.requests` ({method, path, headers
// (without x-api-key / authorization values), body, keyOk (when
// `expectedKey` is given: whether the request carried exactly that key)}).
import http from 'node:http';

let toolCounter = 0;

function sse(res, event, data) {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function allText(body) {
  const parts = [];
  const walk = (v) => {
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (typeof v.text === 'string') parts.push(v.text);
      if (v.content !== undefined) walk(v.content);
    }
  };
  walk(body.system);
  walk(body.messages);
  return parts.join('\n');
}

function countToolResults(body) {
  let n = 0;
  for (const m of body.messages || []) {
    if (Array.isArray(m.content)) {
      for (const b of m.content) if (b && b.type === 'tool_result') n += 1;
    }
  }
  return n;
}

const DEFAULT_USAGE = {
  input_tokens: 10,
  output_tokens: 5,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

function streamReply(res, body, reply) {
  const model = body.model || 'claude-sonnet-4-6';
  const usage = { ...DEFAULT_USAGE, ...(reply.usage || {}) };
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_fake_${Date.now()}`,
  });
  const msgId = `msg_fake_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: msgId,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: usage.input_tokens,
        output_tokens: 1,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
      },
    },
  });
  sse(res, 'ping', { type: 'ping' });
  (reply.blocks || []).forEach((block, index) => {
    if (block.type === 'tool_use') {
      const id = block.id || `toolu_fake_${++toolCounter}`;
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id, name: block.name, input: {} },
      });
      const json = JSON.stringify(block.input || {});
      const mid = Math.floor(json.length / 2);
      for (const part of [json.slice(0, mid), json.slice(mid)]) {
        sse(res, 'content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: part },
        });
      }
    } else {
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      });
      const text = block.text || '';
      const mid = Math.floor(text.length / 2);
      for (const part of [text.slice(0, mid), text.slice(mid)]) {
        sse(res, 'content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: part },
        });
      }
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: reply.stop_reason || 'end_turn', stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function jsonReply(res, status, obj) {
  const data = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

export async function startFakeAnthropic({ script, expectedKey = null, log = () => {} } = {}) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        body = { _raw: raw };
      }
      const headers = { ...req.headers };
      const presented = headers['x-api-key'] || (headers.authorization || '').replace(/^Bearer\s+/i, '');
      if (headers['x-api-key']) headers['x-api-key'] = '[present]';
      if (headers.authorization) headers.authorization = '[present]';
      const url = new URL(req.url, 'http://127.0.0.1');
      const rec = { method: req.method, path: url.pathname, query: url.search, headers, body };
      if (expectedKey !== null) rec.keyOk = presented === expectedKey;
      requests.push(rec);
      log(`${req.method} ${req.url} stream=${body.stream} model=${body.model}`);
      try {
        if (req.method === 'POST' && url.pathname === '/v1/messages/count_tokens') {
          return jsonReply(res, 200, { input_tokens: 42 });
        }
        if (req.method === 'POST' && url.pathname === '/v1/messages') {
          const reqInfo = { body, toolResultCount: countToolResults(body), text: allText(body) };
          if (body.stream) {
            const reply = script ? script(reqInfo) : null;
            rec.reply = reply || { blocks: [{ type: 'text', text: 'OK.' }] };
            if (rec.reply.delayMs) {
              const t = setTimeout(() => streamReply(res, body, rec.reply), rec.reply.delayMs);
              res.on('close', () => clearTimeout(t));
              return undefined;
            }
            return streamReply(res, body, rec.reply);
          }
          // Non-streaming side call (titles, summaries, quota checks...).
          return jsonReply(res, 200, {
            id: `msg_side_${Date.now()}`,
            type: 'message',
            role: 'assistant',
            model: body.model || 'claude-haiku-4-5',
            content: [{ type: 'text', text: 'OK' }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: 1, output_tokens: 1 },
          });
        }
        return jsonReply(res, 404, {
          type: 'error',
          error: { type: 'not_found_error', message: `fake API: no route ${req.method} ${url.pathname}` },
        });
      } catch (e) {
        return jsonReply(res, 500, { type: 'error', error: { type: 'api_error', message: String(e) } });
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
