import { test, expect } from '@playwright/test';
import { readFileSync } from 'fs';
import { open } from './helpers';

// axe-core, injected as a script: the portal's CSP allows only its own nonce'd scripts, so this
// context bypasses CSP (the pages themselves are unchanged).
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
test.use({ bypassCSP: true });

test('the main pages have no accessibility violations (axe-core)', async ({ page }) => {
  const found: string[] = [];
  for (const path of ['/', '/services', '/services?tier=0&sort=tier', '/services/ledger', '/services/ledger/edit',
    '/teams', '/teams/payments', '/tiers', '/admin/people', '/admin/audit', '/admin/tokens', '/api-docs', '/import',
    '/services/payments-api', '/services/status-page', '/services/payments-api/slos/availability',
    '/services/payments-api/slos/new', '/services/payments-api/slos/availability/edit', '/help/slos', '/slos', '/slos/import', '/services?budget=exhausted', '/incidents', '/incidents?status=open', '/incidents/new', '/incidents/1', '/incidents/1/edit']) {
    await open(page, path);
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      // @ts-ignore: injected above
      const r = await window.axe.run();
      return r.violations.map((v: any) => `${v.id} (${v.impact}): ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
    });
    found.push(...violations.map((v: string) => `${path}: ${v}`));
  }
  expect(found).toEqual([]);
});
