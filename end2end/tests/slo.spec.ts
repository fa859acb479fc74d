import { test, expect } from '@playwright/test';
import { arrived, open, unique } from './helpers';

/** Whole minutes ago, as the counts API wants them. */
function minute(ago: number): string {
  const t = new Date(Date.now() - ago * 60_000);
  t.setUTCSeconds(0, 0);
  return t.toISOString();
}

test('define an SLO, push counts with a token, watch the budget and state change', async ({ page, request }) => {
  // An admin makes a token for the owning team, as the token page does.
  await open(page, '/admin/tokens');
  await page.locator('#form-name').fill(unique('pusher'));
  await page.locator('#form-team').selectOption('observability');
  await page.locator('#form-scopes').selectOption('catalog:read,slo:write');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.locator('code.secret').innerText()).trim();
  expect(secret).toMatch(/^rpt_/);

  // A bad form keeps what was typed and says what is wrong, by the field.
  const slug = unique('probe');
  await open(page, '/services/status-page/slos/new');
  await page.locator('#form-name').fill('Status page probes');
  await page.locator('#form-slug').fill(slug);
  await page.locator('#form-objective').fill('100');
  await page.getByRole('button', { name: 'Create SLO' }).click();
  await expect(page.locator('#form-objective-error')).toContainText('below 100');
  await expect(page.locator('#form-name')).toHaveValue('Status page probes');

  await page.locator('#form-objective').fill('99');
  await page.getByRole('button', { name: 'Create SLO' }).click();
  await expect(page).toHaveURL(new RegExp(`/services/status-page/slos/${slug}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Status page probes');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Unknown');

  // Healthy minutes: the service page shows the SLO within budget.
  const url = `/api/v1/slos/status-page/${slug}/counts`;
  const push = (buckets: object[]) =>
    request.post(url, { headers: { Authorization: `Bearer ${secret}` }, data: { buckets } });
  let r = await push(Array.from({ length: 10 }, (_, i) => ({ start: minute(20 - i), good: 1000, total: 1000 })));
  expect(r.status(), await r.text()).toBe(200);
  await open(page, '/services/status-page');
  const row = page.locator('.slo-table tr', { hasText: 'Status page probes' });
  await expect(row.locator('.badge.budget-ok')).toHaveText('OK');
  await expect(row.getByRole('img', { name: 'Budget left: 100 %' })).toBeVisible();

  // A bad batch is refused whole, naming the bucket.
  r = await push([{ start: minute(5), good: 2, total: 1 }]);
  expect(r.status()).toBe(422);
  expect((await r.json()).fields['buckets[0].good']).toContain('more than total');

  // An outage: the next page view shows the budget spent and the service in freeze.
  r = await push(Array.from({ length: 5 }, (_, i) => ({ start: minute(9 - i), good: 0, total: 1000 })));
  expect(r.status(), await r.text()).toBe(200);
  await page.reload();
  await expect(row.locator('.badge.budget-exhausted')).toHaveText('Exhausted · freeze');

  // The SLO page: the burn-down chart, its text alternative, and the firing page alert.
  await row.getByRole('link', { name: 'Status page probes' }).click();
  await arrived(page, `/services/status-page/slos/${slug}`);
  await expect(page.getByRole('img', { name: /Error budget left/ })).toBeVisible();
  await expect(page.locator('figure.chart polyline, figure.chart circle').first()).toBeAttached();
  await expect(page.getByRole('cell', { name: /page: 2 % of budget in 1h/ })).toBeVisible();
  await expect(page.getByText('Firing').first()).toBeVisible();
});
