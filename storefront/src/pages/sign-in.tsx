import { useState } from 'preact/hooks';
import { useApp } from '../app-context.js';
import { Notice } from '../components/notice.js';
import { messageFor, type Action } from '../messages.js';
import { navigate } from '../router.js';

/** The form's fields by name, as strings. */
function formValues(event: SubmitEvent): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of new FormData(event.currentTarget as HTMLFormElement)) if (typeof value === 'string') values[name] = value;
  return values;
}

/** Sign in, or create an account; either way the shopper goes on to `next` (the cart, when checking out). */
export function SignInPage({ next }: { next: string }) {
  const { shop, setUser } = useApp();
  const [error, setError] = useState<{ form: Action; message: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (form: 'sign-in' | 'register', event: SubmitEvent) => {
    event.preventDefault();
    const { email = '', password = '', name = '' } = formValues(event);
    setBusy(true);
    setError(undefined);
    try {
      const { user } = form === 'sign-in' ? await shop.login(email, password) : await shop.register({ email, password, name });
      setUser(user);
      navigate(next);
    } catch (caught) {
      setError({ form, message: messageFor(caught, { action: form }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="sign-in">
      <h1 tabIndex={-1}>Sign in</h1>
      <div class="columns">
        <form onSubmit={(event) => void submit('sign-in', event)} aria-labelledby="sign-in-title">
          <h2 id="sign-in-title">I have an account</h2>
          <label for="sign-in-email">Email</label>
          <input id="sign-in-email" name="email" type="email" autoComplete="username" required />
          <label for="sign-in-password">Password</label>
          <input id="sign-in-password" name="password" type="password" autoComplete="current-password" required />
          <Notice kind="error">{error?.form === 'sign-in' ? error.message : undefined}</Notice>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
        <form onSubmit={(event) => void submit('register', event)} aria-labelledby="register-title">
          <h2 id="register-title">I am new here</h2>
          <label for="register-name">Name</label>
          <input id="register-name" name="name" autoComplete="name" required />
          <label for="register-email">Email</label>
          <input id="register-email" name="email" type="email" autoComplete="email" required />
          <label for="register-password">Password (at least 8 characters)</label>
          <input id="register-password" name="password" type="password" autoComplete="new-password" minLength={8} required />
          <Notice kind="error">{error?.form === 'register' ? error.message : undefined}</Notice>
          <button type="submit" disabled={busy}>
            Create account
          </button>
        </form>
      </div>
    </section>
  );
}
