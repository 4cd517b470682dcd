/**
 * The chaos run's fault schedule, drawn from a seed: the same seed gives the same faults at the
 * same offsets, so a failing run is replayed by its seed. Pure (a small PRNG, no clock).
 */

export const FAULT_KINDS = [
  'kill',
  'broker-connections',
  'database-connections',
  'redis-connections',
  'psp-down',
  'broker-restart',
  'database-restart',
  'redis-restart',
  'network-latency',
  'network-drop',
  'network-cut',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  atMs: number;
  kind: FaultKind;
  /** The process killed (kill, with its instance), or the link a network fault hits. */
  target?: string;
  instance?: number;
  /** How long the server, process or link stays down or slow. */
  downMs?: number;
  /** Added latency each way (network-latency). */
  latencyMs?: number;
  /** Share of live connections dropped (network-drop). */
  share?: number;
}

/** Processes a fault may SIGKILL: every service, the relay, the API gateway and the gateway simulator. */
export const KILLABLE = ['order', 'inventory', 'payment', 'ledger', 'notification', 'auth', 'relay', 'gateway', 'psp'] as const;
/** Links a network fault may hit: every process's to PostgreSQL or RabbitMQ, or callers' into a service's instances. */
export const LINKS = ['postgres', 'rabbitmq', 'order', 'inventory', 'payment', 'ledger', 'auth', 'gateway'] as const;
const SINGLE: readonly string[] = ['psp'];

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
 * Kills are drawn more often than the rest: a crash is the commonest fault.
 */
export function faultSchedule(seed: number, durationMs: number, options: { everyMs?: number; replicas?: number } = {}): Fault[] {
  const { everyMs = 4_000, replicas = 2 } = options;
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (low: number, high: number) => low + Math.round(random() * (high - low));
  const kinds: FaultKind[] = [...Array<FaultKind>(8).fill('kill'), ...FAULT_KINDS];
  const faults: Fault[] = [];
  const mustAppear = new Set<FaultKind>(FAULT_KINDS);
  for (let at = durationMs * 0.1; at < durationMs * 0.9; at += everyMs * (0.5 + random())) {
    const left = [...mustAppear];
    const kind = left.length > 0 && random() < 0.5 ? left[0]! : pick(kinds);
    mustAppear.delete(kind);
    const atMs = Math.round(at);
    if (kind === 'kill') {
      const target = pick(KILLABLE);
      faults.push({ atMs, kind, target, instance: SINGLE.includes(target) ? 0 : Math.floor(random() * replicas) });
    } else if (kind === 'psp-down') faults.push({ atMs, kind, target: 'psp', downMs: between(2_000, 5_000) });
    else if (kind === 'broker-restart' || kind === 'database-restart' || kind === 'redis-restart') faults.push({ atMs, kind, downMs: between(1_000, 4_000) });
    else if (kind === 'network-latency') faults.push({ atMs, kind, target: pick(LINKS), latencyMs: between(50, 300), downMs: between(2_000, 6_000) });
    else if (kind === 'network-drop') faults.push({ atMs, kind, target: pick(LINKS), share: 0.2 + Math.round(random() * 50) / 100 });
    else if (kind === 'network-cut') faults.push({ atMs, kind, target: pick(LINKS), downMs: between(1_000, 4_000) });
    else faults.push({ atMs, kind });
  }
  return faults;
}

export function describeFault(fault: Fault): string {
  const target = fault.target ? ` ${fault.target}${fault.instance !== undefined ? `#${fault.instance}` : ''}` : '';
  const extra = [fault.latencyMs ? `+${fault.latencyMs} ms` : '', fault.share ? `${Math.round(fault.share * 100)} % of connections` : '', fault.downMs ? `for ${fault.downMs} ms` : ''].filter(Boolean).join(' ');
  return `${(fault.atMs / 1000).toFixed(1)}s: ${fault.kind}${target}${extra ? ` ${extra}` : ''}`;
}
