/**
 * In place of objects the caller may not see (FORBIDDEN for that list or edge): said
 * plainly, while the rest of the page stays.
 */
export function NotPermitted({ what, reason }: { what: string; reason?: string }) {
  return (
    <p className="not-permitted" role="note" title={reason}>
      Not permitted: this token may not see {what}.
    </p>
  );
}
