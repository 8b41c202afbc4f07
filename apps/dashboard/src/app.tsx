import { useEffect, useState } from 'preact/hooks';
import { ApiError, PATHS, get, post, setSession, type DashboardSession } from './api';
import { CustomerPage } from './customer-page';
import { Overview } from './overview';

type Route = { readonly page: 'overview' } | { readonly page: 'customer'; readonly id: string };

function routeOf(hash: string): Route {
  const match = /^#\/customers\/(.+)$/.exec(hash);
  return match?.[1] === undefined
    ? { page: 'overview' }
    : { page: 'customer', id: decodeURIComponent(match[1]) };
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(routeOf(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function SignIn({ onSignedIn }: { onSignedIn: (session: DashboardSession) => void }) {
  const [adminKey, setAdminKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await post<DashboardSession>(PATHS.session, { admin_key: adminKey }));
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? 'That is not the admin key.'
          : failure instanceof Error
            ? failure.message
            : String(failure),
      );
    } finally {
      setBusy(false);
      setAdminKey('');
    }
  };
  return (
    <main class="sign-in">
      <form onSubmit={(event) => void submit(event)} data-testid="sign-in">
        <h1>Aegis Payments</h1>
        <label for="admin-key">Admin key</label>
        <input
          id="admin-key"
          name="admin_key"
          type="password"
          autocomplete="off"
          required
          value={adminKey}
          onInput={(event) => setAdminKey(event.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error !== null && (
          <p class="error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <p class="hint">The key is exchanged for a session; it is not kept in this browser.</p>
      </form>
    </main>
  );
}

export function App() {
  /** undefined: not known yet (asking the gateway); null: signed out. */
  const [session, setCurrent] = useState<DashboardSession | null | undefined>(undefined);
  const route = useRoute();
  setSession(session ?? null, () => setCurrent(null));
  useEffect(() => {
    get<DashboardSession>(PATHS.session)
      .then(setCurrent)
      .catch(() => setCurrent(null));
  }, []);
  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={setCurrent} />;
  const signOut = async () => {
    await post(PATHS.signOut).catch(() => undefined);
    setCurrent(null);
  };
  return (
    <>
      <header>
        <h1>
          <a href="#/">Aegis Payments</a>
        </h1>
        <button type="button" data-testid="sign-out" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {route.page === 'overview' ? <Overview /> : <CustomerPage id={route.id} />}
    </>
  );
}
