/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Private: the page saying what could not be done (refused form, unknown device, bad filter). */
import { Layout } from "./_layout.tsx";

/** What {@linkcode ErrorPage} takes. */
export interface ErrorPageProps {
  title: string;
  message: string;
  /** The session's CSRF token when signed in (the header then shows the navigation). */
  csrf?: string;
}

/** A page saying what could not be done. */
export function ErrorPage(props: ErrorPageProps) {
  return (
    <Layout title={props.title} csrf={props.csrf}>
      <h1>{props.title}</h1>
      <p class="error" role="alert">{props.message}</p>
      <p>
        <a href="/ui/">Back to the overview</a>
      </p>
    </Layout>
  );
}
