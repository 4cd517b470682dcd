/**
 * The payment service's own metrics: the gateway's circuit breaker (0 closed, 0.5 half-open,
 * 1 open) and payments that reached an outcome, by kind (order or top-up), method and outcome —
 * the conversion an operator watches per method. Counted after the commit; labels are closed sets.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export type PaymentFinished = (kind: string, method: string, outcome: 'succeeded' | 'failed') => void;

export function paymentMetrics(registry: Registry) {
  const circuit = new Gauge({ name: 'payment_gateway_circuit_open', help: 'The gateway circuit breaker: 0 closed, 1 open, 0.5 half-open', registers: [registry] });
  const finished = new Counter({ name: 'payments_finished_total', help: 'Payments that succeeded or failed, by kind, method and outcome', labelNames: ['kind', 'method', 'outcome'], registers: [registry] });
  circuit.set(0);
  return {
    circuitState(state: string) {
      circuit.set(state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0);
    },
    finished: ((kind, method, outcome) => finished.inc({ kind, method, outcome })) satisfies PaymentFinished,
  };
}
