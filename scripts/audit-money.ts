/**
 * `pnpm audit:money [--prefix platform] [--ledger-url URL]`: reads every service database
 * directly and checks the money and the stock: every order final; the ledger balanced, its
 * balances the sum of its postings; stock counters equal to the reservations and conserved; at
 * most one kept gateway charge per payment and refunds never above captures; orders,
 * reservations, payments, the gateway's books and the ledger in agreement. Prints each breach
 * with its ids and exits 1 on any (0 when the books are right).
 */
import { parseArgs } from 'node:util';
import { checkBooks } from './money-audit/check-books.ts';
import { readBooks } from './money-audit/read-books.ts';

const { values } = parseArgs({ options: { prefix: { type: 'string', default: process.env.PG_DATABASE_PREFIX ?? 'platform' }, 'ledger-url': { type: 'string' } } });

try {
  const { books, ledgerProblems } = await readBooks(values.prefix, values['ledger-url'] ? { ledgerUrl: values['ledger-url'] } : {});
  const breaches = [...ledgerProblems.map((problem) => ({ rule: `ledger: ${problem.check}`, ids: problem.ids, detail: problem.detail })), ...checkBooks(books)];
  for (const breach of breaches) process.stdout.write(`✗ ${breach.rule}: ${breach.detail} [${breach.ids.join(', ')}]\n`);
  const counted = `${books.orders.length} orders, ${books.payments.length} payments, ${books.gatewayCharges.length} gateway charges, ${books.ledger.size} ledger transfers, ${books.products.length} products`;
  process.stdout.write(breaches.length === 0 ? `money audit passed: ${counted}\n` : `money audit FAILED: ${breaches.length} breach(es) over ${counted}\n`);
  process.exitCode = breaches.length === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`audit:money could not read the books: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
