/**
 * Every service's DLQ: browse and filter, then replay one, a selection or the filter. A replay
 * is always previewed first (a dry run lists what would go back) and then confirmed.
 */
import { useState } from 'preact/hooks';
import { getJson, postJson } from './api.ts';
import { useLoad } from './hooks.ts';
import { DlqTable, type DlqMessage } from './dlq-table.tsx';
import { Problem } from './parts.tsx';

interface Queue {
  service: string;
  queue: string;
  depth: number;
  messages: DlqMessage[];
}
interface Listing {
  unavailable: string[];
  queues: Queue[];
}
interface ReplayAnswer {
  dryRun: boolean;
  matched: number;
  replayed: number;
  entries: Array<{ messageId?: string; eventType?: string; subject?: string; action: string }>;
}
interface Filter {
  type: string;
  subject: string;
  since: string;
  until: string;
}
interface Pending {
  service: string;
  request: Record<string, unknown>;
  preview: ReplayAnswer;
}

const EMPTY: Filter = { type: '', subject: '', since: '', until: '' };
const asIso = (local: string) => (local ? new Date(local).toISOString() : '');
const filterQuery = (filter: Filter) =>
  new URLSearchParams(Object.entries({ ...filter, since: asIso(filter.since), until: asIso(filter.until) }).filter(([, value]) => value !== '')).toString();

export function DeadLetters() {
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [selected, setSelected] = useState<Record<string, string[]>>({});
  const [pending, setPending] = useState<Pending | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { data, error, reload } = useLoad(() => getJson<Listing>(`/console/api/dlq?${filterQuery(filter)}`), [filter]);

  const preview = async (service: string, request: Record<string, unknown>) => {
    setNotice(null);
    try {
      setPending({ service, request, preview: await postJson<ReplayAnswer>(`/console/api/dlq/${service}/replay`, { ...request, dryRun: true }) });
    } catch (failure) {
      setNotice(`Preview failed: ${failure instanceof Error ? failure.message : String(failure)}`);
    }
  };
  const confirm = async () => {
    if (!pending) return;
    try {
      const done = await postJson<ReplayAnswer>(`/console/api/dlq/${pending.service}/replay`, { ...pending.request, dryRun: false });
      setNotice(`Replayed ${done.replayed} message${done.replayed === 1 ? '' : 's'} from ${pending.service}.dlq.`);
      setSelected({});
    } catch (failure) {
      setNotice(`Replay failed: ${failure instanceof Error ? failure.message : String(failure)}`);
    }
    setPending(null);
    reload();
  };
  const byFilter = () => {
    const fields = { ...filter, since: asIso(filter.since), until: asIso(filter.until) };
    const named = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ''));
    return Object.keys(named).length > 0 ? named : { all: true };
  };

  return (
    <section aria-labelledby="dlq-title">
      <h1 id="dlq-title" tabIndex={-1}>
        Dead letters
      </h1>
      <form
        class="filters"
        aria-label="Filter dead letters"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter(draft);
        }}
      >
        {(['type', 'subject'] as const).map((name) => (
          <span key={name}>
            <label for={`filter-${name}`}>{name === 'type' ? 'Event type' : 'Subject (order id)'}</label>
            <input id={`filter-${name}`} value={draft[name]} onInput={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })} />
          </span>
        ))}
        {(['since', 'until'] as const).map((name) => (
          <span key={name}>
            <label for={`filter-${name}`}>{name === 'since' ? 'Failed after' : 'Failed before'}</label>
            <input id={`filter-${name}`} type="datetime-local" value={draft[name]} onInput={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })} />
          </span>
        ))}
        <button type="submit">Apply</button>
      </form>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <Problem text={error} />
      {pending && (
        <div class="confirm" role="dialog" aria-modal="false" aria-labelledby="confirm-title">
          <h2 id="confirm-title">
            Replay {pending.preview.matched} message{pending.preview.matched === 1 ? '' : 's'} from {pending.service}.dlq?
          </h2>
          <ul>
            {pending.preview.entries.map((entry, index) => (
              <li key={entry.messageId ?? index}>
                {entry.eventType ?? '?'} — {entry.subject ?? '?'} (<code>{entry.messageId ?? '?'}</code>)
              </li>
            ))}
          </ul>
          <button type="button" class="primary" disabled={pending.preview.matched === 0} onClick={() => void confirm()}>
            Confirm replay
          </button>
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      )}
      {data?.unavailable.length ? <p class="warn">No answer from {data.unavailable.join(', ')}.</p> : null}
      {data?.queues.map((queue) => (
        <DlqTable
          key={queue.service}
          service={queue.service}
          queue={queue.queue}
          depth={queue.depth}
          messages={queue.messages}
          selected={selected[queue.service] ?? []}
          onSelect={(ids) => setSelected({ ...selected, [queue.service]: ids })}
          onReplaySelected={(ids) => void preview(queue.service, { messageIds: ids })}
          onReplayFilter={() => void preview(queue.service, byFilter())}
        />
      ))}
    </section>
  );
}
