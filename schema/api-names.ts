/**
 * How the API spells a kind's fields: `pod` / `pods` / `watchPods` / `createPod`. Shared by
 * the schema and by clients that build operations for any kind (informers, the CLI).
 */
export function apiNames(kind: string) {
  const plural = kind.endsWith('s')
    ? `${kind}List`
    : kind.endsWith('y')
      ? `${kind.slice(0, -1)}ies`
      : `${kind}s`;
  const lowerFirst = (text: string) => text[0].toLowerCase() + text.slice(1);
  return { one: lowerFirst(kind), many: lowerFirst(plural), Many: plural };
}
