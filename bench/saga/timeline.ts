/**
 * Where an order's time goes: for each step of the saga (the gateway's answer, then every event
 * the order's subject carried, as seen on the broker), the median time from the order's scheduled
 * send. Printed for all orders and for the orders of the slowest second, side by side: the step
 * where the two part is the hop that stalled (a queue that waited, a service that paused), which
 * a percentile of the whole journey cannot say.
 */

export interface Step {
  step: string;
  allMs: number;
  slowMs: number;
}

const median = (values: number[]) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Each order's steps as times after its send: `answered` (the POST's answer) and every event type seen for it. */
function offsetsByStep(ids: Iterable<string>, scheduled: ReadonlyMap<string, number>, answered: ReadonlyMap<string, number>, seen: ReadonlyMap<string, ReadonlyMap<string, number>>) {
  const byStep = new Map<string, number[]>();
  const add = (step: string, ms: number) => {
    const values = byStep.get(step);
    if (values) values.push(ms);
    else byStep.set(step, [ms]);
  };
  for (const id of ids) {
    const due = scheduled.get(id);
    if (due === undefined) continue;
    const answer = answered.get(id);
    if (answer !== undefined) add('answered', answer - due);
    for (const [type, at] of seen.get(id) ?? []) add(type.replace(/\.v\d+$/, ''), at - due);
  }
  return byStep;
}

/**
 * The medians for all orders and for those sent in `slowSecond` (seconds after `started`), in the
 * order the steps happen for all orders. Steps fewer than a tenth of the orders took (a
 * cancellation's events in a run that mostly completes) are left out.
 */
export function timeline(
  scheduled: ReadonlyMap<string, number>,
  answered: ReadonlyMap<string, number>,
  seen: ReadonlyMap<string, ReadonlyMap<string, number>>,
  started: number,
  slowSecond: number | undefined,
): Step[] {
  const all = offsetsByStep(scheduled.keys(), scheduled, answered, seen);
  const inSlowSecond = [...scheduled].filter(([, due]) => slowSecond !== undefined && Math.floor((due - started) / 1000) === slowSecond).map(([id]) => id);
  const slow = offsetsByStep(inSlowSecond, scheduled, answered, seen);
  return [...all]
    .filter(([, values]) => values.length >= scheduled.size / 10)
    .map(([step, values]) => ({ step, allMs: median(values), slowMs: median(slow.get(step) ?? []) }))
    .sort((a, b) => a.allMs - b.allMs);
}

export function describeTimeline(steps: readonly Step[], slowSecond: number | undefined): string {
  const ms = (value: number) => (Number.isNaN(value) ? '-' : String(Math.round(value)));
  const label = slowSecond === undefined ? 'all orders' : `all orders / those sent at +${slowSecond} s`;
  return `median ms after the send (${label}): ${steps.map((step) => `${step.step} ${ms(step.allMs)}${slowSecond === undefined ? '' : `/${ms(step.slowMs)}`}`).join(', ')}`;
}
