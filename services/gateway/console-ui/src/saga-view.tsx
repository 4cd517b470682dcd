/**
 * One order's saga as a swimlane: a lane per service, each event a box in time order, an arrow
 * from each cause to its effect (causation ids), a step some service applied only after retries
 * marked with the attempt that worked, dead-letter stops in the lane of the service that gave up;
 * beside it the money (payments, refunds, ledger transfers) and the notices sent.
 */
import { getJson } from './api.ts';
import { useLoad } from './hooks.ts';
import { MoneyPanel, type SagaEvent, type Transfer } from './money-panel.tsx';
import { Problem } from './parts.tsx';

interface DlqStop {
  service: string;
  messageId?: string;
  eventType?: string;
  reason?: string;
  attempts?: number;
  failedAt?: string;
}
interface Saga {
  orderId: string;
  status: string;
  cancellationReason: string | null;
  incomplete: string[];
  events: SagaEvent[];
  transfers: Transfer[] | null;
  dlqStops: DlqStop[];
}
interface Box {
  key: string;
  lane: number;
  column: number;
  time: string;
  service: string;
  title: string;
  causedBy: string | null;
  causeKey: string | null;
  stop?: DlqStop;
  /** Services that applied it only after failed attempts, with the attempt that worked. */
  retried: Array<{ service: string; attempt: number }>;
}

const LANES = ['order', 'inventory', 'payment', 'ledger', 'notification', 'auth'];
const WIDTH = 176;
const HEIGHT = 78;
const GAP_X = 28;
const GAP_Y = 22;
const LANE_LABEL = 110;

function layout(saga: Saga): { boxes: Box[]; lanes: string[] } {
  // Only lanes with something in them, in the saga's usual order; services we do not know last.
  const used = new Set([...saga.events.map((event) => event.service), ...saga.dlqStops.map((stop) => stop.service)]);
  const lanes = [...LANES.filter((lane) => used.has(lane)), ...[...used].filter((service) => !LANES.includes(service))];
  const items = [
    ...saga.events.map((event) => ({ key: event.id, time: event.time, service: event.service, title: event.type, causedBy: event.causedBy, causeKey: event.causationId, retried: event.appliedBy.filter((applied) => applied.attempt > 1) })),
    ...saga.dlqStops.map((stop, index) => ({ key: `dlq-${index}`, time: stop.failedAt ?? '', service: stop.service, title: `DLQ: ${stop.eventType ?? 'message'}`, causedBy: stop.eventType ?? null, causeKey: stop.messageId ?? null, stop, retried: [] })),
  ].sort((a, b) => a.time.localeCompare(b.time));
  return { lanes, boxes: items.map((item, column) => ({ ...item, column, lane: lanes.indexOf(item.service) })) };
}

const at = (box: Pick<Box, 'lane' | 'column'>) => ({ x: LANE_LABEL + box.column * (WIDTH + GAP_X), y: box.lane * (HEIGHT + GAP_Y) });

function Swimlane({ saga }: { saga: Saga }) {
  const { boxes, lanes } = layout(saga);
  const start = boxes[0] ? new Date(boxes[0].time).getTime() : 0;
  const byKey = new Map(boxes.map((box) => [box.key, box]));
  const width = LANE_LABEL + boxes.length * (WIDTH + GAP_X);
  const height = lanes.length * (HEIGHT + GAP_Y);
  return (
    <div class="swimlane-scroll" tabIndex={0} aria-label="Saga diagram, scrolls sideways">
      <div class="swimlane" style={{ width: `${width}px`, height: `${height}px` }}>
        {lanes.map((lane, index) => (
          <div key={lane} class="lane" style={{ top: `${index * (HEIGHT + GAP_Y)}px`, height: `${HEIGHT}px`, width: `${width}px` }}>
            <span class="lane-name">{lane}</span>
          </div>
        ))}
        <svg class="arrows" width={width} height={height} aria-hidden="true">
          <defs>
            <marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" />
            </marker>
          </defs>
          {boxes.map((box) => {
            const cause = box.causeKey ? byKey.get(box.causeKey) : undefined;
            if (!cause) return null;
            const from = at(cause);
            const to = at(box);
            return <line key={box.key} x1={from.x + WIDTH} y1={from.y + HEIGHT / 2} x2={to.x} y2={to.y + HEIGHT / 2} marker-end="url(#head)" />;
          })}
        </svg>
        <ol class="events" aria-label="Events in order">
          {boxes.map((box, index) => {
            const position = at(box);
            const retries = box.retried.map((applied) => `${applied.service} applied it on attempt ${applied.attempt}`).join(', ');
            const label = `${index + 1}. ${box.title} in ${box.service}${box.causedBy ? `, caused by ${box.causedBy}` : ''}${retries ? `; retried: ${retries}` : ''}`;
            return (
              <li key={box.key} class={box.stop ? 'event stop' : box.retried.length > 0 ? 'event retried' : 'event'} style={{ left: `${position.x}px`, top: `${position.y}px`, width: `${WIDTH}px`, height: `${HEIGHT}px` }} data-index={index} data-service={box.service} data-type={box.title} data-caused-by={box.causedBy ?? ''} data-retried={retries || undefined} aria-label={label} title={box.stop ? `${box.stop.reason ?? ''} (attempts: ${box.stop.attempts ?? '?'})` : label}>
                <strong>{box.title}</strong>
                <span>+{new Date(box.time).getTime() - start} ms</span>
                {box.stop ? <span>attempts {box.stop.attempts ?? '?'}</span> : box.causedBy && <span class="cause">← {box.causedBy}</span>}
                {box.retried.length > 0 && <span class="retry">retried: {box.retried.map((applied) => `${applied.service} ×${applied.attempt}`).join(', ')}</span>}
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}

export function SagaView({ orderId }: { orderId: string }) {
  const { data: saga, error } = useLoad(() => getJson<Saga>(`/console/api/orders/${orderId}/saga`), [orderId]);
  return (
    <section aria-labelledby="saga-title">
      <h1 id="saga-title" tabIndex={-1}>
        Order <code>{orderId}</code>
      </h1>
      <p>
        <a href="#/orders">← Back to search</a>
      </p>
      <Problem text={error} />
      {saga && (
        <>
          <p class="status" data-status={saga.status}>
            State <strong>{saga.status}</strong>
            {saga.cancellationReason && <> — {saga.cancellationReason}</>}
            {saga.incomplete.length > 0 && <span class="warn"> (no answer from {saga.incomplete.join(', ')}: events may be missing)</span>}
          </p>
          <div class="saga">
            <Swimlane saga={saga} />
            <MoneyPanel events={saga.events} transfers={saga.transfers} />
          </div>
        </>
      )}
    </section>
  );
}
