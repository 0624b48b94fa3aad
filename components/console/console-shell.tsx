"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { Logo } from "../auth/auth-card";
import { signOutTo } from "../auth/sign-out";
import { BillingBanner } from "../billing/billing-notices";
import { ThemeToggle } from "../theme/theme-toggle";
import { RoleBadge } from "../ui/badge";
import { Button } from "../ui/button";
import { useConsole, useMe } from "./console-context";
import { navLinksFor } from "./nav-links";

/** Sidebar on wide screens; a top bar with a menu button that opens the same sidebar on phones. */
export function ConsoleShell({ children }: { children: ReactNode }) {
  const { tenant } = useConsole();
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [pathname]);

  return (
    <div className="min-h-screen md:flex">
      <a href="#main-content"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:font-medium focus:text-indigo-700 focus:shadow-lg focus:ring-2 focus:ring-indigo-600">
        Skip to content
      </a>
      <header className="sticky top-0 z-30 flex items-center justify-between gap-3 border-b border-zinc-200 bg-white px-4 py-2.5 md:hidden">
        <Link href={`/t/${tenant.slug}`} className="flex min-w-0 items-center gap-2 font-semibold text-zinc-900">
          <Logo className="h-5 w-5 shrink-0" /> <span className="truncate">Burrow · {tenant.name}</span>
        </Link>
        <Button variant="secondary" size="sm" aria-expanded={open} aria-controls="console-sidebar" onClick={() => setOpen((o) => !o)}>
          {open ? "Close" : "Menu"}
        </Button>
      </header>
      {/* The aside stretches with the row, so its background and border run the page's full height;
          the sidebar inside stays in view and scrolls on its own when taller than the window. */}
      <aside
        id="console-sidebar"
        className={`${open ? "block" : "hidden"} border-b border-zinc-200 bg-white md:block md:w-64 md:shrink-0 md:border-r md:border-b-0`}
      >
        <div className="md:sticky md:top-0 md:h-screen md:overflow-y-auto">
          <Sidebar />
        </div>
      </aside>
      <main id="main-content" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 outline-none sm:px-6 lg:px-10 lg:py-8">
        <div className="mx-auto max-w-6xl">
          <BillingBanner />
          {children}
        </div>
      </main>
    </div>
  );
}

function Sidebar() {
  const { tenant, user } = useConsole();
  const scopes = useMe().data.scopes;
  const pathname = usePathname();
  const base = `/t/${tenant.slug}`;
  return (
    <div className="flex h-full flex-col gap-5 px-3 py-4">
      <Link href={base} className="hidden items-center gap-2 px-2 text-lg font-semibold tracking-tight text-zinc-900 md:flex">
        <Logo /> Burrow
      </Link>
      <TenantSwitcher />
      <nav aria-label="Console">
        <ul className="space-y-0.5">
          {navLinksFor(scopes).map((link) => {
            const href = `${base}${link.href}`;
            const active = link.href === "" ? pathname === base : pathname === href || pathname.startsWith(`${href}/`);
            return (
              <li key={link.label}>
                <Link
                  href={href}
                  aria-current={active ? "page" : undefined}
                  className={`block rounded-md px-2.5 py-1.5 text-sm font-medium ${
                    active ? "bg-indigo-50 text-indigo-700" : "text-zinc-700 hover:bg-zinc-100 hover:text-zinc-900"
                  }`}
                >
                  {link.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="mt-auto border-t border-zinc-200 px-2 pt-4">
        <p className="truncate text-xs text-zinc-500">Signed in as</p>
        <p className="truncate text-sm font-medium text-zinc-900" data-testid="user-email" title={user.email}>{user.email}</p>
        <SignOutButton />
        <ThemeToggle className="mt-4" />
      </div>
    </div>
  );
}

function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <Button variant="secondary" size="sm" className="mt-3 w-full" pending={pending}
      onClick={() => { setPending(true); void signOutTo("/signin"); }}>
      Sign out
    </Button>
  );
}

function TenantSwitcher() {
  const { tenant, tenants } = useConsole();
  const router = useRouter();
  return (
    <div className="px-2">
      <div className="flex items-center justify-between">
        <label htmlFor="tenant-switcher" className="text-xs font-medium text-zinc-500">Tenant</label>
        <RoleBadge role={tenant.role} />
      </div>
      <select
        id="tenant-switcher"
        value={tenant.slug}
        onChange={(e) => router.push(`/t/${e.target.value}`)}
        className="mt-1 block w-full rounded-md border-0 bg-white py-1.5 pr-8 pl-2.5 text-sm font-medium text-zinc-900 shadow-sm ring-1 ring-inset ring-zinc-300 focus:ring-2 focus:ring-indigo-600"
      >
        {tenants.map((t) => (
          <option key={t.id} value={t.slug}>{t.name} · {t.role}</option>
        ))}
      </select>
      <Link href="/new-tenant" className="mt-1.5 inline-block text-xs font-medium text-indigo-600 hover:underline">+ Create tenant</Link>
    </div>
  );
}
