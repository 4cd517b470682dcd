/**
 * Where in a run the slow orders were sent: orders grouped by the whole second of their scheduled
 * send, and the seconds holding the most orders over the threshold. A tail spread evenly over the
 * run is queueing; one concentrated in a second or two is a stall (a checkpoint, a sweep, a pause)
 * worth finding by its time.
 */
import type { Final } from './outcomes.ts';

export interface SlowSecond {
  second: number;
  orders: number;
  slow: number;
  worstMs: number;
}

export function slowSeconds(scheduled: ReadonlyMap<string, number>, finished: ReadonlyMap<string, Final>, started: number, thresholdMs = 250, top = 3): SlowSecond[] {
  const bySecond = new Map<number, SlowSecond>();
  for (const [id, due] of scheduled) {
    const final = finished.get(id);
    if (!final) continue;
    const second = Math.floor((due - started) / 1000);
    const entry = bySecond.get(second) ?? { second, orders: 0, slow: 0, worstMs: 0 };
    const latency = final.at - due;
    entry.orders += 1;
    if (latency > thresholdMs) entry.slow += 1;
    entry.worstMs = Math.max(entry.worstMs, Math.round(latency));
    bySecond.set(second, entry);
  }
  return [...bySecond.values()].filter((entry) => entry.slow > 0).sort((a, b) => b.slow - a.slow || b.worstMs - a.worstMs).slice(0, top);
}

export function describeSlowSeconds(seconds: readonly SlowSecond[], thresholdMs = 250): string {
  if (seconds.length === 0) return `no order over ${thresholdMs} ms`;
  return `seconds with most orders over ${thresholdMs} ms: ${seconds.map((entry) => `+${entry.second} s ${entry.slow}/${entry.orders} (worst ${entry.worstMs} ms)`).join(', ')}`;
}
