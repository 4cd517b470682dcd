/**
 * Forms batches from the messages a consumer holds, keeping one aggregate's messages in arrival
 * order: a batch takes pending items in arrival order, skipping any whose key (subject) is in a
 * batch still running — and every later item of that key, so nothing overtakes. At most
 * `concurrency` batches run at once. No waiting to fill a batch: under light load each message
 * runs as soon as it comes (a batch of one); under load, what arrived while the running batches
 * worked forms the next, larger one.
 */
export interface BatchSchedulerOptions<T> {
  maxBatch: number;
  concurrency: number;
  keyOf: (item: T) => string;
  /** Items that may share a batch with the first one taken (e.g. delivered on the same channel). */
  compatible?: (first: T, item: T) => boolean;
  run: (batch: T[]) => Promise<void>;
}

export class BatchScheduler<T> {
  private pending: T[] = [];
  private readonly busyKeys = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private runningItems = 0;

  constructor(private readonly options: BatchSchedulerOptions<T>) {}

  add(item: T): void {
    this.pending.push(item);
    this.pump();
  }

  /**
   * Forgets what has not started and `which` picks (messages of a closed channel: the broker
   * redelivers them, and applying them here would only race the instance that now has them).
   */
  discard(which: (item: T) => boolean): void {
    this.pending = this.pending.filter((item) => !which(item));
  }

  /** Forgets what has not started (a stopping consumer leaves it unacked) and waits for what runs. */
  async drain(): Promise<void> {
    this.pending = [];
    await Promise.allSettled([...this.running]);
  }

  /** Items held: waiting, or in a running batch. */
  get size(): number {
    return this.pending.length + this.runningItems;
  }

  private pump(): void {
    while (this.running.size < this.options.concurrency) {
      const batch = this.take();
      if (batch.length === 0) return;
      const keys = batch.map(this.options.keyOf);
      for (const key of keys) this.busyKeys.set(key, (this.busyKeys.get(key) ?? 0) + 1);
      this.runningItems += batch.length;
      const run = this.options
        .run(batch)
        .catch(() => undefined) // `run` settles its own items; nothing may stop the scheduler
        .finally(() => {
          this.running.delete(run);
          this.runningItems -= batch.length;
          for (const key of keys) {
            const left = (this.busyKeys.get(key) ?? 1) - 1;
            if (left === 0) this.busyKeys.delete(key);
            else this.busyKeys.set(key, left);
          }
          this.pump();
        });
      this.running.add(run);
    }
  }

  private take(): T[] {
    const batch: T[] = [];
    const rest: T[] = [];
    const waiting = new Set<string>();
    for (const item of this.pending) {
      const key = this.options.keyOf(item);
      const fits = batch.length < this.options.maxBatch && (batch.length === 0 || (this.options.compatible?.(batch[0]!, item) ?? true));
      if (fits && !this.busyKeys.has(key) && !waiting.has(key)) batch.push(item);
      else {
        waiting.add(key);
        rest.push(item);
      }
    }
    this.pending = rest;
    return batch;
  }
}
