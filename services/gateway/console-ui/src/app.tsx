/** The console's frame: who is signed in, the sections, and the page the address names. */
import { useEffect, useState } from 'preact/hooks';
import { loadSession, signOut, type Session } from './api.ts';
import { Overview } from './overview.tsx';
import { OrderSearch } from './order-search.tsx';
import { SagaView } from './saga-view.tsx';
import { DeadLetters } from './dead-letters.tsx';
import { Reconciliation } from './reconciliation.tsx';
import { AuditLog } from './audit-log.tsx';

const SECTIONS = [
  { hash: '#/overview', label: 'Overview' },
  { hash: '#/orders', label: 'Orders' },
  { hash: '#/dlq', label: 'Dead letters' },
  { hash: '#/reconciliation', label: 'Reconciliation' },
  { hash: '#/audit', label: 'Audit log' },
];

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash || '#/overview');
  useEffect(() => {
    const changed = () => setHash(window.location.hash || '#/overview');
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function Page({ hash }: { hash: string }) {
  const order = /^#\/orders\/([0-9a-f-]{36})$/.exec(hash);
  if (order) return <SagaView orderId={order[1]!} />;
  if (hash.startsWith('#/orders')) return <OrderSearch />;
  if (hash === '#/dlq') return <DeadLetters />;
  if (hash === '#/reconciliation') return <Reconciliation />;
  if (hash === '#/audit') return <AuditLog />;
  return <Overview />;
}

export function App() {
  const hash = useHash();
  const [session, setSession] = useState<Session | null>(null);
  useEffect(() => void loadSession().then(setSession, () => undefined), []);
  // Moving between sections puts the keyboard focus on the new page's heading.
  useEffect(() => document.querySelector<HTMLElement>('main h1')?.focus(), [hash]);
  if (!session) return <p class="loading">Loading…</p>;
  const section = SECTIONS.find((item) => hash.startsWith(item.hash))?.hash ?? '#/overview';
  return (
    <>
      <header class="top">
        <span class="brand">Operations console</span>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map((item) => (
              <li key={item.hash}>
                <a href={item.hash} aria-current={item.hash === section ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          admin <code>{session.sub.slice(0, 8)}</code>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        <Page hash={hash} />
      </main>
    </>
  );
}
