import { defineKind } from '../kind.ts';
import { s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';

export const ConfigMap = s.object(
  'ConfigMap',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    data: s.map('UTF-8 values. Keys: alphanumerics, "-", "_" or "."; not also in binaryData.'),
    binaryData: s.map('Base64-encoded binary values.'),
    immutable: s.bool('Once true, data and binaryData can no longer change and immutable cannot be unset.'),
  },
  'Non-secret configuration for pods, as environment variables or files; at most 1 MiB.',
);
export type ConfigMap = Infer<typeof ConfigMap>;

export const configMapKind = defineKind({
  kind: 'ConfigMap',
  apiVersion: 'v1',
  plural: 'configmaps',
  shortNames: ['cm'],
  namespaced: true,
  shape: ConfigMap,
  description: 'Non-secret configuration for pods, as environment variables or files; at most 1 MiB.',
});
