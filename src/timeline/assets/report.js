// The page of an HTML transcript (transcriptOnFailure: 'html'): reads the embedded JSON
// and draws each CPE's timeline with timeline.js. No network, no other script: the
// file's Content-Security-Policy allows exactly these two scripts.
(function () {
  'use strict';
  const Timeline = globalThis.CpeSimTimeline;
  const el = Timeline.el;
  const data = JSON.parse(document.getElementById('cpe-sim-data').textContent);
  const root = document.getElementById('report');

  document.title = `cpe-sim: ${data.title}`;
  root.append(el('h1', {}, data.title));
  root.append(el('p', { class: 'meta' }, `written ${new Date(data.createdAt).toISOString()} · ${data.cpes.length} CPE(s) active during the test`));
  for (const note of data.notes || []) root.append(el('pre', { class: 'note' }, note));
  const legend = el('div', { class: 'cpesim-legend' });
  for (const [cls, text] of [['ok', 'ok'], ['retry', 'retry'], ['failed', 'failed'], ['running', 'running'], ['fault', 'fault'], ['auth', '401']]) legend.append(el('span', { class: cls }, text));
  root.append(legend);
  for (const cpe of data.cpes) {
    const section = el('section', { class: 'cpe', 'data-cpe': cpe.id });
    section.append(el('h2', {}, `${cpe.id} · ${cpe.serialNumber} · ${cpe.sessions.length} session(s)${cpe.omitted ? ` (the last ${cpe.sessions.length} of ${cpe.sessions.length + cpe.omitted})` : ''}`));
    if (cpe.crs && cpe.crs.length) {
      const crs = el('ul', { class: 'crs' });
      for (const line of cpe.crs) crs.append(el('li', {}, line));
      section.append(el('h3', {}, 'Connection Requests'), crs);
    }
    const timeline = el('div', { class: 'timeline' });
    const messages = el('div', { class: 'messages' });
    section.append(timeline, messages);
    Timeline.render(timeline, cpe.sessions, { label: `sessions of ${cpe.id}`, onSelect: (s) => Timeline.renderMessages(messages, s) });
    root.append(section);
  }
  if (data.more) root.append(el('pre', { class: 'meta' }, data.more));
})();
