import { stringify } from 'yaml';
import type { Resource } from '../schema/kind.ts';
import { kindByName } from '../schema/kinds/index.ts';
import type { AdmissionContext } from '../server/admission/admission.ts';
import { admissionsWith } from '../server/admission/index.ts';
import { parseManifestText } from '../server/resources/manifests/manifest-parse.ts';
import { MANIFEST_LIMITS } from '../server/resources/manifests/manifest-limits.ts';
import { systemMeta, timestamp, validateMeta } from '../server/resources/object-meta.ts';
import { Writes } from '../server/resources/writes.ts';
import { teamNamespace } from './large-manifests.ts';
import { percentile } from './workload.ts';

const STEPS = ['parse JSON', 'parse YAML', 'shape + copy', 'default', 'validate', 'policy'] as const;
type Step = (typeof STEPS)[number];

/**
 * Admission's steps one by one, in this process, on the manifests the server was sent: parse
 * (JSON as SDKs send it, YAML as people write it), the kind's shape and the copy decoding
 * makes, defaults (the kind's, ServiceAccount, LimitRanger), validation, and the policy
 * checks (Pod Security, LimitRange bounds, ResourceQuota over the namespace's objects).
 * What the server adds to their sum is the transport, the commit and the answer. The custom
 * kind's admission needs its CRD served, which only the server does: it is left out here.
 */
export function admissionSteps(manifests: object[]): void {
  const admissions = admissionsWith();
  const writes = new Writes(admissions);
  const namespace = 'steps';
  const stored = new Map<string, Resource[]>();
  const store = (obj: Resource) => {
    const ofKind = stored.get(obj.kind) ?? [];
    stored.set(obj.kind, ofKind);
    ofKind.push(obj);
  };
  (teamNamespace(namespace) as Resource[]).forEach(store);
  const ctx: AdmissionContext = {
    now: timestamp(),
    namespace: (name) => stored.get('Namespace')?.find((ns) => ns.metadata.name === name),
    services: () => stored.get('Service') ?? [],
    storageClasses: () => [],
    ingressClasses: () => [],
    objects: (kind, ns) => (stored.get(kind) ?? []).filter((obj) => obj.metadata.namespace === ns),
    object: (kind, ns, name) =>
      (stored.get(kind) ?? []).find((obj) => obj.metadata.namespace === ns && obj.metadata.name === name),
  };
  const samples = new Map<string, Map<Step, number[]>>();
  const time = <T>(kind: string, step: Step, work: () => T): T => {
    const started = performance.now();
    const value = work();
    const bySteps = samples.get(kind) ?? new Map<Step, number[]>();
    samples.set(kind, bySteps);
    bySteps.set(step, [...(bySteps.get(step) ?? []), (performance.now() - started) * 1000]);
    return value;
  };
  // Twice: the first pass warms the code up, the second is measured.
  for (const pass of [0, 1]) {
    if (pass === 1) samples.clear();
    for (const manifest of manifests as Resource[]) {
      const def = kindByName(manifest.kind);
      if (!def) continue;
      const { kind } = def;
      const deadline = () => performance.now() + 60_000;
      time(kind, 'parse JSON', () =>
        parseManifestText(JSON.stringify(manifest), MANIFEST_LIMITS, deadline()),
      );
      const yaml = stringify(manifest);
      const [parsed] = time(kind, 'parse YAML', () => parseManifestText(yaml, MANIFEST_LIMITS, deadline()));
      const obj = time(kind, 'shape + copy', () => {
        writes.checkShape(def, parsed);
        return structuredClone(parsed) as Resource;
      });
      obj.metadata.namespace = namespace;
      systemMeta(obj, undefined, ctx.now);
      const admission = admissions(kind);
      time(kind, 'default', () => admission.default?.(obj, ctx));
      const errors = time(kind, 'validate', () => [
        ...validateMeta(def, obj, undefined, admission.name),
        ...(admission.validate?.(obj, ctx) ?? []),
      ]);
      if (errors.length)
        throw new Error(`${kind} ${obj.metadata.name} is invalid: ${JSON.stringify(errors)}`);
      const refusal = time(kind, 'policy', () => admission.forbid?.(obj, ctx));
      if (refusal) throw new Error(`${kind} ${obj.metadata.name} is refused: ${String(refusal)}`);
      store(obj);
    }
  }
  console.log(`\nadmission's steps in this process, µs p50 (built-in kinds; ${stored.size} kinds stored)`);
  console.log(`${'kind'.padEnd(26)}${STEPS.map((step) => step.padStart(13)).join('')}`);
  for (const [kind, bySteps] of samples) {
    const cells = STEPS.map((step) =>
      percentile(bySteps.get(step) ?? [NaN], 50)
        .toFixed(0)
        .padStart(13),
    );
    console.log(`${kind.padEnd(26)}${cells.join('')}`);
  }
}
