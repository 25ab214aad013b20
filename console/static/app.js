// The console's page. Everything from the API (labels, reasons, alt text, URLs, notes) is put on screen
// with textContent or as attribute values through the DOM, never parsed as markup; the server's CSP
// forbids inline script as a second line of defence.

const TOKEN_KEY = 'moderation-console-token';
const SVG_NS = 'http://www.w3.org/2000/svg';

// The token arrives once in the URL (as Jupyter does); keep it for this tab only and drop it from the
// address bar and history, so it is not bookmarked, shared or sent anywhere.
(function takeToken() {
  const url = new URL(window.location.href);
  const t = url.searchParams.get('token');
  if (t) {
    sessionStorage.setItem(TOKEN_KEY, t);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
})();

/** Builds an element; strings become text nodes, so no data is ever interpreted as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const view = () => document.getElementById('view');

function banner(message, kind = 'error') {
  const b = document.getElementById('banner');
  if (!message) {
    b.hidden = true;
    return;
  }
  b.hidden = false;
  b.className = kind === 'info' ? 'info' : '';
  b.textContent = message;
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-Console-Token'] = sessionStorage.getItem(TOKEN_KEY) ?? '';
  }
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.message || `${res.status} ${res.statusText}`);
    err.status = res.status;
    err.name = data.error || 'Error';
    throw err;
  }
  return data;
}

const pct = (x) => (typeof x === 'number' ? `${Math.round(x * 10) / 10}%` : '');
const ms = (x) => (typeof x === 'number' ? (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`) : '');
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const json = (v) => JSON.stringify(v, null, 2);

function thumb(image, width = 320) {
  if (!image || !image.sha256 || !image.format) return h('div', { class: 'muted' }, 'no image');
  return h('img', {
    src: `/api/images/${encodeURIComponent(image.sha256)}/${encodeURIComponent(image.format)}?w=${width}`,
    alt: 'staged image',
    loading: 'lazy',
  });
}

function reasonLine(r) {
  const bits = [r.message];
  if (r.label && r.confidence !== undefined) bits.push(`(${r.label} ${pct(r.confidence)}${r.threshold !== undefined ? ` ≥ ${r.threshold}` : ''})`);
  return h('li', { 'data-code': r.code }, bits.join(' '));
}

// ------------------------------------------------------------------------------------------------
// Review queue

const queueState = { items: [], selected: 0, status: 'pending', category: '' };

function categoriesOf(item) {
  return [...new Set((item.verdict?.reasons ?? []).map((r) => r.category).filter(Boolean))];
}

async function renderReviews() {
  const root = view();
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading the queue…'));
  let data;
  try {
    const q = new URLSearchParams({ status: queueState.status });
    data = await api(`/api/reviews?${q}`);
  } catch (err) {
    root.replaceChildren(h('p', {}, `The review queue is not available: ${err.message}`));
    return;
  }
  const all = data.reviews;
  const categories = [...new Set(all.flatMap(categoriesOf))].sort();
  const items = queueState.category ? all.filter((i) => categoriesOf(i).includes(queueState.category)) : all;
  queueState.items = items;
  queueState.selected = Math.min(queueState.selected, Math.max(0, items.length - 1));

  const statusSelect = h(
    'select',
    { id: 'filter-status', 'aria-label': 'decision', onchange: (e) => ((queueState.status = e.target.value), (queueState.selected = 0), renderReviews()) },
    ...['pending', 'approved', 'rejected', 'expired'].map((st) => h('option', { value: st, selected: st === queueState.status }, st)),
  );
  const categorySelect = h(
    'select',
    { id: 'filter-category', 'aria-label': 'category', onchange: (e) => ((queueState.category = e.target.value), (queueState.selected = 0), renderReviews()) },
    h('option', { value: '' }, 'all categories'),
    ...categories.map((c) => h('option', { value: c, selected: c === queueState.category }, c)),
  );
  const list = h('div', { class: 'queue' }, ...items.map((item, i) => reviewCard(item, i)));
  root.replaceChildren(
    h(
      'div',
      { class: 'filters' },
      h('label', {}, 'Decision ', statusSelect),
      h('label', {}, 'Category ', categorySelect),
      h('span', { class: 'muted', id: 'queue-count' }, `${items.length} item${items.length === 1 ? '' : 's'}`),
    ),
    items.length
      ? list
      : h('p', { class: 'muted', id: 'queue-empty' }, queueState.status === 'pending' ? 'Nothing waiting for review.' : `No ${queueState.status} reviews.`),
  );
  highlight();
}

/** Pending, or expired: the deadline passed undecided, and a decision still counts for the image's next submission. */
function decidable(item) {
  return item.status === 'pending' || item.status === 'expired';
}

function reviewCard(item, index) {
  const v = item.verdict ?? {};
  const triggering = (v.reasons ?? []).filter((r) => r.code !== 'clean');
  const note = h('textarea', { placeholder: 'note (why)', 'aria-label': 'note', class: 'note', disabled: !decidable(item) });
  const decide = (decision) => decideReview(item, decision, note.value, card);
  const card = h(
    'article',
    { class: 'card', 'data-review-id': item.reviewId, 'data-index': index, onclick: () => ((queueState.selected = index), highlight()) },
    thumb(v.image),
    h(
      'div',
      {},
      h('h3', {}, (item.postIds ?? []).length ? `post ${item.postIds.join(', ')}` : 'no post', ' ', h('span', { class: `pill ${item.status}` }, item.status)),
      item.imageUrl ? h('div', { class: 'muted url' }, item.imageUrl) : null,
      h('div', { class: 'muted' }, `sha256 ${item.sha256.slice(0, 16)}… · deadline ${when(item.deadline)}`),
      h('strong', {}, 'Why it is held'),
      h('ul', { class: 'reasons' }, ...triggering.map(reasonLine)),
      h('strong', {}, 'Labels'),
      h(
        'ul',
        { class: 'labels' },
        ...(v.moderation ?? []).map((m) => h('li', {}, `${m.name}${m.parentName ? ` (${m.parentName})` : ''} ${pct(m.confidence)}`)),
        ...(v.labels ?? []).map((l) => h('li', {}, `${l.label} ${pct(l.score * 100)}`)),
      ),
      h('div', { class: 'tags' }, ...(v.seoTags ?? []).map((t) => h('span', {}, t))),
      h('div', { class: 'alt' }, h('span', { class: 'muted' }, 'alt text: '), v.altText ?? ''),
    ),
    h(
      'div',
      { class: 'actions' },
      note,
      h(
        'div',
        { class: 'buttons' },
        h('button', { class: 'approve', disabled: !decidable(item), onclick: () => decide('approve') }, 'Approve (a)'),
        h('button', { class: 'reject', disabled: !decidable(item), onclick: () => decide('reject') }, 'Reject (r)'),
      ),
      item.status === 'expired'
        ? h(
            'div',
            { class: 'muted expired-note' },
            `Expired ${when(item.expiredAt)}: nobody decided by the deadline, so the image was not approved (the timeout outcome). A decision now still counts for its next submission.`,
          )
        : null,
      item.decidedBy ? h('div', { class: 'muted' }, `${item.status} by ${item.decidedBy} ${when(item.decidedAt)}${item.note ? `: ${item.note}` : ''}`) : null,
    ),
  );
  return card;
}

function highlight() {
  document.querySelectorAll('.card').forEach((c) => c.classList.toggle('selected', Number(c.dataset.index) === queueState.selected));
  document.querySelector('.card.selected')?.scrollIntoView({ block: 'nearest' });
}

async function decideReview(item, decision, note, card) {
  card.querySelectorAll('button').forEach((b) => (b.disabled = true));
  try {
    await api(`/api/reviews/${encodeURIComponent(item.reviewId)}/${decision}`, { method: 'POST', body: { note: note || undefined } });
    banner(`${decision === 'approve' ? 'Approved' : 'Rejected'} ${item.postIds?.[0] ?? item.sha256.slice(0, 12)}.`, 'info');
    await renderReviews();
  } catch (err) {
    banner(`Could not ${decision}: ${err.message}`);
    card.querySelectorAll('button').forEach((b) => (b.disabled = false));
  }
}

function onQueueKey(e) {
  if (currentView() !== 'reviews') return;
  const typing = ['TEXTAREA', 'INPUT', 'SELECT'].includes(document.activeElement?.tagName);
  if (typing) {
    if (e.key === 'Escape') document.activeElement.blur();
    return;
  }
  const card = document.querySelector('.card.selected');
  const item = queueState.items[queueState.selected];
  switch (e.key) {
    case 'j':
      queueState.selected = Math.min(queueState.selected + 1, queueState.items.length - 1);
      highlight();
      break;
    case 'k':
      queueState.selected = Math.max(queueState.selected - 1, 0);
      highlight();
      break;
    case 'a':
    case 'r':
      if (card && item && decidable(item)) decideReview(item, e.key === 'a' ? 'approve' : 'reject', card.querySelector('.note').value, card);
      break;
    case 'n':
      card?.querySelector('.note')?.focus();
      e.preventDefault();
      break;
    case '/':
      document.getElementById('filter-category')?.focus();
      e.preventDefault();
      break;
    default:
      return;
  }
}

// ------------------------------------------------------------------------------------------------
// Verdict history

async function renderHistory(query) {
  const root = view();
  const input = h('input', { id: 'history-q', type: 'search', placeholder: 'post id or sha256', value: query ?? '', size: 70 });
  const form = h(
    'form',
    { class: 'filters', onsubmit: (e) => (e.preventDefault(), (location.hash = `#/history/${encodeURIComponent(input.value.trim())}`)) },
    input,
    h('button', { type: 'submit' }, 'Search'),
  );
  const results = h('div', { id: 'history-results' });
  root.replaceChildren(form, results);
  if (!query) {
    results.append(h('p', { class: 'muted' }, 'Search by post id, or by the image’s sha256 (64 hex digits).'));
    return;
  }
  const param = /^[0-9a-f]{64}$/i.test(query) ? `sha256=${encodeURIComponent(query.toLowerCase())}` : `postId=${encodeURIComponent(query)}`;
  try {
    const { verdicts } = await api(`/api/verdicts?${param}`);
    if (!verdicts.length) {
      results.append(h('p', {}, `No verdict recorded for ${query}.`));
      return;
    }
    results.append(
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...['', 'decision', 'decided by', 'when', 'note / why', 'posts', 'ruleset'].map((t) => h('th', {}, t)))),
        h(
          'tbody',
          {},
          ...verdicts.map((r) =>
            h(
              'tr',
              {},
              h('td', {}, thumb(r.verdict?.image, 160)),
              h('td', {}, h('span', { class: `pill ${r.decision}` }, r.decision)),
              h('td', { class: 'decided-by' }, r.decidedBy),
              h('td', {}, when(r.decidedAt)),
              h('td', {}, r.note ? h('div', {}, `note: ${r.note}`) : null, h('ul', {}, ...(r.verdict?.reasons ?? []).map(reasonLine))),
              h('td', {}, (r.postIds ?? []).join(', ')),
              h('td', { class: 'muted' }, r.ruleset),
            ),
          ),
        ),
      ),
    );
  } catch (err) {
    results.append(h('p', {}, `History is not available: ${err.message}`));
  }
}

// ------------------------------------------------------------------------------------------------
// Executions

async function renderExecutions() {
  const root = view();
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading executions…'));
  let data;
  try {
    data = await api('/api/executions');
  } catch (err) {
    root.replaceChildren(h('p', {}, `Executions are not available: ${err.message}`));
    return;
  }
  if (!data.executions.length) {
    root.replaceChildren(
      h(
        'p',
        {},
        data.kind === 'local' ? 'No recorded executions yet: moderate an image with npm start, then reload.' : 'No executions of this state machine yet.',
      ),
    );
    return;
  }
  const rows = data.executions.map((e) => {
    const open = () =>
      e.consoleUrl ? window.open(e.consoleUrl, '_blank', 'noopener,noreferrer') : (location.hash = `#/executions/${encodeURIComponent(e.id)}`);
    return h(
      'tr',
      { class: 'clickable', 'data-execution-id': e.id, onclick: open },
      h('td', {}, when(e.startedAt)),
      h('td', {}, h('span', { class: `pill ${e.status}` }, e.status)),
      h('td', {}, e.decision ?? ''),
      h('td', { class: 'input' }, e.input?.imageUrl ?? e.id),
      h('td', {}, ms(e.totalMs)),
      h(
        'td',
        {},
        e.consoleUrl
          ? h('a', { href: e.consoleUrl, target: '_blank', rel: 'noopener noreferrer', onclick: (ev) => ev.stopPropagation() }, 'AWS console ↗')
          : h('a', { href: `#/executions/${encodeURIComponent(e.id)}` }, 'open'),
      ),
    );
  });
  root.replaceChildren(
    h(
      'table',
      { id: 'executions' },
      h('thead', {}, h('tr', {}, ...['started', 'end state', 'decision', 'input', 'duration', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...rows),
    ),
  );
}

const OUTCOME_LABEL = { succeeded: 'succeeded', failed: 'failed', caught: 'caught (error handled)', running: 'did not finish', notrun: 'not run' };

async function renderExecution(id) {
  const root = view();
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading the execution…'));
  let data;
  try {
    data = await api(`/api/executions/${encodeURIComponent(id)}`);
  } catch (err) {
    root.replaceChildren(h('p', {}, `Execution ${id}: ${err.message}`));
    return;
  }
  const { record, graph } = data;
  // The last visit of each state decides its colour (a retried state that then succeeded is green).
  const runs = new Map();
  for (const r of record.states) runs.set(r.name, r);
  const detail = h(
    'section',
    { class: 'detail', id: 'state-detail' },
    h('p', { class: 'muted' }, 'Click a state to see its input, output, error, retries and timing.'),
  );

  const svg = s('svg', { width: '100%', viewBox: `0 0 ${graph.width} ${graph.height}`, role: 'img', 'aria-label': 'state machine' });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#6e7781' }),
      ),
    ),
  );
  for (const n of graph.nodes.filter((n) => n.type === 'Cluster')) {
    svg.append(s('rect', { class: 'cluster', x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height, rx: 8 }));
  }
  // An edge is drawn as taken when its target ran and, of the states that can lead there, its source is
  // the one that finished last before the target started (the engine's log names no predecessor).
  const stateOf = (nodeId) => (nodeId === 'START' || nodeId === 'END' ? nodeId : nodeId.split('#')[0]);
  const endOf = (name) => {
    const r = runs.get(name);
    return r ? r.startMs + (r.durationMs ?? 0) : undefined;
  };
  const predecessor = new Map();
  for (const e of graph.edges) {
    const from = stateOf(e.from);
    const to = stateOf(e.to);
    if (e.kind === 'branch' || to === 'END') continue;
    const target = runs.get(to);
    const fromEnd = from === 'START' ? 0 : endOf(from);
    if (!target || fromEnd === undefined || fromEnd > target.startMs + 1) continue;
    const best = predecessor.get(to);
    if (!best || fromEnd >= best.end) predecessor.set(to, { from, end: fromEnd });
  }
  const isTaken = (e) => {
    const from = stateOf(e.from);
    const to = stateOf(e.to);
    if (e.kind === 'branch') return runs.has(from) && (runs.has(to) || e.to.endsWith('#join'));
    if (to === 'END') return runs.get(from)?.type === 'Succeed';
    return predecessor.get(to)?.from === from;
  };
  for (const e of graph.edges) {
    if (!e.points.length) continue;
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'} ${p.x} ${p.y}`).join(' ');
    svg.append(
      s(
        'path',
        { class: `edge ${e.kind}${isTaken(e) ? ' taken' : ''}`, 'data-from': e.from, 'data-to': e.to, d, 'marker-end': 'url(#arrow)' },
        s('title', {}, e.label ?? e.kind),
      ),
    );
  }
  const nodes = new Map();
  for (const n of graph.nodes) {
    if (n.type === 'Cluster') continue;
    const run = n.state ? runs.get(n.state) : undefined;
    const outcome =
      n.type === 'Start' || n.type === 'End' ? (n.type === 'End' && record.status === 'FAILED' ? 'failed' : 'succeeded') : run ? run.outcome : 'notrun';
    const g = s('g', {
      class: `node ${n.type === 'Join' ? 'join ' : ''}${outcome}`,
      'data-state': n.state ?? n.id,
      'data-outcome': outcome,
      tabindex: n.state ? 0 : undefined,
    });
    g.append(
      s('rect', {
        x: n.x - n.width / 2,
        y: n.y - n.height / 2,
        width: n.width,
        height: n.height,
        rx: n.type === 'Start' || n.type === 'End' || n.type === 'Join' ? n.height / 2 : 6,
      }),
    );
    if (n.label) g.append(s('text', { x: n.x, y: n.y + 4.5, 'text-anchor': 'middle' }, n.label));
    g.append(s('title', {}, `${n.state ?? n.label}: ${OUTCOME_LABEL[outcome]}${run?.durationMs !== undefined ? `, ${ms(run.durationMs)}` : ''}`));
    if (n.state) {
      const open = () => showState(n.state, runs.get(n.state), record, detail, nodes);
      g.addEventListener('click', open);
      g.addEventListener('keydown', (e) => (e.key === 'Enter' ? open() : undefined));
      nodes.set(n.state, [...(nodes.get(n.state) ?? []), g]);
    }
    svg.append(g);
  }

  const v = record.verdict;
  const summary = h(
    'dl',
    { class: 'kv' },
    h('dt', {}, 'input'),
    h('dd', { class: 'input' }, record.input?.imageUrl ?? ''),
    h('dt', {}, 'end state'),
    h('dd', {}, h('span', { class: `pill ${record.status}` }, record.status), record.error ? ` ${record.error.Error}: ${record.error.Cause ?? ''}` : ''),
    h('dt', {}, 'decision'),
    h('dd', {}, v ? h('span', { class: `pill ${v.decision}` }, v.decision) : '—'),
    h('dt', {}, 'started'),
    h('dd', {}, `${when(record.startedAt)} · total ${ms(record.totalMs)}`),
    h('dt', {}, 'id'),
    h('dd', { class: 'muted' }, record.id),
  );
  const legend = h(
    'div',
    { class: 'legend' },
    ...['succeeded', 'caught', 'failed', 'notrun'].map((o) => h('span', {}, h('i', { class: `sw ${o}` }), OUTCOME_LABEL[o])),
  );
  const timeline = h(
    'table',
    { id: 'timeline' },
    h('thead', {}, h('tr', {}, ...['state', 'outcome', 'started at', 'duration', 'retries'].map((t) => h('th', {}, t)))),
    h(
      'tbody',
      {},
      ...record.states.map((r) =>
        h(
          'tr',
          { class: 'clickable', onclick: () => showState(r.name, r, record, detail, nodes) },
          h('td', {}, `${r.parents.length ? '  └ ' : ''}${r.name}`),
          h('td', {}, h('span', { class: `pill ${r.outcome === 'succeeded' ? 'approve' : r.outcome === 'failed' ? 'reject' : 'review'}` }, r.outcome)),
          h('td', {}, `+${ms(r.startMs)}`),
          h('td', {}, ms(r.durationMs)),
          h('td', {}, r.retries.length || ''),
        ),
      ),
    ),
  );
  root.replaceChildren(
    h('p', {}, h('a', { href: '#/executions' }, '← all executions')),
    h(
      'div',
      { class: 'exec' },
      h('div', {}, summary, legend, h('div', { class: 'graph' }, svg)),
      h('div', {}, detail, h('h3', {}, 'States in order'), timeline),
    ),
  );
}

function showState(name, run, record, detail, nodes) {
  nodes.forEach((gs, state) => gs.forEach((g) => g.classList.toggle('selected', state === name)));
  const def = findState(record.definition, name);
  const tabs = {
    Input: () => h('pre', { class: 'state-input' }, json(run?.input)),
    Output: () => h('pre', { class: 'state-output' }, run?.output === undefined ? '(no output)' : json(run.output)),
    Error: () => h('pre', { class: 'state-error' }, run?.error ? `${run.error.Error}\n\n${run.error.Cause ?? ''}` : '(no error)'),
    Retries: () =>
      run?.retries?.length
        ? h(
            'ol',
            { class: 'state-retries' },
            ...run.retries.map((r) => h('li', {}, `attempt ${r.attempt + 1} after ${r.error ? `${r.error.Error}: ${r.error.Cause ?? ''}` : 'an error'}`)),
          )
        : h('p', { class: 'muted' }, 'No retries.'),
    Definition: () => h('pre', {}, json(def)),
  };
  const body = h('div', {});
  const buttons = Object.keys(tabs).map((t) => h('button', { 'data-tab': t, onclick: () => select(t) }, t));
  const select = (t) => {
    buttons.forEach((b) => b.classList.toggle('active', b.dataset.tab === t));
    body.replaceChildren(tabs[t]());
  };
  detail.replaceChildren(
    h('h2', {}, name),
    run
      ? h(
          'dl',
          { class: 'kv' },
          h('dt', {}, 'type'),
          h('dd', {}, run.type),
          h('dt', {}, 'outcome'),
          h('dd', { class: 'state-outcome' }, OUTCOME_LABEL[run.outcome] ?? run.outcome),
          h('dt', {}, 'started'),
          h('dd', {}, `+${ms(run.startMs)} after the execution started`),
          h('dt', {}, 'duration'),
          h('dd', { class: 'state-duration' }, ms(run.durationMs) || '—'),
          h('dt', {}, 'retries'),
          h('dd', {}, String(run.retries.length)),
        )
      : h('p', { class: 'muted' }, 'This state did not run in this execution.'),
    h('div', { class: 'tabs' }, ...buttons),
    body,
  );
  select(run?.error ? 'Error' : run ? 'Output' : 'Definition');
}

function findState(machine, name) {
  for (const [n, st] of Object.entries(machine?.States ?? {})) {
    if (n === name) return st;
    for (const b of st.Branches ?? []) {
      const found = findState(b, name);
      if (found) return found;
    }
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------
// Eval

async function renderEval() {
  const root = view();
  let data;
  try {
    data = await api('/api/eval');
  } catch (err) {
    root.replaceChildren(h('p', {}, err.message));
    return;
  }
  const r = data.report;
  const number = (label, value) => h('div', {}, h('b', {}, value), label);
  // replaceChildren, unlike h(), would print an absent block as the text "null".
  const blocks = [
    h('p', { class: 'muted' }, `${data.path}${r.labels ? ` · labels ${r.labels}` : ''}${r.timing ? ` · ${ms(r.timing.msPerImage)} per image` : ''}`),
    h(
      'div',
      { class: 'numbers' },
      number('images', r.images ?? '—'),
      number(
        'false-flag rate (benign held or rejected)',
        r.falseFlagRate !== undefined ? `${(r.falseFlagRate * 100).toFixed(1)}% (${r.falseFlags}/${r.benign})` : '—',
      ),
      number('false rejects', r.falseRejects ?? '—'),
      number('recall (sensitive caught)', r.recall !== undefined ? `${(r.recall * 100).toFixed(1)}% (${r.caught}/${r.sensitive})` : '—'),
      number('either-way photos flagged', r.either ? `${r.either.flagged}/${r.either.count}` : '—'),
    ),
    failures(r.failures),
    h('h3', {}, 'Operating points: each review threshold swept alone'),
    h(
      'p',
      { class: 'muted' },
      'red: false-flag rate among benign photos · green: recall among the category’s sensitive photos (all sensitive photos where none is labelled in it) · dashed: the policy’s threshold',
    ),
    h('div', { class: 'charts' }, ...(r.sweep ?? []).map(sweepChart)),
    offenders(r.offenders),
  ];
  root.replaceChildren(...blocks.filter(Boolean));
}

/** Photos the eval could not moderate are missing from every figure: say so above them. */
function failures(list) {
  if (!list?.length) return null;
  return h(
    'section',
    { class: 'failures' },
    h('h3', {}, `Not moderated (${list.length}): the figures leave these photos out`),
    h('ul', {}, ...list.map((f) => h('li', {}, `${f.file}: ${f.error?.name ?? 'Error'}: ${f.error?.message ?? ''}`))),
  );
}

function sweepChart(curve) {
  const W = 260;
  const H = 150;
  const m = { l: 34, r: 8, t: 8, b: 24 };
  const pts = curve.points ?? [];
  const xs = pts.map((p) => p.threshold);
  const x0 = Math.min(...xs, curve.current);
  const x1 = Math.max(...xs, curve.current);
  const X = (x) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const Y = (y) => H - m.b - y * (H - m.t - m.b);
  // As eval's own sweep.svg: a category's threshold is judged by that category's recall where photos are labelled in it.
  const value = { falseFlagRate: (p) => p.falseFlagRate, recall: (p) => p.categoryRecall ?? p.recall };
  const line = (key) => pts.map((p, i) => `${i ? 'L' : 'M'} ${X(p.threshold).toFixed(1)} ${Y(value[key](p) ?? 0).toFixed(1)}`).join(' ');
  const svg = s(
    'svg',
    { width: W, height: H, role: 'img', 'aria-label': `${curve.category} ${curve.source}` },
    s('line', { class: 'axis', x1: m.l, y1: Y(0), x2: W - m.r, y2: Y(0) }),
    s('line', { class: 'axis', x1: m.l, y1: Y(0), x2: m.l, y2: Y(1) }),
    s('text', { x: 2, y: Y(1) + 4 }, '100%'),
    s('text', { x: 12, y: Y(0) + 4 }, '0%'),
    s('text', { x: m.l, y: H - 6 }, String(x0)),
    s('text', { x: W - m.r - 16, y: H - 6 }, String(x1)),
    s('line', { class: 'current', x1: X(curve.current), y1: Y(0), x2: X(curve.current), y2: Y(1) }),
    s('path', { class: 'ffr', d: line('falseFlagRate') }),
    s('path', { class: 'recall', d: line('recall') }),
  );
  return h('figure', { class: 'chart' }, h('h3', {}, `${curve.category} · ${curve.source} (review ≥ ${curve.current})`), svg);
}

function offenders(o) {
  if (!o) return null;
  const block = (title, list) =>
    list?.length
      ? [h('h3', {}, `${title} (${list.length})`), h('ul', {}, ...list.map((x) => h('li', {}, `${x.file} → ${x.decision}: ${(x.why ?? []).join(' ')}`)))]
      : [];
  return h('section', { class: 'offenders' }, ...block('False rejects', o.falseRejects), ...block('False flags', o.falseFlags), ...block('Missed', o.missed));
}

// ------------------------------------------------------------------------------------------------
// Routing

function currentView() {
  return (location.hash.replace(/^#\//, '').split('/')[0] || 'reviews').toLowerCase();
}

async function route() {
  banner('');
  const [name, ...rest] = location.hash.replace(/^#\//, '').split('/');
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  const v = (name || 'reviews').toLowerCase();
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === v));
  if (v === 'history') await renderHistory(arg);
  else if (v === 'executions' && arg) await renderExecution(arg);
  else if (v === 'executions') await renderExecutions();
  else if (v === 'eval') await renderEval();
  else await renderReviews();
  document.body.dataset.ready = v;
}

window.addEventListener('hashchange', route);
document.addEventListener('keydown', onQueueKey);
api('/api/info')
  .then((info) => {
    // Where a click decides matters most: a DynamoDB table is the deployed queue, even from a local console.
    const where = info.mode === 'deployed' ? `deployed: ${info.stateMachineArn}` : `local: ${info.dataDir}`;
    document.getElementById('mode').textContent = info.reviewStore ? `${where} · reviews: ${info.reviewStore}` : where;
  })
  .catch(() => undefined);
if (!sessionStorage.getItem(TOKEN_KEY)) banner('No token: open the URL the console printed (with ?token=…) to approve or reject.');
route();
