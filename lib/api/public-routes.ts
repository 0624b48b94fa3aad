// Routes a caller reaches without an API key or console cookie, each with the reason. The security
// suite (test/security.int.test.ts) skips its 401/403/404 cases for exactly these, and
// scripts/route-files.test.ts checks the list against the registry and the route files, so a route
// cannot become public by forgetting its credentials.
export type PublicRoute = { method: string; path: string; reason: string };

export const PUBLIC_ROUTES: PublicRoute[] = [
  { method: "GET", path: "/api/health", reason: "Liveness and readiness probe for load balancers; says nothing about any tenant" },
  { method: "GET", path: "/api/health/live", reason: "Liveness only (no database): says the process answers, nothing about any tenant" },
  { method: "GET", path: "/api/v1/openapi.json", reason: "The API description, public so clients can generate code from it" },
  { method: "GET", path: "/api/auth/{...nextauth}", reason: "Auth.js: sign-in pages, CSRF token and session; it is how a cookie is obtained" },
  { method: "POST", path: "/api/auth/{...nextauth}", reason: "Auth.js: sign-in and sign-out; checks the password and its CSRF token itself" },
  { method: "POST", path: "/api/auth/signup", reason: "Creates an account and its first tenant: the caller has no credentials yet" },
  { method: "POST", path: "/api/webhooks/stripe", reason: "Stripe calls it; the Stripe-Signature header over the raw body is its authentication" },
];
