import { expect, Page } from '@playwright/test';

export type DemoUser = 'alice' | 'bob' | 'carol' | 'dave';

/** Fills the development identity provider's login form (every demo password is "demo"). */
export async function providerLogin(page: Page, user: DemoUser) {
  await expect(page).toHaveTitle(/Portal dev identity provider/);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Opens a page and waits until hydration has made its forms interactive. A browser without a
 * session is sent through the identity provider first, as `user` (an admin unless told).
 */
export async function open(page: Page, path: string, user: DemoUser = 'alice') {
  await page.goto(path);
  if (new URL(page.url()).pathname.startsWith('/interaction/')) {
    await providerLogin(page, user);
    await page.waitForURL((u) => u.pathname === new URL(path, 'http://x').pathname);
  }
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/**
 * After a click that loads `pathname` (links are plain page loads: only the forms are islands),
 * waits for that page, not the one before it, to have made its forms interactive.
 */
export async function arrived(page: Page, pathname: string) {
  await page.waitForURL((u) => u.pathname === pathname);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** A slug no earlier test run has used. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}
