/** Who did what, from every service's append-only audit trail, newest first. */
import { getJson } from './api.ts';
import { useLoad } from './hooks.ts';
import { Columns, Problem } from './parts.tsx';

interface Entry {
  id: string;
  service: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  details: unknown;
}

export function AuditLog() {
  const { data, error, reload } = useLoad(() => getJson<{ incomplete: string[]; entries: Entry[] }>('/console/api/audit'), []);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title" tabIndex={-1}>
        Audit log
      </h1>
      <button type="button" onClick={reload}>
        Refresh
      </button>
      <Problem text={error} />
      {data?.incomplete.length ? <p class="warn">No answer from {data.incomplete.join(', ')}.</p> : null}
      {data && (
        <table aria-label="Audit entries">
          <Columns names={['When', 'Service', 'Actor', 'Action', 'Target', 'Outcome', 'Details']} />
          <tbody>
            {data.entries.map((entry) => (
              <tr key={`${entry.service}-${entry.id}`} data-action={entry.action}>
                <td>{new Date(entry.at).toLocaleString()}</td>
                <td>{entry.service}</td>
                <td>
                  <code>{entry.actor}</code>
                </td>
                <td>{entry.action}</td>
                <td>{entry.target ?? ''}</td>
                <td>{entry.outcome}</td>
                <td>
                  <code class="details">{entry.details ? JSON.stringify(entry.details) : ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
