/** Beside the swimlane: what money moved for the order, and which notices went out. */
import { formatMoney } from './api.ts';

export interface SagaEvent {
  time: string;
  service: string;
  type: string;
  id: string;
  causationId: string | null;
  causedBy: string | null;
  data: unknown;
  /** Each service that applied it, and at which delivery (1: the first; more: retried). */
  appliedBy: Array<{ service: string; attempt: number }>;
}
export interface Transfer {
  id: string;
  kind: string;
  createdAt: string;
  postings: Array<{ account: string; currency: string; debitMinor: number; creditMinor: number }>;
}

const field = (data: unknown, name: string): unknown => (data && typeof data === 'object' ? (data as Record<string, unknown>)[name] : undefined);
const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

export function MoneyPanel({ events, transfers }: { events: SagaEvent[]; transfers: Transfer[] | null }) {
  const payments = events.filter((event) => event.type.startsWith('payment.'));
  const notices = events.filter((event) => event.type.startsWith('notification.'));
  return (
    <aside class="money" aria-label="Money and notices">
      <h2>Payments</h2>
      <ul class="payments">
        {payments.length === 0 && <li>None.</li>}
        {payments.map((event) => (
          <li key={event.id} data-type={event.type}>
            <strong>{event.type.replace(/^payment\.|\.v\d+$/g, '')}</strong> {formatMoney(field(event.data, 'amountMinor') as number | undefined, field(event.data, 'currency') as string | undefined)}
            {text(field(event.data, 'reason')) && <span> — {text(field(event.data, 'reason'))}</span>}
          </li>
        ))}
      </ul>
      <h2>Ledger transfers</h2>
      {transfers === null ? (
        <p class="warn">The ledger did not answer.</p>
      ) : (
        <ul class="transfers">
          {transfers.length === 0 && <li>None.</li>}
          {transfers.map((transfer) => (
            <li key={transfer.id} data-kind={transfer.kind}>
              <strong>{transfer.kind}</strong> <code>{transfer.id}</code>
              <ul>
                {transfer.postings.map((posting, index) => (
                  <li key={index}>
                    {posting.account}: {posting.debitMinor > 0 ? `debit ${formatMoney(posting.debitMinor, posting.currency)}` : `credit ${formatMoney(posting.creditMinor, posting.currency)}`}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <h2>Notices sent</h2>
      <ul class="notices">
        {notices.length === 0 && <li>None.</li>}
        {notices.map((event) => (
          <li key={event.id}>
            {text(field(event.data, 'template')) || event.type} {text(field(event.data, 'channel'))}
          </li>
        ))}
      </ul>
    </aside>
  );
}
