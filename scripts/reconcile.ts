/**
 * `pnpm reconcile [--date YYYY-MM-DD]`: runs reconciliation of a UTC day (default: today so far)
 * as an admin, through the API gateway of a running platform (GATEWAY_URL), so the run is the
 * payment service's own (same sources, same repairs, same report) and audited under the admin.
 * Prints each mismatch with its ids and what was done. Exit 0: nothing left for a person;
 * 2: something is (in suspense or only reported); 1: the run could not be made.
 */
import { parseArgs } from 'node:util';
import { devSecrets } from './dev-secrets.ts';

interface Report {
  day: string;
  reportId: string;
  compared: Record<string, number>;
  inFlight: number;
  mismatches: Array<{ kind: string; ids: Record<string, string>; outcome: string; detail: string }>;
  actionsTaken: number;
  needsAPerson: number;
}

const { values } = parseArgs({ options: { date: { type: 'string' } } });
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const secrets = process.env.ADMIN_EMAIL && process.env.ADMIN_PASSWORD ? { adminEmail: process.env.ADMIN_EMAIL, adminPassword: process.env.ADMIN_PASSWORD } : devSecrets();

async function adminToken(): Promise<string> {
  const form = { grant_type: 'password', client_id: 'platform-web', username: secrets.adminEmail, password: secrets.adminPassword };
  const response = await fetch(`${gateway}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string };
  if (!body.access_token) throw new Error(`admin login failed (${response.status})`);
  return body.access_token;
}

try {
  const response = await fetch(`${gateway}/admin/reconciliation/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await adminToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify(values.date ? { date: values.date } : {}),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`the run was refused: ${response.status} ${text}`);
  const report = JSON.parse(text) as Report;
  const compared = Object.entries(report.compared).map(([name, count]) => `${count} ${name}`).join(', ');
  process.stdout.write(`reconciliation of ${report.day} (report ${report.reportId}): compared ${compared}; ${report.inFlight} still in flight\n`);
  for (const mismatch of report.mismatches) {
    const ids = Object.entries(mismatch.ids).map(([name, id]) => `${name}=${id}`).join(' ');
    process.stdout.write(`${mismatch.outcome === 'failed' || mismatch.outcome === 'for-a-person' ? '✗' : '•'} ${mismatch.kind} [${ids}] → ${mismatch.outcome}: ${mismatch.detail}\n`);
  }
  process.stdout.write(`${report.mismatches.length} mismatch(es), ${report.actionsTaken} action(s) taken, ${report.needsAPerson} for a person\n`);
  process.exitCode = report.needsAPerson > 0 ? 2 : 0;
} catch (error) {
  process.stderr.write(`reconcile: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
