import { preview, type Answer, type Violation } from './invariants.ts';
import { fixtures, type Expected } from './manifests.ts';
import type { Random } from './random.ts';
import { sendHttp, type Target, type WsConnection } from './transport.ts';

/**
 * What every fuzz family shares: the context a case runs in, its shape, and the checks
 * that need the server (all-or-none after a failed apply) rather than the answer alone.
 */

export interface FuzzContext {
  target: Target;
  seed: number;
  /** An answer slower than this is a stall. */
  stallMs: number;
  /** The namespace applies write into (created by prepare()). */
  namespace: string;
  /** The WebSocket the WebSocket families share; reopened when the server closes it. */
  ws?: WsConnection;
}

export interface CaseOutcome {
  /** What was sent, as text (for the leak check and the report). */
  request: string;
  shape: string;
  violations: Violation[];
}

export interface Family {
  name: string;
  /** Generates the case, calls `sending` once it starts talking to the server, then checks the answers. */
  run(rng: Random, index: number, ctx: FuzzContext, sending: () => void): Promise<CaseOutcome>;
}

export const auth = (ctx: FuzzContext) => `Bearer ${ctx.target.token}`;
export const deadline = (ctx: FuzzContext) => ctx.stallMs + 1500;

export const APPLY = `mutation($m: String!, $ns: String, $dry: Boolean) { apply(manifests: $m, namespace: $ns, dryRun: $dry) { kind metadata { name namespace } } }`;

/** After a failed apply: none of the named objects may exist. */
export async function checkAllOrNone(
  ctx: FuzzContext,
  objects: Expected[],
  namespace: string,
): Promise<Violation[]> {
  const look = objects.filter((o) => !o.broken);
  if (look.length === 0) return [];
  const fields = look.map((o, i) => {
    const one = o.kind[0].toLowerCase() + o.kind.slice(1);
    const ns = o.namespaced ? `, namespace: ${JSON.stringify(namespace)}` : '';
    return `o${i}: ${one}(name: ${JSON.stringify(o.name)}${ns}) { metadata { name } }`;
  });
  const res = await sendHttp(
    ctx.target,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth(ctx) },
      body: JSON.stringify({ query: `{ ${fields.join(' ')} }` }),
    },
    deadline(ctx),
  );
  const data = (res.results[0] as { data?: Record<string, unknown> } | undefined)?.data;
  if (!data) {
    return [
      {
        invariant: 'unhealthy',
        cause: 'read-back failed',
        detail: `could not read back the applied objects: ${preview(res.text)}`,
      },
    ];
  }
  const left = look.filter((_, i) => data[`o${i}`] !== null).map((o) => `${o.kind}/${o.name}`);
  return left.length
    ? [
        {
          invariant: 'all-or-none',
          cause: 'objects of a failed apply exist',
          detail: `a failed apply of ${objects.length} objects left ${left.join(', ')}`,
        },
      ]
    : [];
}

export function failed(answer: Answer): boolean {
  return answer.results.some((r) => Array.isArray((r as { errors?: unknown } | null)?.errors));
}

/** What the families need on the server: the namespace applies write into, and objects the documents meet. */
export async function prepare(ctx: FuzzContext): Promise<void> {
  const steps: Array<[string, string | undefined]> = [
    [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ctx.namespace}`, undefined],
    [fixtures(), 'default'],
  ];
  for (const [manifests, namespace] of steps) {
    const res = await fetch(ctx.target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth(ctx) },
      body: JSON.stringify({
        query: `mutation($m: String!, $ns: String) { apply(manifests: $m, namespace: $ns) { kind } }`,
        variables: { m: manifests, ns: namespace },
      }),
    });
    const json = (await res.json()) as { errors?: unknown };
    if (json.errors) throw new Error(`could not prepare the cluster: ${JSON.stringify(json.errors)}`);
  }
}
