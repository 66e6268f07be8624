import { Link } from '../router.tsx';

export function NotFound() {
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>
        There is no such page. <Link href="/">Back to the overview</Link>
      </p>
    </div>
  );
}
