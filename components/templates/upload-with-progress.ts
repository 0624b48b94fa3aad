// A file sent to the API with upload progress: fetch() reports none for request bodies, so this
// uses XMLHttpRequest's upload events. Answers and errors come back as apiFetch gives them.
import { ApiError, apiUrl, type ApiRequest } from "../api-client";

export type UploadProgress = { sent: number; total: number };

export function uploadWithProgress<T>(path: string, opts: {
  tenant: string;
  query?: ApiRequest["query"];
  body: Blob;
  contentType: string;
  onProgress: (p: UploadProgress) => void;
  /** Called once the last byte is sent; the server may work on it for a while after. */
  onSent?: () => void;
  signal?: AbortSignal;
}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", apiUrl(path, opts.query));
    xhr.withCredentials = true;
    xhr.setRequestHeader("accept", "application/json");
    xhr.setRequestHeader("content-type", opts.contentType);
    xhr.setRequestHeader("x-burrow-tenant", opts.tenant);
    xhr.upload.onprogress = (e) => opts.onProgress({ sent: e.loaded, total: e.lengthComputable ? e.total : opts.body.size });
    xhr.upload.onload = () => {
      opts.onProgress({ sent: opts.body.size, total: opts.body.size });
      opts.onSent?.();
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: "network_error", message: "Could not reach the server; check your connection and retry" }));
    xhr.onabort = () => reject(new DOMException("The upload was cancelled", "AbortError"));
    xhr.onload = () => {
      let json: unknown;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        json = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as T);
      const shape = json as { error?: { code?: string; message?: string; details?: Record<string, unknown> }; requestId?: string } | undefined;
      reject(new ApiError({
        status: xhr.status,
        code: shape?.error?.code ?? `http_${xhr.status}`,
        message: shape?.error?.message ?? `The server answered ${xhr.status} ${xhr.statusText}`.trim(),
        details: shape?.error?.details,
        requestId: shape?.requestId ?? null,
      }));
    };
    opts.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(opts.body);
  });
}
