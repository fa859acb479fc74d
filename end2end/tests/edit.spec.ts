import { test, expect } from '@playwright/test';
import { arrived, open, unique } from './helpers';

test('create a team, then a service it owns', async ({ page }) => {
  const team = unique('team');
  await open(page, '/teams/new');
  await page.locator('#form-name').fill('Refunds Team');
  await page.locator('#form-slug').fill(team);
  await page.locator('#form-email').fill('refunds@example.com');
  await page.locator('#form-oncall_url').fill('https://pager.example.com/refunds');
  await page.getByRole('button', { name: 'Create team' }).click();
  await expect(page).toHaveURL(new RegExp(`/teams/${team}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Refunds Team');
  await expect(page.getByText('This team owns no services')).toBeVisible();

  const service = unique('refunds');
  await page.getByRole('link', { name: 'Add a service' }).click();
  await arrived(page, '/services/new');
  await expect(page.locator('#form-owner')).toHaveValue(team);
  await page.locator('#form-name').fill('Refunds API');
  await page.locator('#form-slug').fill(service);
  await page.locator('#form-tier').selectOption('1');
  await page.locator('#form-tags').fill('pci, refunds');
  await page.locator('#form-description').fill('Gives money back.');
  await page.getByRole('button', { name: 'Create service' }).click();
  await expect(page).toHaveURL(new RegExp(`/services/${service}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Refunds API');
  await expect(page.getByRole('link', { name: 'Refunds Team' })).toBeVisible();
  // Tier 1 requires a runbook: the new service is flagged until it has one.
  await expect(page.getByTestId('policy-gaps')).toContainText('No runbook');

  await open(page, `/teams/${team}`);
  await expect(page.getByRole('link', { name: 'Refunds API' })).toBeVisible();
});

test('a rejected form keeps what was typed and shows each error by its field', async ({ page }) => {
  await open(page, '/services/new');
  await page.locator('#form-name').fill('My Service');
  await page.locator('#form-slug').fill('My Service!');
  await page.locator('#form-tags').fill('ok, <bad>');
  await page.locator('#form-description').fill('Typed with care.');
  await page.getByRole('button', { name: 'Create service' }).click();

  await expect(page.locator('#form-slug-error')).toContainText('lowercase letters, digits and hyphens');
  await expect(page.locator('#form-tags-error')).toContainText('<bad>');
  await expect(page.locator('#form-name-error')).toBeEmpty();
  await expect(page.locator('#form-slug')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('.form-error')).toContainText('Please correct the highlighted fields');
  // Nothing the user typed is lost, and we are still on the form.
  await expect(page).toHaveURL(/\/services\/new$/);
  await expect(page.locator('#form-name')).toHaveValue('My Service');
  await expect(page.locator('#form-slug')).toHaveValue('My Service!');
  await expect(page.locator('#form-tags')).toHaveValue('ok, <bad>');
  await expect(page.locator('#form-description')).toHaveValue('Typed with care.');

  // A duplicate slug is reported on the slug field, by the server.
  await page.locator('#form-slug').fill('ledger');
  await page.locator('#form-tags').fill('ok');
  await page.getByRole('button', { name: 'Create service' }).click();
  await expect(page.locator('#form-slug-error')).toHaveText('Another service already uses this slug.');
  await expect(page.locator('#form-name')).toHaveValue('My Service');
});

test('edit a link', async ({ page }) => {
  await open(page, '/services/ledger/edit');
  const runbook = page.locator('li.link-row').filter({ has: page.locator('select option[value="runbook"][selected]') }).first();
  const row = (await runbook.count()) > 0 ? runbook : page.locator('li.link-row').first();
  const id = await row.getAttribute('data-link-id');
  const url = `https://wiki.example.com/runbooks/ledger-${Date.now()}`;
  await page.locator(`#form-url-${id}`).fill(url);
  await page.locator(`#form-last_reviewed_on-${id}`).fill('2026-11-01');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator(`li.link-row[data-link-id="${id}"] .saved`)).toBeVisible();

  // A bad URL is refused beside the field, and the stored link is unchanged.
  await page.locator(`#form-url-${id}`).fill('javascript:alert(1)');
  await page.locator(`li.link-row[data-link-id="${id}"]`).getByRole('button', { name: 'Save' }).click();
  await expect(page.locator(`#form-url-${id}-error`)).toContainText('http');

  // A new link joins the list in place, and the add form is empty for the next one.
  const rows = await page.locator('li.link-row').count();
  const added = `https://grafana.example.com/d/ledger-${Date.now()}`;
  await page.locator('#form-kind-new').selectOption('dashboard');
  await page.locator('#form-title-new').fill('Latency');
  await page.locator('#form-url-new').fill(added);
  await page.getByRole('button', { name: 'Add link' }).click();
  await expect(page.locator('li.link-row')).toHaveCount(rows + 1);
  await expect(page.locator(`li.link-row input[value="${added}"]`)).toHaveCount(1);
  await expect(page.locator('#form-url-new')).toHaveValue('');
  await expect(page.locator('#form-kind-new')).toHaveValue('runbook');

  await open(page, '/services/ledger');
  await expect(page.locator('.links')).toContainText(url);
  await expect(page.locator('.links')).toContainText('reviewed 2026-11-01');
  await expect(page.locator('.links')).toContainText('Latency');
});

test("a second tab's stale save is refused, naming the change, and keeps what was typed", async ({ page, context }) => {
  // Two tabs open the same edit form at the same version.
  await open(page, '/services/payouts/edit');
  const other = await context.newPage();
  await open(other, '/services/payouts/edit');

  const first = `Saved first ${Date.now()}`;
  await page.locator('#form-description').fill(first);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/\/services\/payouts$/);

  const typed = 'Typed in the second tab, with care.';
  await other.locator('#form-description').fill(typed);
  await other.getByRole('button', { name: 'Save changes' }).click();
  await expect(other.locator('.form-error')).toContainText('changed this service at');
  await expect(other.locator('.form-error')).toContainText('since you opened it');
  // Still on the form, with what they typed.
  await expect(other).toHaveURL(/\/services\/payouts\/edit$/);
  await expect(other.locator('#form-description')).toHaveValue(typed);

  // The first save stands.
  await open(other, '/services/payouts');
  await expect(other.getByText(first)).toBeVisible();
  await other.close();
});
