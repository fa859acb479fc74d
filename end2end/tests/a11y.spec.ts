import { test, expect, Browser, Page } from '@playwright/test';
import { readFileSync } from 'fs';
import { open } from './helpers';

// axe-core, injected as a script: the portal's CSP allows only its own nonce'd scripts, so this
// context bypasses CSP (the pages themselves are unchanged).
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const paths = [
  '/', '/services', '/services?tier=0&sort=tier', '/services/ledger', '/services/ledger/edit',
  '/teams', '/teams/payments', '/tiers', '/admin/people', '/admin/audit', '/admin/tokens', '/api-docs',
  '/import', '/services/payments-api', '/services/status-page', '/services/payments-api/slos/availability',
  '/services/payments-api/slos/new', '/services/payments-api/slos/availability/edit', '/help/slos', '/slos',
  '/slos/import', '/services?budget=exhausted', '/incidents', '/incidents?status=open', '/incidents/new',
  '/incidents/1', '/incidents/1/edit', '/incidents/2/postmortem', '/incidents/2/postmortem/edit', '/actions',
  '/actions?overdue=1', '/postmortems?q=deploy', '/admin/postmortems', '/incidents?repeat=1',
];

// One signed-in page for every path (one sign-in, not one per page: sign-ins are rate limited
// per client), and one test per path, so each page has the whole test timeout to itself and a
// failure names the page.
test.describe.configure({ mode: 'serial' });
let page: Page;
test.beforeAll(async ({ browser }: { browser: Browser }, info) => {
  const context = await browser.newContext({ bypassCSP: true, baseURL: info.project.use.baseURL });
  page = await context.newPage();
});
test.afterAll(async () => {
  await page.context().close();
});

for (const path of paths) {
  test(`${path} has no accessibility violations (axe-core)`, async () => {
    await open(page, path);
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      // @ts-ignore: injected above
      const r = await window.axe.run();
      return r.violations.map((v: any) => `${v.id} (${v.impact}): ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations).toEqual([]);
  });
}
