/**
 * OpenTelemetry traces, off unless the standard OTEL_* variables ask for them
 * (OTEL_TRACES_EXPORTER other than `none`, or an OTLP endpoint). One order is one trace: the
 * gateway continues the caller's `traceparent`, every signed service call carries it, an event
 * written to the outbox records the span that wrote it, the relay publishes it under a producer
 * span with the `traceparent` AMQP header, and the consumer's span is that span's child. Spans are
 * made here, at those hops, rather than by patching libraries: the hops are ours, and the same
 * code runs under tsx and from the esbuild bundle. With tracing off each helper is one branch.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';

let enabled = false;
let sdk: { shutdown(): Promise<void> } | undefined;

export const tracingEnabled = () => enabled;

export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Starts the SDK for this process when the environment asks; a no-op otherwise. */
export async function startTracing(serviceName: string): Promise<void> {
  if (enabled || !tracingRequested(process.env)) return;
  // Traces only: metrics are Prometheus's, logs are pino's.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_TRACES_EXPORTER ??= 'otlp';
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const started = new NodeSDK({ serviceName: process.env.OTEL_SERVICE_NAME ?? serviceName, instrumentations: [] });
  started.start();
  sdk = started;
  enabled = true;
}

/** Sends what is buffered; called when the process stops. */
export async function stopTracing(): Promise<void> {
  enabled = false;
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}

const tracer = () => trace.getTracer('platform');

/** The W3C traceparent of the active span, when tracing is on and a span is active. */
export function activeTraceparent(): string | undefined {
  if (!enabled || !trace.getSpan(context.active())) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

export function contextOf(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** Runs `work` inside a new span; the span records a thrown error and always ends. */
export async function inSpan<T>(name: string, options: { kind: SpanKind; parent?: Context; attributes?: Record<string, string | number> }, work: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!enabled) return work(undefined);
  const span = tracer().startSpan(name, { kind: options.kind, ...(options.attributes ? { attributes: options.attributes } : {}) }, options.parent ?? context.active());
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/** As inSpan, but only under an active span: work outside any trace does not start one. */
export function inChildSpan<T>(name: string, options: { kind: SpanKind; attributes?: Record<string, string | number> }, work: () => Promise<T>): Promise<T> {
  return enabled && trace.getSpan(context.active()) ? inSpan(name, options, work) : work();
}

/** Adds the active context's `traceparent` to outgoing HTTP headers. */
export function withTraceHeaders(headers: Record<string, string>): Record<string, string> {
  const traceparent = activeTraceparent();
  return traceparent ? { ...headers, traceparent } : headers;
}

/** Producer spans for a batch of outbox rows, each a child of the span that wrote its event. */
export function startPublishSpans(rows: ReadonlyArray<{ envelope: string; routing_key: string; exchange: string }>): { headers: (index: number) => Record<string, string>; end: (error?: unknown) => void } {
  if (!enabled) return { headers: () => ({}), end: () => undefined };
  const spans = rows.map((row) => {
    const { traceparent } = JSON.parse(row.envelope) as { traceparent?: string };
    return tracer().startSpan(`publish ${row.routing_key}`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': row.exchange, 'messaging.rabbitmq.destination.routing_key': row.routing_key } }, contextOf(traceparent));
  });
  return {
    headers: (index) => {
      const carrier: Record<string, string> = {};
      propagation.inject(trace.setSpan(ROOT_CONTEXT, spans[index]!), carrier);
      return carrier;
    },
    end: (error) => {
      for (const span of spans) {
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : 'publish failed' });
        span.end();
      }
    },
  };
}

/** The consumer span's options: a child of the producer span named by the message's header. */
export function consumerSpan(queue: string, headers: Record<string, unknown> | undefined, envelope: { traceparent: string; id: string }) {
  if (!enabled) return { kind: SpanKind.CONSUMER };
  const fromHeader = typeof headers?.traceparent === 'string' ? headers.traceparent : undefined;
  return { kind: SpanKind.CONSUMER, parent: contextOf(fromHeader ?? envelope.traceparent), attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': queue, 'messaging.message.id': envelope.id } };
}

export { SpanKind };
