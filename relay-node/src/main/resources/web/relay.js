/*
 * Relay JS client: a plain ES module, no dependencies, no build step. Served by every node at
 * /client/relay.js; the reference is docs/client.md, the wire protocol docs/protocol.md.
 *
 *   import { Relay } from '/client/relay.js';
 *   const relay = new Relay({ url: 'wss://example.com/ws', token: () => fetchToken() });
 *   relay.on('message', (m) => show(m.from.name, m.data));
 *   await relay.connect();
 *   await relay.join('lobby');
 *   await relay.publish('lobby', { text: 'hi' });
 *
 * Written in plain ES2017 (no optional chaining, no class fields) so that WeChat and uni-app
 * tool chains take it as it is.
 */

const DEFAULTS = {
  backoff: { initial: 1000, max: 30000, jitter: 0.5 },
  requestTimeout: 10000,
  connectTimeout: 10000,
  maxQueue: 100,
  pingInterval: null, // null: the server's heartbeat from welcome; 0: no app-level pings
  pingTimeout: 10000,
  refreshMargin: 60000,
  stableAfter: 10000,
};

/** Close codes after which the client does not reconnect on its own (PROTOCOL.md, "Close codes"). */
const TERMINAL_CLOSES = {
  1000: 'closed normally by the server',
  1009: 'a frame was too large',
  4001: 'the token expired',
  4403: 'disconnected by the server API',
};
const RATE_ABUSE = 4029;
const RESTARTING = 1012;
const RATE_ABUSE_MIN_ATTEMPT = 4;

/** Frames that are safe to send again on a new connection when the old one died before their reply. */
const RETRIED = { join: true, leave: true, publish: true, presence: true, history: true, refresh: true };

/** A refused request or a client-side failure; `code` is the server's error code or one of the client's own. */
export class RelayError extends Error {
  constructor(code, message, frame) {
    super(message || code);
    this.name = 'RelayError';
    this.code = code;
    this.frame = frame;
  }
}

/**
 * The wait before reconnect attempt `attempt` (0 for the first): exponential from `initial`,
 * capped at `max`, reduced by up to `jitter` (a fraction) at random so that clients of a dead node
 * spread out instead of arriving together.
 */
export function backoffDelay(attempt, backoff, random) {
  const b = Object.assign({}, DEFAULTS.backoff, backoff);
  const base = Math.min(b.max, b.initial * Math.pow(2, Math.max(0, attempt)));
  return Math.round(base * (1 - b.jitter * (random || Math.random)()));
}

/** The browser's WebSocket (or any class with its API, e.g. the `ws` package). The token goes in `?token=`. */
export function browserSocket(WebSocketClass) {
  return {
    name: 'browser',
    open(url, token, on) {
      const Impl = WebSocketClass || globalThis.WebSocket;
      if (!Impl) throw new RelayError('no_websocket', 'no WebSocket class here: pass one to browserSocket()');
      const ws = new Impl(url + (url.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(token));
      ws.onopen = () => on.open();
      ws.onmessage = (e) => on.message(e.data);
      ws.onclose = (e) => on.close(e.code, e.reason);
      ws.onerror = (e) => on.error(e && e.message ? String(e.message) : 'WebSocket error');
      return {
        send: (text) => ws.send(text),
        close: (code, reason) => { try { ws.close(code, reason); } catch (e) { /* already closed */ } },
      };
    },
  };
}

/** WeChat mini-programs: `wxSocket(wx)`. The token goes in the `token` header. */
export function wxSocket(wx) {
  return miniProgramSocket(wx, 'wx');
}

/** uni-app: `uniSocket(uni)`. The token goes in the `token` header. */
export function uniSocket(uni) {
  return miniProgramSocket(uni, 'uni');
}

function miniProgramSocket(api, name) {
  return {
    name,
    open(url, token, on) {
      // uni.connectSocket returns its SocketTask only when a callback is given
      const task = api.connectSocket({ url, header: { token }, complete() {} });
      task.onOpen(() => on.open());
      task.onMessage((res) => on.message(res.data));
      task.onClose((res) => on.close(res && res.code, res && res.reason));
      task.onError((res) => on.error(res && res.errMsg ? res.errMsg : name + ' socket error'));
      return {
        send: (text) => task.send({ data: text }),
        close: (code, reason) => task.close({ code, reason }),
      };
    },
  };
}

/**
 * One logical connection to a Relay cluster: reconnects with backoff, rejoins its rooms from their
 * last offsets, and queues requests while it is not connected.
 */
export class Relay {
  constructor(options) {
    if (!options || !options.url) throw new TypeError('Relay: options.url is required');
    if (!options.token) throw new TypeError('Relay: options.token (a string or a function) is required');
    this.url = options.url;
    this.options = Object.assign({}, DEFAULTS, options, { backoff: Object.assign({}, DEFAULTS.backoff, options.backoff) });
    this.transport = options.transport || browserSocket();
    this.random = options.random || Math.random;
    this.state = 'idle';
    this.node = null;
    this.session = null;
    this.user = null;
    this._token = typeof options.token === 'function' ? null : options.token;
    this._handlers = {};
    this._rooms = new Map();  // room -> { offset, members: Map(id -> member), joined }
    this._pending = new Map(); // id -> request, sent on the current socket
    this._queue = [];          // requests waiting for a connection
    this._nextId = 1;
    this._keyPrefix = Math.random().toString(36).slice(2, 10) + '-';
    this._keySeq = 0;
    this._socket = null;
    this._welcomed = false;
    this._welcomedAt = 0;
    this._tokenStale = false;
    this._attempt = 0;
    this._timers = {};
    this._connected = null;
  }

  // ---- events ----

  /** Adds a handler; returns a function that removes it. Events are listed in docs/client.md. */
  on(event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return () => this.off(event, handler);
  }

  off(event, handler) {
    const list = this._handlers[event];
    if (list) this._handlers[event] = list.filter((h) => h !== handler);
  }

  _emit(event, value) {
    (this._handlers[event] || []).slice().forEach((h) => {
      try {
        h(value);
      } catch (e) {
        setTimeout(() => { throw e; }); // an app's handler bug must not break the connection logic
      }
    });
  }

  // ---- connection ----

  /** Starts connecting; resolves with the first `welcome`, rejects if the client is closed before it. */
  connect() {
    if (!this._connected) {
      this._connected = new Promise((resolve, reject) => {
        this._connectedHooks = { resolve, reject };
      });
      this._connected.catch(() => {}); // also reported as 'closed'
      this._open();
    }
    return this._connected;
  }

  /** Closes for good: no reconnect; queued and unanswered requests are rejected with `closed`. */
  close() {
    this._shutdown(1000, 'closed by the client', true);
  }

  _setState(state, info) {
    if (this.state === state) return;
    this.state = state;
    this._emit('state', Object.assign({ state }, info));
  }

  _open() {
    this._clearTimer('retry');
    if (this.state === 'closed') return;
    this._setState(this.state === 'idle' || this.state === 'connecting' ? 'connecting' : 'reconnecting');
    Promise.resolve(this._needsFreshToken() ? this.options.token() : this._token)
      .then((token) => {
        if (this.state === 'closed') return;
        if (!token) throw new RelayError('no_token', 'the token function gave no token');
        this._token = token;
        this._attach(token);
      })
      .catch((e) => {
        this._emit('error', e instanceof RelayError ? e : new RelayError('token_failed', String(e && e.message || e)));
        this._retry(1006, 'no token');
      });
  }

  _attach(token) {
    const current = {};
    const mine = (fn) => function () { if (this._socket === current) fn.apply(this, arguments); }.bind(this);
    this._welcomed = false;
    this._socket = current;
    this._timer('connect', this.options.connectTimeout, () => this._drop(4000, 'no welcome within the connect timeout'));
    try {
      current.io = this.transport.open(this.url, token, {
        open: mine(() => {}),
        message: mine((data) => this._onFrame(data)),
        close: mine((code, reason) => this._onClose(code || 1006, reason || '')),
        error: mine((message) => this._onSocketError(message)),
      });
    } catch (e) {
      this._socket = null;
      this._emit('error', new RelayError('socket_failed', String(e && e.message || e)));
      this._retry(1006, 'could not open a socket');
    }
  }

  _onSocketError(message) {
    const status = /response: (\d{3})/.exec(message); // the `ws` package tells the HTTP status of a refusal
    const code = status ? Number(status[1]) : 0;
    if (!this._welcomed && (code === 401 || code === 403) && typeof this.options.token !== 'function') {
      this._drop(1006, 'refused with HTTP ' + code, true);
    } else if (!this._welcomed) {
      this._drop(1006, message);
    }
    // an error on an open socket is followed by its close
  }

  /** Forgets the current socket and closes it; continues as if it had closed with `code`. */
  _drop(code, reason, terminal) {
    const socket = this._socket;
    this._socket = null;
    if (socket && socket.io) socket.io.close(1000, 'client going away');
    if (socket) this._onClosed(code, reason, terminal);
  }

  _onClose(code, reason) {
    this._socket = null;
    this._onClosed(code, reason, false);
  }

  _onClosed(code, reason, forceTerminal) {
    Object.keys(this._timers).forEach((name) => this._clearTimer(name)); // connect, ping, refresh, resume:*
    const wasWelcomed = this._welcomed;
    this._welcomed = false;
    // a browser cannot tell a refused token from a dead node: before a welcome, suspect the token
    if (!wasWelcomed || code === 4001) this._tokenStale = true;
    this._requeueInFlight();
    const terminal = forceTerminal || this._isTerminal(code);
    if (terminal) {
      this._shutdown(code, reason || TERMINAL_CLOSES[code] || 'refused', false);
      return;
    }
    if (wasWelcomed && Date.now() - this._welcomedAt >= this.options.stableAfter) this._attempt = 0;
    if (code === RATE_ABUSE) this._attempt = Math.max(this._attempt, RATE_ABUSE_MIN_ATTEMPT);
    if (code === RESTARTING) this._attempt = 0; // a draining node: come back soon, spread by the jitter
    this._retry(code, reason, wasWelcomed ? this.node : null);
  }

  /** With a token function: a new token unless the last one is still good (and was not refused). */
  _needsFreshToken() {
    if (typeof this.options.token !== 'function') return false;
    const exp = tokenExpiry(this._token);
    return !this._token || this._tokenStale || (exp !== null && exp * 1000 - Date.now() < this.options.refreshMargin);
  }

  _isTerminal(code) {
    if (code === 4001 && typeof this.options.token === 'function') return false; // a fresh token is one call away
    return Object.prototype.hasOwnProperty.call(TERMINAL_CLOSES, code);
  }

  /** `node`: the node of a connection that was up and is lost; null when an attempt failed. */
  _retry(code, reason, node) {
    if (this.state === 'closed') return;
    const delay = backoffDelay(this._attempt, this.options.backoff, this.random);
    this._attempt++;
    this._setState('reconnecting', { code, reason, delay });
    this._emit('disconnected', { code, reason, delay, attempt: this._attempt, node: node || null });
    this._timer('retry', delay, () => this._open());
  }

  _shutdown(code, reason, byClient) {
    if (this.state === 'closed') return;
    Object.keys(this._timers).forEach((name) => this._clearTimer(name));
    const socket = this._socket;
    this._socket = null;
    if (socket && socket.io) socket.io.close(1000, 'client closed');
    this._setState('closed', { code, reason });
    const error = new RelayError('closed', 'the client is closed: ' + reason);
    this._pending.forEach((req) => this._settle(req, null, error));
    this._pending.clear();
    this._queue.splice(0).forEach((req) => req.reject(error));
    if (this._connectedHooks) this._connectedHooks.reject(error);
    this._emit('closed', { code, reason, byClient });
  }

  /** Requests sent on a socket that died: the idempotent ones go back to the head of the queue. */
  _requeueInFlight() {
    const inFlight = Array.from(this._pending.values()).sort((a, b) => a.frame.id - b.frame.id);
    this._pending.clear();
    const again = [];
    inFlight.forEach((req) => {
      clearTimeout(req.timer);
      if (req.resume || req.frame.type === 'ping') return; // resumed again on the next connection
      if (RETRIED[req.frame.type]) again.push(req);
      else req.reject(new RelayError('connection_lost', 'the connection closed before the reply; it may have been delivered'));
    });
    this._queue.unshift.apply(this._queue, again);
  }

  // ---- frames in ----

  _onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      this._emit('error', new RelayError('bad_frame', 'the server sent something that is not JSON'));
      return;
    }
    const req = frame.id !== undefined && frame.id !== null ? this._pending.get(frame.id) : null;
    if (req) {
      this._pending.delete(frame.id);
      this._settle(req, frame);
      return;
    }
    switch (frame.type) {
      case 'welcome': return this._onWelcome(frame);
      case 'message': return this._onMessage(frame);
      case 'direct': return this._emit('direct', frame);
      case 'presence': return this._onPresence(frame);
      case 'gap': return this._onGap(frame);
      case 'joined': return this._onJoined(frame, false); // from a /ws/{room} URL
      case 'pong': return undefined;
      case 'error': return this._emit('error', new RelayError(frame.code, frame.message, frame));
      default: return undefined; // newer servers may send more: ignored, as the protocol asks
    }
  }

  _onWelcome(frame) {
    this._clearTimer('connect');
    this._welcomed = true;
    this._welcomedAt = Date.now();
    this.node = frame.node;
    this.session = frame.session;
    this.user = frame.user;
    this._tokenStale = false;
    this._resumeRooms();
    if (!this._welcomed) return; // the socket died at once
    this._setState('connected', { node: frame.node });
    this._emit('welcome', frame);
    this._flushQueue();
    this._schedulePing(frame.heartbeat);
    this._scheduleRefresh();
    if (this._connectedHooks) {
      this._connectedHooks.resolve(frame);
      this._connectedHooks = null;
    }
  }

  _onMessage(frame) {
    const room = this._rooms.get(frame.room);
    if (room && frame.offset) room.offset = frame.offset;
    this._emit('message', frame);
  }

  _onPresence(frame) {
    if (!frame.event) return; // a late reply to a presence request that timed out
    const room = this._rooms.get(frame.room);
    if (room && frame.user) {
      if (frame.event === 'join') room.members.set(frame.user.id, frame.user);
      if (frame.event === 'leave') room.members.delete(frame.user.id);
    }
    this._emit('presence', frame);
    if (room) this._emitMembers(frame.room, room);
  }

  _onGap(frame) {
    const room = this._rooms.get(frame.room);
    if (room && frame.offset) room.offset = frame.offset;
    this._emit('gap', { room: frame.room, offset: frame.offset, reason: 'gap' });
  }

  /** A `joined`: the room's members and position; for a resume, whether nothing was lost. */
  _onJoined(frame, resumed) {
    let room = this._rooms.get(frame.room);
    if (!room) {
      room = { offset: null, members: new Map() };
      this._rooms.set(frame.room, room);
    }
    room.joined = true;
    // with missed messages following, the room's offset moves with them; it must not jump ahead
    if (!(frame.recovered === true && frame.missed > 0)) room.offset = frame.offset;
    room.members = new Map((frame.members || []).map((m) => [m.id, m]));
    this._emit('joined', { room: frame.room, members: frame.members, offset: frame.offset,
      recovered: frame.recovered, missed: frame.missed, resumed });
    this._emitMembers(frame.room, room);
    if (frame.recovered === false) {
      this._emit('gap', { room: frame.room, offset: frame.offset, reason: 'not_recovered' });
    }
  }

  _emitMembers(name, room) {
    this._emit('members', { room: name, members: Array.from(room.members.values()) });
  }

  // ---- requests ----

  _request(frame, accept) {
    return new Promise((resolve, reject) => {
      if (this.state === 'closed') {
        reject(new RelayError('closed', 'the client is closed'));
        return;
      }
      const req = { frame, accept, resolve, reject };
      if (this._welcomed) {
        this._send(req);
      } else if (this._queue.length >= this.options.maxQueue) {
        reject(new RelayError('queue_full', this.options.maxQueue + ' requests are already waiting for a connection'));
      } else {
        this._queue.push(req);
      }
    });
  }

  _send(req) {
    if (!this._welcomed) { // the socket died while sending a batch
      if (!req.resume) this._queue.push(req);
      return;
    }
    req.frame.id = this._nextId++;
    this._pending.set(req.frame.id, req);
    const timeout = req.timeout || this.options.requestTimeout;
    req.timer = setTimeout(() => {
      if (this._pending.get(req.frame.id) !== req) return;
      this._pending.delete(req.frame.id);
      req.reject(new RelayError('timeout', 'no reply to ' + req.frame.type + ' within ' + timeout + ' ms'));
      if (req.frame.type === 'ping') this._drop(4000, 'no pong: the connection is dead');
    }, timeout);
    try {
      this._socket.io.send(JSON.stringify(req.frame));
    } catch (e) {
      this._drop(1006, 'send failed'); // the request is in _pending and goes back to the queue
    }
  }

  _settle(req, frame, error) {
    clearTimeout(req.timer);
    if (error) return req.reject(error);
    if (frame.type === 'error') return req.reject(new RelayError(frame.code, frame.message, frame));
    try {
      req.resolve(req.accept ? req.accept(frame) : frame);
    } catch (e) {
      req.reject(e);
    }
    return undefined;
  }

  _flushQueue() {
    this._queue.splice(0).forEach((req) => this._send(req));
  }

  /** After a reconnect: every joined room again, from its last offset, before anything queued. */
  _resumeRooms() {
    this._rooms.forEach((room, name) => {
      if (room.joined) this._resumeRoom(name, room);
    });
  }

  _resumeRoom(name, room) {
    const frame = room.offset ? { type: 'join', room: name, since: room.offset } : { type: 'join', room: name };
    this._send({
      frame,
      resume: true,
      accept: (joined) => this._onJoined(joined, true),
      resolve: () => {},
      reject: (e) => this._resumeFailed(name, e),
    });
  }

  _resumeFailed(name, error) {
    if (error.code === 'unavailable' || error.code === 'timeout') {
      // Redis is away for a moment: leave the socket up and try the room again later
      this._timer('resume:' + name, backoffDelay(1, this.options.backoff, this.random), () => {
        const room = this._rooms.get(name);
        if (this._welcomed && room && room.joined) this._resumeRoom(name, room);
      });
      return;
    }
    this._rooms.delete(name); // forbidden, invalid_room...: the room is gone for this client
    this._emit('error', new RelayError(error.code, 'could not rejoin ' + name + ': ' + error.message, error.frame));
  }

  /** Joins `room`; with `since` (an offset), resumes from it. Resolves with the `joined` frame. */
  join(room, opts) {
    const frame = { type: 'join', room };
    if (opts && opts.since) frame.since = opts.since;
    if (!this._rooms.has(room)) this._rooms.set(room, { offset: null, members: new Map(), joined: false });
    return this._request(frame, (joined) => {
      this._onJoined(joined, false);
      return joined;
    }).catch((e) => {
      const r = this._rooms.get(room);
      if (r && !r.joined) this._rooms.delete(room);
      throw e;
    });
  }

  /** Leaves `room` (it is no longer resumed). */
  leave(room) {
    this._rooms.delete(room);
    return this._request({ type: 'leave', room });
  }

  /**
   * Publishes `data` to `room`; resolves with `{offset}`. Every publish carries an idempotency key
   * (`opts.key` or a generated one), so a resend after a reconnect is never delivered twice.
   */
  publish(room, data, opts) {
    const key = opts && opts.key ? opts.key : this._keyPrefix + (++this._keySeq);
    return this._request({ type: 'publish', room, data: data === undefined ? null : data, key },
      (ack) => ({ offset: ack.offset, key }));
  }

  /** Sends `data` to every connection of user `to`; resolves with `{delivered}` (nodes reached). */
  direct(to, data) {
    return this._request({ type: 'direct', to, data: data === undefined ? null : data },
      (ack) => ({ delivered: ack.delivered }));
  }

  /** Asks the server who is in `room`; resolves with the member list. */
  presence(room) {
    return this._request({ type: 'presence', room }, (reply) => {
      const r = this._rooms.get(room);
      if (r) {
        r.members = new Map(reply.members.map((m) => [m.id, m]));
        this._emitMembers(room, r);
      }
      return reply.members;
    });
  }

  /** The room's history: `{since, limit}` optional. Resolves with the message frames, oldest first. */
  history(room, opts) {
    const frame = { type: 'history', room };
    if (opts && opts.since) frame.since = opts.since;
    if (opts && opts.limit) frame.limit = opts.limit;
    return this._request(frame, (reply) => reply.messages);
  }

  /** Hands the server a fresh token for this connection (and uses it for reconnects). Resolves with `{exp}`. */
  refresh(token) {
    this._token = token;
    return this._request({ type: 'refresh', token }, (reply) => {
      this._scheduleRefresh();
      this._emit('refreshed', { exp: reply.exp });
      return { exp: reply.exp };
    });
  }

  /** The members of a joined room as last heard (joined reply plus presence events). */
  members(room) {
    const r = this._rooms.get(room);
    return r ? Array.from(r.members.values()) : [];
  }

  /** The last offset seen in `room` (what a resume would start from), or null. */
  offset(room) {
    const r = this._rooms.get(room);
    return r ? r.offset : null;
  }

  /** Rooms this client is in or joining. */
  rooms() {
    return Array.from(this._rooms.keys());
  }

  /** Requests waiting for a connection. */
  queued() {
    return this._queue.length;
  }

  // ---- timers ----

  _schedulePing(heartbeat) {
    const every = this.options.pingInterval === null ? (heartbeat || 25) * 1000 : this.options.pingInterval;
    if (!every) return;
    this._timer('ping', every, () => {
      if (!this._welcomed) return;
      this._send({ frame: { type: 'ping' }, timeout: this.options.pingTimeout, resolve: () => {}, reject: () => {} });
      this._schedulePing(heartbeat);
    });
  }

  /** With a token function: a new token `refreshMargin` before the current one expires. */
  _scheduleRefresh() {
    this._clearTimer('refresh');
    if (typeof this.options.token !== 'function') return;
    const exp = tokenExpiry(this._token);
    if (!exp) return;
    const delay = Math.max(1000, exp * 1000 - Date.now() - this.options.refreshMargin);
    this._timer('refresh', delay, () => {
      Promise.resolve(this.options.token())
        .then((token) => this.refresh(token))
        .catch((e) => this._emit('error', new RelayError(e.code || 'refresh_failed', 'token refresh failed: ' + e.message)));
    });
  }

  _timer(name, delay, fn) {
    this._clearTimer(name);
    this._timers[name] = setTimeout(() => {
      delete this._timers[name];
      fn();
    }, delay);
  }

  _clearTimer(name) {
    if (this._timers[name]) clearTimeout(this._timers[name]);
    delete this._timers[name];
  }
}

/** The `exp` claim of a JWT (seconds), or null. Does not verify anything: the server does. */
export function tokenExpiry(token) {
  const part = String(token || '').split('.')[1];
  if (!part) return null;
  try {
    const exp = JSON.parse(base64UrlText(part)).exp;
    return typeof exp === 'number' ? exp : null;
  } catch (e) {
    return null;
  }
}

// mini-programs have no atob
function base64UrlText(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let bits = 0;
  let value = 0;
  let escaped = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] === '+' ? '-' : s[i] === '/' ? '_' : s[i];
    if (c === '=') break;
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error('not base64url');
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      escaped += '%' + ('0' + ((value >> bits) & 255).toString(16)).slice(-2);
    }
  }
  return decodeURIComponent(escaped);
}
