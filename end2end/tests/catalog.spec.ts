import { test, expect } from '@playwright/test';
import { open } from './helpers';

test('browse and filter the catalog', async ({ page }) => {
  await open(page, '/services');
  await expect(page.getByTestId('result-count')).toHaveText('60 services');

  // A facet narrows the list and lands in the URL, so the view can be shared.
  await page.locator('.facet').filter({ hasText: 'Tier' }).getByRole('link', { name: /Tier 0/ }).click();
  await expect(page).toHaveURL(/\/services\?tier=0$/);
  const tier0 = await page.getByTestId('result-count').textContent();
  expect(Number(tier0?.split(' ')[0])).toBeLessThan(60);
  await expect(page.getByRole('link', { name: 'Payments API' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Checkout Web' })).toHaveCount(0);
  // Every row on the page is tier 0.
  const badges = await page.locator('table.services tbody td .badge.tier').allTextContents();
  expect(badges.length).toBeGreaterThan(0);
  expect(new Set(badges)).toEqual(new Set(['T0']));

  // Free text combines with the facet.
  await page.locator('#catalog-q').fill('ledg');
  await page.locator('.searchbox button[type=submit]').click();
  await expect(page).toHaveURL(/q=ledg/);
  await expect(page).toHaveURL(/tier=0/);
  await expect(page.getByRole('link', { name: 'Ledger', exact: true })).toBeVisible();
  await expect(page.getByTestId('result-count')).toHaveText('1 service');

  // Removing the chip keeps the other filter.
  await page.getByRole('link', { name: 'Tier 0 ×' }).click();
  await expect(page).toHaveURL(/\/services\?q=ledg$/);
});

test('open a service and see owner, policy and dependencies', async ({ page }) => {
  await open(page, '/services?q=payments');
  await page.getByRole('link', { name: 'Payments API' }).click();
  await expect(page).toHaveURL(/\/services\/payments-api$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Payments API');
  const owner = page.locator('section[aria-labelledby="owner-h"]');
  await expect(owner.getByRole('link', { name: 'Payments', exact: true })).toHaveAttribute('href', '/teams/payments');
  await expect(page.locator('#policy-h')).toHaveText('Tier 0 · Critical platform');
  const dependsOn = page.locator('section[aria-labelledby="deps-h"]');
  await expect(dependsOn.getByRole('link', { name: 'Ledger' })).toBeVisible();
  const dependents = page.locator('section[aria-labelledby="dependents-h"]');
  await expect(dependents.getByRole('link', { name: 'Checkout Web' })).toBeVisible();
});

test('an unknown service is a real 404 page', async ({ page }) => {
  await open(page, '/services');
  const res = await page.goto('/services/does-not-exist');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not found');
});

test('every page hydrates without a console error', async ({ page }) => {
  // Thirty pages, each loaded and hydrated by a debug build: more than the default 30 s.
  test.setTimeout(120_000);
  await open(page, '/'); // signs in first: only the portal's own pages are checked
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  for (const path of ['/', '/services', '/services?tier=1&sort=updated', '/services?q=pay', '/services/payments-api',
    '/services/payments-api/edit', '/services/new', '/teams', '/teams/payments', '/teams/payments/edit', '/teams/new', '/tiers', '/tiers/1/edit', '/admin/people', '/admin/audit', '/admin/tokens', '/api-docs', '/import',
    '/services/payments-api/slos/availability', '/services/payments-api/slos/new', '/services/payments-api/slos/availability/edit', '/help/slos', '/slos', '/slos/import', '/services?budget=exhausted', '/incidents', '/incidents?status=open', '/incidents/new', '/incidents/1', '/incidents/1/edit', '/incidents/2/postmortem', '/incidents/2/postmortem/edit', '/actions', '/postmortems?q=deploy', '/admin/postmortems']) {
    await open(page, path);
  }
  expect(errors).toEqual([]);
});
