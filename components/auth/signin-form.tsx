"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button } from "../ui/button";
import { TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import { SIGN_IN_THROTTLED_CODE, signInThrottledText } from "@/lib/auth/sign-in-errors";
import { authErrorText } from "./auth-card";

type Props = { githubEnabled: boolean; callbackUrl: string; initialError?: string; initialErrorCode?: string; throttleMinutes: number };

export function SignInForm({ githubEnabled, callbackUrl, initialError, initialErrorCode, throttleMinutes }: Props) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(authErrorText(initialError, initialErrorCode, throttleMinutes));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", { email, password, redirect: false });
      if (!result || result.error) {
        if (result?.code === SIGN_IN_THROTTLED_CODE) setError(signInThrottledText(throttleMinutes));
        else setError(result?.error === "CredentialsSignin" || result?.code === "credentials" ? "Wrong email or password." : "Could not sign you in; try again.");
        setPending(false);
        return;
      }
      router.push(callbackUrl);
      router.refresh();
    } catch {
      setError("Could not reach the server; check your connection and retry.");
      setPending(false);
    }
  }

  return (
    <div className="space-y-6">
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <TextField id="email" label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField id="password" label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {error && <InlineError error={error} />}
        <Button type="submit" className="w-full" pending={pending} disabled={!email || !password}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {githubEnabled && (
        <>
          <div className="flex items-center gap-3 text-xs text-zinc-500">
            <span className="h-px flex-1 bg-zinc-200" /> or <span className="h-px flex-1 bg-zinc-200" />
          </div>
          <Button variant="secondary" className="w-full" onClick={() => signIn("github", { redirectTo: callbackUrl })}>
            <GitHubIcon /> Sign in with GitHub
          </Button>
        </>
      )}
      <p className="text-center text-sm text-zinc-600">
        New to Burrow?{" "}
        <Link className="font-medium text-indigo-600 hover:underline" href={withCallback("/signup", callbackUrl)}>Create an account</Link>
      </p>
    </div>
  );
}

export function withCallback(path: string, callbackUrl: string): string {
  return callbackUrl && callbackUrl !== "/" ? `${path}?callbackUrl=${encodeURIComponent(callbackUrl)}` : path;
}

function GitHubIcon() {
  return (
    <svg viewBox="0 0 16 16" className="h-4 w-4" fill="currentColor" aria-hidden="true">
      <path d="M8 0C3.58 0 0 3.58 0 8c0 3.54 2.29 6.53 5.47 7.59.4.07.55-.17.55-.38 0-.19-.01-.82-.01-1.49-2.01.37-2.53-.49-2.69-.94-.09-.23-.48-.94-.82-1.13-.28-.15-.68-.52-.01-.53.63-.01 1.08.58 1.23.82.72 1.21 1.87.87 2.33.66.07-.52.28-.87.51-1.07-1.78-.2-3.64-.89-3.64-3.95 0-.87.31-1.59.82-2.15-.08-.2-.36-1.02.08-2.12 0 0 .67-.21 2.2.82.64-.18 1.32-.27 2-.27.68 0 1.36.09 2 .27 1.53-1.04 2.2-.82 2.2-.82.44 1.1.16 1.92.08 2.12.51.56.82 1.27.82 2.15 0 3.07-1.87 3.75-3.65 3.95.29.25.54.73.54 1.48 0 1.07-.01 1.93-.01 2.2 0 .21.15.46.55.38A8.013 8.013 0 0 0 16 8c0-4.42-3.58-8-8-8Z" />
    </svg>
  );
}
