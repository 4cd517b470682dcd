/** What the console tests do on the page: search, open a saga, read the drawing back. */
import type { Page } from 'playwright-core';
import { waitFor } from '../../../shared/test/support/wait.ts';
import type { GatewayClient } from './api.ts';

export const cookieOf = async (page: Page) => (await page.context().cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');

/** The saga as the page draws it: each box's type, lane and cause, left to right. */
export const drawnSaga = (page: Page) =>
  page.locator('ol.events > li').evaluateAll((boxes) => boxes.map((box) => [(box as HTMLElement).dataset.type, (box as HTMLElement).dataset.service, (box as HTMLElement).dataset.causedBy || null]));

/** The API's timeline once no new event has come for a while (the saga's tail has landed). */
export async function settledTimeline(api: GatewayClient, orderId: string, last: string) {
  let previous = -1;
  return waitFor(`the saga of ${orderId} to settle`, async () => {
    const { events } = await api.timeline(orderId);
    const settled = events.length === previous && events.some((event) => event.type === last);
    previous = events.length;
    return settled ? events : undefined;
  }, 30_000, 1_500);
}

/** Searches on the Orders section; resolves with the table that answers this very search. */
export async function searchOrders(page: Page, by: string, value: string) {
  await page.getByRole('link', { name: 'Orders' }).click();
  await page.getByLabel('Find by').selectOption(by);
  await page.getByLabel('Value').fill(value);
  await page.getByRole('button', { name: 'Search' }).click();
  const answer = page.locator(`table[data-search="${by}:${value}"]`);
  await answer.waitFor();
  return answer;
}

export async function openOrder(page: Page, orderId: string): Promise<void> {
  await (await searchOrders(page, 'id', orderId)).getByRole('link', { name: orderId }).click();
  await page.locator('ol.events > li').first().waitFor();
}
