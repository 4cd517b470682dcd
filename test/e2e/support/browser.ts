/**
 * A real browser for the console tests: Debian's Chromium (installed by .ci/run) driven by
 * playwright-core. Headless, no sandbox (CI runs as root), and none of Chromium's own network
 * chatter, which this machine's closed network would refuse. Screenshots are kept under
 * test/e2e/.artifacts as the tests' artifacts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ARTIFACTS = path.resolve(import.meta.dirname, '../.artifacts');
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Fills the console's sign-in form and submits it; resolves once the answer page has loaded. */
export async function signInToConsole(page: Page, gatewayUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${gatewayUrl}/console/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
