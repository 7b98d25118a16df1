// cpe-sim session timeline, in the browser: the admin dashboard and the HTML file a failing
// test writes (transcriptOnFailure: 'html') draw a CPE's sessions with this one script.
//
// Everything is built with DOM calls (createElementNS, textContent, setAttribute with
// fixed names): parameter values, event codes and ACS XML come from a device or an ACS
// under test and are never parsed as HTML or SVG markup.
(function () {
  'use strict';

  const SVG = 'http://www.w3.org/2000/svg';
  // Geometry of the SVG's own coordinates (viewBox); CSS scales it to the page width.
  const WIDTH = 960;
  const LABEL_X = 6;
  const EVENTS_X = 118;
  const BAR_X = 290;
  const BAR_MAX = 560;
  const BAR_MIN = 14;
  const ROW = 26;
  const BAR_H = 12;
  const TICK_GAP = 4;
  const TOP = 6;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  /** `ok`, `retry` (a retry that succeeded), `failed` or `running`. */
  function sessionClass(s) {
    if (s.endedAt === undefined) return 'running';
    if (!s.ok) return 'failed';
    return s.retryCount > 0 ? 'retry' : 'ok';
  }

  /** `fault` (a CWMP Fault or an HTTP error), `auth` (a 401 challenge) or `plain`. */
  function entryClass(e) {
    if ((e.message && e.message.name === 'Fault') || /^Fault\b/.test(e.summary)) return 'fault';
    if (e.status === 401) return 'auth';
    if (e.status !== undefined && e.status >= 400) return 'fault';
    return 'plain';
  }

  function clock(ms) {
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().slice(11, 23);
  }

  function duration(s) {
    if (s.endedAt === undefined) return 'running';
    const ms = Math.max(0, s.endedAt - s.startedAt);
    return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
  }

  function clip(text, max) {
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  function eventList(s) {
    return s.events.map((e) => e.eventCode).join(', ') || '(no events)';
  }

  /**
   * Draws `sessions` (oldest first, the admin API's session JSON) into `host` as one SVG:
   * a row per session, its bar as long as the session (log-scaled, so a 30 s timeout does
   * not flatten the 20 ms sessions), a tick per message (up: CPE to ACS, down: ACS to
   * CPE), coloured by outcome. `onSelect(session)` runs on click or Enter.
   */
  function render(host, sessions, opts) {
    const options = opts || {};
    host.replaceChildren();
    if (sessions.length === 0) {
      host.append(el('p', { class: 'cpesim-empty' }, options.emptyText || 'No session recorded yet.'));
      return null;
    }
    const height = TOP * 2 + ROW * sessions.length;
    const root = svg('svg', { class: 'cpesim-timeline', viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: 'list', 'aria-label': options.label || 'sessions' });
    const maxMs = Math.max(1, ...sessions.map((s) => (s.endedAt === undefined ? 0 : Math.max(0, s.endedAt - s.startedAt))));
    let previousStart;
    sessions.forEach((s, row) => {
      const cls = sessionClass(s);
      const y = TOP + row * ROW;
      const mid = y + ROW / 2;
      const g = svg('g', { class: `session ${cls}`, 'data-session': s.id, tabindex: 0, role: 'listitem' });
      const gap = previousStart === undefined ? '' : ` (+${Math.round((s.startedAt - previousStart) / 1000)} s)`;
      previousStart = s.startedAt;
      g.append(
        svg(
          'title',
          {},
          [`session #${s.id} ${eventList(s)}`, `${new Date(s.startedAt).toISOString()}${gap}`, `${cls}${s.error ? `: ${s.error}` : ''}, ${duration(s)}, retry=${s.retryCount}, ${s.entries.length} messages`, ...(s.quirks || []).map((q) => `quirk: ${q}`)].join('\n'),
        ),
      );
      g.append(svg('rect', { class: 'row', x: 0, y, width: WIDTH, height: ROW }));
      g.append(svg('text', { class: 'label', x: LABEL_X, y: mid + 4 }, `#${s.id} ${clock(s.startedAt)}`));
      g.append(svg('text', { class: 'events', x: EVENTS_X, y: mid + 4 }, clip(eventList(s) + (s.retryCount > 0 ? ` ↻${s.retryCount}` : ''), 27)));
      const ms = s.endedAt === undefined ? maxMs : Math.max(0, s.endedAt - s.startedAt);
      let width = BAR_MIN + (BAR_MAX - BAR_MIN) * (Math.log1p(ms) / Math.log1p(maxMs));
      // Ticks at their time in the session, at least TICK_GAP apart so each stays visible.
      const xs = [];
      s.entries.forEach((e, i) => {
        const at = ms > 0 ? ((e.time - s.startedAt) / ms) * (width - 6) : i * TICK_GAP;
        xs.push(Math.max(BAR_X + 3 + Math.min(Math.max(at, 0), width - 6), i > 0 ? xs[i - 1] + TICK_GAP : 0));
      });
      if (xs.length > 0) width = Math.max(width, xs[xs.length - 1] - BAR_X + 3);
      g.append(svg('rect', { class: `bar ${cls}`, x: BAR_X, y: mid - BAR_H / 2, width: width.toFixed(1), height: BAR_H, rx: 2 }));
      s.entries.forEach((e, i) => {
        const up = e.dir === 'cpe->acs';
        const x = xs[i].toFixed(1);
        const kind = entryClass(e);
        // A fault crosses the whole bar, so it stands out on a red one too.
        const [y1, y2] = kind === 'fault' ? [mid - BAR_H / 2 - 5, mid + BAR_H / 2 + 5] : up ? [mid - BAR_H / 2 - 3, mid] : [mid, mid + BAR_H / 2 + 3];
        const tick = svg('line', { class: `tick ${up ? 'to-acs' : 'to-cpe'} ${kind}`, x1: x, x2: x, y1, y2 });
        tick.append(svg('title', {}, `${clock(e.time)} ${up ? '→ ACS' : '← ACS'} ${e.status !== undefined ? `${e.status} ` : ''}${e.summary}`));
        g.append(tick);
      });
      const after = BAR_X + width + 6;
      g.append(svg('text', { class: `outcome ${cls}`, x: after, y: mid + 4 }, s.quirks && s.quirks.length ? `${duration(s)} !` : duration(s)));
      const select = () => {
        for (const other of root.querySelectorAll('g.session.selected')) other.classList.remove('selected');
        g.classList.add('selected');
        if (options.onSelect) options.onSelect(s);
      };
      g.addEventListener('click', select);
      g.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          select();
        }
      });
      if (options.selected === s.id) g.classList.add('selected');
      root.append(g);
    });
    host.append(root);
    return root;
  }

  /** The decoded messages of one session, each expandable to its decoded form and raw XML. */
  function renderMessages(host, s) {
    host.replaceChildren();
    const cls = sessionClass(s);
    const box = el('section', { class: `cpesim-messages ${cls}`, 'data-session': s.id });
    box.append(el('h3', {}, `Session #${s.id} · ${eventList(s)} · ${cls} · ${duration(s)} · retry ${s.retryCount}`));
    if (s.error) box.append(el('p', { class: 'error' }, s.error));
    if (s.quirks && s.quirks.length) {
      const q = el('ul', { class: 'quirks' });
      for (const x of s.quirks) q.append(el('li', {}, `quirk: ${x}`));
      box.append(q);
    }
    const list = el('ol', { class: 'entries' });
    for (const e of s.entries) {
      const li = el('li', { class: `entry ${entryClass(e)} ${e.dir === 'cpe->acs' ? 'to-acs' : 'to-cpe'}` });
      const d = el('details');
      const head = el('summary');
      head.append(el('span', { class: 'time' }, clock(e.time)), el('span', { class: 'dir' }, e.dir === 'cpe->acs' ? 'CPE → ACS' : 'ACS → CPE'), el('span', { class: 'status' }, e.status !== undefined ? String(e.status) : ''), el('span', { class: 'summary' }, e.summary));
      d.append(head);
      d.append(e.message !== undefined ? el('pre', { class: 'decoded' }, JSON.stringify(e.message, null, 2)) : el('p', { class: 'none' }, 'no decoded message (an empty body or an HTTP status)'));
      if (e.xml !== undefined) d.append(el('pre', { class: 'xml' }, e.xml));
      li.append(d);
      list.append(li);
    }
    box.append(list);
    host.append(box);
    return box;
  }

  // `el`, `svg`: the element builders of the dashboard and the HTML transcript (text only).
  globalThis.CpeSimTimeline = { render, renderMessages, sessionClass, entryClass, el, svg };
})();
