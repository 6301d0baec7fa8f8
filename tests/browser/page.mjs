// page.mjs — browser tests of pgshuttle's monitoring page: a real headless
// Chromium (Debian's /usr/bin/chromium) driven by playwright-core against a
// real `pgshuttle serve` that tests/browser/run.sh started, with real
// migrations. One group per run:
//
//   node page.mjs basic|cutover|big
//
// Environment (from run.sh): PGS_WEB_URL (serve's address), PGS_WEB_TOKEN,
// PGS_WEB_DIR (web/, where node_modules is), PGS_WEB_ARTIFACTS (screenshots),
// PGS_SCREENSHOT_DIR (optional second copy), PGS_WEB_SECRETS (passwords that
// must never show, separated by newlines), PGS_WEB_USER_DATA (a fresh
// profile directory). Each test prints "PASS: ..." or "FAIL: ..."; the exit
// code is the number of failures (at most 100).
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.env.PGS_WEB_DIR, 'package.json'));
const { chromium } = require('playwright-core');

const URL_BASE = process.env.PGS_WEB_URL;
const TOKEN = process.env.PGS_WEB_TOKEN;
const ARTIFACTS = process.env.PGS_WEB_ARTIFACTS;
const SECRETS = (process.env.PGS_WEB_SECRETS || '').split('\n').filter((s) => s);
const COLUMNS = ['Name', 'Status', 'Migration mode', 'Migration type', 'Source server',
  'Source server type', 'Databases', 'Duration', 'Start time', 'Node'];
const group = process.argv[2];

let failures = 0;
const results = [];
function pass(msg) { results.push('PASS: ' + msg); console.log('PASS: ' + msg); }
function fail(msg) { failures++; results.push('FAIL: ' + msg); console.log('FAIL: ' + msg); }
function check(cond, msg, detail) { if (cond) pass(msg); else fail(msg + (detail ? ` (${detail})` : '')); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(method, path, body) {
  const res = await fetch(URL_BASE + '/api/v1' + path, {
    method, headers: { Authorization: 'Bearer ' + TOKEN, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* text answers */ }
  return { status: res.status, json, text };
}

async function waitApi(name, pred, seconds) {
  const end = Date.now() + seconds * 1000;
  let r;
  while (Date.now() < end) {
    r = await api('GET', '/migrations/' + name);
    if (r.status === 200 && pred(r.json)) return r.json;
    await sleep(500);
  }
  throw new Error(`${name}: the awaited state did not come within ${seconds}s (last: ${r && r.json && r.json.properties ? r.json.properties.currentStatus.state : r && r.status})`);
}

const state = (m) => m.properties.currentStatus.state;
const sub = (m) => m.properties.currentStatus.currentSubStateDetails.currentSubState;

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    fail(`${name}: ${e.message.split('\n')[0]}`);
    return;
  }
  console.log(`  (${name}: ${Date.now() - t0} ms)`);
}

const userData = process.env.PGS_WEB_USER_DATA;
const context = await chromium.launchPersistentContext(userData, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 800 },
});
const origin = new URL(URL_BASE).origin;
const outside = [];
context.on('request', (req) => { if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) outside.push(req.url()); });
const consoleErrors = [];

async function newPage() {
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/401|404|409|400/.test(m.text())) consoleErrors.push(m.text()); });
  return page;
}

// A page with the token given through the link, on view hash.
async function openWithToken(hash) {
  const page = await newPage();
  await page.goto(`${URL_BASE}/#token=${TOKEN}`);
  await page.waitForSelector('#view[data-ready]');
  if (hash && hash !== '#/') {
    await page.evaluate((h) => { location.hash = h; }, hash);
    await page.waitForSelector('#view[data-ready]');
  }
  return page;
}

async function gridNames(page) {
  return page.$$eval('#grid tbody tr', (trs) => trs.map((tr) => tr.dataset.name));
}

async function rowStatus(page, name) {
  return page.$eval(`#grid tbody tr[data-name="${name}"] .badge`, (b) => b.dataset.status).catch(() => null);
}

async function shoot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, name + '.png');
  await page.screenshot({ path: file, fullPage: false });
  if (process.env.PGS_SCREENSHOT_DIR) {
    mkdirSync(process.env.PGS_SCREENSHOT_DIR, { recursive: true });
    copyFileSync(file, join(process.env.PGS_SCREENSHOT_DIR, name + '.png'));
  }
  return statSync(file).size;
}

function expectedOrder(list) {
  /* newest start first; not started yet before the started ones, newest created first */
  const key = (m) => (m.properties.startedOn ? '1' + m.properties.startedOn : '2' + m.systemData.createdAt);
  return list.slice().sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : a.name.localeCompare(b.name))).map((m) => m.name);
}

// ---------------------------------------------------------------------------
async function basic() {
  await test('the token', async () => {
    const page = await newPage();
    const apiCalls = [];
    page.on('request', (r) => { if (r.url().includes('/api/')) apiCalls.push(r.url()); });
    await page.goto(URL_BASE + '/');
    await page.waitForSelector('#token-form');
    check(apiCalls.length === 0, 'without a token the page asks for it and sends no API request', `${apiCalls.length} sent`);
    await page.goto(`${URL_BASE}/#token=not-the-token`);
    await page.waitForSelector('#token-refused', { timeout: 10000 });
    const text = await page.textContent('#token-form');
    check(/The token was refused/.test(text) && /token/.test(text) && /PGSHUTTLE_TOKEN/.test(text),
      'a wrong token shows "The token was refused" and where to find the right one');
    check(!page.url().includes('not-the-token'), 'the token is removed from the address bar', page.url());
    await page.fill('#token-input', TOKEN);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#grid');
    check(await page.evaluate(() => sessionStorage.getItem('pgshuttle.token') !== null && localStorage.getItem('pgshuttle.token') === null),
      'a token entered in the form opens the grid and is kept in sessionStorage only');
    await page.close();
  });

  const page = await openWithToken('#/');
  await test('grid headers', async () => {
    const heads = await page.$$eval('#grid thead th', (ths) => ths.map((t) => t.textContent.trim()));
    check(JSON.stringify(heads) === JSON.stringify(COLUMNS), 'the grid\'s columns in order: ' + heads.join(', '));
  });

  await test('grid order and statuses', async () => {
    await page.click('#refresh');
    await sleep(500);
    const list = (await api('GET', '/migrations?filter=All')).json.value;
    const names = await gridNames(page);
    const want = expectedOrder(list);
    check(names.length >= 3 && JSON.stringify(names) === JSON.stringify(want), `the grid lists newest start first (${names.join(', ')})`, `want ${want.join(', ')}`);
    const starts = await page.$$eval('#grid tbody tr td:nth-child(9)', (tds) => tds.map((t) => t.textContent));
    const started = starts.filter((s) => s !== '\u2013');
    check(started.every((s, i) => i === 0 || started[i - 1] >= s), 'the Start time column descends', starts.join(' | '));
    let same = true;
    for (const m of list) if ((await rowStatus(page, m.name)) !== state(m)) same = false;
    check(same, 'each row shows its status in the API\'s exact words');
    const html = await page.content();
    check(SECRETS.every((s) => !html.includes(s)), 'no password in the grid');
    const gridText = await page.textContent('#grid');
    check(!/undefined|\[object |NaN/.test(gridText), 'nothing in the grid reads undefined, NaN or [object ...]');
    const src = await page.$eval('#grid tbody tr[data-name="web-on"] td:nth-child(5)', (td) => td.textContent);
    check(/^127\.0\.0\.1:\d+\/\w+$/.test(src), 'the source server is shown as host:port/user: ' + src);
  });

  await test('grid: the node column', async () => {
    /* web-on streams: its worker holds the lease, and the API names the worker's node */
    const m = await waitApi('web-on', (r) => r.properties.node, 60);
    await page.click('#refresh');
    await page.waitForFunction((want) => {
      const td = document.querySelector('#grid tbody tr[data-name="web-on"] td:nth-child(10)');
      return td && td.textContent === want;
    }, m.properties.node, { timeout: 5000 });
    pass(`the Node column shows the node running web-on: ${m.properties.node}`);
    const off = (await api('GET', '/migrations/web-off')).json.properties.node;
    const cell = await page.$eval('#grid tbody tr[data-name="web-off"] td:nth-child(10)', (td) => td.textContent);
    check(off === null && cell === '\u2013', 'a finished migration has no node (a dash)', `${off} / ${cell}`);
    const fits = await page.$eval('#grid-wrap', (w) => w.scrollWidth <= w.clientWidth + 1);
    check(fits, 'on a laptop (1280 px) every column of the grid, Node included, fits without scrolling sideways');
  });

  await test('refresh', async () => {
    await page.uncheck('#auto-refresh');
    try {
      const created = await api('PUT', '/migrations/web-val', {
        properties: {
          sourceServer: process.env.PGS_WEB_SRC, targetServer: process.env.PGS_WEB_TGT,
          dbsToMigrate: ['pgs_web_on'], migrationMode: 'Offline', migrationOption: 'Validate',
        },
        secretParameters: { adminCredentials: { sourceServerPassword: process.env.PGS_WEB_SRC_PW, targetServerPassword: process.env.PGS_WEB_TGT_PW } },
      });
      check(created.status === 201, 'web-val created through the API (201)', created.status + ' ' + created.text.slice(0, 200));
      check((await gridNames(page)).indexOf('web-val') < 0, 'with auto-refresh off, the grid does not show it by itself');
      await page.click('#refresh');
      await page.waitForSelector('#grid tbody tr[data-name="web-val"]', { timeout: 5000 });
      const first = await rowStatus(page, 'web-val');
      pass(`Refresh shows the new migration (status ${first})`);
      const names = await gridNames(page);
      check(names[0] === 'web-val', 'the newest migration is the first row', names.join(', '));
      const done = state(await waitApi('web-val', (m) => m.properties.endedOn !== null, 120));
      await sleep(6000); /* longer than an auto-refresh period: the switch holds */
      check(await rowStatus(page, 'web-val') === first, `with auto-refresh off the row still shows ${first}`);
      await page.click('#refresh');
      await page.waitForFunction((want) => document.querySelector('#grid tbody tr[data-name="web-val"] .badge').dataset.status === want, done, { timeout: 5000 });
      check(first !== done, `Refresh shows the status change ${first} -> ${done}`);
    } finally {
      await page.check('#auto-refresh');
    }
  });

  await test('grid auto-refresh in place', async () => {
    await page.selectOption('#filter', 'All');
    await page.waitForSelector('#view[data-ready]');
    await page.evaluate(() => { document.querySelector('#grid tbody tr').pgsMark = 'kept'; });
    let lists = 0;
    const onReq = (r) => { if (/\/api\/v1\/migrations\?(view=grid&)?filter=/.test(r.url())) lists++; };
    page.on('request', onReq);
    const end = Date.now() + 12000;
    while (lists < 1 && Date.now() < end) await sleep(200);
    await sleep(300);
    page.off('request', onReq);
    check(lists >= 1, 'the grid refreshes by itself every ~5 s', `${lists} list requests in 12 s`);
    check(await page.evaluate(() => document.querySelector('#grid tbody tr').pgsMark === 'kept') && (await page.inputValue('#filter')) === 'All',
      'the refresh updates the rows in place (same row elements, the filter kept)');
  });

  await test('details: validation and remediation', async () => {
    const m = await waitApi('web-on', (r) => {
      const v = r.properties.currentStatus.currentSubStateDetails.validationDetails;
      return v.status && v.dbLevelValidationDetails.length > 0;
    }, 120);
    await page.click('#grid tbody tr[data-name="web-on"] a');
    await page.waitForSelector('#view[data-ready]');
    await page.waitForSelector('#checks-instance');
    const v = m.properties.currentStatus.currentSubStateDetails.validationDetails;
    const inst = await page.$$eval('#checks-instance tbody tr.check', (trs) => trs.map((t) => [t.dataset.check, t.dataset.state]));
    check(inst.length > 0 && JSON.stringify(inst) === JSON.stringify(v.serverLevelValidationDetails.map((c) => [c.type, c.state])),
      `Validation details for instance: ${inst.length} checks as in the API`);
    const dbChecks = v.dbLevelValidationDetails[0];
    const dbRows = await page.$$eval(`#checks-db-${dbChecks.databaseName} tbody tr.check`, (trs) => trs.map((t) => [t.dataset.check, t.dataset.state]));
    check(dbRows.length > 0 && JSON.stringify(dbRows) === JSON.stringify(dbChecks.summary.map((c) => [c.type, c.state])),
      `Validation details for database ${dbChecks.databaseName}: ${dbRows.length} checks as in the API`);
    const all = [...v.serverLevelValidationDetails.map((c) => ['instance', c]), ...dbChecks.summary.map((c) => ['db', c])];
    const warn = all.find(([, c]) => c.state === 'Warning' || c.state === 'Failed');
    if (!warn) throw new Error('no Warning or Failed check in web-on\'s validation: nothing to open');
    const table = warn[0] === 'instance' ? '#checks-instance' : `#checks-db-${dbChecks.databaseName}`;
    await page.click(`${table} tr[data-check="${warn[1].type}"] button.check-open`);
    const rem = await page.textContent(`${table} tr.remediation`);
    check(rem.includes((warn[1].remediation || 'No remediation').slice(0, 40)), `selecting the ${warn[1].state} check ${warn[1].type} opens its remediation`);
    check((await page.textContent('#action-cutover')) === 'Cutover', 'the Cutover button is there');
    const html = await page.content();
    check(SECRETS.every((s) => !html.includes(s)), 'no password in the details');
  });

  await test('details: auto-refresh keeps scroll and what is open', async () => {
    await page.evaluate(() => window.scrollTo(0, 300));
    const y0 = await page.evaluate(() => window.scrollY);
    let gets = 0;
    const onReq = (r) => { if (/\/api\/v1\/migrations\/web-on$/.test(r.url())) gets++; };
    page.on('request', onReq);
    const end = Date.now() + 12000;
    while (gets < 1 && Date.now() < end) await sleep(200);
    await sleep(1000);
    page.off('request', onReq);
    const y1 = await page.evaluate(() => window.scrollY);
    const open = await page.$$('tr.remediation');
    check(gets >= 1 && open.length === 1 && Math.abs(y1 - y0) < 3,
      'after an auto-refresh the remediation stays open and the scroll position stays', `refreshes ${gets}, open ${open.length}, scroll ${y0} -> ${y1}`);
  });

  await test('details: databases, tables, events, log, chart', async () => {
    await page.waitForSelector('#databases .card[data-db="pgs_web_on"]');
    const card = await page.textContent('#databases .card[data-db="pgs_web_on"]');
    check(/Rows copied/.test(card) && /Latency/.test(card) && /Inserts \/ updates \/ deletes \/ truncates applied/.test(card) && /Confirmed LSN/.test(card),
      'the database card shows copy figures, latency, applied changes and LSNs', card.slice(0, 400));
    check(/Incoming changes/.test(card) && /Apply rate/.test(card) && /Ready for cutover/.test(card) && /Lag trend/.test(card),
      'the database card shows the incoming and apply rates, the lag trend and when it is ready for cutover', card.slice(0, 800));
    const etaNote = await page.textContent('#cutover-eta');
    check(/Ready for cutover/.test(etaNote || ''), 'the summary says when the migration is ready for cutover: ' + etaNote);
    await page.waitForSelector('#tables-list');
    const tbl = (await api('GET', '/migrations/web-on/tables')).json.value;
    const rows = await page.$$('#tables-list tbody tr');
    check(rows.length > 0 && rows.length === tbl.length, `the table list shows the API's ${tbl.length} tables`, `${rows.length} rows`);
    await page.click('#tables-list button[data-sort="rows"]');
    await page.click('#tables-list button[data-sort="rows"]');
    const counts = await page.$$eval('#tables-list tbody tr td:nth-child(4)', (tds) => tds.map((t) => Number(t.textContent.replace(/,/g, ''))));
    check(counts.every((c, i) => i === 0 || counts[i - 1] >= c), 'the table list sorts by rows (descending on the second click)');
    const one = tbl[0].table;
    await page.fill('#table-search', one);
    const found = await page.$$eval('#tables-list tbody tr', (trs) => trs.map((t) => t.dataset.table));
    check(found.length >= 1 && found.every((t) => t.includes(one)), `searching "${one}" keeps the matching tables only`);
    await page.fill('#table-search', '');
    const evs = await page.$$('#events-list tbody tr');
    const kinds = await page.$$eval('#events-list tbody tr', (trs) => trs.map((t) => t.dataset.kind));
    check(evs.length > 0 && !kinds.includes('streaming'), `the event history shows ${evs.length} events, no streaming samples by default`);
    let pages = 1;
    while (await page.$('#events-more')) { await page.click('#events-more'); pages++; }
    const sentences = await page.$$eval('#events-list tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent));
    check(pages > 1 || sentences.length <= 50, `the history pages by 50 (${sentences.length} events in ${pages} pages)`);
    check(sentences.some((t) => /^Status: In progress/.test(t)) && sentences.some((t) => /^Table \S+ copied in pgs_web_on: [\d,]+ rows/.test(t)),
      'events read as sentences (Status: ..., Table ... copied in ...: N rows)', sentences.slice(0, 3).join(' | '));
    const whole = await page.textContent('#view');
    const junk = /undefined|\[object |NaN/.exec(whole);
    check(!junk, 'nothing in the details reads undefined, NaN or [object ...]', junk && whole.slice(Math.max(0, junk.index - 80), junk.index + 40));
    const log = await page.textContent('#log-text');
    check(log.length > 0 && SECRETS.every((s) => !log.includes(s)), 'the log tail is shown, without a password');
    await page.waitForSelector('#chart canvas', { timeout: 15000 });
    pass('the latency and lag chart is drawn (uPlot canvas)');
  });

  await test('a failed migration', async () => {
    const m = await waitApi('web-fail', (r) => ['Failed', 'Validation failed'].includes(state(r)), 120);
    await page.evaluate(() => { location.hash = '#/m/web-fail'; });
    await page.waitForSelector('#migration-error');
    const text = await page.textContent('#migration-error');
    check(text.includes(m.properties.currentStatus.error.slice(0, 60)), 'a Failed migration shows its error: ' + text.slice(0, 120));
    check(await page.isDisabled('#action-cutover'), 'Cutover is disabled when not waiting for cutover');
  });

  await test('create form', async () => {
    await page.evaluate(() => { location.hash = '#/'; });
    await page.waitForSelector('#grid');
    await page.click('#create');
    await page.waitForSelector('dialog[open] #f-name');
    await page.fill('#f-name', 'Bad_Name');
    await page.waitForSelector('#name-check.err', { timeout: 5000 });
    pass('the name is checked while typing: ' + (await page.textContent('#name-check')));
    await page.fill('#f-sourceServer', process.env.PGS_WEB_SRC);
    await page.fill('#f-targetServer', process.env.PGS_WEB_TGT);
    await page.fill('#f-dbsToMigrate', 'pgs_web_off');
    await page.click('#dialog-ok');
    await page.waitForSelector('.field.invalid[data-field="name"]', { timeout: 5000 });
    const msg = await page.textContent('#err-name');
    const direct = await api('PUT', '/migrations/Bad_Name', { properties: { sourceServer: process.env.PGS_WEB_SRC, targetServer: process.env.PGS_WEB_TGT, dbsToMigrate: ['pgs_web_off'] } });
    check(direct.status === 400 && msg === direct.json.error.message, 'the create form shows the API\'s 400 message at the name field: ' + msg);
    check(await page.isVisible('dialog[open]'), 'the form stays open after the error');
    await page.fill('#f-name', 'web-new');
    await page.fill('#f-sourceServer', 'this is not a connection string');
    await page.click('#dialog-ok');
    await page.waitForSelector('.field.invalid[data-field="sourceServer"]', { timeout: 5000 });
    pass('a bad source connection string shows at its field: ' + (await page.textContent('#err-sourceServer')));
    check((await api('GET', '/migrations/web-new')).status === 404, 'nothing was created');
    await page.fill('#f-sourceServer', process.env.PGS_WEB_SRC);
    await page.fill('#f-sourcePassword', process.env.PGS_WEB_SRC_PW);
    await page.fill('#f-targetPassword', process.env.PGS_WEB_TGT_PW);
    await page.click('#test-connection');
    await page.waitForSelector('#test-checks', { timeout: 30000 });
    const testRows = await page.$$eval('#test-checks tbody tr[data-check]', (rows) => rows.map((r) => r.textContent));
    const testApi = await api('POST', '/testConnection', { properties: { sourceServer: process.env.PGS_WEB_SRC, targetServer: process.env.PGS_WEB_TGT, dbsToMigrate: ['pgs_web_off'] }, secretParameters: { adminCredentials: { sourceServerPassword: process.env.PGS_WEB_SRC_PW, targetServerPassword: process.env.PGS_WEB_TGT_PW } } });
    check(testApi.status === 200 && testRows.length === testApi.json.checks.length && testRows.length > 0,
      `Test connection shows the instance checks: ${testRows.length} rows (the API: ${testApi.json && testApi.json.checks ? testApi.json.checks.length : testApi.status})`);
    check(testRows.some((t) => /connectivity/i.test(t)) && !testRows.some((t) => /Failed/.test(t)),
      'the connection checks include connectivity and none failed with the right passwords');
    const pageText = await page.textContent('body');
    check(!pageText.includes(process.env.PGS_WEB_SRC_PW) && !pageText.includes(process.env.PGS_WEB_TGT_PW), 'no password in the page after the connection test');
    await page.click('#dialog-cancel');
    check(!(await page.isVisible('dialog[open]')), 'the dialog closes');
  });

  await test('nodes view: drain and resume', async () => {
    await page.click('#nav-nodes');
    await page.waitForSelector('#nodes tbody tr[data-name="web-node-a"]');
    check((await page.getAttribute('#nav-nodes', 'aria-current')) === 'page', 'the Nodes tab is the current one');
    const heads = await page.$$eval('#nodes thead th', (ths) => ths.map((t) => t.textContent.trim()));
    check(heads.join('|') === 'Name|State|Running / capacity|Heartbeat age|Address|Version|Migrations|Action', 'the nodes\' columns: ' + heads.join(', '));
    const badgeOf = (n) => page.$eval(`#nodes tbody tr[data-name="${n}"] .badge`, (b) => b.dataset.status);
    check(await badgeOf('web-node-a') === 'Up' && await badgeOf('web-node-b') === 'Stopped', 'each node\'s state as the API says: Up, Stopped');
    const row = await page.textContent('#nodes tbody tr[data-name="web-node-a"]');
    check(row.includes('0 / 4') && row.includes(process.env.PGS_WEB_URL), 'running / capacity and the address: ' + row);
    check(await page.$(`#nodes tbody tr[data-name="web-node-a"] a[href="${process.env.PGS_WEB_URL}"]`) !== null, 'an http address is a link');
    check(await page.$eval('#nodes tbody tr[data-name="web-node-b"] td:nth-child(3)', (td) => td.textContent) === '0 / no limit', 'a node with no limit says so');
    check(await page.$('#nodes tbody tr[data-name="web-node-b"] button.node-action') === null, 'a stopped node has no Drain button');

    await page.click('#nodes tbody tr[data-name="web-node-a"] button.node-action');
    await page.waitForSelector('dialog[open]');
    check((await page.textContent('#dialog-title')) === 'Drain web-node-a', 'Drain asks first');
    await page.click('#dialog-ok');
    await page.waitForFunction(() => document.querySelector('#nodes tbody tr[data-name="web-node-a"] .badge').dataset.status === 'Draining', null, { timeout: 5000 });
    let n = (await api('GET', '/nodes/web-node-a')).json;
    check(n.state === 'Draining' && n.draining === true, 'Drain through the button: the API says Draining', n.state);
    check((await page.textContent('#nodes tbody tr[data-name="web-node-a"] button.node-action')) === 'Resume', 'a draining node offers Resume');

    await page.click('#nodes tbody tr[data-name="web-node-a"] button.node-action');
    await page.waitForSelector('dialog[open]');
    await page.click('#dialog-ok');
    await page.waitForFunction(() => document.querySelector('#nodes tbody tr[data-name="web-node-a"] .badge').dataset.status === 'Up', null, { timeout: 5000 });
    n = (await api('GET', '/nodes/web-node-a')).json;
    check(n.state === 'Up' && n.draining === false, 'Resume through the button: the API says Up again', n.state);

    /* auto-refresh in place: the same row element after a refresh */
    await page.evaluate(() => { document.querySelector('#nodes tbody tr').pgsMark = 'kept'; });
    let lists = 0;
    const onReq = (r) => { if (/\/api\/v1\/nodes$/.test(r.url())) lists++; };
    page.on('request', onReq);
    const end = Date.now() + 12000;
    while (lists < 1 && Date.now() < end) await sleep(200);
    await sleep(300);
    page.off('request', onReq);
    check(lists >= 1 && await page.evaluate(() => document.querySelector('#nodes tbody tr').pgsMark === 'kept'),
      'the nodes refresh by themselves, rows updated in place', `${lists} requests`);
    const text = await page.textContent('#view');
    check(!/undefined|\[object |NaN/.test(text), 'nothing in the nodes view reads undefined, NaN or [object ...]');

    /* the details name the node */
    const m = (await api('GET', '/migrations/web-on')).json;
    await page.evaluate(() => { location.hash = '#/m/web-on'; });
    await page.waitForSelector('#view[data-ready]');
    const summary = await page.textContent('#summary');
    check(m.properties.node ? summary.includes(m.properties.node) : /waiting for a node/.test(summary), 'the details show the node: ' + (m.properties.node || 'none'));
    await page.evaluate(() => { location.hash = '#/'; });
    await page.waitForSelector('#grid');
  });

  await test('screenshots', async () => {
    const sizes = [];
    for (const [w, hgt, tag] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
      await page.setViewportSize({ width: w, height: hgt });
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.evaluate(() => { location.hash = '#/'; });
        await page.waitForSelector('#grid tbody tr');
        await sleep(300);
        sizes.push(await shoot(page, `grid-${scheme}-${tag}`));
        await page.evaluate(() => { location.hash = '#/nodes'; });
        await page.waitForSelector('#nodes tbody tr');
        await sleep(300);
        sizes.push(await shoot(page, `nodes-${scheme}-${tag}`));
        await page.evaluate(() => { location.hash = '#/m/web-on'; });
        await page.waitForSelector('#view[data-ready]');
        await page.waitForSelector('#chart canvas', { timeout: 10000 }).catch(() => {});
        await sleep(300);
        sizes.push(await shoot(page, `details-${scheme}-${tag}`));
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForSelector('#view[data-ready]');
    await page.screenshot({ path: join(ARTIFACTS, 'details-full-light-desktop.png'), fullPage: true });
    check(sizes.length === 12 && sizes.every((s) => s > 5000), `12 screenshots in ${ARTIFACTS} (grid, nodes and details, light and dark, desktop and phone)`);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => { location.hash = '#/'; });
    await page.waitForSelector('#grid tbody tr');
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    check(fits, 'on a phone the page does not scroll sideways (the grid scrolls in its box)');
    await page.evaluate(() => { location.hash = '#/nodes'; });
    await page.waitForSelector('#nodes tbody tr');
    check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'nor does the nodes view (its table scrolls in its box)');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
  });
  await page.close();
}

// ---------------------------------------------------------------------------
async function cutover() {
  const page = await openWithToken('#/m/web-on');
  await test('cutover', async () => {
    await waitApi('web-on', (m) => state(m) === 'Waiting for user action' && sub(m) === 'Waiting for cutover', 240);
    await page.click('#refresh');
    await page.waitForSelector('#action-cutover:not([disabled])', { timeout: 10000 });
    pass('Cutover is enabled: Waiting for user action / Waiting for cutover');
    await page.click('#action-cutover');
    await page.waitForSelector('dialog[open] [data-latency="pgs_web_on"]');
    const lat = await page.textContent('dialog[open] [data-latency="pgs_web_on"]');
    check(/latency (\d+\.\d\d s|unknown)/.test(lat), 'the confirmation shows the database\'s current latency:' + lat);
    await page.click('#dialog-ok');
    await page.waitForSelector('dialog[open]', { state: 'detached', timeout: 10000 }).catch(() => {});
    check(!(await page.isVisible('dialog[open]')), 'the cutover request is accepted (the dialog closes)');
    await page.evaluate(() => { location.hash = '#/'; });
    await page.waitForSelector('#grid tbody tr[data-name="web-on"]');
    await page.waitForFunction(() => document.querySelector('#grid tbody tr[data-name="web-on"] .badge').dataset.status === 'Succeeded', null, { timeout: 180000, polling: 500 });
    pass('the grid then shows web-on Succeeded');
  });
  await test('confirm overwrite', async () => {
    const created = await api('PUT', '/migrations/web-ow', {
      properties: {
        sourceServer: process.env.PGS_WEB_SRC, targetServer: process.env.PGS_WEB_TGT,
        dbsToMigrate: ['pgs_web_off'], migrationMode: 'Offline', migrationOption: 'Migrate', jobs: 2, indexJobs: 2,
      },
      secretParameters: { adminCredentials: { sourceServerPassword: process.env.PGS_WEB_SRC_PW, targetServerPassword: process.env.PGS_WEB_TGT_PW } },
    });
    check(created.status === 201, 'web-ow (pgs_web_off again, which the target has) created through the API (201)', String(created.status));
    await waitApi('web-ow', (m) => sub(m) === 'Waiting for overwrite confirmation', 120);
    await page.evaluate(() => { location.hash = '#/m/web-ow'; });
    await page.waitForSelector('#action-overwrite', { timeout: 10000 });
    check(await page.isDisabled('#action-cutover'), 'waiting for an overwrite confirmation: Confirm overwrite shown, Cutover disabled');
    await page.click('#action-overwrite');
    await page.waitForFunction(() => { const b = document.querySelector('#summary .badge'); return b && b.dataset.status === 'Succeeded'; }, null, { timeout: 120000, polling: 500 });
    pass('Confirm overwrite in the page: web-ow then Succeeded');
    await page.evaluate(() => { location.hash = '#/'; });
    await page.waitForSelector('#grid');
  });
  await test('cancel', async () => {
    const at = new Date(Date.now() + 2 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const created = await api('PUT', '/migrations/web-win', {
      properties: {
        sourceServer: process.env.PGS_WEB_SRC, targetServer: process.env.PGS_WEB_TGT, dbsToMigrate: ['pgs_web_on'],
        migrationMode: 'Offline', migrationOption: 'Migrate', migrationWindowStartTimeInUtc: at,
      },
    });
    check(created.status === 201, 'web-win (its window opens in 2 hours) created through the API (201)', String(created.status));
    await page.click('#refresh');
    await page.waitForSelector('#grid tbody tr[data-name="web-win"]');
    const names = await gridNames(page);
    const start = await page.$eval('#grid tbody tr[data-name="web-win"] td:nth-child(9)', (td) => td.textContent);
    check(names[0] === 'web-win' && start === '\u2013', 'a migration not started yet comes first, with no start time', names.join(', '));
    await page.click('#grid tbody tr[data-name="web-win"] a');
    await page.waitForSelector('#action-cancel:not([disabled])');
    await page.click('#action-cancel');
    await page.waitForSelector('dialog[open] #dbs-some');
    await page.check('#dbs-some');
    check(await page.isChecked('dialog[open] input[data-db="pgs_web_on"]'), 'the cancel dialog lets the user choose databases');
    await page.click('#dialog-ok');
    await page.waitForFunction(() => { const b = document.querySelector('#summary .badge'); return b && b.dataset.status === 'Canceled'; }, null, { timeout: 60000, polling: 500 });
    const evs = (await api('GET', '/migrations/web-win/events')).json.value;
    const req = evs.find((e) => e.kind === 'request');
    check(req && JSON.stringify(req.event.databases) === '["pgs_web_on"]', 'Cancel in the page for the chosen database: the request names it, and the migration is Canceled', req && JSON.stringify(req.event));
    await page.evaluate(() => { location.hash = '#/'; });
    await page.waitForSelector('#grid');
  });
  await test('delete', async () => {
    await page.click('#grid tbody tr[data-name="web-val"] a');
    await page.waitForSelector('#action-delete');
    await page.click('#action-delete');
    await page.waitForSelector('dialog[open]');
    await page.click('#dialog-ok');
    await page.waitForSelector('#grid');
    await page.waitForFunction(() => !document.querySelector('#grid tbody tr[data-name="web-val"]'), null, { timeout: 10000 });
    check((await api('GET', '/migrations/web-val')).status === 404, 'Delete in the page removes the finished migration (the grid and the API no longer have it)');
  });
  await page.close();
}

// ---------------------------------------------------------------------------
async function big() {
  const page = await newPage();
  await test('1,000 migrations', async () => {
    await page.goto(`${URL_BASE}/#token=${TOKEN}`);
    await page.waitForSelector('#view[data-ready]');
    const times = [];
    const inPage = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      await page.reload();
      await page.waitForFunction(() => document.querySelectorAll('#grid tbody tr').length >= 1000 && document.querySelector('#view[data-ready]'), null, { timeout: 60000, polling: 'raf' });
      times.push(Date.now() - t0);
      const parts = await page.evaluate(() => {
        const list = performance.getEntriesByType('resource').filter((e) => /\/api\/v1\/migrations\?(view=grid&)?filter=/.test(e.name)).pop();
        const drawn = performance.getEntriesByName('pgshuttle-grid-drawn').pop();
        return list && drawn ? { api: Math.round(list.responseEnd - list.requestStart), bytes: list.encodedBodySize, drawn: Math.round(drawn.startTime), draw: Math.round(drawn.startTime - list.responseEnd) } : null;
      });
      if (parts) {
        inPage.push(parts.drawn);
        console.log(`  load ${i + 1}: ${times[i]} ms to the rows seen; in the page: grid drawn ${parts.drawn} ms after navigation start, of which the list's answer (${parts.bytes} bytes) ${parts.api} ms and parsing + drawing ${parts.draw} ms`);
      }
    }
    const n = await page.$$eval('#grid tbody tr', (t) => t.length);
    const names = await gridNames(page);
    check(n === 1000 && names[0] === 'seed-0' && names[999] === 'seed-999', `the grid shows the 1,000 seeded migrations, newest first (${n} rows)`);
    times.sort((a, b) => a - b);
    console.log(`MEASURE: grid with 1,000 migrations rendered (navigation to grid visible) in ${times[1]} ms (median of 3: ${times.join(', ')} ms)`);
    check(inPage.length === 3, 'the page marks when the grid is drawn');
    inPage.sort((a, b) => a - b);
    console.log(`MEASURE: grid with 1,000 migrations drawn ${inPage[1]} ms after navigation start, as the page measures it (median of 3: ${inPage.join(', ')} ms)`);
    const t1 = Date.now();
    await page.click('#refresh');
    await page.waitForFunction(() => document.querySelectorAll('#grid tbody tr').length >= 1000);
    console.log(`MEASURE: a refresh of the 1,000-row grid took ${Date.now() - t1} ms`);
    for (const view of ['grid', 'full']) {
      const t2 = Date.now();
      const size = (await api('GET', `/migrations?filter=All&view=${view}`)).text.length;
      console.log(`MEASURE: the API's list of 1,000 alone (view=${view}, fetched from node) took ${Date.now() - t2} ms, ${size} bytes`);
    }
  });
  await test('empty state', async () => {
    await page.selectOption('#filter', 'Active');
    await page.waitForSelector('#grid-empty:not([hidden])', { timeout: 10000 });
    const text = await page.textContent('#grid-empty');
    check(/No active migration/.test(text) && /Create migration/.test(text) && /pgshuttle create/.test(text) && /PUT \/api\/v1\/migrations/.test(text),
      'with no active migration the page says how to create one (button, CLI, API)', text.slice(0, 200));
    check(await page.isHidden('#grid-wrap'), 'and shows no empty grid');
    await page.selectOption('#filter', 'All');
  });
  await page.close();
}

try {
  if (group === 'basic') await basic();
  else if (group === 'cutover') await cutover();
  else if (group === 'big') await big();
  else throw new Error('usage: node page.mjs basic|cutover|big');
  check(outside.length === 0, 'the page made no request outside the server', outside.slice(0, 3).join(' '));
  check(consoleErrors.length === 0, 'no script error in the page', consoleErrors.slice(0, 3).join(' | '));
} catch (e) {
  fail('browser: ' + e.message.split('\n')[0]);
} finally {
  await context.close();
}
process.exit(Math.min(failures, 100));
