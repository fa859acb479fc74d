import { test, expect } from '@playwright/test';
import { arrived, open, providerLogin } from './helpers';

test('a deep link goes through the provider and lands back on the deep link, signed in', async ({ page }) => {
  await page.goto('/services/payments-api');
  // The provider's own login page, not the portal's.
  expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
  await providerLogin(page, 'bob');
  await expect(page).toHaveURL(/\/services\/payments-api$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Payments API');
  await expect(page.locator('.usermenu')).toContainText('Bob Editor');
  await expect(page.locator('.usermenu')).toContainText('Editor');
  // Bob is in team-payments, which owns payments-api: he may edit it.
  await expect(page.getByRole('link', { name: 'Edit', exact: true })).toBeVisible();
});

test('signing out ends the portal session and the provider session', async ({ page }) => {
  await open(page, '/services', 'alice');
  await expect(page.locator('.usermenu')).toContainText('Alice Admin');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signed-out/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are signed out');
  // Neither session survives: the portal asks the provider, and the provider asks for a password.
  await page.goto('/services');
  await expect(page).toHaveTitle(/Portal dev identity provider/);
});

test('a viewer sees no edit controls, and a forged edit is refused', async ({ page }) => {
  await open(page, '/services/payments-api', 'carol');
  await expect(page.locator('.usermenu')).toContainText('Viewer');
  await expect(page.getByRole('link', { name: 'Edit', exact: true })).toHaveCount(0);
  await open(page, '/services', 'carol');
  await expect(page.getByRole('link', { name: '+ New service' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Audit' })).toHaveCount(0);

  // The same request the edit page would send, from carol's signed-in browser.
  const status = await page.evaluate(async () => {
    const res = await fetch('/fn/delete_service', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'slug=payments-api',
    });
    return { status: res.status, body: await res.text() };
  });
  expect(status.status).toBe(403);
  expect(status.body).toContain('Only editors in team');
  await open(page, '/services/payments-api', 'carol');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Payments API');
});

test('an admin reads the audit trail of a change', async ({ page }) => {
  await open(page, '/tiers', 'alice');
  await page.getByRole('link', { name: 'Edit Tier 3' }).click();
  await arrived(page, '/tiers/3/edit');
  await page.locator('#form-postmortem_due_days').fill('30');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page).toHaveURL(/\/tiers$/);
  await expect(page.getByRole('cell', { name: '30 business days' })).toBeVisible();
  await open(page, '/admin/audit?action=tier_policy.update', 'alice');
  const row = page.locator('table.audit tbody tr').first();
  await expect(row).toContainText('alice@example.com');
  await expect(row).toContainText('tier 3');
  await row.getByText('Before / after').click();
  await expect(row.locator('pre').nth(1)).toContainText('"postmortem_due_days": 30');
});

test('an admin disables a person: their session ends and sign-in is refused until re-enabled', async ({ page, browser }) => {
  const dave = await browser.newPage();
  await open(dave, '/services', 'dave');
  await expect(dave.locator('.usermenu')).toContainText('Dave');

  await open(page, '/admin/people', 'alice');
  const row = page.locator('tbody tr', { hasText: 'dave@example.com' });
  await row.getByRole('button', { name: /^Disable / }).click();
  await expect(row.locator('.badge', { hasText: 'Disabled' })).toBeVisible();

  // Dave's open session is over: the next page sends him to sign in, and that is refused.
  await dave.goto('/services');
  if (new URL(dave.url()).pathname.startsWith('/interaction/')) await providerLogin(dave, 'dave');
  await expect(dave.getByRole('heading', { level: 1 })).toHaveText('Your access has been disabled');

  await row.getByRole('button', { name: /^Enable / }).click();
  await expect(row.locator('.badge', { hasText: 'Disabled' })).toHaveCount(0);
  await open(dave, '/services', 'dave');
  await expect(dave.locator('.usermenu')).toContainText('Dave');
  await dave.close();
});
