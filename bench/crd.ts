/**
 * CustomResourceDefinitions: how long from applying one to its type being queryable in
 * GraphQL, and what rebuilding the schema costs as CRDs accumulate. Prints figures, never
 * passes or fails.
 *
 *   npx tsx bench/crd.ts [--crds 50]
 *
 * The server runs as its own process on a fresh data directory.
 */
import { post, startServer } from './server-process.ts';

const count = Number(process.argv[process.argv.indexOf('--crds') + 1]) || 50;

function crd(i: number): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `things${i}.bench.example.com` },
    spec: {
      group: 'bench.example.com',
      scope: 'Namespaced',
      names: { plural: `things${i}`, kind: `Thing${i}` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    size: { type: 'integer' },
                    template: { type: 'object', properties: { label: { type: 'string' } } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  });
}

const server = await startServer();
try {
  const timings: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await post(server, `mutation($m: String!) { apply(manifests: $m) { kind } }`, { m: crd(i) });
    for (;;) {
      const data = await post<{ __type: unknown }>(server, `{ __type(name: "Thing${i}") { name } }`);
      if (data.__type) break;
    }
    timings.push(performance.now() - start);
  }
  const show = (i: number) => `${timings[i].toFixed(0)} ms`;
  console.log(`apply a CRD -> its type queryable (CRDs already served: 0, ${count / 2 - 1}, ${count - 1}):`);
  console.log(`  ${show(0)}, ${show(count / 2 - 1)}, ${show(count - 1)}`);
  const start = performance.now();
  await post(server, `{ __schema { types { name } } }`);
  console.log(
    `introspection with ${count} CRDs served (schema cached): ${(performance.now() - start).toFixed(0)} ms`,
  );
} finally {
  server.stop();
}
