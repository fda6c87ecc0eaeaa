// Tests of the JS client (relay.js as the cluster serves it) in Node, with the `ws` package as the
// browser WebSocket, against a real Relay cluster (run by docker/e2e.sh; `node --test` works too).
// Disconnections are made by a small TCP proxy in this process between the client and the cluster,
// so no node has to die here.
//
// env: E2E_URL (the load balancer or a node), E2E_SECRET (the cluster's HS256 secret)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const BASE = required('E2E_URL').replace(/\/$/, '');
const SECRET = required('E2E_SECRET');
const TARGET = new URL(BASE);
const WS_URL = BASE.replace(/^http/, 'ws') + '/ws';
const RUN = Date.now().toString(36);
const WAIT = 15_000;

const watchdog = setTimeout(() => {
  console.error('client tests: FAILED - not finished within 115 s');
  process.exit(1);
}, 115_000);
watchdog.unref();

// the client under test is the one the cluster serves
const served = await fetch(BASE + '/client/relay.js');
const dir = mkdtempSync(join(tmpdir(), 'relay-client-'));
writeFileSync(join(dir, 'relay.mjs'), await served.text());
const { Relay, RelayError, browserSocket, backoffDelay, tokenExpiry } = await import(join(dir, 'relay.mjs'));
after(() => rmSync(dir, { recursive: true, force: true }));

let unique = 0;
const name = (prefix) => `${prefix}-${RUN}-${++unique}`;

test('GET /client/relay.js is JavaScript with a validator', () => {
  assert.equal(served.status, 200);
  assert.equal(served.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.ok(served.headers.get('etag'), 'an ETag');
  assert.equal(typeof Relay, 'function');
});

test('requests resolve with their replies and reject with the server\'s error code', async (t) => {
  const room = name('acks');
  const ann = await client(t, name('ann'), 'Ann');
  const bob = await client(t, name('bob'), 'Bob');
  const joined = await ann.join(room);
  assert.equal(joined.room, room);
  assert.match(joined.offset, /:0$/);
  await bob.join(room);

  const heard = nextEvent(bob, 'message');
  const own = nextEvent(ann, 'message'); // the sender gets its message too, before or after its ack
  const ack = await ann.publish(room, { text: 'hi' });
  const message = await heard;
  assert.equal(message.offset, ack.offset, 'the ack carries the offset of the message members get');
  assert.deepEqual(message.data, { text: 'hi' });
  assert.equal(message.from.id, ann.user.id);
  assert.equal((await own).offset, ack.offset);
  assert.equal(ann.offset(room), ack.offset, 'the offset a resume starts from follows the messages received');

  const direct = nextEvent(ann, 'direct');
  assert.deepEqual(await bob.direct(ann.user.id, { text: 'psst' }), { delivered: 1 });
  assert.deepEqual((await direct).data, { text: 'psst' });

  const members = (await ann.presence(room)).map((m) => m.id).sort();
  assert.deepEqual(members, [ann.user.id, bob.user.id].sort());
  const history = await bob.history(room, { limit: 10 });
  assert.deepEqual(history.map((m) => m.offset), [ack.offset]);

  await rejects(bob.direct(name('nobody'), {}), 'recipient_offline');
  await rejects(ann.publish(name('elsewhere'), {}), 'not_member');
  await rejects(ann.join('no spaces allowed'), 'invalid_room');
  assert.deepEqual(ann.rooms(), [room], 'a refused join leaves no room behind');
  await ann.leave(room);
  await rejects(ann.publish(room, {}), 'not_member');
});

test('member lists follow joined replies and presence events', async (t) => {
  const room = name('members');
  const ann = await client(t, name('ann'), 'Ann');
  await ann.join(room);
  const bob = await client(t, name('bob'), 'Bob');
  const withBob = until(ann, 'members', (m) => m.members.length === 2);
  await bob.join(room);
  assert.deepEqual((await withBob).members.map((m) => m.name).sort(), ['Ann', 'Bob']);
  assert.deepEqual(bob.members(room).map((m) => m.name).sort(), ['Ann', 'Bob']);
  const withoutBob = until(ann, 'members', (m) => m.members.length === 1);
  await bob.leave(room);
  assert.deepEqual((await withoutBob).members.map((m) => m.name), ['Ann']);
});

test('after a dropped connection the client reconnects and resumes: nothing lost, nothing twice', async (t) => {
  const room = name('resume');
  const proxy = await Proxy.start(t);
  const ann = await client(t, name('ann'), 'Ann', { url: proxy.url, backoff: { initial: 200, max: 1000 } });
  const bob = await client(t, name('bob'), 'Bob');
  await ann.join(room);
  await bob.join(room);
  const annSaw = collect(ann, room);
  const bobSaw = collect(bob, room);
  const resumed = until(ann, 'joined', (j) => j.resumed);

  const annWrites = [];
  for (let i = 1; i <= 60; i++) {
    if (i === 20) {
      proxy.cut();
      proxy.refuseFor(600); // the first attempt or two find nobody
      for (let k = 1; k <= 5; k++) annWrites.push(ann.publish(room, { n: `ann-${k}` })); // queued meanwhile
    }
    await bob.publish(room, { n: `bob-${i}` });
    await sleep(10);
  }
  await Promise.all(annWrites);
  const j = await resumed;
  assert.equal(j.recovered, true);

  const expected = [...Array.from({ length: 60 }, (_, i) => `bob-${i + 1}`), ...[1, 2, 3, 4, 5].map((k) => `ann-${k}`)];
  await eventually(() => annSaw.length >= 65 && bobSaw.length >= 65, 'both to see 65 messages');
  await sleep(300); // a duplicate would arrive now
  for (const [who, saw] of [['Ann', annSaw], ['Bob', bobSaw]]) {
    assert.deepEqual([...saw].sort(), [...expected].sort(), `${who} saw each message exactly once`);
    const bobs = saw.filter((n) => n.startsWith('bob-'));
    assert.deepEqual(bobs, expected.slice(0, 60), `${who} saw Bob's messages in order`);
  }
  assert.ok(proxy.accepted >= 2, 'Ann connected again through the proxy');
});

test('a publish whose ack was lost is sent again and delivered once; a direct in flight is reported lost', async (t) => {
  const room = name('inflight');
  const proxy = await Proxy.start(t);
  const ann = await client(t, name('ann'), 'Ann', { url: proxy.url, backoff: { initial: 100, max: 400 } });
  const bob = await client(t, name('bob'), 'Bob');
  await ann.join(room);
  await bob.join(room);
  const bobSaw = collect(bob, room);
  const annSaw = collect(ann, room);

  proxy.holdReplies = true; // frames reach the server, answers stay in the proxy
  const publish = ann.publish(room, { n: 'once' });
  const direct = ann.direct(bob.user.id, { n: 'dm' });
  await eventually(() => bobSaw.includes('once'), 'Bob to get the message');
  proxy.holdReplies = false;
  proxy.cut(); // the ack and Ann's own copy are lost with the connection

  await rejects(direct, 'connection_lost');
  const ack = await publish;
  await ann.publish(room, { n: 'marker' });
  await eventually(() => bobSaw.includes('marker') && annSaw.includes('marker'), 'the marker');
  assert.deepEqual(bobSaw, ['once', 'marker'], 'Bob got the resent publish once');
  assert.deepEqual(annSaw, ['once', 'marker'], 'Ann got her own message once, by the resume');
  assert.equal((await bob.history(room)).find((m) => m.data.n === 'once').offset, ack.offset);
});

test('requests queue while disconnected, up to maxQueue; beyond it they are refused at once', async (t) => {
  const room = name('queue');
  const proxy = await Proxy.start(t);
  proxy.refusing = true;
  const ann = track(t, new Relay({ url: proxy.url, token: mint(name('ann'), 'Ann'), transport: browserSocket(WebSocket),
    maxQueue: 3, backoff: { initial: 100, max: 200 } }));
  ann.connect();
  const bob = await client(t, name('bob'), 'Bob');
  await bob.join(room);
  const bobSaw = collect(bob, room);

  const queued = [ann.join(room), ann.publish(room, { n: 1 }), ann.publish(room, { n: 2 })];
  await rejects(ann.publish(room, { n: 3 }), 'queue_full');
  assert.equal(ann.queued(), 3);
  await eventually(() => proxy.accepted >= 2, 'a few refused attempts');
  assert.equal(ann.state, 'reconnecting');

  proxy.refusing = false;
  const [joined, first, second] = await Promise.all(queued);
  assert.equal(joined.room, room);
  assert.ok(first.offset && second.offset);
  await eventually(() => bobSaw.length === 2, 'Bob to get the queued messages');
  assert.deepEqual(bobSaw, [1, 2]);
  assert.equal(ann.queued(), 0);
});

test('backoff grows exponentially with jitter up to its cap, and attempts are spaced by it', async (t) => {
  const b = { initial: 100, max: 800, jitter: 0.5 };
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, b, () => 0)), [100, 200, 400, 800, 800, 800]);
  assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, b, () => 1)), [50, 100, 200, 400]);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(20, { initial: 1000, max: 30000, jitter: 0.5 });
    assert.ok(d >= 15000 && d <= 30000, `capped delay ${d}`);
  }

  const proxy = await Proxy.start(t);
  proxy.refusing = true;
  const delays = [];
  const relay = track(t, new Relay({ url: proxy.url, token: mint(name('ann'), 'Ann'), transport: browserSocket(WebSocket),
    backoff: { initial: 80, max: 400, jitter: 0.5 }, random: () => 0.5 }));
  relay.on('disconnected', (d) => delays.push(d.delay));
  relay.connect();
  await eventually(() => proxy.attempts.length >= 6, 'six refused attempts');
  proxy.refusing = false;
  await until(relay, 'state', (s) => s.state === 'connected');
  assert.deepEqual(delays.slice(0, 5), [60, 120, 240, 300, 300]);
  const gaps = proxy.attempts.slice(1, 6).map((at, i) => at - proxy.attempts[i]);
  gaps.forEach((gap, i) => assert.ok(gap >= delays[i] - 5 && gap < delays[i] + 400,
    `attempt ${i + 2} came ${gap} ms after the previous one, the backoff said ${delays[i]}`));
});

test('token expiry and refresh', { concurrency: true }, async (t) => {
  await Promise.all([expiry(t), refresh(t)]);
});

function expiry(t) {
  return t.test('close 4001 with a fixed token is final: a closed event, no reconnect', async (t2) => {
    const proxy = await Proxy.start(t2);
    const relay = track(t2, new Relay({ url: proxy.url, token: mint(name('short'), 'Short', 2),
      transport: browserSocket(WebSocket), backoff: { initial: 100, max: 200 } }));
    const closed = nextEvent(relay, 'closed', 20_000);
    await relay.connect();
    const c = await closed;
    assert.equal(c.code, 4001);
    assert.equal(relay.state, 'closed');
    await rejects(relay.publish('x', {}), 'closed');
    await sleep(500);
    assert.equal(proxy.accepted, 1, 'no reconnect attempt after 4001');
  });
}

function refresh(t) {
  return t.test('with a token function the client refreshes before expiry and stays connected', async (t2) => {
    const user = name('fresh');
    let minted = 0;
    const relay = track(t2, new Relay({ url: WS_URL, transport: browserSocket(WebSocket), refreshMargin: 2000,
      token: () => { minted++; return mint(user, 'Fresh', 3); } }));
    const lost = [];
    relay.on('disconnected', (d) => lost.push(d));
    const refreshed = [];
    relay.on('refreshed', (r) => refreshed.push(r.exp));
    const welcome = await relay.connect();
    assert.ok(tokenExpiry(mint(user, 'x', 3)) > Date.now() / 1000);
    await sleep(10_000); // well past the first token's exp plus the server's 5 s leeway
    assert.deepEqual(lost, [], 'never disconnected');
    assert.equal(relay.session, welcome.session);
    assert.ok(refreshed.length >= 3 && minted >= 4, `refreshed ${refreshed.length} times`);
    assert.equal((await relay.direct(user, { ok: true })).delivered, 1, 'the connection still works');
  });
}

test('a token the server refuses at the handshake is final when it is fixed', async (t) => {
  const relay = track(t, new Relay({ url: WS_URL, token: mint(name('forged'), 'F', 60, 'not-the-secret-0123456789012345678'),
    transport: browserSocket(WebSocket) }));
  const closed = nextEvent(relay, 'closed');
  await assert.rejects(relay.connect(), (e) => e instanceof RelayError && e.code === 'closed');
  assert.match((await closed).reason, /401/);
});

test('more than 1000 missed messages: the resume says recovered:false, a gap event, then live messages flow', async (t) => {
  const room = name('gap');
  const proxy = await Proxy.start(t);
  const ann = await client(t, name('ann'), 'Ann', { url: proxy.url, backoff: { initial: 100, max: 200 } });
  await ann.join(room);
  const gap = nextEvent(ann, 'gap', 30_000);
  proxy.refusing = true;
  proxy.cut();

  // 11 publishers x 92 = 1012 messages, each within the per-connection burst
  const publishers = await Promise.all(Array.from({ length: 11 }, () => client(t, name('pub'), 'Pub')));
  await Promise.all(publishers.map((p) => p.join(room)));
  await Promise.all(publishers.map(async (p, k) => {
    for (let i = 0; i < 92; i++) await publishSurely(p, room, { i }, `gap-${k}-${i}`);
  }));
  proxy.refusing = false;

  const g = await gap;
  assert.deepEqual([g.room, g.reason], [room, 'not_recovered']);
  const live = nextEvent(ann, 'message');
  await publishers[0].publish(room, { after: true });
  assert.deepEqual((await live).data, { after: true });
});

// ---- helpers ----

async function client(t, user, displayName, options = {}) {
  const relay = track(t, new Relay(Object.assign({ url: WS_URL, token: mint(user, displayName),
    transport: browserSocket(WebSocket) }, options)));
  await withTimeout(relay.connect(), WAIT, `${user} to connect`);
  return relay;
}

/** Publishes, retrying with the same key while Redis is too busy to confirm (safe: the key dedups). */
async function publishSurely(relay, room, data, key) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await relay.publish(room, data, { key });
    } catch (e) {
      if (e.code !== 'unavailable' || attempt === 5) throw e;
    }
  }
}

function track(t, relay) {
  t.after(() => relay.close());
  return relay;
}

function mint(sub, displayName, ttlSeconds = 600, secret = SECRET) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64({ sub, name: displayName, iat: now, exp: now + ttlSeconds });
  return body + '.' + createHmac('sha256', secret).update(body).digest('base64url');
}

/** The `n` (or the whole data) of every message the client gets in `room`. */
function collect(relay, room) {
  const seen = [];
  relay.on('message', (m) => { if (m.room === room) seen.push(m.data && 'n' in m.data ? m.data.n : m.data); });
  return seen;
}

function nextEvent(relay, event, ms = WAIT) {
  return until(relay, event, () => true, ms);
}

function until(relay, event, accept, ms = WAIT) {
  return withTimeout(new Promise((resolve) => {
    const off = relay.on(event, (v) => {
      if (accept(v)) {
        off();
        resolve(v);
      }
    });
  }), ms, `event ${event}`);
}

async function rejects(promise, code) {
  await assert.rejects(withTimeout(promise, WAIT, `a ${code} error`),
    (e) => e instanceof RelayError && e.code === code || assert.fail(`expected ${code}, got ${e.code}: ${e.message}`));
}

async function eventually(check, what, ms = WAIT) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const raced = Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    timer.unref();
  })]).finally(() => clearTimeout(timer));
  raced.catch(() => {}); // a test that failed earlier may never await it
  return raced;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function required(variable) {
  if (!process.env[variable]) {
    console.error(`client tests: ${variable} is not set`);
    process.exit(1);
  }
  return process.env[variable];
}

/**
 * A TCP proxy to the cluster that can cut its connections, refuse new ones, and hold back what
 * the server sends, to make the failures a client must survive.
 */
class Proxy {
  static async start(t) {
    const proxy = new Proxy();
    await new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.url = `ws://127.0.0.1:${proxy.server.address().port}/ws`;
    t.after(() => proxy.close());
    return proxy;
  }

  constructor() {
    this.pairs = new Set();
    this.attempts = [];
    this.refusing = false;
    this.holdReplies = false;
    this.server = net.createServer((client) => this.accept(client));
  }

  get accepted() {
    return this.attempts.length;
  }

  accept(client) {
    this.attempts.push(Date.now());
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(TARGET.port || 80), TARGET.hostname);
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => { if (!this.holdReplies) client.write(d); });
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  cut() {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  refuseFor(ms) {
    this.refusing = true;
    setTimeout(() => { this.refusing = false; }, ms);
  }

  close() {
    this.cut();
    this.server.close();
  }
}
