"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { useConsole, useMe } from "../console/console-context";
import { RoleBadge } from "../ui/badge";
import { Card, CardBody, CardHeader, PageHeader } from "../ui/card";
import { CopyButton } from "../ui/copy-button";
import { ConcurrencyCard } from "../metrics/concurrency-card";

const QUICK_LINKS = [
  { href: "/api-keys", title: "API keys", text: "Create scoped keys for your agents and services; revoke them at once." },
  { href: "/members", title: "Members", text: "Invite people by link and choose what their role lets them do." },
  { href: "/audit-log", title: "Audit log", text: "Who created keys, changed roles or signed in, and from where." },
  { href: "/api-reference", title: "API reference", text: "Every endpoint, its scopes and its request and response shapes." },
];

export function Overview() {
  const { tenant } = useConsole();
  const me = useMe().data;
  const [origin, setOrigin] = useState("https://your-burrow-host");
  useEffect(() => setOrigin(window.location.origin), []);
  const curl = `curl ${origin}/api/v1/me \\\n  -H "Authorization: Bearer $BURROW_API_KEY"`;
  const base = `/t/${tenant.slug}`;

  return (
    <>
      <PageHeader title={me.tenant.name} description={<>Tenant <code className="font-mono text-zinc-700">{me.tenant.slug}</code></>} />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2" aria-labelledby="getting-started">
          <CardHeader id="getting-started" title="Getting started" description="Call the API with a key; the console uses these same endpoints." />
          <CardBody className="space-y-4 text-sm text-zinc-700">
            <ol className="list-decimal space-y-1 pl-5">
              <li><Link className="font-medium text-indigo-600 hover:underline" href={`${base}/api-keys`}>Create an API key</Link> with the scopes your agent needs, and copy its secret.</li>
              <li>Export it: <code className="rounded bg-zinc-100 px-1 font-mono text-xs">export BURROW_API_KEY=bur_…</code></li>
              <li>Ask the API who you are:</li>
            </ol>
            <div className="relative">
              <pre role="region" aria-label="Example request" tabIndex={0} className="overflow-x-auto rounded-md bg-zinc-900 p-4 pr-20 font-mono text-xs leading-relaxed text-zinc-100" data-testid="curl-example">{curl}</pre>
              <div className="absolute top-2 right-2"><CopyButton text={curl} /></div>
            </div>
            <p className="text-zinc-500">
              The answer names this tenant and the key&apos;s scopes. Errors always look like{" "}
              <code className="font-mono text-xs">{'{"error": {"code", "message"}, "requestId"}'}</code>.
            </p>
          </CardBody>
        </Card>
        <Card aria-labelledby="you">
          <CardHeader id="you" title="You" />
          <CardBody>
            <dl className="space-y-3 text-sm">
              <div>
                <dt className="text-zinc-500">Signed in as</dt>
                <dd className="font-medium break-all text-zinc-900">{me.actor.label}</dd>
              </div>
              <div>
                <dt className="text-zinc-500">Your role</dt>
                <dd className="mt-0.5" data-testid="my-role">{me.role ? <RoleBadge role={me.role} /> : "—"}</dd>
              </div>
              <div>
                <dt className="text-zinc-500">What you can do</dt>
                <dd className="mt-1 flex flex-wrap gap-1">
                  {me.scopes.map((s) => <code key={s} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700">{s}</code>)}
                </dd>
              </div>
            </dl>
          </CardBody>
        </Card>
      </div>
      <ConcurrencyCard />
      <h2 className="mt-8 mb-3 text-sm font-semibold text-zinc-900">Quick links</h2>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {QUICK_LINKS.map((l) => (
          <Link key={l.href} href={`${base}${l.href}`} className="rounded-lg border border-zinc-200 bg-white p-4 shadow-sm transition-colors hover:border-indigo-300 hover:bg-indigo-50/30">
            <div className="text-sm font-semibold text-zinc-900">{l.title} →</div>
            <p className="mt-1 text-sm text-zinc-500">{l.text}</p>
          </Link>
        ))}
      </div>
    </>
  );
}
