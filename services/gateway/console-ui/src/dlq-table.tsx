/** One service's DLQ: its messages with why and when they failed, a selection, and replay buttons. */
import { Columns } from './parts.tsx';

export interface DlqMessage {
  messageId?: string;
  eventType?: string;
  subject?: string;
  reason?: string;
  failureKind?: string;
  attempts?: number;
  firstFailedAt?: string;
  failedAt?: string;
  replayCount: number;
  body: unknown;
}

interface Props {
  service: string;
  queue: string;
  depth: number;
  messages: DlqMessage[];
  selected: string[];
  onSelect: (ids: string[]) => void;
  onReplaySelected: (ids: string[]) => void;
  onReplayFilter: () => void;
}

const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

export function DlqTable({ service, queue, depth, messages, selected, onSelect, onReplaySelected, onReplayFilter }: Props) {
  const toggle = (id: string, on: boolean) => onSelect(on ? [...selected, id] : selected.filter((value) => value !== id));
  return (
    <section class="dlq" data-service={service} aria-labelledby={`dlq-${service}`}>
      <h2 id={`dlq-${service}`}>
        {queue}.dlq <span class="muted">({depth} in the queue)</span>
      </h2>
      {messages.length === 0 ? (
        <p class="muted">No message matches.</p>
      ) : (
        <>
          <table aria-labelledby={`dlq-${service}`}>
            <Columns names={['Pick', 'Type', 'Subject', 'Reason', 'Attempts', 'First failure', 'Last failure', 'Body']} />
            <tbody>
              {messages.map((message, index) => {
                const id = message.messageId ?? `#${index}`;
                return (
                  <tr key={id} data-message-id={message.messageId ?? ''}>
                    <td>
                      <input type="checkbox" aria-label={`Pick message ${id}`} disabled={!message.messageId} checked={selected.includes(id)} onChange={(event) => toggle(id, event.currentTarget.checked)} />
                    </td>
                    <td>{message.eventType ?? '?'}</td>
                    <td>
                      {message.subject ? <a href={`#/orders/${message.subject}`}>{message.subject}</a> : '—'}
                    </td>
                    <td class="reason">
                      {message.reason ?? '—'} {message.failureKind && <span class="muted">({message.failureKind})</span>}
                    </td>
                    <td>{message.attempts ?? '—'}</td>
                    <td>{when(message.firstFailedAt)}</td>
                    <td>{when(message.failedAt)}</td>
                    <td>
                      <details>
                        <summary>Show</summary>
                        <pre>{JSON.stringify(message.body, null, 2)}</pre>
                      </details>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div class="actions">
            <button type="button" disabled={selected.length === 0} onClick={() => onReplaySelected(selected)}>
              Replay selected ({selected.length})…
            </button>
            <button type="button" onClick={onReplayFilter}>
              Replay all matching the filter…
            </button>
          </div>
        </>
      )}
    </section>
  );
}
