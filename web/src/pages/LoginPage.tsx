import { useState, type FormEvent } from 'react';
import type { KubeqlClient } from '../../../client/client.ts';
import { login } from '../api/session.ts';

/** Asks for the API's bearer token (`kq up` prints where it is) and proves it before going on. */
export function LoginPage({ onLogin }: { onLogin(client: KubeqlClient): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await login(token));
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };
  return (
    <div className="login">
      <form className="login-card" onSubmit={submit}>
        <h1>
          <span className="logo">kubeql</span> dashboard
        </h1>
        <label htmlFor="token">Token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="The API server's bearer token"
          autoFocus
        />
        <p className="hint">
          <code>kq up</code> prints the path of the admin token, e.g. <code>cat .kubeql/admin.token</code>.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Checking…' : 'Log in'}
        </button>
      </form>
    </div>
  );
}
