import Link from "next/link";
import type { ReactNode } from "react";
import { SIGN_IN_THROTTLED_CODE, signInThrottledText } from "@/lib/auth/sign-in-errors";

/** The centered card the account pages (sign in, sign up, invitations) share. */
export function AuthCard({ title, description, children, footer }: { title: string; description?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-10">
      <Link href="/" className="mb-6 flex items-center gap-2 text-lg font-semibold tracking-tight text-zinc-900">
        <Logo /> Burrow
      </Link>
      <main className="w-full max-w-md rounded-lg border border-zinc-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-lg font-semibold text-zinc-900">{title}</h1>
        {description && <p className="mt-1 text-sm text-zinc-500">{description}</p>}
        <div className="mt-6">{children}</div>
      </main>
      {footer && <div className="mt-4 text-center text-sm text-zinc-600">{footer}</div>}
    </div>
  );
}

export function Logo({ className = "h-6 w-6" }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" className={`${className} text-indigo-600`} aria-hidden="true" fill="none">
      <path d="M3 20h18M5 20v-5a7 7 0 0 1 14 0v5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      <path d="M9 20v-3a3 3 0 0 1 6 0v3" fill="currentColor" />
    </svg>
  );
}

/** Sign-in errors Auth.js reports in ?error= (and a credentials error's ?code=), in words. */
export function authErrorText(code: string | undefined, detail?: string, throttleMinutes = 15): string | null {
  if (!code) return null;
  if (code === "CredentialsSignin" && detail === SIGN_IN_THROTTLED_CODE) return signInThrottledText(throttleMinutes);
  if (code === "CredentialsSignin") return "Wrong email or password.";
  if (code === "AccessDenied") return "Access was denied.";
  if (code.startsWith("OAuth") || code === "Callback") return "Signing in with GitHub did not work; try again or use your password.";
  return "Could not sign you in; try again.";
}
