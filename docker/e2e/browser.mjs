// Browser test of the demo page against a Relay cluster behind a load balancer (run by docker/e2e.sh):
// two pages in one room chat and see each other online; the node of one page is killed; both pages
// come back and keep chatting with no message lost or doubled. Saves a screenshot of the demo.
//
// env: E2E_URL (the load balancer; the demo is E2E_URL + '/'), E2E_NODES ("node-1=<pid> ..."),
//      E2E_ARTIFACTS (where demo.png goes; default docker/e2e/artifacts), E2E_CHROMIUM (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = required('E2E_URL').replace(/\/$/, '');
const NODES = parseNodes(required('E2E_NODES'));
const ARTIFACTS = process.env.E2E_ARTIFACTS || fileURLToPath(new URL('./artifacts/', import.meta.url));
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const ROOM = 'browser-' + Date.now().toString(36);
const WAIT = 30_000; // any single wait; the whole run is bounded below
const OVERALL = 110_000;

const profile = mkdtempSync(join(tmpdir(), 'relay-chromium-'));
let context;
const watchdog = setTimeout(async () => {
  await cleanUp();
  fail('the browser test did not finish within ' + OVERALL / 1000 + ' s');
}, OVERALL);

let failure = null;
try {
  await run();
} catch (e) {
  failure = e;
}
clearTimeout(watchdog);
await cleanUp();
if (failure) fail(failure.stack || String(failure));
console.log('browser: all checks passed');

async function cleanUp() {
  if (context) await Promise.race([context.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  rmSync(profile, { recursive: true, force: true });
}

async function run() {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const ann = await openPage('Ann');
  const bob = await openPage('Bob');

  const annNode = await joinRoom(ann, 'Ann');
  let bobNode = await joinRoom(bob, 'Bob');
  for (let i = 0; i < 5 && bobNode === annNode; i++) { // different nodes make the test cross-node
    await bob.page.getByTestId('leave').click();
    bobNode = await joinRoom(bob, 'Bob');
  }
  ok(`Ann is on ${annNode}, Bob on ${bobNode} (status indicator)`);

  await seesMember(ann, 'bob');
  await seesMember(bob, 'ann');
  ok('each page lists the other in the room\'s members');

  const sent = [];
  await say(ann, 'hello from Ann', sent);
  await say(bob, 'hello from Bob', sent);
  await seesTexts([ann, bob], sent);
  ok('messages cross between the two pages');

  await bob.page.getByTestId('dm-to').selectOption('ann');
  await bob.page.getByTestId('dm-input').fill('a secret for Ann');
  await bob.page.getByTestId('dm-send').click();
  await ann.page.locator('[data-testid="direct"]', { hasText: 'a secret for Ann' }).waitFor({ timeout: WAIT });
  ok('a direct message from Bob reaches Ann');

  const pid = NODES.get(annNode);
  if (!pid) throw new Error(`E2E_NODES has no pid for ${annNode}: ${[...NODES.keys()].join(', ')}`);
  process.kill(pid, 'SIGKILL');
  ok(`killed ${annNode} (pid ${pid}), Ann's node`);

  await say(ann, 'Ann, written while reconnecting', sent, false); // queued by the client
  for (let i = 1; i <= 3; i++) await say(bob, `Bob during the outage ${i}`, sent, false);
  await connectedElsewhere(ann, annNode);
  const bobNow = await connectedElsewhere(bob, annNode);
  ok(`both pages reconnected: Ann to ${await nodeOf(ann)}, Bob on ${bobNow}`);

  await say(ann, 'Ann after the failover', sent);
  await say(bob, 'Bob after the failover', sent);
  await seesTexts([ann, bob], sent);
  const annList = await messages(ann);
  const bobList = await messages(bob);
  same(annList, bobList, 'both pages show the same messages in the same order');
  if (annList.length !== sent.length) throw new Error(`expected ${sent.length} messages, saw ${annList.length}: ${JSON.stringify(annList)}`);
  ok(`no message lost or doubled: ${sent.length} messages, identical order on both pages`);

  await seesMember(ann, 'bob');
  await seesMember(bob, 'ann');
  await bob.page.getByTestId('dm-to').selectOption('ann');
  await bob.page.getByTestId('dm-input').fill('still there?');
  await bob.page.getByTestId('dm-send').click();
  await ann.page.locator('[data-testid="direct"]', { hasText: 'still there?' }).waitFor({ timeout: WAIT });
  ok('after the failover both are still online and direct messages still arrive');

  for (const p of [ann, bob]) {
    if (p.errors.length) throw new Error(`${p.name}'s page had script errors: ${p.errors.join('; ')}`);
  }
  ok('no script errors on either page');

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'demo.png');
  await ann.page.screenshot({ path: shot });
  await bob.page.screenshot({ path: join(ARTIFACTS, 'demo-bob.png') });
  ok(`screenshot saved: ${shot}`);
}

async function openPage(name) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.setDefaultTimeout(WAIT);
  await page.goto(`${BASE}/?room=${ROOM}`);
  return { name, page, errors };
}

/** Fills the form, joins, and answers the node from the status indicator. */
async function joinRoom(p, name) {
  await p.page.getByTestId('name').fill(name);
  await p.page.getByTestId('room').fill(ROOM);
  await p.page.getByTestId('join').click();
  await p.page.locator('[data-testid="status"][data-state="connected"]').waitFor();
  await p.page.getByTestId('chat-view').waitFor();
  const node = await nodeOf(p);
  if (!NODES.has(node)) throw new Error(`${name}'s page says it is on "${node}", not one of ${[...NODES.keys()]}`);
  return node;
}

async function nodeOf(p) {
  return p.page.getByTestId('status').getAttribute('data-node');
}

async function connectedElsewhere(p, deadNode) {
  await p.page.waitForFunction((dead) => {
    const s = document.querySelector('[data-testid="status"]');
    return s.dataset.state === 'connected' && s.dataset.node && s.dataset.node !== dead;
  }, deadNode, { timeout: WAIT });
  return nodeOf(p);
}

async function say(p, text, sent, settle = true) {
  await p.page.getByTestId('message-input').fill(text);
  await p.page.getByTestId('send').click();
  sent.push(text);
  if (settle) await p.page.locator('[data-testid="outbox"] [data-testid="pending"]').first().waitFor({ state: 'detached' });
}

async function seesMember(p, user) {
  await p.page.locator(`[data-testid="members"] [data-testid="member"][data-user="${user}"]`).waitFor();
}

async function seesTexts(pages, texts) {
  for (const p of pages) {
    await p.page.waitForFunction((want) => {
      const seen = [...document.querySelectorAll('[data-testid="message"] .text')].map((e) => e.textContent);
      return want.every((t) => seen.includes(t));
    }, texts, { timeout: WAIT }).catch(async () => {
      throw new Error(`${p.name}'s page is missing messages; wanted ${JSON.stringify(texts)}, has ${JSON.stringify(await messages(p))}`);
    });
  }
}

async function messages(p) {
  return p.page.$$eval('[data-testid="message"]', (els) =>
    els.map((e) => ({ offset: e.dataset.offset, from: e.dataset.from, text: e.querySelector('.text').textContent })));
}

function same(a, b, what) {
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    throw new Error(`${what}: no\n  Ann: ${JSON.stringify(a)}\n  Bob: ${JSON.stringify(b)}`);
  }
  const offsets = new Set(a.map((m) => m.offset));
  if (offsets.size !== a.length) throw new Error(`a message is shown twice: ${JSON.stringify(a)}`);
}

function ok(what) {
  console.log('browser: ok - ' + what);
}

function fail(why) {
  console.error('browser: FAILED - ' + why);
  process.exit(1);
}

function required(name) {
  const v = process.env[name];
  if (!v) fail(`${name} is not set`);
  return v;
}

function parseNodes(text) {
  const nodes = new Map();
  for (const pair of text.trim().split(/\s+/)) {
    const [id, pid] = pair.split('=');
    if (!id || !/^\d+$/.test(pid || '')) fail(`E2E_NODES entry "${pair}" is not <node>=<pid>`);
    nodes.set(id, Number(pid));
  }
  return nodes;
}
