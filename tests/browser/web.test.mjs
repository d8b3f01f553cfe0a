// web.test.mjs — real-browser test of `equitylens serve` with playwright-core
// driving Debian's chromium: log in, upload an extract, see the import result,
// open the explorer, switch lens, see the chart and table, trends, who is
// missing, data quality, download the board pack (HTML, XLSX, PDF); a viewer
// is refused an analyst page; screenshots go to tests/browser/screenshots/.
// Run by tests/browser/run.sh with EQUITYLENS (binary) and ROOT (repo) set.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = process.env.EQUITYLENS;
const ROOT = process.env.ROOT;
const CHROMIUM = process.env.EL_CHROMIUM || '/usr/bin/chromium';
const T = fs.mkdtempSync(path.join(os.tmpdir(), 'elbrowser-'));
const SHOTS = path.join(ROOT, 'tests/browser/screenshots');
fs.mkdirSync(SHOTS, { recursive: true });
const DB = path.join(T, 'web.db');
const env = { ...process.env, EQUITYLENS_DATA: path.join(ROOT, 'data'),
              EQUITYLENS_KEY_FILE: path.join(T, 'pseudonym.key'), EQUITYLENS_MAPPINGS: path.join(ROOT, 'mappings') };
let passed = 0, failed = 0;

function user(name, role, pw) {
  const r = spawnSync(BIN, ['user', 'add', name, '--role', role, '--db', DB], { input: pw + '\n', env });
  assert.equal(r.status, 0, `user add ${name}: ${r.stderr}`);
}

async function check(what, fn) {
  if (failed) { console.log(`  skip ${what}`); return; }
  try { await fn(); passed++; console.log(`  ok   ${what}`); }
  catch (e) { failed++; console.log(`  FAIL ${what}: ${e.message}`); }
}

async function startServer() {
  const portFile = path.join(T, 'port');
  const args = ['serve', '--db', DB, '--port', '0', '--port-file', portFile, '--spool', T,
                '--access-log', path.join(T, 'access.log'), '--assets', path.join(ROOT, 'node_modules/nhsuk-frontend/dist/nhsuk')];
  const p = spawn(BIN, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    if (fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim()) break;
    await new Promise(r => setTimeout(r, 50));
  }
  return { p, base: `http://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}` };
}

async function login(page, base, name, pw) {
  await page.goto(`${base}/datasets`);
  assert.match(page.url(), /\/login/);
  await page.fill('#username', name);
  await page.fill('#password', pw);
  await Promise.all([page.waitForURL(u => !/\/login/.test(u.pathname)), page.click('#login')]);
}

const extract = path.join(T, 'outpatients.csv');
const synth = spawnSync(BIN, ['synth', '--kind', 'appointments', '--rows', '4000', '--seed', '5', '--lsoa21', '--out', extract], { env });
assert.equal(synth.status, 0, `synth: ${synth.stderr}`);
user('ann', 'analyst', 'analyst password 1');
user('vic', 'viewer', 'viewer password 1');
const { p: server, base } = await startServer();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

try {
  const ctx = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(60000);

  await check('analyst logs in', async () => {
    await login(page, base, 'ann', 'analyst password 1');
    assert.match(page.url(), /\/datasets$/);
    assert.match(await page.textContent('#el-user'), /ann \(analyst\)/);
  });
  await page.screenshot({ path: path.join(SHOTS, 'datasets.png'), fullPage: true });

  let datasetId = null;
  await check('upload an extract and see the import result', async () => {
    await page.selectOption('#kind', 'appointments');
    await page.setInputFiles('#file', extract);
    await Promise.all([page.waitForURL(/\/imports\/\d+$/), page.click('#upload-button')]);
    await page.waitForSelector('#import-state[data-state="done"]', { timeout: 120000 });
    assert.equal((await page.textContent('#rows-read')).trim(), '4000');
    const acc = Number((await page.textContent('#rows-accepted')).trim());
    const rej = Number((await page.textContent('#rows-rejected')).trim());
    assert.equal(acc + rej, 4000);
    datasetId = (await page.textContent('#dataset-id')).trim();
    assert.match(datasetId, /^\d+$/);
  });
  await page.screenshot({ path: path.join(SHOTS, 'import-result.png'), fullPage: true });

  await check('open the explorer: chart and table', async () => {
    await Promise.all([page.waitForURL(/\/explore/), page.click('#open-explorer')]);
    await page.waitForSelector('#chart svg');
    const rows = await page.$$('#result-table tbody tr');
    assert.ok(rows.length >= 3, `table rows: ${rows.length}`);
    assert.match(await page.textContent('#result-title'), /by/);
    assert.match(await page.textContent('.el-policy'), /Disclosure control/);
  });
  await page.screenshot({ path: path.join(SHOTS, 'explorer.png'), fullPage: true });

  await check('switch lens', async () => {
    const before = await page.textContent('#result-title');
    await page.selectOption('#lens', 'ethnic_group');
    await Promise.all([page.waitForURL(/lens=ethnic_group/), page.click('#show')]);
    const after = await page.textContent('#result-title');
    assert.notEqual(before, after);
    assert.match(after, /[Ee]thnic/);
    await page.waitForSelector('#chart svg');
    const cells = await page.$$eval('#result-table tbody th', ths => ths.map(t => t.textContent));
    assert.ok(cells.some(c => /White/.test(c)), cells.join('|'));
  });
  await page.screenshot({ path: path.join(SHOTS, 'explorer-ethnic-group.png'), fullPage: true });

  await check('trends with SPC', async () => {
    await page.goto(`${base}/trends?dataset=${datasetId}`);
    assert.ok((await page.$$('.spc-chart svg')).length > 0 || (await page.$('#no-trend')) !== null);
  });
  await page.screenshot({ path: path.join(SHOTS, 'trends.png'), fullPage: true });

  await check('who is missing', async () => {
    await page.goto(`${base}/missing?dataset=${datasetId}`);
    await page.waitForSelector('.missing-table');
    assert.match(await page.textContent('#catchment'), /LSOAs/);
  });
  await page.screenshot({ path: path.join(SHOTS, 'missing.png'), fullPage: true });

  await check('data quality', async () => {
    await page.goto(`${base}/quality?dataset=${datasetId}`);
    await page.waitForSelector('#quality-fields');
    assert.match(await page.textContent('#quality-fields'), /ethnic_category/);
  });
  await page.screenshot({ path: path.join(SHOTS, 'quality.png'), fullPage: true });

  for (const [fmt, magic] of [['html', '<!DOCTYPE'], ['xlsx', 'PK'], ['pdf', '%PDF']]) {
    await check(`download the board pack (${fmt})`, async () => {
      await page.goto(`${base}/pack?dataset=${datasetId}`);
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 180000 }), page.click(`#pack-${fmt}`)]);
      const file = path.join(T, `pack.${fmt}`);
      await dl.saveAs(file);
      const head = fs.readFileSync(file).subarray(0, 16).toString('latin1');
      assert.ok(head.toUpperCase().startsWith(magic.toUpperCase()), `starts with ${JSON.stringify(head)}`);
    });
  }
  await page.goto(`${base}/pack?dataset=${datasetId}`);
  await page.screenshot({ path: path.join(SHOTS, 'pack.png'), fullPage: true });

  const vctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const vpage = await vctx.newPage();
  await check('a viewer is refused an analyst page', async () => {
    await login(vpage, base, 'vic', 'viewer password 1');
    assert.equal(await vpage.$('#upload-form'), null);
    const resp = await vpage.goto(`${base}/datasets/upload`);
    assert.equal(resp.status(), 403);
    assert.match(await vpage.textContent('h1'), /do not have access/);
    const r2 = await vpage.goto(`${base}/imports/1`);
    assert.equal(r2.status(), 403);
  });
  await vpage.screenshot({ path: path.join(SHOTS, 'viewer-refused.png'), fullPage: true });
  await check('a viewer can read the explorer (aggregates only)', async () => {
    const r = await vpage.goto(`${base}/explore?dataset=${datasetId}`);
    assert.equal(r.status(), 200);
    await vpage.waitForSelector('#result-table');
  });

  await check('pages work without JavaScript', async () => {
    const nctx = await browser.newContext({ javaScriptEnabled: false });
    const np = await nctx.newPage();
    await login(np, base, 'ann', 'analyst password 1');
    await np.setInputFiles('#file', path.join(ROOT, 'tests/golden/data/web/good.csv'));
    await Promise.all([np.waitForURL(/\/imports\/\d+$/), np.click('#upload-button')]);
    await np.waitForSelector('#import-state[data-state="done"]', { timeout: 120000 });
    assert.equal((await np.textContent('#rows-rejected')).trim(), '3');
    await np.waitForSelector('#rejections');
    await nctx.close();
  });
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise(r => server.on('exit', r));
  fs.rmSync(T, { recursive: true, force: true });
}
console.log(`browser web: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
