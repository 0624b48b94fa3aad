// What the sign-in page shows for a refused sign-in. Free of server imports: the form uses it too.

/** The `code` Auth.js passes to the page when the sign-in throttle refuses an attempt. */
export const SIGN_IN_THROTTLED_CODE = "too_many_attempts";

export function signInThrottledText(windowMinutes: number): string {
  return `Too many failed sign-ins for this account or from your network. Wait ${windowMinutes} minute${windowMinutes === 1 ? "" : "s"} and try again.`;
}
