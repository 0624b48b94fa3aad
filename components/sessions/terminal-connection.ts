// One web terminal seen from the browser: POST opens it, the output comes as server-sent events
// read with fetch (the X-Burrow-Tenant header cannot go on an EventSource), keystrokes and resizes
// go as small POSTs, one at a time so they arrive in order. A broken output stream reconnects
// from the last byte offset it showed (Last-Event-ID), so nothing is shown twice or lost.
import { readEventStream } from "@/lib/api/sse";
import { ApiError, apiFetch, apiRaw, apiUrl, errorMessage } from "../api-client";
import type { OpenedTerminal } from "../api-types";

export type TerminalHandlers = {
  onOutput: (bytes: Uint8Array) => void;
  /** Once: why the terminal ended ("session paused", "closed by its user", …). */
  onClosed: (reason: string) => void;
};

const MAX_RECONNECTS = 5;
/** The API takes at most 64 KiB per input request; a big paste goes in pieces. */
const MAX_INPUT_CHARS = 16 * 1024;

function decodeBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class TerminalConnection {
  private terminalId: string | null = null;
  private offset = 0;
  private closed = false;
  private readonly abort = new AbortController();
  private pendingInput = "";
  private sendingInput = false;
  private pendingSize: { cols: number; rows: number } | null = null;
  private sendingSize = false;

  constructor(private readonly tenant: string, private readonly sessionId: string, private readonly handlers: TerminalHandlers) {}

  private get base() {
    return `/sessions/${encodeURIComponent(this.sessionId)}/terminals`;
  }

  /** Opens the shell (waking the session if needed) and starts reading its output. */
  async open(size: { cols: number; rows: number }): Promise<void> {
    const t = await apiFetch<OpenedTerminal>(this.base, { tenant: this.tenant, method: "POST", body: size, signal: this.abort.signal });
    this.terminalId = t.id;
    void this.readOutput();
  }

  input(data: string): void {
    if (this.closed || !this.terminalId) return;
    this.pendingInput += data;
    void this.flushInput();
  }

  resize(cols: number, rows: number): void {
    if (this.closed || !this.terminalId) return;
    this.pendingSize = { cols, rows };
    void this.flushSize();
  }

  /** Closes the terminal on the server (its shell ends) and stops reading. */
  async close(): Promise<void> {
    if (this.closed || !this.terminalId) return this.dispose();
    const id = this.terminalId;
    await apiFetch(`${this.base}/${id}`, { tenant: this.tenant, method: "DELETE" }).catch(() => {});
    // The output stream normally reports the close; if it cannot, stop anyway.
    setTimeout(() => this.finish("closed by its user"), 3_000);
  }

  /** Page going away: ask the server to close it without waiting for the answer. */
  closeOnUnload(): void {
    if (this.closed || !this.terminalId) return;
    void fetch(apiUrl(`${this.base}/${this.terminalId}`), { method: "DELETE", keepalive: true, credentials: "same-origin", headers: { "x-burrow-tenant": this.tenant } }).catch(() => {});
  }

  dispose(): void {
    this.closed = true;
    this.abort.abort();
  }

  private finish(reason: string) {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.handlers.onClosed(reason);
  }

  private async readOutput() {
    for (let attempt = 0; !this.closed && attempt <= MAX_RECONNECTS; attempt++) {
      try {
        const res = await apiRaw(`${this.base}/${this.terminalId}/output`, {
          tenant: this.tenant, signal: this.abort.signal, headers: { accept: "text/event-stream", "last-event-id": String(this.offset) },
        });
        for await (const { event, data } of readEventStream(res.body!)) {
          const payload = JSON.parse(data) as { offset?: number; data?: string; reason?: string };
          if (event === "output") {
            const bytes = decodeBase64(payload.data ?? "");
            this.offset = (payload.offset ?? this.offset) + bytes.length;
            attempt = 0; // it works again
            this.handlers.onOutput(bytes);
          } else if (event === "gap") {
            this.handlers.onOutput(new TextEncoder().encode("\r\n[some output was too old to show]\r\n"));
          } else if (event === "closed") {
            return this.finish(payload.reason ?? "closed");
          }
        }
      } catch (err) {
        if (this.closed || (err as Error).name === "AbortError") return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 403 || err.status === 401)) return this.finish(err.status === 404 ? "the terminal is gone" : errorMessage(err));
      }
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
    this.finish("lost the connection to the terminal");
  }

  private async flushInput() {
    if (this.sendingInput) return;
    this.sendingInput = true;
    try {
      while (this.pendingInput && !this.closed) {
        const data = this.pendingInput.slice(0, MAX_INPUT_CHARS);
        this.pendingInput = this.pendingInput.slice(data.length);
        await this.post("input", { data });
      }
    } finally {
      this.sendingInput = false;
    }
  }

  private async flushSize() {
    if (this.sendingSize) return;
    this.sendingSize = true;
    try {
      while (this.pendingSize && !this.closed) {
        const size = this.pendingSize;
        this.pendingSize = null;
        await this.post("resize", size);
      }
    } finally {
      this.sendingSize = false;
    }
  }

  private async post(action: "input" | "resize", body: unknown) {
    try {
      await apiFetch(`${this.base}/${this.terminalId}/${action}`, { tenant: this.tenant, method: "POST", body, signal: this.abort.signal });
    } catch (err) {
      // Closed under us (the session paused): the output stream says why; a 404 means it is gone.
      if (err instanceof ApiError && err.status === 404) this.finish("the terminal is gone");
    }
  }
}
