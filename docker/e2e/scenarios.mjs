// End-to-end scenarios of a Relay cluster behind nginx, run by docker/e2e.sh. They speak the wire
// protocol directly (wire.mjs) and use only what a user of the cluster has: the nginx URL, the
// shared secret, and the node processes (to kill one and drain another).
//
//   node scenarios.mjs all      chat, presence and direct messages across nodes, then node $E2E_KILL
//                               killed (kill -9) and node $E2E_DRAIN drained (SIGTERM), each while a
//                               publisher publishes
//   node scenarios.mjs spread   checks that nginx reaches every node of $E2E_NODES
//
// Env: E2E_URL (http://127.0.0.1:<nginx port>), E2E_SECRET, E2E_NODES ("node-1=<pid> node-2=<pid> ..."),
//      E2E_KILL, E2E_DRAIN (mode "all": the ids of the node to kill and of the node to drain).
// Prints one "ok - ..." line per check; exits 1 at the first failed check.
import { Client, CheckFailed, check, randomSuffix, sleep } from './wire.mjs';

const URL = required('E2E_URL');
const SECRET = required('E2E_SECRET');
const NODES = Object.fromEntries(required('E2E_NODES').trim().split(/\s+/).map((kv) => {
  const [id, pid] = kv.split('=');
  return [id, Number(pid)];
}));
const NODE_IDS = Object.keys(NODES).sort();
const PUBLISHED = 200;     // messages per fault scenario
const PUBLISH_EVERY = 25;  // ms: 40 frames/s, under the default RELAY_RATE of 50
const FAULT_AT = 60;       // the fault is injected after this message
const open = [];           // every client, closed at the end

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`scenarios.mjs: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

function ok(what) {
  console.log(`ok - ${what}`);
}

async function connect(user, opts = {}) {
  const c = await Client.open(URL, SECRET, user, opts);
  open.push(c);
  return c;
}

/** A connection of `user` that nginx put on `node`: connects until round robin lands there (bounded). */
async function connectOn(user, node, opts = {}) {
  for (let i = 0; i < 30; i++) {
    const c = await Client.open(URL, SECRET, user, opts);
    if (c.node === node) {
      open.push(c);
      return c;
    }
    await c.close();
  }
  throw new CheckFailed(`${user}: nginx never routed to ${node} in 30 connections`);
}

const ids = (members) => members.map((m) => m.id).sort().join(',');

// ---- chat, presence, direct messages across three nodes -------------------------------------

async function chatAcrossNodes() {
  const room = `e2e-lobby-${randomSuffix()}`;
  const ann = await connect('ann', { name: 'Ann' });
  const others = NODE_IDS.filter((n) => n !== ann.node);
  const bob = await connectOn('bob', others[0], { name: 'Bob' });
  const cy = await connectOn('cy', others[1], { name: 'Cy' });
  check(new Set([ann.node, bob.node, cy.node]).size === 3, 'three clients on three nodes');
  ok(`round robin: ann@${ann.node}, bob@${bob.node}, cy@${cy.node} (welcome.node), all through nginx`);

  let joined = await ann.expect({ type: 'join', room }, 'joined');
  check(ids(joined.members) === 'ann', `ann's joined.members: ${ids(joined.members)}`);
  await ann.next((f) => f.type === 'presence' && f.event === 'join' && f.user.id === 'ann', 'own presence join');
  joined = await bob.expect({ type: 'join', room }, 'joined');
  check(ids(joined.members) === 'ann,bob', `bob's joined.members: ${ids(joined.members)}`);
  await ann.next((f) => f.type === 'presence' && f.event === 'join' && f.user.id === 'bob', 'presence join of bob');
  joined = await cy.expect({ type: 'join', room }, 'joined');
  check(ids(joined.members) === 'ann,bob,cy', `cy's joined.members: ${ids(joined.members)}`);
  for (const c of [ann, bob]) {
    const p = await c.next((f) => f.type === 'presence' && f.event === 'join' && f.user.id === 'cy', 'presence join of cy');
    check(p.user.name === 'Cy' && p.room === room, `presence join of cy: ${JSON.stringify(p)}`);
  }
  ok('presence: joined.members lists the members on every node; join events reach the other nodes');

  const ack = await ann.expect({ type: 'publish', room, data: { text: 'hi from ann' } }, 'ack');
  for (const c of [ann, bob, cy]) {
    const m = await c.next((f) => f.type === 'message' && f.data?.text === 'hi from ann', 'ann\'s message');
    check(m.from.id === 'ann' && m.from.name === 'Ann' && m.offset === ack.offset && m.room === room,
      `${c.user} got ${JSON.stringify(m)}, ack offset ${ack.offset}`);
  }
  // a client cannot speak as someone else: from and ts come from the token and the server
  await cy.expect({ type: 'publish', room, from: { id: 'ann' }, ts: 1, data: { text: 'spoof' } }, 'ack');
  for (const c of [ann, bob, cy]) {
    const m = await c.next((f) => f.type === 'message' && f.data?.text === 'spoof', 'cy\'s message');
    check(m.from.id === 'cy' && m.ts > 1, `${c.user} got ${JSON.stringify(m)}: from/ts not stamped by the server`);
  }
  ok('chat: a publish reaches the members on all three nodes with the ack\'s offset; from is the token\'s user');

  const presence = await bob.expect({ type: 'presence', room }, 'presence');
  check(ids(presence.members) === 'ann,bob,cy', `presence members: ${ids(presence.members)}`);
  await bob.expect({ type: 'leave', room }, 'left');
  for (const c of [ann, cy]) {
    await c.next((f) => f.type === 'presence' && f.event === 'leave' && f.user.id === 'bob' && f.room === room, 'presence leave of bob');
  }
  const after = await cy.expect({ type: 'presence', room }, 'presence');
  check(ids(after.members) === 'ann,cy', `presence after bob left: ${ids(after.members)}`);
  ok('presence: the presence request lists users of all nodes; a leave on one node reaches the others');

  let reply = await ann.expect({ type: 'direct', to: 'cy', data: { text: 'psst' } }, 'ack');
  check(reply.delivered === 1, `direct to cy on one node: delivered ${reply.delivered}`);
  let d = await cy.next((f) => f.type === 'direct' && f.data?.text === 'psst', 'direct from ann');
  check(d.from.id === 'ann' && d.to === 'cy', `direct: ${JSON.stringify(d)}`);
  const cy2 = await connectOn('cy', NODE_IDS.find((n) => n !== cy.node && n !== bob.node), { name: 'Cy' });
  reply = await bob.expect({ type: 'direct', to: 'cy', data: { text: 'both' } }, 'ack');
  check(reply.delivered === 2, `direct to cy on two nodes: delivered ${reply.delivered}`);
  for (const c of [cy, cy2]) {
    d = await c.next((f) => f.type === 'direct' && f.data?.text === 'both', 'direct from bob');
    check(d.from.id === 'bob', `direct: ${JSON.stringify(d)}`);
  }
  const offline = await ann.request({ type: 'direct', to: 'nobody-here', data: {} });
  check(offline.type === 'error' && offline.code === 'recipient_offline', `direct to an absent user: ${JSON.stringify(offline)}`);
  ok('direct: reaches every connection of the user on every node (delivered 1, then 2); recipient_offline otherwise');

  for (const c of [ann, bob, cy, cy2]) {
    check(c.unexpected.length === 0, `${c.user} got unexpected frames: ${JSON.stringify(c.unexpected)}`);
    await c.close();
  }
}

// ---- a node killed, a node drained, while a publisher publishes -----------------------------

/**
 * A member of `room` that keeps every message it got across reconnects. When its connection ends,
 * it reconnects through nginx (after a short random delay) and joins with `since` = the last
 * offset it saw, as PROTOCOL.md tells a client to.
 */
class Subscriber {
  constructor(user, room) {
    this.user = user;
    this.room = room;
    this.connections = [];
    this.resumed = null;
  }

  get client() { return this.connections.at(-1); }

  async start(node) {
    const c = await connectOn(this.user, node);
    await c.expect({ type: 'join', room: this.room }, 'joined');
    this.connections.push(c);
    this.firstNode = c.node;
    this.resumed = c.closed.then((info) => this.resume(info));
    this.resumed.catch(() => {}); // awaited by the scenario; unhandled only if the scenario failed first
  }

  received() {
    return this.connections.flatMap((c) => c.roomMessages(this.room));
  }

  async resume(closeInfo) {
    if (this.stopped) return null;
    const since = this.received().at(-1)?.offset;
    const deadline = Date.now() + 20000;
    await sleep(100 + Math.random() * 400); // jitter, as PROTOCOL.md asks after 1012
    for (;;) {
      try {
        const c = await connect(this.user);
        const joined = await c.expect({ type: 'join', room: this.room, since }, 'joined');
        this.connections.push(c);
        return { closeInfo, node: c.node, joined };
      } catch (e) {
        if (Date.now() > deadline) throw new CheckFailed(`${this.user}: could not resume within 20 s: ${e.message}`);
        await sleep(300);
      }
    }
  }

  stop() {
    this.stopped = true;
    return this.client.close();
  }
}

/** Publishes data {n: 1..PUBLISHED} as fast as the rate allows, runs `fault` after FAULT_AT; resolves with the acks. */
async function publishWith(publisher, room, fault) {
  const acks = [];
  for (let n = 1; n <= PUBLISHED; n++) {
    acks.push(publisher.request({ type: 'publish', room, key: `m-${n}`, data: { n } }, 15000));
    if (n === FAULT_AT) fault();
    await sleep(PUBLISH_EVERY);
  }
  const replies = await Promise.all(acks);
  replies.forEach((r, i) => check(r.type === 'ack', `publish ${i + 1} answered ${JSON.stringify(r)}`));
  return replies;
}

/** Every subscriber got messages 1..PUBLISHED exactly once, in order, with the publisher's offsets. */
async function checkNoLoss(subscribers, acks) {
  const deadline = Date.now() + 15000;
  for (const s of subscribers) {
    while (s.received().length < PUBLISHED && Date.now() < deadline) await sleep(50);
    const got = s.received();
    const ns = got.map((m) => m.data.n);
    const expected = Array.from({ length: PUBLISHED }, (_, i) => i + 1);
    check(ns.join() === expected.join(), `${s.user}: got ${ns.length} messages, not 1..${PUBLISHED} in order: ${firstDifference(ns, expected)}`);
    got.forEach((m, i) => check(m.offset === acks[i].offset, `${s.user}: message ${i + 1} has offset ${m.offset}, its ack ${acks[i].offset}`));
    for (const c of s.connections) {
      check(c.unexpected.length === 0, `${s.user} got unexpected frames: ${JSON.stringify(c.unexpected)}`);
    }
  }
}

function firstDifference(got, expected) {
  const i = expected.findIndex((n, j) => got[j] !== n);
  return i < 0 ? `${got.length - expected.length} extra at the end` : `at index ${i}: got ${got[i]}, expected ${expected[i]}`;
}

async function checkResumed(s, faultNode, closeCode) {
  const r = await s.resumed;
  check(r.closeInfo.code === closeCode, `${s.user}: closed with ${r.closeInfo.code}, expected ${closeCode}`);
  check(r.node !== faultNode, `${s.user}: reconnected to ${r.node}, the node that went away`);
  check(r.joined.recovered === true, `${s.user}: join with since answered ${JSON.stringify(r.joined)}`);
  return r;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function nodeKilled(victim) {
  const room = `e2e-kill-${randomSuffix()}`;
  const publisher = await connectOn('publisher-k', NODE_IDS.find((n) => n !== victim));
  await publisher.expect({ type: 'join', room }, 'joined');
  const subs = NODE_IDS.map((n) => new Subscriber(`sub-k-${n}`, room));
  for (let i = 0; i < subs.length; i++) await subs[i].start(NODE_IDS[i]);
  const ghost = await connectOn('ghost', victim); // on the victim only, never reconnects
  await ghost.expect({ type: 'join', room }, 'joined');
  const watcher = subs.find((s) => s.firstNode !== victim && s.firstNode !== publisher.node).client;
  await watcher.next((f) => f.type === 'presence' && f.event === 'join' && f.user.id === 'ghost', 'presence join of ghost');

  let killedAt = 0;
  const acks = await publishWith(publisher, room, () => {
    process.kill(NODES[victim], 'SIGKILL');
    killedAt = Date.now();
  });
  const victimSub = subs.find((s) => s.firstNode === victim);
  const r = await checkResumed(victimSub, victim, 1006);
  ok(`kill -9 ${victim} (publisher on ${publisher.node}): its subscriber was cut off (1006), reconnected through nginx `
    + `to ${r.node} and resumed with since: recovered, missed ${r.joined.missed}`);
  await checkNoLoss(subs, acks);
  ok(`kill -9: ${subs.length} subscribers on three nodes got all ${PUBLISHED} messages exactly once, in order, with the acked offsets`);

  // The dead node's liveness key expires (RELAY_NODE_TTL) and a survivor sweeps it.
  const left = await watcher.next((f) => f.type === 'presence' && f.event === 'leave' && f.user.id === 'ghost', 'presence leave of ghost', 30000);
  const p = await watcher.expect({ type: 'presence', room }, 'presence');
  const want = ['publisher-k', ...subs.map((s) => s.user)].sort().join(',');
  check(ids(p.members) === want, `presence after the sweep: ${ids(p.members)}, expected ${want}`);
  const spurious = subs.flatMap((s) => s.connections).flatMap((c) => c.inbox)
    .filter((f) => f.type === 'presence' && f.event === 'leave' && f.user.id !== 'ghost');
  check(spurious.length === 0, `leave events of users still connected elsewhere: ${JSON.stringify(spurious)}`);
  ok(`kill -9: the dead node was swept ${((left.ts - killedAt) / 1000).toFixed(1)} s after the kill: leave of its user, `
    + 'none for the user who resumed elsewhere, presence exact');

  for (const s of subs) await s.stop();
  await publisher.close();
}

async function nodeDrained(killed, drained) {
  const room = `e2e-drain-${randomSuffix()}`;
  const publisher = await connectOn('publisher-d', NODE_IDS.find((n) => n !== killed && n !== drained));
  await publisher.expect({ type: 'join', room }, 'joined');
  const subs = [
    new Subscriber('sub-d-1', room), new Subscriber('sub-d-2', room), new Subscriber('sub-d-3', room),
  ];
  await subs[0].start(drained);
  await subs[1].start(drained);
  await subs[2].start(publisher.node);

  const acks = await publishWith(publisher, room, () => process.kill(NODES[drained], 'SIGTERM'));
  for (const s of subs.slice(0, 2)) {
    const r = await checkResumed(s, drained, 1012);
    ok(`SIGTERM ${drained}: ${s.user} was closed with 1012, reconnected through nginx to ${r.node} and resumed: `
      + `recovered, missed ${r.joined.missed}`);
  }
  await checkNoLoss(subs, acks);
  ok(`drain: ${subs.length} subscribers got all ${PUBLISHED} messages exactly once, in order, with the acked offsets`);
  const deadline = Date.now() + 20000;
  while (alive(NODES[drained]) && Date.now() < deadline) await sleep(100);
  check(!alive(NODES[drained]), `${drained} still runs 20 s after SIGTERM`);
  const p = await publisher.expect({ type: 'presence', room }, 'presence');
  const want = ['publisher-d', ...subs.map((s) => s.user)].sort().join(',');
  check(ids(p.members) === want, `presence after the drain: ${ids(p.members)}, expected ${want}`);
  ok(`drain: ${drained} stopped (its exit code is checked by e2e.sh); presence exact`);

  for (const s of subs) await s.stop();
  await publisher.close();
}

// ---- every node reachable through nginx -----------------------------------------------------

async function spread() {
  const seen = new Set();
  const deadline = Date.now() + 30000;
  while (seen.size < NODE_IDS.length && Date.now() < deadline) {
    try {
      const c = await Client.open(URL, SECRET, 'spread-check');
      seen.add(c.node);
      await c.close();
    } catch {
      await sleep(200);
    }
  }
  check(NODE_IDS.every((n) => seen.has(n)), `nginx reached ${[...seen].sort()} only, not all of ${NODE_IDS}`);
  ok(`nginx reaches every node: ${NODE_IDS.join(', ')}`);
}

async function main() {
  const mode = process.argv[2] ?? 'all';
  if (mode === 'spread') {
    await spread();
  } else if (mode === 'all') {
    const [killed, drained] = [required('E2E_KILL'), required('E2E_DRAIN')];
    check(NODE_IDS.length === 3, `three nodes expected in E2E_NODES, got ${NODE_IDS}`);
    check(NODES[killed] && NODES[drained] && killed !== drained, `E2E_KILL ${killed}, E2E_DRAIN ${drained}: two nodes of E2E_NODES`);
    await chatAcrossNodes();
    await nodeKilled(killed);
    await nodeDrained(killed, drained);
  } else {
    throw new Error(`unknown mode ${mode} (all, spread)`);
  }
}

main().then(() => {
  for (const c of open) c.ws.terminate();
  process.exit(0);
}, (e) => {
  console.error(`FAILED - ${e instanceof CheckFailed ? '' : 'error: '}${e.message}`);
  if (!(e instanceof CheckFailed)) console.error(e.stack);
  for (const c of open) c.ws.terminate();
  process.exit(1);
});
