// Server-sent events, both ways, in one place: `formatEvent`/`formatComment` write every event our
// streams send (exec, logs, terminal), and `SseParser`/`readEventStream` read them (the console,
// tests, benchmarks) by the WHATWG rules: lines end in LF, CRLF or CR; several `data:` lines join
// with "\n"; comments (`:`) are heartbeats; the last `id:` carries over to later events; a block
// without data is no event. The parser is incremental: a chunk may end anywhere, in the middle of
// a line, of a CRLF pair or of a UTF-8 character. No Node APIs: the browser bundle uses it too.

export type SseEvent = {
  /** The `event:` field, "message" when absent. */
  event: string;
  data: string;
  /** The last event id the stream set (carried over from earlier events, as EventSource does). */
  id?: string;
};

export type OutgoingEvent = { event?: string; id?: string | number; data?: string; retry?: number };

/** A field value that cannot break the framing: ids and event names are one line. */
function oneLine(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`An SSE ${name} cannot hold a line break`);
  return value;
}

/** One event: `id`, `event`, `retry`, then one `data:` line per line of `data`, then a blank line. */
export function formatEvent(e: OutgoingEvent): string {
  let out = "";
  if (e.id !== undefined) out += `id: ${oneLine("id", String(e.id))}\n`;
  if (e.event !== undefined) out += `event: ${oneLine("event name", e.event)}\n`;
  if (e.retry !== undefined) out += `retry: ${Math.max(0, Math.floor(e.retry))}\n`;
  if (e.data !== undefined) for (const line of e.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** An event whose data is `value` as JSON (always one line). */
export function formatJsonEvent(event: string | undefined, value: unknown, id?: string | number): string {
  return formatEvent({ event, id, data: JSON.stringify(value) });
}

/** A comment: ignored by clients, keeps proxies from closing an idle stream. */
export function formatComment(text: string): string {
  return `${text.split(/\r\n|\r|\n/).map((l) => `: ${l}`).join("\n")}\n\n`;
}

export const HEARTBEAT_COMMENT = formatComment("heartbeat");

export type SseHandlers = {
  event?: (event: SseEvent) => void;
  /** A comment line's text (after the colon and one space). */
  comment?: (text: string) => void;
  /** A valid `retry:` field, in milliseconds. */
  retry?: (ms: number) => void;
};

/** Reads an event stream chunk by chunk (bytes or text) and calls the handlers as events complete. */
export class SseParser {
  private readonly decoder = new TextDecoder("utf-8");
  private buffer = "";
  /** The previous chunk ended in CR: an LF at the start of the next belongs to it. */
  private afterCR = false;
  private started = false;
  private data: string[] = [];
  private eventType = "";
  private lastEventId = "";

  constructor(private readonly handlers: SseHandlers) {}

  push(chunk: Uint8Array | string): void {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.afterCR && text.startsWith("\n")) text = text.slice(1);
    if (text.length > 0) this.afterCR = false;
    this.buffer += text;
    this.drainLines();
  }

  /** The stream ended: an event not closed by a blank line is dropped, as the standard says. */
  end(): void {
    this.push(this.decoder.decode());
    this.buffer = "";
    this.data = [];
    this.eventType = "";
  }

  private drainLines(): void {
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 === this.buffer.length) this.afterCR = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === "") return this.dispatch();
    const colon = line.indexOf(":");
    if (colon === 0) {
      this.handlers.comment?.(line.slice(line.startsWith(": ") ? 2 : 1));
      return;
    }
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.eventType = value;
    else if (field === "id") {
      if (!value.includes("\0")) this.lastEventId = value;
    } else if (field === "retry" && /^\d+$/.test(value)) this.handlers.retry?.(Number(value));
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.eventType || "message";
    this.data = [];
    this.eventType = "";
    if (data.length === 0) return;
    this.handlers.event?.({ event, data: data.join("\n"), ...(this.lastEventId ? { id: this.lastEventId } : {}) });
  }
}

/** The events of a response body as they come; comments are skipped. Releases the reader at the end. */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const ready: SseEvent[] = [];
  const parser = new SseParser({ event: (e) => ready.push(e) });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) parser.end();
      else parser.push(value);
      while (ready.length > 0) yield ready.shift()!;
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}
