import { useCallback, useEffect, useMemo, useState } from 'react';
import type { KubeqlClient } from '../../client/client.ts';
import { resourceWriter } from '../../client/writes.ts';
import { AccessCache } from './api/access-cache.ts';
import { ApiContext, type Api } from './api/context.tsx';
import { InformerPool } from './api/informers.ts';
import { connect, forgetToken, savedToken } from './api/session.ts';
import { Layout } from './components/Layout.tsx';
import { kindByPlural } from './kinds.ts';
import { ApplyPage } from './pages/ApplyPage.tsx';
import { DetailPage } from './pages/DetailPage.tsx';
import { ListPage } from './pages/ListPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { Overview } from './pages/Overview.tsx';
import { useLocation } from './router.tsx';

/** Login, then the dashboard: one SDK client and one informer pool for the whole session. */
export function App() {
  const [client, setClient] = useState<KubeqlClient | null>(() => {
    const token = savedToken();
    return token ? connect(token) : null;
  });
  const api = useMemo<Api | null>(() => {
    if (!client) return null;
    const informers = new InformerPool(client);
    return {
      client,
      writer: resourceWriter(client),
      informers,
      access: new AccessCache(client),
      logout: () => {
        forgetToken();
        void informers.stopAll().then(() => client.close());
        setClient(null);
      },
    };
  }, [client]);
  const onLogin = useCallback((next: KubeqlClient) => setClient(next), []);

  if (!api) return <LoginPage onLogin={onLogin} />;
  return (
    <ApiContext.Provider value={api}>
      <Session />
    </ApiContext.Provider>
  );
}

/** Ages ("45s", "3m") are computed when rendering: render again now and then so they move on. */
const AGE_TICK_MS = 10_000;

function Session() {
  const { path, query } = useLocation();
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), AGE_TICK_MS);
    return () => clearInterval(timer);
  }, []);
  const page = route(path, query);
  // A block, not an expression: scrollTo returns a promise in recent browsers, which React would take for a clean-up.
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [path]);
  return <Layout path={path}>{page}</Layout>;
}

/** /, /apply, /<plural>, /<plural>/<name> (cluster-scoped), /<plural>/<namespace>/<name>. */
function route(path: string, query: URLSearchParams) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return <Overview />;
  if (parts[0] === 'apply' && parts.length === 1) return <ApplyPage />;
  const info = kindByPlural(parts[0]);
  if (!info) return <NotFound />;
  if (parts.length === 1) return <ListPage key={info.kind} info={info} query={query} />;
  if (info.namespaced && parts.length === 3)
    return <DetailPage key={path} info={info} namespace={parts[1]} name={parts[2]} />;
  if (!info.namespaced && parts.length === 2) return <DetailPage key={path} info={info} name={parts[1]} />;
  return <NotFound />;
}
