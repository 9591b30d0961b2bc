/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Private: the frame of every dashboard page: a skip link, the header (name, sections, sign-out
 * form carrying the CSRF token), `<main id="main">`, and the stylesheet. A page in progress asks
 * for a timed reload (`refreshSeconds`: a `<meta http-equiv="refresh">`, no script).
 */
import type { Child } from "hono/jsx";
import { STATIC_PATHS } from "./_static_files.ts";

/** A section of the dashboard: one entry of the navigation. */
export type Section = "overview" | "devices" | "rollouts" | "releases";

/** The navigation, in order. */
const NAV: readonly { section: Section; href: string; label: string }[] = [
  { section: "overview", href: "/ui/", label: "Overview" },
  { section: "devices", href: "/ui/devices", label: "Devices" },
  { section: "rollouts", href: "/ui/rollouts", label: "Rollouts" },
  { section: "releases", href: "/ui/releases", label: "Releases" },
];

/** What {@linkcode Layout} takes. */
export interface LayoutProps {
  title: string;
  /** The section highlighted in the navigation (none on the sign-in page). */
  section?: Section;
  /** The session's CSRF token: with it the header shows the navigation and a sign-out button. */
  csrf?: string;
  /** Reload the page after this many seconds (only pages showing something in progress). */
  refreshSeconds?: number;
  children?: Child;
}

/** The page frame. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.refreshSeconds ? <meta http-equiv="refresh" content={String(props.refreshSeconds)} /> : null}
        <title>{props.title} · Drover fleet</title>
        <link rel="stylesheet" href={STATIC_PATHS.style} />
        <link rel="icon" href={STATIC_PATHS.icon} type="image/svg+xml" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to main content</a>
        <header class="top">
          <div class="in">
            <a class="brand" href="/ui/">Drover fleet</a>
            {props.csrf === undefined ? null : (
              <nav class="main" aria-label="Sections">
                <ul>
                  {NAV.map((item) => (
                    <li>
                      <a href={item.href} aria-current={item.section === props.section ? "page" : undefined}>
                        {item.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            {props.csrf === undefined ? null : (
              <form method="post" action="/ui/logout">
                <input type="hidden" name="csrf" value={props.csrf} />
                <button class="btn" type="submit">Sign out</button>
              </form>
            )}
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  );
}
