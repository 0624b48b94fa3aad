import type { Metadata, Viewport } from "next";
import { THEME_SCRIPT } from "@/components/theme/theme";
import "./globals.css";

export const metadata: Metadata = { title: "Burrow", description: "Sandboxed sessions for AI agents" };
export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  // The inline script sets html.dark before the first paint; the class then differs from the
  // server's HTML, which is expected (suppressHydrationWarning covers this element only).
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
