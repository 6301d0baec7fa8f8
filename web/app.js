/*
 * app.js — pgshuttle's monitoring page (plain JavaScript, no framework).
 *
 * Views by the URL fragment: "#/" the grid of migrations, "#/m/NAME" one
 * migration's details, "#/nodes" the service's nodes (drain, resume). Every request goes to this server's /api/v1 with the
 * bearer token, which comes from "#token=..." (then removed from the address
 * bar) or from the form, and is kept in sessionStorage only. A 401 shows the
 * token screen. Every ~5 s (not while the tab is hidden) the view refreshes
 * in place: rows and sections are patched, so scroll position, filter,
 * selection, expanded rows and open dialogs stay as they are.
 */
'use strict';
(function () {
  const TOKEN_KEY = 'pgshuttle.token';
  const THEME_KEY = 'pgshuttle.theme';
  const AUTO_KEY = 'pgshuttle.autoRefresh';
  const REFRESH_MS = 5000;
  const COLUMNS = ['Name', 'Status', 'Migration mode', 'Migration type', 'Source server',
    'Source server type', 'Databases', 'Duration', 'Start time', 'Node'];
  const TYPE_WORDS = { Validate: 'Validate', Migrate: 'Migrate', ValidateAndMigrate: 'Validate and migrate' };
  /* The API's source type words (Azure's) and the names people read (model/source_type.c). */
  const SOURCE_TYPE_NAMES = {
    OnPremises: 'On-premises', AzureVM: 'Azure VM', AWS_RDS: 'AWS RDS', AWS_AURORA: 'AWS Aurora',
    AWS_EC2: 'AWS EC2', GCP_CloudSQL: 'Google Cloud SQL', GCP_AlloyDB: 'Google AlloyDB',
    GCP_Compute: 'Google Compute Engine', EDB: 'EDB', AzurePostgreSQL: 'Azure Database for PostgreSQL', Other: 'Other',
  };
  /* status word -> [css class, icon] */
  const STATUS_LOOK = {
    'In progress': ['s-run', '\u25B6'],
    'Waiting for user action': ['s-wait', '\u2016'],
    'Succeeded': ['s-ok', '\u2714'],
    'Failed': ['s-bad', '\u2716'],
    'Canceled': ['s-off', '\u2205'],
    'Validation failed': ['s-bad', '\u26A0'],
    'Warning': ['s-warn', '\u26A0'],
  };
  /* node state -> [css class, icon]: the statuses' colours (docs/API.md, Nodes) */
  const NODE_LOOK = {
    'Up': ['s-ok', '\u2714'],
    'Draining': ['s-wait', '\u2016'],
    'Down': ['s-bad', '\u2716'],
    'Stopped': ['s-off', '\u2205'],
  };
  const NODE_COLUMNS = ['Name', 'State', 'Running / capacity', 'Heartbeat age', 'Address', 'Version', 'Migrations', 'Action'];
  const FINAL = ['Succeeded', 'Failed', 'Canceled', 'Validation failed'];
  const QUIET_EVENTS = new Set(['streaming', 'progress', 'lag', 'table_queued', 'table_started']);

  const $ = (id) => document.getElementById(id);
  const view = $('view');
  let token = null;
  let timer = null;
  let current = null; /* the view shown: {kind, name, refresh()} */

  /* ---- small helpers ------------------------------------------------- */

  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  function fmtBytes(n) {
    if (n === null || n === undefined) return '\u2013';
    const u = ['B', 'kB', 'MB', 'GB', 'TB'];
    let i = 0;
    let v = Number(n);
    while (Math.abs(v) >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return (i === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 1 : 0)) + ' ' + u[i];
  }

  function fmtNum(n) {
    return n === null || n === undefined ? '\u2013' : Number(n).toLocaleString('en-US');
  }

  function fmtDuration(s) {
    if (s === null || s === undefined || isNaN(s)) return '\u2013';
    s = Math.max(0, Math.round(s));
    const d = Math.floor(s / 86400), hh = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60, sec = s % 60;
    if (d) return `${d} d ${hh} h`;
    if (hh) return `${hh} h ${m} min`;
    if (m) return `${m} min ${sec} s`;
    return `${sec} s`;
  }

  function fmtTime(iso) {
    if (!iso) return '\u2013';
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    const p = (x) => String(x).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }

  function badge(word, looks) {
    const [cls, icon] = (looks || STATUS_LOOK)[word] || ['s-off', '\u2022'];
    return h('span', { class: 'badge ' + cls, 'data-status': word || '' },
      h('span', { class: 'icon', 'aria-hidden': 'true', text: icon }), word || 'Unknown');
  }

  function toast(msg) {
    const t = $('toast');
    t.textContent = msg;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
  }

  /*
   * "host:port/user" of a connection string (keyword=value or URI), never
   * its password (the API masks it already; this drops it altogether).
   */
  function serverLabel(conninfo) {
    if (!conninfo) return '\u2013';
    let host = '', port = '', user = '';
    const uri = /^postgres(?:ql)?:\/\/(?:([^:@/]*)(?::[^@/]*)?@)?([^/?:]*)(?::(\d+))?/.exec(conninfo);
    if (uri) {
      user = decodeURIComponent(uri[1] || '');
      host = decodeURIComponent(uri[2] || '');
      port = uri[3] || '';
    } else {
      const re = /(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/g;
      let m;
      while ((m = re.exec(conninfo))) {
        const v = (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]);
        if (m[1] === 'host' || m[1] === 'hostaddr') host = host || v;
        else if (m[1] === 'port') port = v;
        else if (m[1] === 'user') user = v;
      }
    }
    return (host || 'localhost') + (port ? ':' + port : '') + (user ? '/' + user : '');
  }

  /* ---- the token and the API ----------------------------------------- */

  class ApiError extends Error {
    constructor(status, body) {
      const e = body && body.error;
      super(e && e.message ? e.message : `the server answered ${status}`);
      this.status = status;
      this.target = e && e.target;
      this.code = e && e.code;
    }
  }

  async function api(method, path, body) {
    if (!token) { showToken(null); throw new ApiError(401, null); }
    const opts = { method, headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch('/api/v1' + path, opts);
    } catch (e) {
      throw new ApiError(0, { error: { message: 'the server cannot be reached (is pgshuttle serve running?)' } });
    }
    const type = res.headers.get('Content-Type') || '';
    const data = res.status === 204 ? null : type.includes('json') ? await res.json().catch(() => null) : await res.text();
    if (res.status === 401) {
      showToken('The token was refused.');
      throw new ApiError(401, data);
    }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  function takeTokenFromUrl() {
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (!m) return;
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search + '#/');
  }

  function showToken(reason) {
    stopTimer();
    current = null;
    $('bar-title').textContent = 'Token';
    const input = h('input', { id: 'token-input', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' });
    const form = h('form', { class: 'panel token-screen', id: 'token-form' },
      h('h2', { text: reason || 'The API token' }),
      reason ? h('p', { class: 'note bad', id: 'token-refused', text: 'The token was refused: this server does not accept it. Enter another one.' }) : null,
      h('p', { id: 'token-help' },
        'pgshuttle serve makes a token at its first start and keeps it in the ',
        h('code', { text: 'token' }), ' file of its state directory (for example ',
        h('code', { text: 'cat /var/lib/pgshuttle/token' }), '), unless ',
        h('code', { text: 'PGSHUTTLE_TOKEN' }), ' sets it. On a terminal, serve prints a link that holds it.'),
      h('div', { class: 'field' }, h('label', { for: 'token-input', text: 'Token' }), input),
      h('button', { type: 'submit', class: 'primary', text: 'Use this token' }));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      token = input.value.trim();
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      route();
    });
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    view.replaceChildren(form);
    input.focus();
  }

  /* ---- auto-refresh ---------------------------------------------------- */

  function stopTimer() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  function startTimer() {
    stopTimer();
    timer = setInterval(() => {
      if (!document.hidden && current && token && $('auto-refresh').checked) current.refresh().catch(() => {});
    }, REFRESH_MS);
  }

  /* auto-refresh on or off, for this browser session */
  $('auto-refresh').checked = sessionStorage.getItem(AUTO_KEY) !== 'off';
  $('auto-refresh').addEventListener('change', () => {
    sessionStorage.setItem(AUTO_KEY, $('auto-refresh').checked ? 'on' : 'off');
  });

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && current && token && $('auto-refresh').checked) current.refresh().catch(() => {});
  });

  /* ---- the grid -------------------------------------------------------- */

  /*
   * Newest start first; a migration not started yet (waiting for its window,
   * or just created) comes before the started ones, newest created first, as
   * in `pgshuttle list`.
   */
  function sortKey(m) {
    const p = m.properties || {};
    return p.startedOn ? '1' + p.startedOn : '2' + ((m.systemData && m.systemData.createdAt) || '');
  }

  /* The source server's type: as validation found it, else as given ("auto" until then). */
  function sourceTypeLabel(p) {
    const t = p.detectedSourceType || p.sourceType;
    return SOURCE_TYPE_NAMES[t] || (t === 'auto' ? 'Auto-detect' : (t || '\u2013'));
  }

  function rowCells(m) {
    const p = m.properties || {};
    const st = (p.currentStatus && p.currentStatus.state) || 'In progress';
    return [
      m.name, st, p.migrationMode || '\u2013', TYPE_WORDS[p.migrationOption] || p.migrationOption || '\u2013',
      serverLabel(p.sourceServer), sourceTypeLabel(p),
      (p.dbsToMigrate || []).join(', '), fmtDuration(p.durationSeconds), fmtTime(p.startedOn),
      p.node || '\u2013',
    ];
  }

  function gridView() {
    const state = { filter: sessionStorage.getItem('pgshuttle.filter') || 'All', rows: new Map() };
    $('bar-title').textContent = ''; /* the header's tab says it */
    const filter = h('select', { id: 'filter', 'aria-label': 'Which migrations' },
      h('option', { value: 'Active', text: 'Active' }), h('option', { value: 'All', text: 'All' }));
    filter.value = state.filter;
    const count = h('span', { class: 'muted', id: 'grid-count' });
    const refreshBtn = h('button', { type: 'button', id: 'refresh', text: 'Refresh' });
    const createBtn = h('button', { type: 'button', id: 'create', class: 'primary', text: 'Create migration' });
    const tbody = h('tbody');
    const table = h('table', { class: 'grid', id: 'grid' },
      h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', { scope: 'col', text: c })))), tbody);
    const wrap = h('div', { class: 'grid-wrap', id: 'grid-wrap' }, table);
    const empty = h('div', { class: 'panel empty', id: 'grid-empty', hidden: true });
    const err = h('p', { class: 'note bad', id: 'grid-error', hidden: true });
    view.replaceChildren(h('div', { class: 'toolbar' }, h('label', { for: 'filter', text: 'Show' }), filter, count,
      h('span', { class: 'spacer' }), refreshBtn, createBtn), err, wrap, empty);

    function fillEmpty() {
      empty.replaceChildren(
        h('h2', { text: state.filter === 'Active' ? 'No active migration' : 'No migration yet' }),
        h('p', {}, 'Create the first one with the ', h('strong', { text: 'Create migration' }), ' button, or from a shell:'),
        h('pre', { text: "pgshuttle create NAME --source 'postgresql://admin@old-db/postgres' \\\n    --target 'postgresql://admin@new-db/postgres' --databases sales --mode online" }),
        h('p', {}, 'or through the API: ', h('code', { text: 'PUT /api/v1/migrations/NAME' }), ' (docs/API.md).'));
    }

    function updateRow(tr, m) {
      const cells = rowCells(m);
      const tds = tr.children;
      /* the name and status cells hold elements: replaced only when their word changes */
      if (tr.dataset.status !== cells[1]) {
        tr.dataset.status = cells[1];
        tds[1].replaceChildren(badge(cells[1]));
      }
      for (let i = 2; i < cells.length; i++) setText(tds[i], cells[i]);
    }

    function newRow(m) {
      const tr = h('tr', { 'data-name': m.name },
        h('td', { class: 'name' }, h('a', { href: '#/m/' + encodeURIComponent(m.name), text: m.name })),
        COLUMNS.slice(1).map((c) => h('td', { class: c === 'Databases' ? 'dbs' : null })));
      updateRow(tr, m);
      return tr;
    }

    async function refresh() {
      let list;
      try {
        list = (await api('GET', '/migrations?view=grid&filter=' + state.filter)).value || [];
      } catch (e) {
        if (e.status !== 401) { err.textContent = 'Cannot list the migrations: ' + e.message; err.hidden = false; }
        return;
      }
      err.hidden = true;
      list.sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : a.name.localeCompare(b.name)));
      const seen = new Set();
      let prev = null;
      for (const m of list) {
        seen.add(m.name);
        let tr = state.rows.get(m.name);
        if (tr) updateRow(tr, m);
        else { tr = newRow(m); state.rows.set(m.name, tr); }
        /* keep the order with the fewest moves: only a row out of place moves */
        const want = prev ? prev.nextSibling : tbody.firstChild;
        if (want !== tr) tbody.insertBefore(tr, want);
        prev = tr;
      }
      for (const [name, tr] of state.rows) if (!seen.has(name)) { tr.remove(); state.rows.delete(name); }
      count.textContent = `${list.length} migration${list.length === 1 ? '' : 's'}`;
      wrap.hidden = list.length === 0;
      empty.hidden = list.length !== 0;
      if (list.length === 0) fillEmpty();
      view.dataset.ready = '1';
      if (!state.drawn) { state.drawn = true; performance.mark('pgshuttle-grid-drawn'); } /* for the browser tests' timing */
    }

    filter.addEventListener('change', () => {
      state.filter = filter.value;
      sessionStorage.setItem('pgshuttle.filter', state.filter);
      refresh();
    });
    refreshBtn.addEventListener('click', () => refresh());
    createBtn.addEventListener('click', () => openCreate());
    return { kind: 'grid', refresh };
  }

  /* ---- nodes ------------------------------------------------------------ */

  /*
   * The service's nodes (GET /nodes), refreshed in place like the grid: a
   * row per node, its state in the statuses' colours, a Drain or Resume
   * button that asks first.
   */
  function nodesView() {
    const rows = new Map();
    $('bar-title').textContent = '';
    const count = h('span', { class: 'muted', id: 'nodes-count' });
    const refreshBtn = h('button', { type: 'button', id: 'refresh', text: 'Refresh' });
    const tbody = h('tbody');
    const table = h('table', { class: 'grid', id: 'nodes' },
      h('thead', {}, h('tr', {}, NODE_COLUMNS.map((c) => h('th', { scope: 'col', text: c })))), tbody);
    const wrap = h('div', { class: 'grid-wrap' }, table);
    const empty = h('div', { class: 'panel empty', id: 'nodes-empty', hidden: true },
      h('h2', { text: 'No node has registered' }),
      h('p', { text: 'Each pgshuttle serve sharing this store registers itself and beats every second.' }));
    const err = h('p', { class: 'note bad', id: 'nodes-error', hidden: true });
    view.replaceChildren(h('div', { class: 'toolbar' }, count, h('span', { class: 'spacer' }), refreshBtn), err, wrap, empty);

    function address(a) {
      if (!a) return '\u2013';
      return /^https?:\/\//.test(a) ? h('a', { href: a, rel: 'noopener noreferrer', text: a }) : a;
    }

    function migrationLinks(names) {
      if (!names || !names.length) return '\u2013';
      return names.flatMap((m, i) => [i ? ', ' : null, h('a', { href: '#/m/' + encodeURIComponent(m), text: m })]);
    }

    /* Cells that hold elements are drawn again only when their data changed. */
    function updateRow(tr, n) {
      const tds = tr.children;
      if (tr.dataset.state !== n.state) {
        tr.dataset.state = n.state;
        tds[1].replaceChildren(badge(n.state, NODE_LOOK));
      }
      setText(tds[2], `${n.running} / ${n.capacity === null ? 'no limit' : n.capacity}`);
      setText(tds[3], fmtDuration(n.heartbeatAgeSeconds));
      const keys = { address: n.address || '', migrations: (n.migrations || []).join(','), action: `${n.draining} ${n.state === 'Stopped'}` };
      if (tr.dataset.address !== keys.address) { tr.dataset.address = keys.address; tds[4].replaceChildren(address(n.address)); }
      setText(tds[5], n.version || '\u2013');
      if (tr.dataset.migrations !== keys.migrations) { tr.dataset.migrations = keys.migrations; tds[6].replaceChildren(...[].concat(migrationLinks(n.migrations))); }
      if (tr.dataset.action !== keys.action) {
        tr.dataset.action = keys.action;
        /* a stopped node drains nothing, and its next start clears the mark */
        const btn = n.state === 'Stopped' ? '\u2013' : h('button', { type: 'button', class: n.draining ? 'node-action' : 'node-action danger',
          'data-node': n.name, text: n.draining ? 'Resume' : 'Drain', onclick: () => openNodeAction(n.name, !n.draining) });
        tds[7].replaceChildren(btn);
      }
    }

    function newRow(n) {
      const tr = h('tr', { 'data-name': n.name }, h('td', { class: 'name', text: n.name }),
        NODE_COLUMNS.slice(1).map(() => h('td')));
      updateRow(tr, n);
      return tr;
    }

    async function refresh() {
      let list;
      try {
        list = (await api('GET', '/nodes')).value || [];
      } catch (e) {
        if (e.status !== 401) { err.textContent = 'Cannot list the nodes: ' + e.message; err.hidden = false; }
        return;
      }
      err.hidden = true;
      const seen = new Set();
      let prev = null;
      for (const n of list) {
        seen.add(n.name);
        let tr = rows.get(n.name);
        if (tr) updateRow(tr, n);
        else { tr = newRow(n); rows.set(n.name, tr); }
        /* the API's order (by name); a row in place is not moved, so a focused button keeps its focus */
        const want = prev ? prev.nextSibling : tbody.firstChild;
        if (want !== tr) tbody.insertBefore(tr, want);
        prev = tr;
      }
      for (const [name, tr] of rows) if (!seen.has(name)) { tr.remove(); rows.delete(name); }
      const down = list.filter((n) => n.state === 'Down').length;
      count.textContent = `${list.length} node${list.length === 1 ? '' : 's'}` + (down ? `, ${down} down` : '');
      wrap.hidden = list.length === 0;
      empty.hidden = list.length !== 0;
      view.dataset.ready = '1';
    }

    refreshBtn.addEventListener('click', () => refresh());
    return { kind: 'nodes', refresh };
  }

  /* Drain (drain true) or resume node name, after the user confirms. */
  function openNodeAction(name, drain) {
    const text = drain
      ? 'The node takes no new migration and hands the ones it runs over to the other nodes. The drain is done when it runs none.'
      : 'The node takes new migrations again.';
    openDialog((drain ? 'Drain ' : 'Resume ') + name, [h('p', { text })], drain ? 'Drain' : 'Resume', async () => {
      await api('POST', '/nodes/' + encodeURIComponent(name) + (drain ? '/drain' : '/resume'));
      await afterAction(drain ? `Drain of ${name} requested.` : `${name} resumed.`);
    }, drain ? 'danger' : 'primary');
  }

  /* ---- details --------------------------------------------------------- */

  /*
   * A section whose content is drawn again only when its data changed;
   * draw(data) returns the nodes. What the user opened lives in the view's
   * state, which draw reads, so a redraw keeps it.
   */
  function section(id, title) {
    const body = h('div', { class: 'section-body' });
    const el = h('section', { class: 'panel', id }, title ? h('h2', { text: title }) : null, body);
    let last = null;
    return {
      el, body,
      set(data, draw, force) {
        const key = JSON.stringify(data);
        if (!force && key === last) return;
        last = key;
        body.replaceChildren(...[].concat(draw(data)));
      },
    };
  }

  function props(pairs) {
    return h('dl', { class: 'props' }, pairs.filter((p) => p).flatMap(([k, v]) => [h('dt', { text: k }), h('dd', {}, v instanceof Node ? v : String(v === null || v === undefined || v === '' ? '\u2013' : v))]));
  }

  /* The node running a migration; an active one that none runs waits for a node's claim. */
  function nodeLabel(node, status) {
    if (node) return h('a', { href: '#/nodes', id: 'migration-node', text: node });
    return FINAL.includes(status) ? '\u2013' : 'none (waiting for a node to take it)';
  }

  function detailsView(name) {
    const st = { openChecks: new Set(), tableSort: { key: 'table', dir: 1 }, tableQuery: '', eventsShown: 50, showQuiet: false, m: null, chart: null };
    $('bar-title').textContent = name;
    const back = h('a', { href: '#/', text: '\u2190 All migrations' });
    const refreshBtn = h('button', { type: 'button', id: 'refresh', text: 'Refresh' });
    const secHead = section('summary', null);
    const secActions = section('actions-panel', 'Actions');
    const secProps = section('properties', 'Properties');
    const secValid = section('validation', 'Validation');
    const secDbs = section('databases', 'Migration details per database');
    const secChart = section('chart-panel', 'Latency and lag, last hour');
    const chartBox = h('div', { class: 'chart', id: 'chart' });
    const chartNote = h('p', { class: 'muted', id: 'chart-note' });
    secChart.body.replaceChildren(chartNote, chartBox);
    const secTables = section('tables', 'Tables');
    const tableSearch = h('input', { type: 'search', id: 'table-search', placeholder: 'Search tables by name', 'aria-label': 'Search tables by name' });
    const tablesBox = h('div', { class: 'scroll' });
    secTables.body.replaceChildren(h('div', { class: 'toolbar' }, tableSearch), tablesBox);
    const secEvents = section('events', 'Event history');
    const quiet = h('input', { type: 'checkbox', id: 'events-quiet' });
    const eventsBox = h('div');
    secEvents.body.replaceChildren(h('div', { class: 'toolbar checks' }, h('label', {}, quiet, 'Show the frequent progress samples (streaming)')), eventsBox);
    const secLog = section('log', 'Log (last 200 lines)');
    const logPre = h('pre', { id: 'log-text' });
    secLog.body.replaceChildren(logPre);
    const err = h('p', { class: 'note bad', id: 'details-error', hidden: true });
    view.replaceChildren(h('div', { class: 'toolbar' }, back, h('span', { class: 'spacer' }), refreshBtn), err,
      secHead.el, secActions.el, secProps.el, secValid.el, secDbs.el, secChart.el, secTables.el, secEvents.el, secLog.el);

    let tables = [];
    let events = [];
    let lastSeq = 0;

    function drawSummary(m) {
      const p = m.properties, cs = p.currentStatus || {}, sub = (cs.currentSubStateDetails || {}).currentSubState;
      const out = [h('h2', {}, m.name, ' ', badge(cs.state)),
        props([['Substatus', sub || '\u2013'], ['Migration mode', p.migrationMode],
          ['Migration type', TYPE_WORDS[p.migrationOption] || p.migrationOption],
          ['Node', nodeLabel(p.node, cs.state)],
          ['Started', fmtTime(p.startedOn)], ['Ended', fmtTime(p.endedOn)], ['Duration', fmtDuration(p.durationSeconds)]])];
      if (cs.error) out.push(h('p', { class: 'note bad', id: 'migration-error' }, h('strong', { text: 'Error' + (cs.errorDatabase ? ` in ${cs.errorDatabase}` : '') + ': ' }), cs.error));
      for (const w of cs.warnings || []) out.push(h('p', { class: 'note warn', text: w }));
      const eta = cs.readyForCutoverEtaSeconds;
      if (p.migrationMode === 'Online' && ['In progress', 'Waiting for user action'].includes(cs.state) && eta !== undefined)
        out.push(h('p', { class: 'note info', id: 'cutover-eta' }, eta === null ? 'Ready for cutover: not known yet (no rate measured so far).'
          : eta <= 0 ? 'Ready for cutover now.' : `Ready for cutover in ~${fmtDuration(eta)}.`));
      return out;
    }

    function drawActions(m) {
      const p = m.properties, cs = p.currentStatus || {}, sub = (cs.currentSubStateDetails || {}).currentSubState;
      const ended = FINAL.includes(cs.state);
      const canCutover = p.migrationMode === 'Online' && cs.state === 'Waiting for user action' && sub === 'Waiting for cutover';
      const cut = h('button', { type: 'button', id: 'action-cutover', class: 'primary', disabled: !canCutover, text: 'Cutover',
        title: canCutover ? null : 'Cutover is possible when the migration is Waiting for user action / Waiting for cutover' });
      cut.addEventListener('click', () => openCutover(m));
      const cancel = h('button', { type: 'button', id: 'action-cancel', class: 'danger', disabled: ended, text: 'Cancel' });
      cancel.addEventListener('click', () => openCancel(m));
      const del = h('button', { type: 'button', id: 'action-delete', class: 'danger', text: 'Delete' });
      del.addEventListener('click', () => openDelete(m));
      const out = [h('div', { class: 'actions' }, cut, cancel, del)];
      if (sub === 'Waiting for overwrite confirmation') {
        const ow = h('button', { type: 'button', id: 'action-overwrite', class: 'primary', text: 'Confirm overwrite' });
        ow.addEventListener('click', () => confirmOverwrite(m));
        out[0].prepend(ow);
        out.push(h('p', { class: 'note warn', text: 'A target database already exists: confirm to drop and migrate it again, or cancel.' }));
      }
      return out;
    }

    function drawProps(m) {
      const p = m.properties;
      return props([['Source server', p.sourceServer], ['Target server', p.targetServer],
        ['Source server type', sourceTypeLabel(p)], ['Databases', (p.dbsToMigrate || []).join(', ')],
        ['Overwrite databases in target', p.overwriteDbsInTarget ? 'Yes' : 'No'],
        ['Keep failed databases in target', p.keepFailedDbsInTarget ? 'Yes' : 'No'],
        ['Jobs / index jobs', `${p.jobs} / ${p.indexJobs}`], ['Maintenance work mem', p.maintenanceWorkMem],
        ['Decoding plugin', p.decodingPlugin || 'default'], ['Auto cutover', p.autoCutover ? 'Yes' : 'No'],
        ['Migration window start (UTC)', p.migrationWindowStartTimeInUtc || 'none'],
        ['Created', fmtTime(m.systemData && m.systemData.createdAt)], ['Last update', fmtTime(m.systemData && m.systemData.lastModifiedAt)]]);
    }

    function checkRows(scope, checks) {
      const rows = [];
      for (const c of checks || []) {
        const key = scope + '/' + c.type;
        const msg = (c.messages || []).map((x) => x.message).join(' ');
        const clickable = c.state === 'Warning' || c.state === 'Failed';
        const nameCell = clickable
          ? h('button', { type: 'button', class: 'link check-open', 'aria-expanded': String(st.openChecks.has(key)), text: c.type,
            onclick: () => { st.openChecks.has(key) ? st.openChecks.delete(key) : st.openChecks.add(key); secValid.set(st.m, drawValidation, true); } })
          : c.type;
        rows.push(h('tr', { class: 'check', 'data-check': c.type, 'data-state': c.state },
          h('td', {}, nameCell), h('td', {}, badge(c.state)), h('td', { text: fmtTime(c.startedOn) }),
          h('td', { class: 'num', text: c.durationMs === undefined || c.durationMs === null ? '\u2013' : (c.durationMs / 1000).toFixed(2) + ' s' }),
          h('td', { text: msg })));
        if (clickable && st.openChecks.has(key))
          rows.push(h('tr', { class: 'remediation' }, h('td', { colspan: 5 }, h('strong', { text: 'Remediation: ' }), c.remediation || 'No remediation is given for this check.')));
      }
      return rows;
    }

    function checkTable(id, scope, checks) {
      return h('div', { class: 'scroll' }, h('table', { id },
        h('thead', {}, h('tr', {}, ['Check', 'Status', 'Start', 'Duration', 'Message'].map((c) => h('th', { text: c })))),
        h('tbody', {}, checkRows(scope, checks))));
    }

    function drawValidation(m) {
      const v = ((m.properties.currentStatus || {}).currentSubStateDetails || {}).validationDetails || {};
      const out = [];
      if (!v.status && !(v.serverLevelValidationDetails || []).length) {
        out.push(h('p', { class: 'muted', text: m.properties.migrationOption === 'Migrate' ? 'This migration skips validation.' : 'No validation result yet.' }));
        return out;
      }
      out.push(h('p', {}, 'Overall: ', badge(v.status || 'In progress'),
        v.validationStartTimeInUtc ? ` started ${fmtTime(v.validationStartTimeInUtc)}` : '',
        v.validationEndTimeInUtc ? `, ended ${fmtTime(v.validationEndTimeInUtc)}` : ''));
      out.push(h('h3', { text: 'Validation details for instance' }), checkTable('checks-instance', 'instance', v.serverLevelValidationDetails));
      for (const d of v.dbLevelValidationDetails || []) {
        out.push(h('h3', { text: `Validation details for database ${d.databaseName}` + (d.startedOn ? ` (started ${fmtTime(d.startedOn)}${d.endedOn ? ', ended ' + fmtTime(d.endedOn) : ''})` : '') }),
          checkTable('checks-db-' + d.databaseName, 'db:' + d.databaseName, d.summary));
      }
      return out;
    }

    function rate(v) {
      return v === undefined || v === null ? '\u2013' : fmtBytes(v) + '/s';
    }

    function drawDbs(m) {
      const p = m.properties, cs = p.currentStatus || {};
      const dbs = (cs.currentSubStateDetails || {}).dbDetails || {};
      const online = p.migrationMode === 'Online';
      const cards = Object.values(dbs).map((d) => {
        const pct = d.bytesTotal ? Math.min(100, (100 * d.bytesCopied) / d.bytesTotal) : (d.migrationState === 'Completed' ? 100 : 0);
        const pairs = [
          ['Substatus', d.migrationState], ['Started', fmtTime(d.startedOn)], ['Ended', fmtTime(d.endedOn)],
          ['Tables queued / copying / copied / failed', `${d.fullLoadQueuedTables} / ${d.fullLoadLoadingTables} / ${d.fullLoadCompletedTables} / ${d.fullLoadErroredTables}`],
          ['Rows copied', fmtNum(d.rowsCopied)], ['Bytes copied', `${fmtBytes(d.bytesCopied)} of ${fmtBytes(d.bytesTotal)}`],
          ['Throughput', d.bytesPerSecond ? fmtBytes(d.bytesPerSecond) + '/s' : '\u2013'],
          ['ETA', d.etaSeconds ? fmtDuration(d.etaSeconds) : '\u2013'],
          ['Indexes built', `${d.indexesBuilt} of ${d.indexesTotal}`],
        ];
        if (online) {
          pairs.push(['Inserts / updates / deletes / truncates applied', `${fmtNum(d.cdcInsertCounter)} / ${fmtNum(d.cdcUpdateCounter)} / ${fmtNum(d.cdcDeleteCounter)} / ${fmtNum(d.cdcTruncateCounter || 0)}`],
            ['Changes applied', `${fmtNum(d.appliedChanges)} in ${fmtNum(d.appliedTransactions)} transactions`],
            ['Incoming changes', rate(d.incomingBytesPerSecond) + ' of WAL on the source'],
            ['Apply rate', rate(d.applyBytesPerSecond)],
            ['Backlog', d.backlogBytes === undefined || d.backlogBytes === null ? '\u2013' : fmtBytes(d.backlogBytes)],
            ['Latency', d.latency === null || d.latency === undefined ? '\u2013' : d.latency.toFixed(2) + ' s'],
            ['Lag', fmtBytes(d.lagBytes)], ['Confirmed LSN / source LSN', `${d.confirmedLsn || '\u2013'} / ${d.sourceLsn || '\u2013'}`]);
          if (d.readyForCutoverEtaSeconds !== undefined)
            pairs.push(['Ready for cutover', d.readyForCutoverEtaSeconds === null ? 'unknown yet' : d.readyForCutoverEtaSeconds <= 0 ? 'now' : `in ~${fmtDuration(d.readyForCutoverEtaSeconds)}`]);
          if (d.lagTrendBytesPerSecond !== undefined)
            pairs.push(['Lag trend', d.lagTrendBytesPerSecond === null ? 'unknown yet' : d.lagTrendBytesPerSecond < 0
              ? `lag shrinking at ${fmtBytes(-d.lagTrendBytesPerSecond)}/s` : `lag growing at ${fmtBytes(d.lagTrendBytesPerSecond)}/s`]);
        }
        return h('div', { class: 'card', 'data-db': d.databaseName },
          h('h3', {}, d.databaseName, badge(d.status)),
          h('div', { class: 'bar-progress', role: 'progressbar', 'aria-valuenow': Math.round(pct), 'aria-valuemin': 0, 'aria-valuemax': 100 }, h('span', { style: null, 'data-pct': pct.toFixed(1) })),
          props(pairs), d.message ? h('p', { class: 'note bad', text: d.message }) : null);
      });
      return cards.length ? h('div', { class: 'cards' }, cards) : h('p', { class: 'muted', text: 'No database yet.' });
    }

    /* widths of the progress bars: set from script, so the CSP needs no inline style */
    function sizeBars() {
      for (const s of secDbs.body.querySelectorAll('.bar-progress > span')) s.style.width = s.dataset.pct + '%';
    }

    function drawTables() {
      const q = st.tableQuery.toLowerCase();
      const { key, dir } = st.tableSort;
      const rows = tables.filter((t) => !q || t.table.toLowerCase().includes(q))
        .sort((a, b) => { const x = a[key], y = b[key]; return (x < y ? -1 : x > y ? 1 : 0) * dir; });
      const cols = [['database', 'Database'], ['table', 'Table'], ['state', 'State'], ['rows', 'Rows'], ['bytes', 'Bytes'], ['seconds', 'Seconds']];
      const num = new Set(['rows', 'bytes', 'seconds']);
      const head = h('tr', {}, cols.map(([k, label]) => h('th', { class: num.has(k) ? 'num' : null, 'aria-sort': key === k ? (dir > 0 ? 'ascending' : 'descending') : null },
        h('button', { type: 'button', class: 'sort', 'data-sort': k, text: label + (key === k ? (dir > 0 ? ' \u25B2' : ' \u25BC') : ''),
          onclick: () => { st.tableSort = { key: k, dir: key === k ? -dir : 1 }; drawTables(); } }))));
      const body = rows.map((t) => h('tr', { 'data-table': t.table },
        h('td', { text: t.database }), h('td', { text: t.table }), h('td', { text: t.state }),
        h('td', { class: 'num', text: fmtNum(t.rows) }), h('td', { class: 'num', text: fmtBytes(t.bytes) }),
        h('td', { class: 'num', text: t.seconds === null || t.seconds === undefined ? '\u2013' : Number(t.seconds).toFixed(2) })));
      tablesBox.replaceChildren(h('table', { id: 'tables-list' }, h('thead', {}, head), h('tbody', {}, body)),
        rows.length ? null : h('p', { class: 'muted', text: tables.length ? 'No table matches.' : 'No table copied yet.' }));
    }
    tableSearch.addEventListener('input', () => { st.tableQuery = tableSearch.value; drawTables(); });

    /* One event (the worker's --output json line, or the service's request) as a sentence. */
    function eventSentence(e) {
      const ev = e.event || {};
      const db = ev.database ? ` in ${ev.database}` : '';
      const secs = (x) => (x === undefined || x === null ? '' : ` in ${Number(x).toFixed(2)} s`);
      switch (e.kind) {
        case 'status': return `Status${db}: ${ev.status}${ev.substatus ? ' \u2013 ' + ev.substatus : ''}.`;
        case 'phase': return `${ev.database ? ev.database + ': ' : ''}${ev.message || 'next phase'}.`;
        case 'check': return `Check ${ev.name}${ev.scope && ev.scope !== 'instance' ? ' (' + ev.scope + ')' : ''}: ${ev.status}${ev.message ? ' \u2013 ' + ev.message : ''}.`;
        case 'table': return `Table ${ev.object || ''} copied${db}: ${fmtNum(ev.rows)} rows, ${fmtBytes(ev.bytes)}${secs(ev.seconds)}.`;
        case 'table_queued': return `Table ${ev.object || ''} queued for its copy${db} (${fmtBytes(ev.bytes)}).`;
        case 'table_started': return `Table ${ev.object || ''} copying${db} (${fmtBytes(ev.bytes)}).`;
        case 'table_failed': return `Table ${ev.object || ''} failed${db}: ${ev.message || ''}${ev.sqlstate ? ` (SQLSTATE ${ev.sqlstate})` : ''}`;
        case 'index': return `Built ${ev.object || ev.message || 'an index'}${db}${secs(ev.seconds)}.`;
        case 'large_objects': return `Large objects copied${db}: ${fmtNum(ev.count)}, ${fmtBytes(ev.bytes)}.`;
        case 'database': return `Database ${ev.database || ''} done${ev.status ? ': ' + ev.status : ''}${ev.message ? ' \u2013 ' + ev.message : ''}.`;
        case 'warning': return `Warning${db}: ${ev.message}`;
        case 'error': return `Error${db}: ${ev.message || ''}${ev.sqlstate ? ` (SQLSTATE ${ev.sqlstate})` : ''}`;
        case 'request': return `Request from a user: ${ev.request}${ev.databases && ev.databases.length ? ' for ' + ev.databases.join(', ') : ''}.`;
        case 'streaming': return `Streaming${db}: latency ${ev.lag_seconds !== undefined ? Number(ev.lag_seconds).toFixed(2) : '?'} s, lag ${fmtBytes(ev.lag_bytes)}, ${fmtNum(ev.changes)} changes applied.`;
        default: {
          const text = ev.message || Object.entries(ev).filter(([k]) => k !== 'event' && k !== 'time').map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
          return `${e.kind.charAt(0).toUpperCase() + e.kind.slice(1)}: ${text}`;
        }
      }
    }

    function drawEvents() {
      const shown = events.filter((e) => st.showQuiet || !QUIET_EVENTS.has(e.kind)).slice().reverse();
      const page = shown.slice(0, st.eventsShown);
      const list = h('table', { id: 'events-list' }, h('tbody', {}, page.map((e) => h('tr', { 'data-kind': e.kind },
        h('td', { class: 'muted', text: fmtTime(e.time) }), h('td', { text: eventSentence(e) })))));
      const more = shown.length > page.length
        ? h('button', { type: 'button', id: 'events-more', text: `Show older (${shown.length - page.length} more)`, onclick: () => { st.eventsShown += 50; drawEvents(); } }) : null;
      eventsBox.replaceChildren(shown.length ? list : h('p', { class: 'muted', text: 'No event yet.' }), h('div', { class: 'pager' }, more));
    }
    quiet.addEventListener('change', () => { st.showQuiet = quiet.checked; drawEvents(); });

    function drawChart(samples) {
      const online = st.m && st.m.properties.migrationMode === 'Online';
      secChart.el.hidden = !online;
      if (!online) return;
      if (!window.uPlot) { chartNote.textContent = 'The chart library did not load.'; return; }
      const dbs = [...new Set(samples.map((s) => s.database))].sort();
      const times = [...new Set(samples.map((s) => Math.floor(Date.parse(s.time) / 1000)))].sort((a, b) => a - b);
      const index = new Map(times.map((t, i) => [t, i]));
      const data = [times];
      const series = [{}];
      const css = getComputedStyle(document.documentElement);
      const palette = [css.getPropertyValue('--accent'), css.getPropertyValue('--wait'), css.getPropertyValue('--ok'), css.getPropertyValue('--warn')];
      dbs.forEach((db, i) => {
        const lat = new Array(times.length).fill(null), lag = new Array(times.length).fill(null);
        for (const s of samples) if (s.database === db) { const k = index.get(Math.floor(Date.parse(s.time) / 1000)); lat[k] = s.lagSeconds; lag[k] = s.lagBytes; }
        data.push(lat, lag);
        const color = palette[i % palette.length].trim() || '#1f6feb';
        series.push({ label: `${db} latency (s)`, scale: 's', stroke: color, width: 2, spanGaps: true, value: (u, v) => (v === null ? '\u2013' : v.toFixed(2) + ' s') },
          { label: `${db} lag`, scale: 'bytes', stroke: color, dash: [6, 4], width: 1.5, spanGaps: true, value: (u, v) => (v === null ? '\u2013' : fmtBytes(v)) });
      });
      chartNote.textContent = times.length ? `${samples.length} samples since ${fmtTime(new Date(times[0] * 1000).toISOString())}.` : 'No streaming sample in the last hour yet.';
      if (st.chart) { st.chart.destroy(); st.chart = null; }
      if (!times.length) { chartBox.replaceChildren(); return; }
      const axisColor = css.getPropertyValue('--muted').trim();
      const grid = { stroke: css.getPropertyValue('--line').trim(), width: 1 };
      st.chart = new window.uPlot({
        width: Math.max(280, chartBox.clientWidth || secChart.el.clientWidth - 32), height: 240, series,
        scales: { x: { time: true }, s: { auto: true }, bytes: { auto: true } },
        axes: [{ stroke: axisColor, grid }, { scale: 's', label: 'latency (s)', stroke: axisColor, grid },
          { scale: 'bytes', side: 1, label: 'lag', stroke: axisColor, grid: { show: false }, values: (u, vals) => vals.map(fmtBytes), size: 70 }],
      }, data, chartBox);
    }

    async function refresh() {
      let m;
      try {
        m = await api('GET', '/migrations/' + encodeURIComponent(name));
      } catch (e) {
        if (e.status === 401) return;
        err.textContent = e.status === 404 ? `There is no migration named ${name} (any more).` : 'Cannot read the migration: ' + e.message;
        err.hidden = false;
        return;
      }
      err.hidden = true;
      st.m = m;
      secHead.set(m, drawSummary);
      secActions.set(m, drawActions);
      secProps.set(m.properties ? [m.properties, m.systemData] : null, () => drawProps(m));
      secValid.set(m.properties.currentStatus && m.properties.currentStatus.currentSubStateDetails ? m.properties.currentStatus.currentSubStateDetails.validationDetails : null, () => drawValidation(m));
      secDbs.set(m.properties.currentStatus && m.properties.currentStatus.currentSubStateDetails ? m.properties.currentStatus.currentSubStateDetails.dbDetails : null, () => drawDbs(m));
      sizeBars();
      view.dataset.ready = '1';
      const enc = encodeURIComponent(name);
      const since = new Date(Date.now() - 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      const [tbl, evs, log, lag] = await Promise.all([
        api('GET', `/migrations/${enc}/tables`).catch(() => null),
        api('GET', `/migrations/${enc}/events?after=${lastSeq}&limit=1000`).catch(() => null),
        api('GET', `/migrations/${enc}/log?tail=200`).catch(() => null),
        m.properties.migrationMode === 'Online' ? api('GET', `/migrations/${enc}/lag?since=${since}`).catch(() => null) : null,
      ]);
      if (tbl) {
        const key = JSON.stringify(tbl.value);
        if (key !== st.tablesKey) { st.tablesKey = key; tables = tbl.value || []; drawTables(); }
      } else if (!st.tablesKey) drawTables();
      if (evs && evs.value) {
        if (evs.value.length || !lastSeq) {
          events = events.concat(evs.value);
          if (events.length) lastSeq = events[events.length - 1].seq;
          drawEvents();
        }
      }
      if (typeof log === 'string') {
        const atEnd = logPre.scrollTop + logPre.clientHeight >= logPre.scrollHeight - 4;
        if (logPre.textContent !== log) {
          logPre.textContent = log || '(the worker has not written its log yet)';
          if (atEnd) logPre.scrollTop = logPre.scrollHeight;
        }
      }
      if (lag && lag.value) {
        const key = JSON.stringify(lag.value);
        if (key !== st.lagKey) { st.lagKey = key; st.lag = lag.value; drawChart(lag.value); }
      } else drawChart([]);
    }

    refreshBtn.addEventListener('click', () => refresh());
    /* a new width or theme: the chart is drawn again with the same samples */
    const relayout = () => { if (st.lag) drawChart(st.lag); };
    return { kind: 'details', name, refresh, relayout };
  }

  /* ---- dialogs and actions ------------------------------------------- */

  const dialog = $('dialog');
  let dialogSubmit = null;

  function openDialog(title, nodes, okText, onOk, okClass) {
    $('dialog-title').textContent = title;
    $('dialog-body').replaceChildren(...nodes);
    const errEl = $('dialog-error');
    errEl.hidden = true;
    const ok = $('dialog-ok');
    ok.textContent = okText;
    ok.className = okClass || 'primary';
    ok.hidden = !onOk;
    ok.disabled = false;
    dialogSubmit = onOk;
    if (!dialog.open) dialog.showModal();
  }

  function dialogError(msg) {
    const e = $('dialog-error');
    e.textContent = msg;
    e.hidden = !msg;
  }

  $('dialog-cancel').addEventListener('click', () => dialog.close());
  $('dialog-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!dialogSubmit) { dialog.close(); return; }
    const ok = $('dialog-ok');
    ok.disabled = true;
    dialogError('');
    try {
      const close = await dialogSubmit();
      if (close !== false) dialog.close();
    } catch (e) {
      if (e.status !== 401) dialogError(plainError(e));
    } finally {
      ok.disabled = false;
    }
  });

  function plainError(e) {
    if (e.status === 409) return 'Not possible now: ' + e.message;
    if (e.status === 404) return 'Not found: ' + e.message;
    if (e.status === 0) return e.message;
    return e.message.charAt(0).toUpperCase() + e.message.slice(1);
  }

  async function afterAction(msg) {
    toast(msg);
    if (current) await current.refresh().catch(() => {});
  }

  /* Checkboxes for "all databases" or some; returns () => list or null (all). */
  function dbChooser(dbs, extra) {
    const all = h('input', { type: 'radio', name: 'which', value: 'all', checked: true, id: 'dbs-all' });
    const some = h('input', { type: 'radio', name: 'which', value: 'some', id: 'dbs-some' });
    const boxes = dbs.map((d) => h('input', { type: 'checkbox', value: d, checked: true, disabled: true, 'data-db': d }));
    const flip = () => boxes.forEach((b) => { b.disabled = all.checked; });
    all.addEventListener('change', flip);
    some.addEventListener('change', flip);
    const node = h('div', { class: 'checks' },
      h('label', {}, all, 'All databases'), h('label', {}, some, 'Only these:'),
      dbs.map((d, i) => h('label', { class: 'db-choice' }, boxes[i], d, extra ? extra(d) : null)));
    return { node, value: () => (all.checked ? null : boxes.filter((b) => b.checked).map((b) => b.value)) };
  }

  function openCutover(m) {
    const dbs = m.properties.currentStatus.currentSubStateDetails.dbDetails || {};
    const names = Object.keys(dbs).filter((d) => dbs[d].status !== 'Succeeded' && dbs[d].status !== 'Canceled');
    const chooser = dbChooser(names, (d) => h('span', { class: 'muted', 'data-latency': d },
      ` \u2013 latency ${dbs[d].latency === null || dbs[d].latency === undefined ? 'unknown' : dbs[d].latency.toFixed(2) + ' s'}, lag ${fmtBytes(dbs[d].lagBytes)}`));
    openDialog('Cutover ' + m.name, [h('p', { text: 'The target takes over: stop the writes on the source first. The last changes are applied, then the stream stops.' }), chooser.node],
      'Cutover', async () => {
        const list = chooser.value();
        const props = { triggerCutover: true };
        if (list) { if (!list.length) { dialogError('Choose at least one database.'); return false; } props.dbsToTriggerCutoverOn = list; }
        await api('PATCH', '/migrations/' + encodeURIComponent(m.name), { properties: props });
        await afterAction('Cutover requested.');
      });
  }

  function openCancel(m) {
    const chooser = dbChooser(m.properties.dbsToMigrate || []);
    openDialog('Cancel ' + m.name, [h('p', { text: 'Canceling stops the migration of the chosen databases; their change streams are removed from the source.' }), chooser.node],
      'Cancel the migration', async () => {
        const list = chooser.value();
        const props = { cancel: true };
        if (list) { if (!list.length) { dialogError('Choose at least one database.'); return false; } props.dbsToCancelMigrationOn = list; }
        await api('PATCH', '/migrations/' + encodeURIComponent(m.name), { properties: props });
        await afterAction('Cancel requested.');
      }, 'danger');
  }

  function openDelete(m) {
    openDialog('Delete ' + m.name, [h('p', { text: 'A finished migration is removed with its history. An active one is canceled first (its target databases are dropped), then removed.' })],
      'Delete', async () => {
        await api('DELETE', '/migrations/' + encodeURIComponent(m.name));
        toast('Deleted ' + m.name + '.');
        location.hash = '#/';
      }, 'danger');
  }

  async function confirmOverwrite(m) {
    try {
      await api('PATCH', '/migrations/' + encodeURIComponent(m.name), { properties: { overwriteDbsInTarget: true } });
      await afterAction('Overwrite confirmed.');
    } catch (e) {
      if (e.status !== 401) toast(plainError(e));
    }
  }

  /* ---- the create form ------------------------------------------------ */

  function field(id, label, input, hint) {
    return h('div', { class: 'field', 'data-field': id }, h('label', { for: 'f-' + id, text: label }), input,
      hint ? h('span', { class: 'hint', text: hint }) : null, h('span', { class: 'err', id: 'err-' + id, role: 'alert' }));
  }

  function openCreate() {
    const inp = (id, attrs) => h('input', Object.assign({ id: 'f-' + id, name: id, autocomplete: 'off' }, attrs || {}));
    const sel = (id, opts) => h('select', { id: 'f-' + id, name: id }, opts.map(([v, t]) => h('option', { value: v, text: t })));
    const f = {
      name: inp('name', { required: true, placeholder: 'sales2026' }),
      sourceServer: inp('sourceServer', { required: true, placeholder: 'host=old-db user=admin' }),
      sourcePassword: inp('sourcePassword', { type: 'password', autocomplete: 'new-password' }),
      targetServer: inp('targetServer', { required: true, placeholder: 'host=new-db user=admin' }),
      targetPassword: inp('targetPassword', { type: 'password', autocomplete: 'new-password' }),
      dbsToMigrate: inp('dbsToMigrate', { required: true, placeholder: 'sales, inventory' }),
      migrationMode: sel('migrationMode', [['Offline', 'Offline'], ['Online', 'Online']]),
      migrationOption: sel('migrationOption', [['ValidateAndMigrate', 'Validate and migrate'], ['Migrate', 'Migrate'], ['Validate', 'Validate only']]),
      overwriteDbsInTarget: inp('overwriteDbsInTarget', { type: 'checkbox' }),
      autoCutover: inp('autoCutover', { type: 'checkbox' }),
      jobs: inp('jobs', { type: 'number', min: 1, max: 64, placeholder: 'default' }),
      migrationWindowStartTimeInUtc: inp('migrationWindowStartTimeInUtc', { placeholder: '2026-12-07T22:00:00Z (optional)' }),
    };
    const nameState = h('span', { class: 'hint', id: 'name-check', 'aria-live': 'polite' });
    const testBtn = h('button', { type: 'button', id: 'test-connection', text: 'Test connection' });
    const testOut = h('div', { id: 'test-result' });
    const nodes = [
      field('name', 'Name', f.name), nameState,
      h('div', { class: 'row2' }, field('sourceServer', 'Source server (connection string)', f.sourceServer), field('sourcePassword', 'Source password', f.sourcePassword, 'Sent once, never kept in the page')),
      h('div', { class: 'row2' }, field('targetServer', 'Target server (connection string)', f.targetServer), field('targetPassword', 'Target password', f.targetPassword)),
      field('dbsToMigrate', 'Databases (comma separated)', f.dbsToMigrate),
      h('div', { class: 'row2' }, field('migrationMode', 'Migration mode', f.migrationMode), field('migrationOption', 'Migration type', f.migrationOption)),
      h('div', { class: 'row2' }, field('jobs', 'Parallel jobs', f.jobs), field('migrationWindowStartTimeInUtc', 'Migration window start (UTC)', f.migrationWindowStartTimeInUtc)),
      h('div', { class: 'checks' }, h('label', {}, f.overwriteDbsInTarget, 'Overwrite databases that exist on the target'),
        h('label', {}, f.autoCutover, 'Cut over automatically once caught up (online)')),
      h('p', {}, testBtn), testOut,
    ];

    function body() {
      const p = {
        sourceServer: f.sourceServer.value.trim(), targetServer: f.targetServer.value.trim(),
        dbsToMigrate: f.dbsToMigrate.value.split(',').map((s) => s.trim()).filter((s) => s),
        migrationMode: f.migrationMode.value, migrationOption: f.migrationOption.value,
        overwriteDbsInTarget: f.overwriteDbsInTarget.checked,
      };
      if (f.autoCutover.checked) p.autoCutover = true;
      if (f.jobs.value) { p.jobs = Number(f.jobs.value); p.indexJobs = Number(f.jobs.value); }
      if (f.migrationWindowStartTimeInUtc.value.trim()) p.migrationWindowStartTimeInUtc = f.migrationWindowStartTimeInUtc.value.trim();
      const b = { properties: p };
      const cred = {};
      if (f.sourcePassword.value) cred.sourceServerPassword = f.sourcePassword.value;
      if (f.targetPassword.value) cred.targetServerPassword = f.targetPassword.value;
      if (Object.keys(cred).length) b.secretParameters = { adminCredentials: cred };
      return b;
    }

    function clearErrors() {
      for (const e of $('dialog-body').querySelectorAll('.field')) { e.classList.remove('invalid'); e.querySelector('.err').textContent = ''; }
    }

    function showFieldError(e) {
      const target = (e.target || '').replace(/^properties\./, '').replace(/^secretParameters\.adminCredentials\./, '').replace(/\[.*$/, '');
      const map = { sourceServerPassword: 'sourcePassword', targetServerPassword: 'targetPassword', indexJobs: 'jobs' };
      const key = map[target] || target;
      const el = $('err-' + key);
      if (el) {
        el.textContent = e.message;
        el.closest('.field').classList.add('invalid');
        $('f-' + key).focus();
        return true;
      }
      return false;
    }

    let nameTimer = null;
    f.name.addEventListener('input', () => {
      clearTimeout(nameTimer);
      nameState.textContent = '';
      const v = f.name.value.trim();
      if (!v) return;
      nameTimer = setTimeout(async () => {
        try {
          const r = await api('GET', '/checkNameAvailability?name=' + encodeURIComponent(v));
          if (f.name.value.trim() !== v) return;
          nameState.textContent = r.nameAvailable ? `\u2714 ${v} is available` : `\u2716 ${r.message || r.reason}`;
          nameState.className = r.nameAvailable ? 'hint' : 'err';
        } catch (e) { /* the submit says it */ }
      }, 350);
    });

    testBtn.addEventListener('click', async () => {
      testOut.replaceChildren(h('p', { class: 'muted', text: 'Testing\u2026' }));
      try {
        const r = await api('POST', '/testConnection', body());
        testOut.replaceChildren(h('p', {}, 'Connection test: ', badge(r.status)), checkTableStatic(r.checks || []));
      } catch (e) {
        if (e.status !== 401) { clearErrors(); if (!showFieldError(e)) testOut.replaceChildren(h('p', { class: 'note bad', text: plainError(e) })); else testOut.replaceChildren(); }
      }
    });

    openDialog('Create a migration', nodes, 'Create', async () => {
      clearErrors();
      const v = f.name.value.trim();
      try {
        await api('PUT', '/migrations/' + encodeURIComponent(v || '-'), Object.assign({ name: v || undefined }, body()));
      } catch (e) {
        if (e.status === 401) throw e;
        if (!showFieldError(e)) dialogError(plainError(e));
        return false;
      }
      f.sourcePassword.value = '';
      f.targetPassword.value = '';
      toast('Created ' + v + '.');
      location.hash = '#/m/' + encodeURIComponent(v);
    });
    f.name.focus();
  }

  function checkTableStatic(checks) {
    return h('div', { class: 'scroll' }, h('table', { id: 'test-checks' },
      h('thead', {}, h('tr', {}, ['Check', 'Status', 'Duration', 'Message'].map((c) => h('th', { text: c })))),
      h('tbody', {}, checks.map((c) => [h('tr', { 'data-check': c.type },
        h('td', { text: c.type }), h('td', {}, badge(c.state)), h('td', { class: 'num', text: c.durationMs !== undefined ? (c.durationMs / 1000).toFixed(2) + ' s' : '\u2013' }),
        h('td', { text: (c.messages || []).map((x) => x.message).join(' ') })),
      c.remediation && c.state !== 'Succeeded' ? h('tr', { class: 'remediation' }, h('td', { colspan: 4, text: 'Remediation: ' + c.remediation })) : null]))));
  }

  /* ---- theme and routing ---------------------------------------------- */

  function applyTheme(t) {
    if (t) document.documentElement.dataset.theme = t;
    else delete document.documentElement.dataset.theme;
    const dark = t ? t === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    $('theme-toggle').textContent = dark ? 'Light' : 'Dark';
    $('theme-toggle').setAttribute('aria-pressed', String(dark));
  }

  $('theme-toggle').addEventListener('click', () => {
    const dark = document.documentElement.dataset.theme ? document.documentElement.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    const t = dark ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, t);
    applyTheme(t);
    if (current && current.relayout) current.relayout();
  });

  function route() {
    takeTokenFromUrl();
    token = sessionStorage.getItem(TOKEN_KEY);
    delete view.dataset.ready;
    if (!token) { showToken(null); return; }
    const m = /^#\/m\/(.+)$/.exec(location.hash);
    const nodes = location.hash === '#/nodes';
    current = m ? detailsView(decodeURIComponent(m[1])) : nodes ? nodesView() : gridView();
    for (const [id, on] of [['nav-migrations', !nodes], ['nav-nodes', nodes]]) {
      if (on) $(id).setAttribute('aria-current', 'page');
      else $(id).removeAttribute('aria-current');
    }
    current.refresh().catch(() => {});
    startTimer();
    view.focus({ preventScroll: true });
  }

  window.addEventListener('hashchange', route);
  applyTheme(localStorage.getItem(THEME_KEY));
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    applyTheme(localStorage.getItem(THEME_KEY));
    if (current && current.relayout) current.relayout();
  });
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (current && current.relayout) current.relayout(); }, 150);
  });
  route();
})();
