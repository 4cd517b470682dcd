/** Find orders by id, customer, merchant or the customer's idempotency key. */
import { useState } from 'preact/hooks';
import { formatMoney, getJson } from './api.ts';
import { Columns, Problem } from './parts.tsx';

interface OrderRow {
  orderId: string;
  status: string;
  cancellationReason: string | null;
  amountMinor: number | null;
  currency: string | null;
  createdAt: string;
}

const FIELDS = [
  { value: 'id', label: 'Order id' },
  { value: 'customer', label: 'Customer id' },
  { value: 'merchant', label: 'Merchant id' },
  { value: 'idempotencyKey', label: 'Idempotency key' },
];

export function OrderSearch() {
  const [by, setBy] = useState('id');
  const [text, setText] = useState('');
  const [found, setFound] = useState<{ search: string; orders: OrderRow[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const search = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setFound(null);
    try {
      const answer = await getJson<{ orders: OrderRow[] }>(`/console/api/orders?${new URLSearchParams({ by, q: text.trim() }).toString()}`);
      // The table names the search it answers, so nothing mistakes an earlier answer for this one.
      setFound({ search: `${by}:${text.trim()}`, orders: answer.orders });
    } catch (failure) {
      setFound(null);
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title" tabIndex={-1}>
        Orders
      </h1>
      <form class="search" role="search" onSubmit={(event) => void search(event)}>
        <label for="search-by">Find by</label>
        <select id="search-by" value={by} onChange={(event) => setBy(event.currentTarget.value)}>
          {FIELDS.map((field) => (
            <option key={field.value} value={field.value}>
              {field.label}
            </option>
          ))}
        </select>
        <label for="search-text">Value</label>
        <input id="search-text" value={text} onInput={(event) => setText(event.currentTarget.value)} required maxLength={255} />
        <button type="submit">Search</button>
      </form>
      <Problem text={error} />
      {found && (
        <table aria-label="Orders found" data-search={found.search}>
          <Columns names={['Order', 'State', 'Reason', 'Amount', 'Placed']} />
          <tbody>
            {found.orders.length === 0 && (
              <tr>
                <td colSpan={5}>No order found.</td>
              </tr>
            )}
            {found.orders.map((order) => (
              <tr key={order.orderId}>
                <td>
                  <a href={`#/orders/${order.orderId}`}>{order.orderId}</a>
                </td>
                <td>{order.status}</td>
                <td>{order.cancellationReason ?? ''}</td>
                <td>{formatMoney(order.amountMinor, order.currency)}</td>
                <td>{new Date(order.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
