import { useState, type ReactNode } from 'react';
import { useApi } from '../api/context.tsx';
import { useConnectionProblem } from '../api/hooks.ts';
import { KINDS } from '../kinds.ts';
import { Link } from '../router.tsx';

const GROUPS = ['Workloads', 'Network', 'Config', 'Cluster'] as const;

/** The frame of every page: the kinds in a sidebar (a menu on narrow screens), the page beside it. */
export function Layout({ path, children }: { path: string; children: ReactNode }) {
  const { logout } = useApi();
  const problem = useConnectionProblem();
  const [menuOpen, setMenuOpen] = useState(false);
  const section = '/' + (path.split('/')[1] ?? '');
  const item = (href: string, label: string) => (
    <Link
      key={href}
      href={href}
      className={section === href ? 'active' : undefined}
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
        {GROUPS.map((group) => (
          <div key={group} className="nav-group">
            <div className="nav-title">{group}</div>
            {KINDS.filter((k) => k.group === group).map((k) =>
              item(
                `/${k.plural}`,
                k.kind === 'HorizontalPodAutoscaler' ? 'HPAs' : `${k.kind}${k.kind.endsWith('s') ? '' : 's'}`,
              ),
            )}
          </div>
        ))}
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
