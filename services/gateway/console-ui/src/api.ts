/** The console API, same origin, with the session cookie; changes carry the CSRF token. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

async function answer<T>(response: Response): Promise<T> {
  if (response.status === 401) {
    // The session ended (idle for half an hour, or signed out elsewhere).
    window.location.assign('/console/login');
    throw new ApiError(401, 'signed out');
  }
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
    throw new ApiError(response.status, problem.detail ?? problem.title ?? `HTTP ${response.status}`);
  }
  return (await response.json()) as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify(body),
    }),
  );
}

export interface Session {
  sub: string;
  role: string;
}

export async function loadSession(): Promise<Session> {
  const session = await getJson<Session & { csrfToken: string }>('/console/api/session');
  csrfToken = session.csrfToken;
  return { sub: session.sub, role: session.role };
}

export async function signOut(): Promise<void> {
  await fetch('/console/logout', { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrfToken } });
  window.location.assign('/console/login');
}

export const formatMoney = (minor: number | null | undefined, currency: string | null | undefined) =>
  minor === null || minor === undefined ? '—' : `${(minor / 100).toFixed(2)} ${currency ?? ''}`.trim();
