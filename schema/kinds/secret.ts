import { defineKind } from '../kind.ts';
import { s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';

export const Secret = s.object(
  'Secret',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    data: s.map('Base64-encoded values. Keys: alphanumerics, "-", "_" or ".".'),
    stringData: s.map(
      'Write-only plain-text values, merged into data (winning over it) on write and never stored or returned.',
    ),
    type: s.string(
      'What the data holds, which decides the keys it needs: Opaque (default), kubernetes.io/tls (tls.crt, tls.key), kubernetes.io/dockerconfigjson (.dockerconfigjson), ... Immutable.',
    ),
    immutable: s.bool('Once true, data can no longer change and immutable cannot be unset.'),
  },
  'Sensitive data (passwords, tokens, keys) for pods; at most 1 MiB.',
);
export type Secret = Infer<typeof Secret>;

export const secretKind = defineKind({
  kind: 'Secret',
  apiVersion: 'v1',
  plural: 'secrets',
  shortNames: [],
  namespaced: true,
  shape: Secret,
  description: 'Sensitive data (passwords, tokens, keys) for pods; at most 1 MiB.',
  fieldSelectors: { type: (secret) => secret.type },
});
