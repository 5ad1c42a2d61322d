// The dashboard in a real browser (issue #13 item 5): Debian's chromium,
// headless, driven over the DevTools protocol by playwright-core, against a
// collector that run_browser_test.sh started on loopback with a seeded store.
// Every check below fails the test with a message; screenshots go to OUT_DIR.
import fs from 'node:fs';
import path from 'node:path';

// playwright-core lives in the test cache (run_browser_test.sh), not beside this file.
const { chromium } = await import(process.env.PLAYWRIGHT_CORE);
const base = process.env.BASE_URL;
const out = process.env.OUT_DIR;
const failures = [];
const check = (ok, what) => { if (!ok) { failures.push(what); console.error('FAIL: ' + what); } else { console.log('ok: ' + what); } };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-default-apps',
         // Belt and braces: no name resolves, so nothing can leave loopback.
         '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
});

async function session(user, password) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const problems = [];
  // HTTP statuses are asserted where they matter; any other console error
  // (a CSP violation, a script error) is a failure.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('dialog', async (d) => { problems.push('a dialog opened: ' + d.message()); await d.dismiss(); });
  await page.goto(base + '/fleet');
  check(page.url().startsWith(base + '/login'), `${user}: /fleet redirects to the login page`);
  await page.getByLabel('Identifiant').fill(user);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(base + '/fleet');
  return { context, page, requests, problems };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(out, name + '.png'), fullPage: true });
  fs.writeFileSync(path.join(out, name + '.html'), await page.content());
}

// Labels for every form control, contrast of status colours (WCAG 2.1 1.4.3).
async function accessibility(page, name) {
  const unlabelled = await page.$$eval('input:not([type=hidden]), select', (els) =>
    els.filter((e) => e.labels === null || e.labels.length === 0).map((e) => e.name || e.id));
  check(unlabelled.length === 0, `${name}: every form control has a label (${unlabelled.join(',')})`);
  const ratios = await page.$$eval('.badge', (els) => els.map((e) => {
    const rgb = (s) => s.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
    const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                         return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const s = getComputedStyle(e);
    const a = lum(rgb(s.color)), b = lum(rgb(s.backgroundColor));
    return [e.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  }));
  const low = ratios.filter(([, r]) => r < 4.5);
  check(low.length === 0, `${name}: status colours contrast >= 4.5:1 (${JSON.stringify(low)})`);
}

const admin = await session('admin', 'admin password 123');
let page = admin.page;

// Keyboard: the first Tab reaches the skip link, which moves focus to the content.
await page.keyboard.press('Tab');
check(await page.evaluate(() => document.activeElement.className) === 'skip', 'keyboard: first Tab is the skip link');
await page.keyboard.press('Enter');
check(await page.evaluate(() => document.activeElement.id) === 'main', 'keyboard: the skip link focuses the content');

// Fleet: the trend chart is drawn by Chart.js under the CSP (no inline script).
await page.waitForSelector('html[data-chart=drawn]', { timeout: 10000 }).catch(() => {});
check(await page.getAttribute('html', 'data-chart') === 'drawn', 'fleet: the 90-day chart is drawn');
check((await page.textContent('main')).includes('Les dix contrôles en échec'), 'fleet: top failing checks shown');
await accessibility(page, 'fleet');
await shot(page, 'fleet');

// Hosts: apply a filter through the form; the URL carries it.
await page.click('a[href="/hosts"]');
await page.selectOption('#f-check', 'apicrypt-v1.binary.apicrypt');
await page.getByRole('button', { name: 'Filtrer' }).click();
await page.waitForURL(/check=apicrypt-v1.binary.apicrypt/);
const rows = await page.$$eval('main table.grid tbody tr', (trs) => trs.map((tr) => tr.querySelector('th a').textContent));
check(rows.length === 2 && rows.includes('beta'), `hosts: the filter keeps the 2 failing hosts (${rows})`);
await accessibility(page, 'hosts');
await shot(page, 'hosts');

// Export CSV of the filtered list: its rows are those hosts, that check.
const csvLink = await page.getAttribute('a:has-text("Exporter en CSV")', 'href');
const csv = await (await page.request.get(base + csvLink)).text();
const lines = csv.trim().split('\r\n');
check(lines[0].startsWith('machine_id,hostname,site,policy_id,check_id'), 'export: CSV header');
check(lines.length === 3 && lines.slice(1).every((l) => l.includes('apicrypt-v1.binary.apicrypt')), `export: 2 rows of that check (${lines.length - 1})`);

// The hostile host: markup in its name and evidence stays text, no script runs.
await page.goto(base + '/host?id=b0b0');
check((await page.textContent('h1')).includes("<script>alert('pwn')</script>"), 'hostile host: name shown as text');
await shot(page, 'host-hostile');
await page.goto(base + '/host?id=beta');
check((await page.textContent('main')).includes('/home/ehr/apicrypt/bin/apicrypt'), 'host: evidence path shown');
await accessibility(page, 'host');
await shot(page, 'host');
const download = await page.request.get(base + (await page.getAttribute('a:has-text("signature")', 'href')));
check(download.status() === 200 && (download.headers()['content-disposition'] || '').includes('.p7s'), 'host: signed original downloads');

for (const [target, name, text] of [['/check?id=apicrypt-v1.binary.apicrypt', 'check', 'En échec depuis'],
                                   ['/anomalies', 'anomalies', 'trou'],
                                   ['/at', 'at-date', 'vérifiée à la réception']]) {
  await page.goto(base + target);
  check((await page.textContent('main')).includes(text), `${name}: page shows "${text}"`);
  await accessibility(page, name);
  await shot(page, name);
}
await page.goto(base + '/admin/tokens');
check((await page.textContent('h1')).includes("Jetons d'enrôlement"), 'admin: tokens page reachable');
await shot(page, 'admin-tokens');
await page.goto(base + '/fleet?lang=en');
check((await page.textContent('h1')) === 'Fleet overview', 'language: English on request');
await shot(page, 'fleet-en');

// Logout through the form ends the session.
await page.getByRole('button', { name: 'Log out' }).click();
await page.waitForURL(/\/login/);
await page.goto(base + '/hosts');
check(page.url().startsWith(base + '/login'), 'logout: pages need a new login');

// A viewer sees no admin link and is refused the admin page.
const viewer = await session('viewer', 'viewer password 123');
check((await viewer.page.$('a[href="/admin/tokens"]')) === null, 'viewer: no admin link');
const refused = await viewer.page.goto(base + '/admin/tokens');
check(refused.status() === 403, 'viewer: admin page refused (403)');

for (const s of [admin, viewer]) {
  const outside = s.requests.filter((u) => !u.startsWith(base));
  check(outside.length === 0, `no request leaves the collector (${outside.join(' ')})`);
  check(s.problems.length === 0, `no console error, CSP violation or dialog (${s.problems.join(' | ')})`);
}
await browser.close();
console.log(failures.length === 0 ? 'dashboard browser test: all checks passed' : `dashboard browser test: ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
