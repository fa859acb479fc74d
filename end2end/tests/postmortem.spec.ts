import { test, expect, Browser, Page } from '@playwright/test';
import { arrived, open, unique, DemoUser } from './helpers';

/** A datetime-local value `hours` ago, in UTC (the form's zone is UTC). */
function ago(hours: number): string {
  return new Date(Date.now() - hours * 3_600_000).toISOString().slice(0, 16);
}

async function as(browser: Browser, user: DemoUser, path: string, baseURL?: string, timezoneId?: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL, timezoneId })).newPage();
  await open(page, path, user);
  return page;
}

test('an incident is written up, approved by someone else, and its overdue action is seen everywhere', async ({ page, browser }, info) => {
  test.setTimeout(120_000);
  const base = info.project.use.baseURL;
  const title = `Ledger double-posts ${unique('x')}`;
  const word = unique('zebracorn').replace(/-/g, '');

  // Bob, an editor of Payments, declares a resolved SEV1 on two services.
  await open(page, '/incidents/new', 'bob');
  await page.locator('#form-title').fill(title);
  await page.locator('#form-severity').selectOption('1');
  await page.locator('#form-status').selectOption('resolved');
  await page.locator('#form-services').fill('payments-api, checkout-web');
  await page.locator('#form-zone').fill('UTC');
  await page.locator('#form-started_at').fill(ago(30));
  await page.locator('#form-detected_at').fill(ago(29));
  await page.locator('#form-resolved_at').fill(ago(27));
  await page.getByRole('button', { name: 'Declare incident' }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  const id = page.url().split('/').pop();
  await expect(page.locator('section[aria-labelledby="learning-h"]')).toContainText('Not started');

  // He starts the postmortem and writes it.
  await open(page, `/incidents/${id}/postmortem`, 'bob');
  await page.getByRole('button', { name: 'Start the postmortem' }).click();
  await arrived(page, `/incidents/${id}/postmortem/edit`);
  await page.locator('#form-summary').fill(`The ledger posted twice: **${word}** retries were not idempotent.`);
  await page.locator('#form-root_cause').selectOption('deploy');
  await page.getByRole('button', { name: 'Save postmortem' }).click();
  await arrived(page, `/incidents/${id}/postmortem`);
  await expect(page.locator('.pm-section strong', { hasText: word })).toBeVisible();

  // A viewer outside the affected teams neither reads the draft nor finds it. Her browser is in
  // Berlin: the incident's times read in her zone, named.
  const carol = await as(browser, 'carol', `/incidents/${id}`, base, 'Europe/Berlin');
  await expect(carol.locator('.milestones time.local-time').first()).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d CES?T$/);
  await open(carol, `/incidents/${id}/postmortem`, 'carol');
  await expect(carol.getByText('not published yet').first()).toBeVisible();
  await expect(carol.getByText(word)).toHaveCount(0);
  await open(carol, `/postmortems?q=${word}`, 'carol');
  await expect(carol.getByText('Nothing found')).toBeVisible();

  // An action item, due yesterday: overdue as soon as it exists.
  await page.getByText('Add an action item').click();
  await page.locator('#form-title').fill(`Make ledger retries idempotent ${word}`);
  await page.locator('#form-team').fill('payments');
  await page.locator('#form-service').fill('payments-api');
  await page.locator('#form-due_on').fill(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Add action item' }).click();
  const item = page.locator('.actions-table tr', { hasText: 'Make ledger retries idempotent' });
  await expect(item.locator('.badge.overdue')).toHaveText('Overdue');

  // Submitted for review; the author is not offered the approval.
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await expect(page.locator('.badge.pm-in_review')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Approve and publish' })).toHaveCount(0);

  // Alice, an admin and not the author, approves and publishes it.
  const alice = await as(browser, 'alice', `/incidents/${id}/postmortem`, base);
  await alice.getByRole('button', { name: 'Approve and publish' }).click();
  await expect(alice.locator('.badge.pm-published')).toBeVisible();

  // Now the viewer reads and finds it, and sees the overdue item on the service and /actions.
  await open(carol, `/postmortems?q=${word}`, 'carol');
  await expect(carol.locator('.search-hits mark', { hasText: word })).toBeVisible();
  await carol.getByRole('link', { name: new RegExp(title) }).click();
  await arrived(carol, `/incidents/${id}/postmortem`);
  await expect(carol.locator('.pm-section strong', { hasText: word })).toBeVisible();
  await open(carol, '/services/payments-api', 'carol');
  const onService = carol.locator('section[aria-labelledby="open-actions-h"] tr', { hasText: word });
  await expect(onService.locator('.badge.overdue')).toBeVisible();
  await open(carol, '/actions?overdue=1&team=payments', 'carol');
  await expect(carol.locator('.actions-table tr', { hasText: word })).toBeVisible();
});
