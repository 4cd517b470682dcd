import { useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/** Loads `load()` now, again every `everyMs` when given, and on reload(); keeps the last data on error. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (value) => live && (setData(value), setError(null)),
        (failure: unknown) => live && setError(failure instanceof Error ? failure.message : String(failure)),
      );
    void run();
    const timer = everyMs ? window.setInterval(() => void run(), everyMs) : undefined;
    return () => {
      live = false;
      if (timer) window.clearInterval(timer);
    };
    // The caller names what reloads it (deps), as with any hook.
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((value) => value + 1) };
}
