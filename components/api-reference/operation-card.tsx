import { anchorFor, jsonContent, type OperationEntry } from "./openapi-types";
import { SchemaView, typeLabel } from "./schema-view";

const METHOD_TONES: Record<string, string> = {
  get: "bg-sky-100 text-sky-800",
  post: "bg-emerald-100 text-emerald-800",
  put: "bg-violet-100 text-violet-800",
  patch: "bg-amber-100 text-amber-800",
  delete: "bg-red-100 text-red-800",
};

export function MethodBadge({ method }: { method: string }) {
  return (
    <span className={`inline-block w-16 shrink-0 rounded px-1.5 py-0.5 text-center font-mono text-xs font-semibold uppercase ${METHOD_TONES[method] ?? "bg-zinc-100 text-zinc-700"}`}>
      {method}
    </span>
  );
}

function authLabel(entry: OperationEntry): string {
  const security = entry.op.security;
  if (security && security.length === 0) return "No authentication";
  if (security?.some((s) => "cookieSession" in s) && !security.some((s) => "apiKey" in s)) return "Signed-in user (console session), not an API key";
  return "API key or signed-in user";
}

function statusTone(code: string): string {
  if (code.startsWith("2")) return "text-emerald-700";
  if (code.startsWith("4")) return "text-amber-700";
  return "text-red-700";
}

export function OperationCard({ entry }: { entry: OperationEntry }) {
  const { method, path, op } = entry;
  const scopes = op["x-required-scopes"] ?? [];
  const params = op.parameters ?? [];
  const body = jsonContent(op.requestBody);
  const responses = Object.entries(op.responses ?? {});
  return (
    <article id={anchorFor(op.operationId ?? `${method}-${path}`)} className="scroll-mt-6 rounded-lg border border-zinc-200 bg-white shadow-sm" data-testid="api-operation">
      <header className="border-b border-zinc-200 px-4 py-3 sm:px-5">
        <div className="flex min-w-0 items-center gap-3">
          <MethodBadge method={method} />
          <code className="min-w-0 font-mono text-sm font-medium break-all text-zinc-900">{path}</code>
        </div>
        {op.summary && <p className="mt-1.5 text-sm text-zinc-700">{op.summary}</p>}
        <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-zinc-500">
          <span>{authLabel(entry)}</span>
          {scopes.length > 0 && (
            <span className="flex items-center gap-1">
              Requires scope
              {scopes.map((s) => <code key={s} className="rounded bg-indigo-50 px-1.5 py-0.5 font-mono text-[11px] text-indigo-700 ring-1 ring-indigo-200 ring-inset">{s}</code>)}
            </span>
          )}
          {op.operationId && <span className="font-mono">{op.operationId}</span>}
        </div>
      </header>
      <div className="space-y-4 px-4 py-4 sm:px-5">
        {params.length > 0 && (
          <section>
            <h4 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">Parameters</h4>
            <ul className="mt-2 space-y-1.5">
              {params.map((p) => (
                <li key={`${p.in}-${p.name}`} className="flex flex-wrap items-baseline gap-x-2 text-sm">
                  <code className="font-mono font-medium text-zinc-900">{p.name}</code>
                  <span className="text-xs text-zinc-500">in {p.in}</span>
                  <code className="font-mono text-xs text-indigo-700">{typeLabel(p.schema)}</code>
                  {p.required ? <span className="text-[11px] font-medium text-red-600 uppercase">required</span> : null}
                  {p.schema?.enum && <span className="text-xs text-zinc-500">one of {p.schema.enum.map(String).join(", ")}</span>}
                  {p.schema?.default !== undefined && <span className="text-xs text-zinc-500">default {JSON.stringify(p.schema.default)}</span>}
                  {p.schema?.maximum !== undefined && <span className="text-xs text-zinc-500">max {p.schema.maximum}</span>}
                </li>
              ))}
            </ul>
          </section>
        )}
        {body && (
          <section>
            <h4 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">Request body <span className="font-normal normal-case">(application/json)</span></h4>
            <div className="mt-2"><SchemaView schema={body} /></div>
          </section>
        )}
        <section>
          <h4 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">Responses</h4>
          <ul className="mt-2 space-y-1">
            {responses.map(([code, res]) => {
              const schema = jsonContent(res);
              const isError = schema?.$ref?.endsWith("/Error");
              return (
                <li key={code} className="text-sm">
                  {schema && !isError ? (
                    <details className="group">
                      <summary className="cursor-pointer list-none">
                        <code className={`font-mono font-semibold ${statusTone(code)}`}>{code}</code>{" "}
                        <span className="text-zinc-700">{res.description}</span>{" "}
                        <span className="text-xs text-indigo-600 group-open:hidden">show fields</span>
                        <span className="hidden text-xs text-indigo-600 group-open:inline">hide fields</span>
                      </summary>
                      <div className="mt-2 mb-1 rounded-md bg-zinc-50 p-3"><SchemaView schema={schema} /></div>
                    </details>
                  ) : (
                    <>
                      <code className={`font-mono font-semibold ${statusTone(code)}`}>{code}</code>{" "}
                      <span className="text-zinc-700">{res.description}</span>
                    </>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      </div>
    </article>
  );
}
