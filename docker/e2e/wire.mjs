// A minimal client of the Relay wire protocol (../shared/PROTOCOL.md, docs/protocol.md) for the
// end-to-end scenarios: raw `ws`, JSON frames, HS256 tokens made here. It is deliberately not the
// project's JS client, so the scenarios test the server and the protocol and not that client.
import { createHmac, randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An HS256 JWT for `sub`, valid for an hour, signed with the nodes' shared secret. */
export function mintToken(secret, sub, name) {
  const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const payload = { sub, iat: now, exp: now + 3600, ...(name ? { name } : {}) };
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

export const randomSuffix = () => randomBytes(4).toString('hex');

/** A failed check: the message says what was expected and what was seen. */
export class CheckFailed extends Error {}

export function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

/**
 * One WebSocket connection through the load balancer. Keeps every frame it received: replies to
 * its requests (matched by `id`) resolve the request; everything else waits in `inbox` for next();
 * `message` frames are also logged per room in `messages`, in arrival order.
 */
export class Client {
  static seq = 0;

  /** Opens a connection and waits for `welcome`. Rejects on an HTTP refusal or after `ms`. */
  static open(baseUrl, secret, user, { name, path = '/ws', ms = 8000 } = {}) {
    const url = baseUrl.replace(/^http/, 'ws') + path;
    const ws = new WebSocket(url, { headers: { token: mintToken(secret, user, name) }, handshakeTimeout: ms });
    const client = new Client(ws, user);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { ws.terminate(); reject(new Error(`${user}: no welcome within ${ms} ms`)); }, ms);
      ws.once('unexpected-response', (req, res) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`${user}: upgrade refused with HTTP ${res.statusCode}`));
      });
      ws.once('error', (e) => { clearTimeout(timer); reject(new Error(`${user}: ${e.message}`)); });
      client.next((f) => f.type === 'welcome', 'welcome', ms).then((welcome) => {
        clearTimeout(timer);
        client.node = welcome.node;
        client.session = welcome.session;
        resolve(client);
      }, (e) => { clearTimeout(timer); ws.terminate(); reject(e); });
    });
  }

  constructor(ws, user) {
    this.ws = ws;
    this.user = user;
    this.node = null;
    this.inbox = [];
    this.waiters = [];
    this.pending = new Map();
    this.messages = new Map();
    this.unexpected = []; // error frames without id, gap frames
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        for (const [, p] of this.pending) p.reject(new Error(`${this.user}: closed ${code} before the reply`));
        this.pending.clear();
        for (const w of this.waiters) w.fail(new Error(`${this.user}: closed ${code} while waiting for ${w.label}`));
        this.waiters = [];
        resolve(this.closeInfo);
      });
    });
    ws.on('error', () => {}); // reported through 'close'
    ws.on('message', (data, isBinary) => this.receive(isBinary ? null : JSON.parse(data.toString())));
  }

  receive(frame) {
    if (frame === null) return;
    if (frame.id !== undefined && this.pending.has(String(frame.id))) {
      const p = this.pending.get(String(frame.id));
      this.pending.delete(String(frame.id));
      p.resolve(frame);
      return;
    }
    if (frame.type === 'message') {
      if (!this.messages.has(frame.room)) this.messages.set(frame.room, []);
      this.messages.get(frame.room).push(frame);
    }
    if ((frame.type === 'error' && frame.id === undefined) || frame.type === 'gap') this.unexpected.push(frame);
    const i = this.waiters.findIndex((w) => w.pred(frame));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w.done(frame);
    } else {
      this.inbox.push(frame);
    }
  }

  /** The first received frame matching `pred` (already received or still to come), taken out of the inbox. */
  next(pred, label, ms = 5000) {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    if (this.closeInfo) return Promise.reject(new Error(`${this.user}: closed ${this.closeInfo.code}, no ${label}`));
    return new Promise((resolve, reject) => {
      const w = { pred, label };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new CheckFailed(`${this.user}@${this.node}: no ${label} within ${ms} ms`));
      }, ms);
      w.done = (f) => { clearTimeout(timer); resolve(f); };
      w.fail = (e) => { clearTimeout(timer); reject(e); };
      this.waiters.push(w);
    });
  }

  /** Sends a frame with a fresh `id` and resolves with the reply that echoes it. */
  request(frame, ms = 5000) {
    const id = `${this.user}-${++Client.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CheckFailed(`${this.user}@${this.node}: no reply to ${frame.type} within ${ms} ms`));
      }, ms);
      this.pending.set(id, {
        resolve: (f) => { clearTimeout(timer); resolve(f); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.ws.send(JSON.stringify({ ...frame, id }));
    });
  }

  /** The reply to `frame`, which must be of type `type` (an error frame fails the check). */
  async expect(frame, type, ms) {
    const reply = await this.request(frame, ms);
    check(reply.type === type, `${this.user}@${this.node}: ${frame.type} answered ${JSON.stringify(reply)}, expected ${type}`);
    return reply;
  }

  roomMessages(room) {
    return this.messages.get(room) ?? [];
  }

  close() {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    this.ws.close(1000);
    return Promise.race([this.closed, sleep(2000).then(() => this.ws.terminate())]);
  }
}
