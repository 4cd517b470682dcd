/**
 * The chaos run's fault schedule, drawn from a seed: the same seed gives the same faults at the
 * same offsets, so a failing run is replayed by its seed. Pure (a small PRNG, no clock).
 */

export type FaultKind = 'kill' | 'broker-connections' | 'database-connections' | 'redis-connections' | 'gateway-down';

export interface Fault {
  atMs: number;
  kind: FaultKind;
  /** The process killed (kill) or held down for `downMs` (gateway-down). */
  target?: string;
  downMs?: number;
}

/** Processes a fault may SIGKILL: every service, the relay and the gateway simulator. */
export const KILLABLE = ['order', 'inventory', 'payment', 'ledger', 'notification', 'relay', 'psp'] as const;

/** mulberry32: a tiny, well-known 32-bit PRNG; enough for a replayable schedule. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * One fault every `everyMs` on average (±50 %), starting after a quiet first tenth of the run and
 * ending before its last tenth; every kind appears at least once when the run is long enough.
 */
export function faultSchedule(seed: number, durationMs: number, everyMs = 4_000): Fault[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const kinds: FaultKind[] = ['kill', 'kill', 'kill', 'broker-connections', 'database-connections', 'redis-connections', 'gateway-down'];
  const faults: Fault[] = [];
  const mustAppear = new Set<FaultKind>(kinds);
  for (let at = durationMs * 0.1; at < durationMs * 0.9; at += everyMs * (0.5 + random())) {
    const left = [...mustAppear];
    const kind = left.length > 0 && random() < 0.5 ? left[0]! : pick(kinds);
    mustAppear.delete(kind);
    const atMs = Math.round(at);
    if (kind === 'kill') faults.push({ atMs, kind, target: pick(KILLABLE) });
    else if (kind === 'gateway-down') faults.push({ atMs, kind, target: 'psp', downMs: 2_000 + Math.round(random() * 3_000) });
    else faults.push({ atMs, kind });
  }
  return faults;
}
