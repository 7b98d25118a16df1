// cpe-sim admin dashboard: polls the admin API's JSON routes (summary, cpes, one CPE and
// its sessions) and draws them. Paths are relative, so the dashboard works wherever the
// admin router is mounted (its own server at `/`, or a prefix on the user's server).
// Text from the fleet is only ever set as textContent (see timeline.js).
(function () {
  'use strict';

  const POLL_MS = 1000;
  const RATE_SLOTS = 60;
  const TOKEN_KEY = 'cpe-sim-admin-token';
  const $ = (id) => document.getElementById(id);
  const Timeline = globalThis.CpeSimTimeline;
  const el = Timeline.el;

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    query: '',
    selected: hashCpe(),
    openSession: null,
    sessionsKey: '',
    samples: [],
    rates: [],
    tick: 0,
  };

  class Unauthorized extends Error {}

  /** The CPE named by the URL (`#cpe=cpe-3`), so a view can be linked to. */
  function hashCpe() {
    const m = /^#cpe=(.+)$/.exec(location.hash);
    if (!m) return null;
    try {
      return decodeURIComponent(m[1]);
    } catch {
      return null;
    }
  }

  async function api(path) {
    const res = await fetch(path, { headers: state.token ? { authorization: `Bearer ${state.token}` } : {}, cache: 'no-store' });
    if (res.status === 401) throw new Unauthorized('the admin server wants a bearer token');
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((body.error && body.error.message) || `${path}: HTTP ${res.status}`);
    return body;
  }


  function setStatus(text, error) {
    const s = $('status');
    s.textContent = text;
    s.classList.toggle('error', !!error);
  }

  // ---- summary and the sessions/s chart ----------------------------------------------

  function setStat(name, value) {
    const card = document.querySelector(`[data-stat="${name}"] .n`);
    if (card) card.textContent = value === undefined || value === null ? '–' : String(value);
  }

  function renderSummary(sum) {
    $('fleet-name').textContent = `${sum.profile} · ${sum.cpes} CPEs · seed ${sum.seed} · ACS ${sum.acsUrl}`;
    setStat('cpes', sum.cpes);
    for (const [k, v] of Object.entries(sum.states)) setStat(k, v);
    setStat('sessions-ok', sum.sessions ? sum.sessions.ok : undefined);
    setStat('sessions-failed', sum.sessions ? sum.sessions.failed : undefined);
    if (!sum.sessions) return;
    const prev = state.samples[state.samples.length - 1];
    state.samples.push({ time: sum.time, ok: sum.sessions.ok, failed: sum.sessions.failed });
    if (state.samples.length > 2) state.samples.shift();
    if (prev && sum.time > prev.time) {
      const dt = (sum.time - prev.time) / 1000;
      state.rates.push({ ok: Math.max(0, sum.sessions.ok - prev.ok) / dt, failed: Math.max(0, sum.sessions.failed - prev.failed) / dt });
      if (state.rates.length > RATE_SLOTS) state.rates.shift();
      const last = state.rates[state.rates.length - 1];
      setStat('rate', (last.ok + last.failed).toFixed(1));
      renderRate();
    }
  }

  function renderRate() {
    const W = 960;
    const H = 140;
    const LEFT = 44;
    const BOTTOM = 18;
    const slot = (W - LEFT) / RATE_SLOTS;
    const max = Math.max(1, ...state.rates.map((r) => r.ok + r.failed));
    const node = Timeline.svg;
    const root = node('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'sessions per second, ok and failed, last minute' });
    root.append(node('line', { class: 'axis', x1: LEFT, x2: W, y1: H - BOTTOM, y2: H - BOTTOM }), node('line', { class: 'axis', x1: LEFT, x2: LEFT, y1: 4, y2: H - BOTTOM }));
    root.append(node('text', { x: LEFT - 6, y: 12, 'text-anchor': 'end' }, max.toFixed(max < 10 ? 1 : 0)), node('text', { x: LEFT - 6, y: H - BOTTOM, 'text-anchor': 'end' }, '0'));
    root.append(node('text', { x: W, y: H - 4, 'text-anchor': 'end' }, 'now'), node('text', { x: LEFT, y: H - 4 }, `${RATE_SLOTS} s ago`));
    const scale = (H - BOTTOM - 6) / max;
    const first = RATE_SLOTS - state.rates.length;
    state.rates.forEach((r, i) => {
      const x = LEFT + (first + i) * slot + 1;
      const hOk = r.ok * scale;
      const hFailed = r.failed * scale;
      if (hOk > 0) root.append(node('rect', { class: 'ok', x, width: slot - 2, y: H - BOTTOM - hOk, height: hOk, 'data-rate': r.ok.toFixed(2) }));
      if (hFailed > 0) root.append(node('rect', { class: 'failed', x, width: slot - 2, y: H - BOTTOM - hOk - hFailed, height: hFailed, 'data-rate': r.failed.toFixed(2) }));
    });
    $('rate-chart').replaceChildren(root);
  }

  // ---- the CPE table -----------------------------------------------------------------

  function relative(ms, now) {
    if (ms === undefined) return '';
    const s = Math.round((ms - now) / 1000);
    return s >= 0 ? `in ${s} s` : `${-s} s ago`;
  }

  async function refreshTable() {
    const q = state.query;
    const list = await api(`cpes?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    if (q !== state.query) return; // a newer search is on its way
    const now = Date.now();
    const rows = list.items.map((c) => {
      const tr = el('tr', { 'data-cpe': c.id });
      if (c.id === state.selected) tr.classList.add('selected');
      const st = el('span', { class: `state ${c.state}` }, c.state);
      const td = el('td');
      td.append(st);
      tr.append(el('td', {}, c.id), el('td', {}, c.serialNumber), td, el('td', {}, relative(c.nextRetryAt, now)));
      tr.addEventListener('click', () => select(c.id));
      return tr;
    });
    $('cpe-table').tBodies[0].replaceChildren(...rows);
    $('cpe-count').textContent = list.total > list.items.length ? `${list.items.length} of ${list.total} shown: refine the search` : `${list.total} CPE${list.total === 1 ? '' : 's'}`;
  }

  // ---- one CPE: details, timeline, messages ----------------------------------------

  function select(id) {
    state.selected = id;
    state.openSession = null;
    state.sessionsKey = '';
    history.replaceState(null, '', `#cpe=${encodeURIComponent(id)}`);
    for (const tr of $('cpe-table').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.cpe === id);
    $('messages').replaceChildren();
    refreshCpe().catch(report);
  }

  function renderDetails(d) {
    $('cpe').hidden = false;
    $('cpe-title').textContent = `${d.id} · ${d.deviceId.serialNumber}`;
    const rows = [
      ['state', d.state],
      ['device', `${d.deviceId.manufacturer} ${d.deviceId.productClass} (OUI ${d.deviceId.oui})`],
      ['firmware', d.firmwareVersion],
      ['CR URL', d.crUrl],
      ['retry count', d.retryCount],
      ['pending events', d.pendingEvents.map((e) => e.eventCode).join(', ') || 'none'],
      ['injected', d.injected ? JSON.stringify(d.injected) : undefined],
      ['sessions kept', d.sessions],
    ];
    const out = [];
    for (const [k, v] of rows) if (v !== undefined && v !== '') out.push(el('dt', {}, k), el('dd', {}, v));
    $('cpe-details').replaceChildren(...out);
  }

  async function refreshCpe() {
    const id = state.selected;
    if (!id) return;
    const [details, list] = await Promise.all([api(`cpes/${encodeURIComponent(id)}`), api(`cpes/${encodeURIComponent(id)}/sessions?limit=20`)]);
    if (id !== state.selected) return;
    renderDetails(details);
    const sessions = list.sessions;
    const last = sessions[sessions.length - 1];
    // Redrawn only when something changed, so an open message list stays as it is.
    const key = `${list.total}:${last ? `${last.id}:${last.entries.length}:${last.endedAt}` : ''}`;
    if (key === state.sessionsKey) return;
    state.sessionsKey = key;
    const open = (s) => {
      state.openSession = s.id;
      Timeline.renderMessages($('messages'), s);
    };
    Timeline.render($('timeline'), sessions, { label: `sessions of ${id}`, selected: state.openSession, onSelect: open });
    const shown = sessions.find((s) => s.id === state.openSession);
    if (shown) Timeline.renderMessages($('messages'), shown);
  }

  // ---- polling -----------------------------------------------------------------------

  function report(err) {
    if (err instanceof Unauthorized) {
      $('login').hidden = false;
      setStatus('token needed', true);
    } else setStatus(`error: ${err.message}`, true);
  }

  async function poll() {
    try {
      renderSummary(await api('summary'));
      if (state.tick % 2 === 0) {
        await refreshTable();
        await refreshCpe();
      }
      state.tick++;
      $('login').hidden = true;
      setStatus(`updated ${new Date().toLocaleTimeString()}`);
    } catch (err) {
      report(err);
    }
    setTimeout(poll, POLL_MS);
  }

  let searchTimer;
  $('search').addEventListener('input', (ev) => {
    state.query = ev.target.value.trim();
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => refreshTable().catch(report), 150);
  });
  window.addEventListener('hashchange', () => {
    const id = hashCpe();
    if (id && id !== state.selected) select(id);
  });
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.token = $('token').value;
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $('login').hidden = true;
    state.tick = 0;
  });

  poll();
})();
