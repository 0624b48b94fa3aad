// Spans the platform records about its own work (API requests, lifecycle steps, exec). The active
// span travels in an AsyncLocalStorage, so a domain function called inside a request opens a child
// span without being handed anything; a span outside any request starts its own trace.
import { AsyncLocalStorage } from "node:async_hooks";
import { insertSpans } from "./insert-spans";
import { nowNs, type SpanEvent, type SpanKind, type SpanRow, type SpanStatus } from "./span-row";
import { SpanWriter } from "./span-writer";
import { formatTraceparent, newSpanId, newTraceId, type SpanContext } from "./traceparent";

const holder = globalThis as unknown as { burrowSpanWriter?: SpanWriter };

/** This process's span writer (one per process; survives Next's dev reloads). */
export function spanWriter(): SpanWriter {
  if (!holder.burrowSpanWriter) {
    holder.burrowSpanWriter = new SpanWriter({ insert: (rows) => insertSpans(rows) });
    process.once("beforeExit", () => void holder.burrowSpanWriter?.close());
  }
  return holder.burrowSpanWriter;
}

/** Writes buffered platform spans now (call on shutdown). */
export async function flushPlatformSpans(): Promise<void> {
  await holder.burrowSpanWriter?.close();
}

export type SpanOptions = {
  /** Defaults to the active span's tenant. A span without a tenant is not stored. */
  tenantId?: string | null;
  sessionId?: string | null;
  kind?: SpanKind;
  attributes?: Record<string, unknown>;
  /** The parent: defaults to the active span; null starts a new trace. */
  parent?: SpanContext | null;
};

export class PlatformSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly startNs = nowNs();
  tenantId: string | null;
  sessionId: string | null;
  private status: SpanStatus = "unset";
  private statusMessage: string | null = null;
  private readonly attributes: Record<string, unknown>;
  private readonly events: SpanEvent[] = [];
  private ended = false;

  constructor(readonly name: string, private readonly opts: SpanOptions = {}) {
    const active = activeSpan();
    const parent = opts.parent === undefined ? active?.context() ?? null : opts.parent;
    this.traceId = parent?.traceId ?? newTraceId();
    this.parentSpanId = parent?.spanId ?? null;
    this.spanId = newSpanId();
    this.tenantId = opts.tenantId !== undefined ? opts.tenantId : active?.tenantId ?? null;
    this.sessionId = opts.sessionId !== undefined ? opts.sessionId : active?.sessionId ?? null;
    this.attributes = { ...opts.attributes };
  }

  context(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId, sampled: true };
  }

  traceparent(): string {
    return formatTraceparent(this.context());
  }

  setAttribute(key: string, value: unknown): this {
    if (value !== undefined && value !== null) this.attributes[key] = value;
    return this;
  }

  setSession(sessionId: string | null | undefined): this {
    this.sessionId = sessionId ?? null;
    if (sessionId) this.attributes["session.id"] = sessionId;
    else delete this.attributes["session.id"];
    return this;
  }

  addEvent(name: string, attributes: Record<string, unknown> = {}): this {
    this.events.push({ timeNs: nowNs().toString(), name, attributes });
    return this;
  }

  setError(err: unknown): this {
    this.status = "error";
    this.statusMessage = err instanceof Error ? err.message.slice(0, 1000) : String(err).slice(0, 1000);
    return this;
  }

  setOk(): this {
    if (this.status !== "error") this.status = "ok";
    return this;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.tenantId) return;
    if (this.sessionId) this.attributes["session.id"] = this.sessionId;
    spanWriter().record(this.toRow(nowNs()));
  }

  toRow(endNs: bigint): SpanRow {
    return {
      tenantId: this.tenantId!, traceId: this.traceId, spanId: this.spanId, parentSpanId: this.parentSpanId, sessionId: this.sessionId,
      name: this.name, kind: this.opts.kind ?? "internal", source: "platform", serviceName: "burrow", startNs: this.startNs, endNs,
      statusCode: this.status, statusMessage: this.statusMessage, attributes: this.attributes, events: this.events, resource: { "service.name": "burrow" },
    };
  }
}

const active = new AsyncLocalStorage<PlatformSpan>();

export function activeSpan(): PlatformSpan | undefined {
  return active.getStore();
}

/** Runs `fn` with `span` as the active span (children made inside it nest under it). */
export function runInSpan<T>(span: PlatformSpan, fn: () => T): T {
  return active.run(span, fn);
}

/** Runs `fn` in a new span that ends when it settles; a throw marks the span as an error. */
export async function withSpan<T>(name: string, opts: SpanOptions, fn: (span: PlatformSpan) => Promise<T>): Promise<T> {
  const span = new PlatformSpan(name, opts);
  if (opts.sessionId) span.setSession(opts.sessionId);
  try {
    return await runInSpan(span, () => fn(span));
  } catch (err) {
    span.setError(err);
    throw err;
  } finally {
    span.end();
  }
}
