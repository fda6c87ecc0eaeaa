// The demo chat: one room, who is online, direct messages, on the JS client served by the node.
// Test hooks are data-testid attributes (see index.html); nothing here is needed to use relay.js.
import { Relay, RelayError } from '/client/relay.js';

const $ = (id) => document.querySelector('[data-testid="' + id + '"]');
const ROOM_RULE = /^[A-Za-z0-9_.:@-]{1,128}$/;
const HISTORY_ON_JOIN = 50;

let relay = null;
let me = null;          // { id, name }
let room = null;
let shown = new Set();  // offsets on screen: history and live frames may overlap once
let live = null;        // live messages held while the first history page loads

// ---- joining ----

prefillFromQuery();
$('join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  join().catch((err) => showJoinError(err));
});
$('leave').addEventListener('click', leave);
$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  sendMessage();
});
$('dm-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sendDirect();
});

function prefillFromQuery() {
  const q = new URLSearchParams(location.search);
  if (q.get('name')) $('name').value = q.get('name');
  if (q.get('room')) $('room').value = q.get('room');
}

async function join() {
  const name = $('name').value.trim();
  const roomName = $('room').value.trim();
  if (!name) throw new Error('Pick a name.');
  if (!ROOM_RULE.test(roomName)) throw new Error('Room names are 1-128 letters, digits or _ . : @ -');
  $('join-error').hidden = true;
  $('join').disabled = true;
  try {
    const ownToken = $('token').value.trim();
    start(ownToken || await devTokenSource(userIdFor(name), name), roomName);
    await relay.connect();
    await enterRoom();
  } catch (err) {
    if (relay) relay.close();
    relay = null;
    throw err;
  } finally {
    $('join').disabled = false;
  }
}

/** A user id from the display name: the same name in two windows is the same user. */
function userIdFor(name) {
  const slug = name.toLowerCase().replace(/[^a-z0-9_.@-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return slug || 'user-' + Math.random().toString(36).slice(2, 8);
}

/**
 * Tokens from POST /dev/token (development mode, or RELAY_DEV_TOKENS=true): the first one fetched
 * now, so that a node without the route fails on the form; later ones when the client asks.
 */
async function devTokenSource(user, name) {
  const fetchToken = async () => {
    const url = '/dev/token?user=' + encodeURIComponent(user) + '&name=' + encodeURIComponent(name);
    const res = await fetch(url, { method: 'POST' });
    if (res.status === 404) {
      $('token-details').open = true;
      throw new RelayError('no_dev_tokens', 'This node does not hand out demo tokens: paste a token below.');
    }
    if (!res.ok) throw new RelayError('token_failed', 'Could not get a token (HTTP ' + res.status + ').');
    return (await res.json()).token;
  };
  let first = await fetchToken();
  return () => {
    const token = first || fetchToken();
    first = null;
    return token;
  };
}

function start(token, roomName) {
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  relay = new Relay({ url: scheme + location.host + '/ws', token });
  room = roomName;
  relay.on('state', showState);
  relay.on('welcome', (w) => { me = w.user; });
  relay.on('message', onMessage);
  relay.on('direct', (d) => addDirect(d, false));
  relay.on('presence', onPresence);
  relay.on('members', (m) => { if (m.room === room) renderMembers(m.members); });
  relay.on('joined', onJoined);
  relay.on('gap', (g) => { if (g.room === room) catchUpAfterGap(); });
  relay.on('disconnected', (d) => notice((d.node ? 'Connection to ' + d.node + ' lost' : 'Could not connect')
    + '. Trying again in ' + seconds(d.delay) + '…', 'warn'));
  relay.on('closed', (c) => { if (!c.byClient) notice('Disconnected for good: ' + c.reason + '.', 'warn'); });
  relay.on('error', (e) => toast(e.message));
}

async function enterRoom() {
  shown = new Set();
  live = [];
  $('messages').replaceChildren();
  $('outbox').replaceChildren();
  $('room-name').textContent = room;
  $('me').textContent = me.name || me.id;
  $('join-view').hidden = true;
  $('chat-view').hidden = false;
  $('side').hidden = false;
  history.replaceState(null, '', '?room=' + encodeURIComponent(room));
  await relay.join(room);
  const earlier = await relay.history(room, { limit: HISTORY_ON_JOIN });
  const held = live;
  live = null;
  earlier.forEach(addMessage);
  held.forEach(addMessage);
  $('message-input').focus();
}

function leave() {
  if (relay) relay.close();
  relay = null;
  showState({ state: 'idle' });
  $('chat-view').hidden = true;
  $('side').hidden = true;
  $('join-view').hidden = false;
}

function showJoinError(err) {
  $('join-error').textContent = err.message || String(err);
  $('join-error').hidden = false;
  showState({ state: 'idle' });
}

// ---- what the client reports ----

function showState(s) {
  const status = $('status');
  const labels = { idle: 'Not connected', connecting: 'Connecting…', connected: 'Connected to', reconnecting: 'Reconnecting…', closed: 'Disconnected' };
  const node = s.state === 'connected' ? s.node : '';
  status.dataset.state = s.state;
  status.dataset.node = node;
  $('status-text').textContent = labels[s.state] || s.state;
  $('node').textContent = node;
}

function onJoined(j) {
  if (j.room !== room || !j.resumed) return;
  if (j.recovered) {
    notice('Back on ' + relay.node + ': nothing lost' + (j.missed ? ', ' + j.missed + ' missed message' + (j.missed > 1 ? 's' : '') + ' caught up.' : '.'), 'ok');
  }
}

function onMessage(m) {
  if (m.room !== room) return;
  if (live) live.push(m);
  else addMessage(m);
}

function onPresence(p) {
  if (p.room !== room || !p.event || (me && p.user.id === me.id)) return;
  notice((p.user.name || p.user.id) + (p.event === 'join' ? ' joined' : ' left'));
}

/** The room moved on without us (history trimmed or lost): show what the server still has. */
async function catchUpAfterGap() {
  notice('Some messages may be missing here; showing the latest.', 'warn');
  const latest = await relay.history(room, { limit: HISTORY_ON_JOIN });
  latest.forEach(addMessage);
}

// ---- sending ----

function sendMessage() {
  const input = $('message-input');
  const text = input.value.trim();
  if (!text || !relay) return;
  input.value = '';
  const pending = outboxEntry(text);
  relay.publish(room, { text })
    .then(() => pending.remove())
    .catch((e) => failed(pending, e));
}

function sendDirect() {
  const to = $('dm-to').value;
  const input = $('dm-input');
  const text = input.value.trim();
  if (!to || !text || !relay) return;
  input.value = '';
  relay.direct(to, { text })
    .then(() => addDirect({ from: me, to, data: { text }, ts: Date.now() }, true))
    .catch((e) => toast(e.code === 'recipient_offline' ? nameOf(to) + ' is offline right now.' : e.message));
}

function outboxEntry(text) {
  const li = el('li', 'pending', text);
  li.dataset.testid = 'pending';
  li.title = relay.state === 'connected' ? 'sending' : 'queued until the connection is back';
  $('outbox').append(li);
  return li;
}

function failed(li, e) {
  li.classList.add('failed');
  li.textContent = li.textContent + ' (not sent: ' + e.message + ')';
  setTimeout(() => li.remove(), 8000);
}

// ---- rendering ----

function addMessage(m) {
  if (!m.offset || shown.has(m.offset)) return;
  shown.add(m.offset);
  const li = bubble(m.from, m.data, m.ts);
  li.dataset.testid = 'message';
  li.dataset.offset = m.offset;
  li.dataset.from = m.from.id;
  append(li);
}

function addDirect(d, sent) {
  const li = bubble(d.from, d.data, d.ts);
  li.dataset.testid = 'direct';
  li.dataset.from = d.from.id;
  li.classList.add('direct');
  li.querySelector('.who').textContent = sent ? 'You → ' + nameOf(d.to) : (d.from.name || d.from.id) + ' → you';
  append(li);
}

function bubble(from, data, ts) {
  const li = el('li', 'msg');
  if (me && from.id === me.id) li.classList.add('mine');
  const avatar = el('span', 'avatar', initial(from));
  avatar.style.background = colour(from.id);
  const head = el('div', 'head');
  head.append(el('span', 'who', from.name || from.id), el('time', 'when', clock(ts)));
  const body = el('div', 'text', textOf(data));
  const content = el('div', 'content');
  content.append(head, body);
  li.append(avatar, content);
  return li;
}

function notice(text, kind) {
  const li = el('li', 'notice' + (kind ? ' ' + kind : ''), text);
  li.dataset.testid = 'notice';
  append(li);
}

function append(li) {
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(li);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderMembers(members) {
  const sorted = members.slice().sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
  $('member-count').textContent = String(sorted.length);
  $('members').replaceChildren(...sorted.map(memberItem));
  const select = $('dm-to');
  const chosen = select.value;
  const options = sorted.filter((m) => !me || m.id !== me.id).map((m) => {
    const o = el('option', '', m.name || m.id);
    o.value = m.id;
    return o;
  });
  select.replaceChildren(Object.assign(el('option', '', options.length ? 'choose someone online' : 'nobody else is here'), { value: '' }), ...options);
  select.value = options.some((o) => o.value === chosen) ? chosen : '';
}

function memberItem(m) {
  const li = el('li', 'member');
  li.dataset.testid = 'member';
  li.dataset.user = m.id;
  const avatar = el('span', 'avatar small', initial(m));
  avatar.style.background = colour(m.id);
  const label = el('span', 'member-name', m.name || m.id);
  li.append(avatar, label);
  if (me && m.id === me.id) {
    label.append(el('span', 'you', 'you'));
  } else {
    const dm = el('button', 'quiet small', 'Message');
    dm.type = 'button';
    dm.addEventListener('click', () => {
      $('dm-to').value = m.id;
      $('dm-input').focus();
    });
    li.append(dm);
  }
  return li;
}

function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 5000);
}

// ---- small helpers ----

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function nameOf(id) {
  const m = relay && relay.members(room).find((x) => x.id === id);
  return m ? m.name || m.id : id;
}

function textOf(data) {
  return data && typeof data.text === 'string' ? data.text : JSON.stringify(data);
}

function initial(user) {
  return (user.name || user.id || '?').trim().charAt(0).toUpperCase();
}

function colour(id) {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) % 360;
  return 'hsl(' + h + ' 55% 48%)';
}

function clock(ts) {
  return new Date(ts || Date.now()).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function seconds(ms) {
  return (ms / 1000).toFixed(1) + ' s';
}
