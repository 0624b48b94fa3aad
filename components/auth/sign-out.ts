"use client";

import { signOut } from "next-auth/react";

/**
 * Signs out without letting Auth.js build the redirect URL: it derives it from the server's own
 * idea of its host (localhost), which loses the host the person actually uses (e.g. 127.0.0.1).
 * A full page load also drops every cached query.
 */
export async function signOutTo(path: string) {
  await signOut({ redirect: false });
  window.location.assign(path);
}
