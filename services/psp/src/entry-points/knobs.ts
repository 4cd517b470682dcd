/** Test-mode behaviour of the whole processor, changed at run time through PUT /v1/test/knobs. */
export interface Knobs {
  /** Share of charge and refund calls answered 503 without doing anything (0…1). */
  failureRate: number;
  /** Added before every charge or refund answer (after the work is done). */
  latencyMs: number;
}
