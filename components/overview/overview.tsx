"use client";

import Link from "next/link";
import { useConsole, useMe } from "../console/console-context";
import { RoleBadge } from "../ui/badge";
import { Card, CardBody, CardHeader, PageHeader } from "../ui/card";
import { ConcurrencyCard } from "../metrics/concurrency-card";
import { GettingStarted } from "./getting-started";

/** `needs`: the scope without which the page is no use (the same rule as the console's nav). */
const QUICK_LINKS: { href: string; title: string; text: string; needs?: string }[] = [
  { href: "/api-keys", title: "API keys", text: "Create scoped keys for your agents and services; revoke them at once." },
  { href: "/members", title: "Members", text: "Invite people by link and choose what their role lets them do.", needs: "admin" },
  { href: "/sessions", title: "Sessions", text: "Every session of this tenant: state, logs, metrics and traces.", needs: "sessions:read" },
  { href: "/audit-log", title: "Audit log", text: "Who created keys, changed roles or signed in, and from where.", needs: "admin" },
  { href: "/api-reference", title: "API reference", text: "Every endpoint, its scopes and its request and response shapes." },
];

export function Overview() {
  const { tenant } = useConsole();
  const me = useMe().data;
  const quickLinks = QUICK_LINKS.filter((l) => !l.needs || me.scopes.includes(l.needs)).slice(0, 4);
  const base = `/t/${tenant.slug}`;

  return (
    <>
      <PageHeader title={me.tenant.name} description={<>Tenant <code className="font-mono text-zinc-700">{me.tenant.slug}</code></>} />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <GettingStarted />
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
        {quickLinks.map((l) => (
          <Link key={l.href} href={`${base}${l.href}`} className="rounded-lg border border-zinc-200 bg-white p-4 shadow-sm transition-colors hover:border-indigo-300 hover:bg-indigo-50/30">
            <div className="text-sm font-semibold text-zinc-900">{l.title} →</div>
            <p className="mt-1 text-sm text-zinc-500">{l.text}</p>
          </Link>
        ))}
      </div>
    </>
  );
}
