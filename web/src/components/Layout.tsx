import { useState, type ReactNode } from 'react';
import { usePermissions } from '../api/access.ts';
import { useApi } from '../api/context.tsx';
import { useConnectionProblem } from '../api/hooks.ts';
import { useNamespaceInView } from '../api/namespace-in-view.ts';
import { KINDS, type KindInfo } from '../kinds.ts';
import { Link, useLocation } from '../router.tsx';

const GROUPS = ['Workloads', 'Network', 'Config', 'Cluster'] as const;

/**
 * The frame of every page: the kinds the caller may list in a sidebar (a menu on narrow
 * screens), the page beside it. A kind listable only in the namespace in view links to it there.
 */
export function Layout({ path, children }: { path: string; children: ReactNode }) {
  const { logout } = useApi();
  const problem = useConnectionProblem();
  const namespace = useNamespaceInView(path, useLocation().query);
  const permissions = usePermissions(namespace);
  const listable = KINDS.flatMap((info) => {
    // Until the permissions are known, offer every kind: the API decides anyway.
    const scope = permissions ? permissions.listScope(info) : 'cluster';
    if (!scope) return [];
    const href =
      scope === 'namespace'
        ? `/${info.plural}?namespace=${encodeURIComponent(namespace!)}`
        : `/${info.plural}`;
    return [{ info, href }];
  });
  const [menuOpen, setMenuOpen] = useState(false);
  const current = '/' + (path.split('/')[1] ?? '');
  const item = (href: string, label: string, section = href) => (
    <Link
      key={href}
      href={href}
      className={current === section ? 'active' : undefined}
      onClick={() => setMenuOpen(false)}
    >
      {label}
    </Link>
  );
  return (
    <div className="shell">
      <header className="topbar">
        <button className="menu-button" aria-label="Menu" onClick={() => setMenuOpen(!menuOpen)}>
          ☰
        </button>
        <Link href="/" className="logo">
          kubeql
        </Link>
        <span className="spacer" />
        <Link href="/apply" className="button primary">
          + Create
        </Link>
        <a href="/graphql" className="button" target="_blank" rel="noreferrer">
          GraphiQL
        </a>
        <button onClick={logout}>Log out</button>
      </header>
      <nav className={`sidebar${menuOpen ? ' open' : ''}`} aria-label="Kinds">
        {item('/', 'Overview')}
        {GROUPS.map((group) => {
          const kinds = listable.filter(({ info }) => info.group === group);
          if (kinds.length === 0) return null;
          return (
            <div key={group} className="nav-group">
              <div className="nav-title">{group}</div>
              {kinds.map(({ info, href }) => item(href, navLabel(info), `/${info.plural}`))}
            </div>
          );
        })}
      </nav>
      <main className="content">
        {problem && (
          <div className="banner" role="status">
            Connection problem, retrying: {problem}
          </div>
        )}
        {children}
      </main>
    </div>
  );
}

function navLabel({ kind }: KindInfo): string {
  return kind === 'HorizontalPodAutoscaler' ? 'HPAs' : `${kind}${kind.endsWith('s') ? '' : 's'}`;
}
