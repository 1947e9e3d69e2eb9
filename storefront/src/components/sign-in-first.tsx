import { links } from '../router.js';

/** What a page that needs a signed-in shopper shows instead, while nobody is (or while that is being checked). */
export function SignInFirst({ checking, here, title }: { checking: boolean; here: string; title: string }) {
  return (
    <section>
      <h1 tabIndex={-1}>{title}</h1>
      {checking ? (
        <p class="loading">Checking your sign-in…</p>
      ) : (
        <p>
          <a href={links.signIn(here)}>Sign in</a> to see this page.
        </p>
      )}
    </section>
  );
}
