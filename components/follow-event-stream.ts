// The console's reader of a server-sent event stream that stays open: it reopens a dropped stream
// after a back-off (1 s, doubling to 10 s) until aborted. A 4xx other than 429 will not get better
// by retrying (no access, no such session, bad filter): it stops there with "failed".
import { ApiError } from "./api-client";
import { readEventStream } from "@/lib/api/sse";

export type StreamStatus = "connecting" | "live" | "reconnecting" | "failed";

export async function followEventStream({ signal, open, onEvent, onStatus, onFailed }: {
  signal: AbortSignal;
  /** Opens the stream (again); called on each (re)connect. */
  open: () => Promise<Response>;
  /** Handles one event; "reconnect" ends this stream and opens a new one. */
  onEvent: (event: string, data: string) => void | "reconnect";
  onStatus: (status: StreamStatus) => void;
  onFailed?: (err: ApiError) => void;
}): Promise<void> {
  let delayMs = 1000;
  while (!signal.aborted) {
    try {
      const res = await open();
      onStatus("live");
      delayMs = 1000;
      for await (const { event, data } of readEventStream(res.body!)) {
        if (onEvent(event, data) === "reconnect") break;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
        onFailed?.(err);
        onStatus("failed");
        return;
      }
    }
    if (signal.aborted) return;
    onStatus("reconnecting");
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 10_000);
  }
}
