/** The last reconciliation report: each mismatch with its ids (orders linked) and the repair taken. */
import { getJson } from './api.ts';
import { useLoad } from './hooks.ts';
import { Columns, Problem } from './parts.tsx';

interface Mismatch {
  kind: string;
  ids: Record<string, string>;
  repair: string | null;
  suspense?: { transferId: string; amountMinor: number; currency: string; journaled: boolean };
}
interface Report {
  reportId: string;
  day: string;
  ranAt: string;
  requestedBy: string;
  actionsTaken: number;
  mismatches: Mismatch[];
}

export function Reconciliation() {
  const { data, error } = useLoad(() => getJson<{ report: Report | null }>('/console/api/reconciliation'), []);
  const report = data?.report;
  return (
    <section aria-labelledby="reconciliation-title">
      <h1 id="reconciliation-title" tabIndex={-1}>
        Reconciliation
      </h1>
      <Problem text={error} />
      {data && !report && <p>No reconciliation has run yet (pnpm reconcile, or the nightly job).</p>}
      {report && (
        <>
          <p>
            Day <strong>{report.day}</strong>, run {new Date(report.ranAt).toLocaleString()} by <code>{report.requestedBy}</code>: {report.mismatches.length} mismatch
            {report.mismatches.length === 1 ? '' : 'es'}, {report.actionsTaken} repair{report.actionsTaken === 1 ? '' : 's'} taken.
          </p>
          <table aria-label="Mismatches">
            <Columns names={['Kind', 'Ids', 'Repair']} />
            <tbody>
              {report.mismatches.length === 0 && (
                <tr>
                  <td colSpan={3}>The books agree.</td>
                </tr>
              )}
              {report.mismatches.map((mismatch, index) => (
                <tr key={index} data-kind={mismatch.kind}>
                  <td>{mismatch.kind}</td>
                  <td>
                    {Object.entries(mismatch.ids).map(([name, id]) => (
                      <div key={name}>
                        {name}: {name === 'orderId' ? <a href={`#/orders/${id}`}>{id}</a> : <code>{id}</code>}
                      </div>
                    ))}
                  </td>
                  <td>
                    {mismatch.repair ?? (mismatch.suspense ? `suspense ${mismatch.suspense.transferId}${mismatch.suspense.journaled ? ' (already parked)' : ''}` : 'reported only')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
