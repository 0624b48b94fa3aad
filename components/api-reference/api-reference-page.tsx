"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { apiFetch } from "../api-client";
import { Card, CardBody, PageHeader } from "../ui/card";
import { TextField } from "../ui/field";
import { EmptyState, ErrorState, LoadingState } from "../ui/states";
import { OperationCard } from "./operation-card";
import { anchorFor, groupByTag, type OpenApiDocument } from "./openapi-types";

export function ApiReferencePage() {
  const doc = useQuery({ queryKey: ["openapi"], queryFn: () => apiFetch<OpenApiDocument>("/openapi.json"), staleTime: Infinity });
  const [filter, setFilter] = useState("");
  const groups = useMemo(() => {
    if (!doc.data) return [];
    const q = filter.trim().toLowerCase();
    return groupByTag(doc.data)
      .map((g) => ({
        ...g,
        operations: g.operations.filter((o) => !q || `${o.method} ${o.path} ${o.op.summary ?? ""} ${g.tag}`.toLowerCase().includes(q)),
      }))
      .filter((g) => g.operations.length > 0);
  }, [doc.data, filter]);

  return (
    <>
      <PageHeader
        title="API reference"
        description={<>Generated from the same schemas that validate requests. The raw document is at <a className="font-mono text-indigo-600 hover:underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</>}
      />
      {doc.isPending ? (
        <Card><LoadingState label="Loading the OpenAPI document…" /></Card>
      ) : doc.isError ? (
        <Card><ErrorState error={doc.error} onRetry={() => doc.refetch()} /></Card>
      ) : (
        <div className="lg:grid lg:grid-cols-[14rem_1fr] lg:gap-8">
          <aside className="mb-6 lg:sticky lg:top-6 lg:mb-0 lg:self-start">
            <TextField id="api-filter" label="Filter endpoints" type="search" placeholder="keys, POST, members…" value={filter} onChange={(e) => setFilter(e.target.value)} />
            <nav aria-label="API sections" className="mt-4 hidden lg:block">
              <ul className="space-y-3 text-sm">
                {groups.map((g) => (
                  <li key={g.tag}>
                    <a href={`#${anchorFor(g.tag)}`} className="font-medium text-zinc-900 hover:text-indigo-600">{g.tag}</a>
                    <ul className="mt-1 space-y-0.5">
                      {g.operations.map((o) => (
                        <li key={`${o.method} ${o.path}`}>
                          <a href={`#${anchorFor(o.op.operationId ?? `${o.method}-${o.path}`)}`} className="block truncate text-xs text-zinc-600 hover:text-indigo-600">
                            <span className="inline-block w-12 font-mono uppercase">{o.method}</span>{o.path.replace("/api/v1", "")}
                          </a>
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </nav>
          </aside>
          <div className="min-w-0 space-y-8">
            <Card>
              <CardBody className="space-y-2 text-sm text-zinc-700">
                <p className="font-medium text-zinc-900">{doc.data.info.title} <span className="text-zinc-500">v{doc.data.info.version} · OpenAPI {doc.data.openapi}</span></p>
                {doc.data.info.description && <p>{doc.data.info.description}</p>}
              </CardBody>
            </Card>
            {groups.length === 0 && <Card><EmptyState title="No endpoint matches">Clear the filter to see every endpoint.</EmptyState></Card>}
            {groups.map((g) => (
              <section key={g.tag} aria-labelledby={anchorFor(g.tag)}>
                <h2 id={anchorFor(g.tag)} className="mb-3 scroll-mt-6 text-base font-semibold text-zinc-900">{g.tag}</h2>
                <div className="space-y-4">
                  {g.operations.map((o) => <OperationCard key={`${o.method} ${o.path}`} entry={o} />)}
                </div>
              </section>
            ))}
          </div>
        </div>
      )}
    </>
  );
}
