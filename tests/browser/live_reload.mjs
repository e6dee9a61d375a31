// Browser test: `mayfly serve --watch` on a copy of examples/blog, driven in Debian's headless
// chromium through playwright-core. Checks that the home page, a post and the 404 page render
// with the theme's stylesheet applied (computed styles, not just a <link>), keeps screenshots,
// then edits the post on disk and waits for the open page to reload with the change.
//
//   node live_reload.mjs --mayfly BUILD/mayfly --blog examples/blog --artifacts DIR
//
// Every wait is bounded; the server, the browser and the temporary copy are removed on every
// exit path. Exit code 0 on success, 1 on failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.error('browser test: playwright-core is missing; run scripts/install-deps test ' +
                '(npm ci in tests/browser)');
  process.exit(1);
}

const { values: opts } = parseArgs({
  options: {
    mayfly: { type: 'string' },
    blog: { type: 'string' },
    artifacts: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    'reload-bound-ms': { type: 'string', default: '10000' },
  },
});
for (const k of ['mayfly', 'blog', 'artifacts']) {
  if (!opts[k]) {
    console.error(`usage: node live_reload.mjs --mayfly BIN --blog DIR --artifacts DIR (missing --${k})`);
    process.exit(2);
  }
}
const reloadBound = Number(opts['reload-bound-ms']);

// The whole test is bounded, whatever hangs.
const watchdog = setTimeout(() => fail('the test took longer than 100 s'), 100_000);

let server = null;
let browser = null;
let tmp = null;
let serverLog = '';

async function cleanup() {
  clearTimeout(watchdog);
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => { server.once('exit', r); setTimeout(r, 3000); });
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

async function fail(msg) {
  console.error(`FAIL: ${msg}`);
  if (serverLog) console.error(`--- mayfly serve output ---\n${serverLog}`);
  await cleanup();
  process.exit(1);
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
  console.log(`ok: ${msg}`);
}

// Starts the server on a free port (port 0) and returns its base URL from its notice.
function startServer(blog) {
  return new Promise((resolve, reject) => {
    server = spawn(opts.mayfly, ['serve', blog, '--watch', '--port', '0', '--access-log', 'off'],
                   { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const timer = setTimeout(() => reject(new Error('the server did not start within 20 s')), 20_000);
    const onData = (d) => {
      serverLog += d.toString();
      const m = serverLog.match(/at (http:\/\/[^\s/]+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace('localhost', '127.0.0.1'));
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
}

// The theme sets body { margin: 0; font: Georgia ...; background: #fdfdfb }; a page without
// its stylesheet has the browser defaults (margin 8px, a transparent background).
async function styled(page) {
  return page.evaluate(() => {
    const s = getComputedStyle(document.body);
    return { margin: s.marginTop, font: s.fontFamily, background: s.backgroundColor };
  });
}

async function checkStyled(page, what) {
  const s = await styled(page);
  check(s.margin === '0px' && /Georgia/.test(s.font) && s.background === 'rgb(253, 253, 251)',
        `${what} renders with assets/css/style.css applied (${JSON.stringify(s)})`);
}

async function shot(page, name) {
  const file = path.join(opts.artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

try {
  fs.mkdirSync(opts.artifacts, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mayfly-browser-'));
  const blog = path.join(tmp, 'blog');
  fs.cpSync(opts.blog, blog, { recursive: true });
  const base = await startServer(blog);
  console.log(`server: ${base}`);

  browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: true,
    timeout: 30_000,
    // As root (CI) chromium needs --no-sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  page.setDefaultTimeout(15_000);

  // Home page.
  let resp = await page.goto(`${base}/`, { waitUntil: 'load' });
  check(resp.status() === 200, 'home page answers 200');
  check((await page.title()).length > 0, `home page has a title (${await page.title()})`);
  await checkStyled(page, 'home page');
  await shot(page, 'home');

  // The first post, through its link on the home page.
  const postHref = await page.evaluate(() => {
    const a = [...document.querySelectorAll('a')].find((x) => /\/\d{4}\/\d{2}\/\d{2}\//.test(x.pathname));
    return a ? a.pathname : null;
  });
  check(postHref !== null, `home page links to a post (${postHref})`);
  resp = await page.goto(`${base}${postHref}`, { waitUntil: 'load' });
  check(resp.status() === 200, 'post answers 200');
  await checkStyled(page, 'post');
  await shot(page, 'post');

  // The 404 page.
  const missing = await browser.newPage();
  resp = await missing.goto(`${base}/no/such/page/`, { waitUntil: 'load' });
  check(resp.status() === 404, '/no/such/page/ answers 404');
  check(/Page not found/.test(await missing.textContent('body')), '404 page shows "Page not found"');
  await checkStyled(missing, '404 page');
  await shot(missing, 'not-found');
  await missing.close();

  // Live reload: edit the post's text on disk; the open page must show it within the bound.
  const postsDir = path.join(blog, '_posts');
  const postFile = path.join(postsDir, fs.readdirSync(postsDir).filter((f) => f.endsWith('.md')).sort()[0]);
  const marker = `Edited by the browser test ${Date.now()}`;
  let navigations = 0;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });
  const t0 = Date.now();
  fs.appendFileSync(postFile, `\n${marker}\n`);
  let seen = false;
  while (!seen && Date.now() - t0 < reloadBound) {
    await new Promise((r) => setTimeout(r, 100));
    // The page may be mid-reload; a failed read just means "not yet".
    const text = await page.textContent('body', { timeout: 1000 }).catch(() => '');
    seen = text.includes(marker);
  }
  const elapsed = Date.now() - t0;
  check(seen, `the open post reloaded with the edit in ${elapsed} ms (bound ${reloadBound} ms)`);
  check(navigations >= 1, `the change came by a reload of the page (${navigations} navigation(s))`);
  await checkStyled(page, 'reloaded post');
  await shot(page, 'post-reloaded');
  const rebuilt = serverLog.match(/rebuilt in [\d.]+ ms/);
  check(rebuilt !== null, `the server printed its rebuild time (${rebuilt && rebuilt[0]})`);

  // A bad template: the server keeps the last good site and says where the error is.
  const layout = path.join(blog, '_layouts', 'post.html');
  const good = fs.readFileSync(layout, 'utf8');
  fs.writeFileSync(layout, good + '\n{% if %}\n');
  const t1 = Date.now();
  while (!/still serving the previous build/.test(serverLog) && Date.now() - t1 < reloadBound)
    await new Promise((r) => setTimeout(r, 100));
  check(/_layouts\/post\.html:\d+:\d+/.test(serverLog),
        'a broken layout is reported as file:line:col and the last good site stays');
  resp = await page.goto(`${base}${postHref}`, { waitUntil: 'load' });
  check(resp.status() === 200 && (await page.textContent('body')).includes(marker),
        'the last good post is still served');
  check(server.exitCode === null, 'the server is still running');

  await cleanup();
  console.log('PASS');
  process.exit(0);
} catch (e) {
  await fail(e && e.stack ? e.stack : String(e));
}
