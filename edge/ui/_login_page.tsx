/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Private: the sign-in page: a form posting the operator token. */
import { Layout } from "./_layout.tsx";

/** What {@linkcode LoginPage} takes. */
export interface LoginPageProps {
  /** Where to go once signed in (a `/ui/` path). */
  next: string;
  /** Why the last attempt failed. */
  error?: string;
  /** No operator token is configured: signing in is impossible. */
  disabled?: boolean;
}

/** The sign-in page. */
export function LoginPage(props: LoginPageProps) {
  return (
    <Layout title="Sign in">
      <section class="card login" aria-labelledby="login-h">
        <h1 id="login-h">Sign in</h1>
        {props.disabled
          ? (
            <p class="error" role="alert">
              Cannot sign in: the fleet dashboard is disabled (set DROVER_OPERATOR_TOKEN or DROVER_TOKEN).
            </p>
          )
          : (
            <form method="post" action="/ui/login">
              {props.error ? <p class="error" role="alert" id="login-error">{props.error}</p> : null}
              <label for="token">Operator token</label>
              <input
                id="token"
                name="token"
                type="password"
                autocomplete="current-password"
                required
                aria-describedby={props.error ? "login-error" : undefined}
              />
              <input type="hidden" name="next" value={props.next} />
              <button class="btn primary" type="submit">Sign in</button>
            </form>
          )}
      </section>
    </Layout>
  );
}
