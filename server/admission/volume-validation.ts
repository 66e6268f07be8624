import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import { LEGACY_VOLUME_SOURCES, type Volume } from '../../schema/kinds/volume.ts';

/** Volume files (paths and modes) and the volumes made of them: downwardAPI and projected. */

type DownwardAPIFile = NonNullable<NonNullable<Volume['downwardAPI']>['items']>[number];
type KeyToPath = NonNullable<NonNullable<Volume['configMap']>['items']>[number];

/** The sources of a projected volume; exactly one per entry. */
const PROJECTIONS = [
  'secret',
  'configMap',
  'downwardAPI',
  'serviceAccountToken',
  'clusterTrustBundle',
] as const;

/** The pod fields a downward API file may hold (labels and annotations also by key). */
const FILE_FIELD_PATHS = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];
const RESOURCES = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/;

/** A downwardAPI or projected volume, as Kubernetes validates it (paths, modes, one source each, no path twice). */
export function validateApiDataVolume(
  volume: Volume,
  at: (...fields: string[]) => string,
  errors: FieldError[],
): void {
  if (volume.downwardAPI) {
    fileMode(volume.downwardAPI.defaultMode, at('downwardAPI', 'defaultMode'), errors);
    const paths = new Set<string>();
    volume.downwardAPI.items?.forEach((item, i) =>
      downwardAPIFile(item, joinPath(at('downwardAPI', 'items'), i), paths, errors),
    );
  }
  if (!volume.projected) return;
  fileMode(volume.projected.defaultMode, at('projected', 'defaultMode'), errors);
  const paths = new Set<string>();
  volume.projected.sources?.forEach((source, i) => {
    const sourcePath = joinPath(at('projected', 'sources'), i);
    const given = PROJECTIONS.filter((kind) => source[kind] !== undefined);
    if (given.length === 0)
      errors.push(fieldError(sourcePath, 'Required', 'must specify exactly 1 volume type'));
    for (const kind of given.slice(1)) {
      errors.push(
        fieldError(joinPath(sourcePath, kind), 'Forbidden', 'may not specify more than 1 volume type'),
      );
    }
    for (const kind of ['secret', 'configMap'] as const) {
      const projection = source[kind];
      if (!projection) continue;
      const kindPath = joinPath(sourcePath, kind);
      if (!projection.name) errors.push(fieldError(joinPath(kindPath, 'name'), 'Required', 'Required value'));
      projection.items?.forEach((item, j) =>
        keyToPath(item, joinPath(joinPath(kindPath, 'items'), j), paths, errors),
      );
    }
    const token = source.serviceAccountToken;
    if (token) {
      const tokenPath = joinPath(sourcePath, 'serviceAccountToken');
      filePath(token.path, joinPath(tokenPath, 'path'), paths, errors);
      const seconds = token.expirationSeconds;
      if (seconds !== undefined && seconds < 600)
        errors.push(
          fieldError(
            joinPath(tokenPath, 'expirationSeconds'),
            'Invalid',
            'may not specify a duration less than 10 minutes',
          ),
        );
      if (seconds !== undefined && seconds > 2 ** 32)
        errors.push(
          fieldError(
            joinPath(tokenPath, 'expirationSeconds'),
            'Invalid',
            'may not specify a duration larger than 2^32 seconds',
          ),
        );
    }
    const bundle = source.clusterTrustBundle;
    if (bundle) {
      const bundlePath = joinPath(sourcePath, 'clusterTrustBundle');
      filePath(bundle.path, joinPath(bundlePath, 'path'), paths, errors);
      if (bundle.name !== undefined && bundle.signerName !== undefined)
        errors.push(fieldError(bundlePath, 'Invalid', 'only one of name and signerName may be used'));
      else if (bundle.name === undefined && bundle.signerName === undefined)
        errors.push(fieldError(bundlePath, 'Required', 'either name or signerName must be set'));
      if (bundle.name !== undefined && bundle.labelSelector)
        errors.push(
          fieldError(
            joinPath(bundlePath, 'labelSelector'),
            'Invalid',
            'labelSelector must be unset if name is specified',
          ),
        );
    }
    source.downwardAPI?.items?.forEach((item, j) =>
      downwardAPIFile(
        item,
        joinPath(joinPath(joinPath(sourcePath, 'downwardAPI'), 'items'), j),
        paths,
        errors,
      ),
    );
  });
}

function keyToPath(item: KeyToPath, path: string, paths: Set<string>, errors: FieldError[]): void {
  if (!item.key) errors.push(fieldError(joinPath(path, 'key'), 'Required', 'Required value'));
  filePath(item.path, joinPath(path, 'path'), paths, errors);
  fileMode(item.mode, joinPath(path, 'mode'), errors);
}

function downwardAPIFile(
  item: DownwardAPIFile,
  path: string,
  paths: Set<string>,
  errors: FieldError[],
): void {
  filePath(item.path, joinPath(path, 'path'), paths, errors);
  fileMode(item.mode, joinPath(path, 'mode'), errors);
  if (item.fieldRef && item.resourceFieldRef) {
    errors.push(
      fieldError(path, 'Invalid', 'fieldRef and resourceFieldRef can not be specified simultaneously'),
    );
  } else if (!item.fieldRef && !item.resourceFieldRef) {
    errors.push(fieldError(path, 'Required', 'one of fieldRef and resourceFieldRef is required'));
  }
  if (item.fieldRef) {
    const fieldPath = item.fieldRef.fieldPath;
    const subscripted = /^(metadata\.(?:labels|annotations))\['.+'\]$/s.exec(fieldPath)?.[1];
    if (!FILE_FIELD_PATHS.includes(subscripted ?? fieldPath)) {
      const supported = FILE_FIELD_PATHS.map((p) => `"${p}"`).join(', ');
      errors.push(
        fieldError(
          joinPath(joinPath(path, 'fieldRef'), 'fieldPath'),
          'NotSupported',
          `Unsupported value: "${fieldPath}": supported values: ${supported}`,
        ),
      );
    }
  }
  if (item.resourceFieldRef) {
    const refPath = joinPath(path, 'resourceFieldRef');
    if (!item.resourceFieldRef.containerName) {
      errors.push(fieldError(joinPath(refPath, 'containerName'), 'Required', 'Required value'));
    }
    if (!RESOURCES.test(item.resourceFieldRef.resource)) {
      errors.push(
        fieldError(
          joinPath(refPath, 'resource'),
          'NotSupported',
          `Unsupported value: "${item.resourceFieldRef.resource}": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"`,
        ),
      );
    }
  }
}

/** A file path: required, inside the volume, not starting with "..", not given twice. */
function filePath(value: string, path: string, paths: Set<string>, errors: FieldError[]): void {
  if (!value) {
    errors.push(fieldError(path, 'Required', 'Required value'));
    return;
  }
  localPath(value, path, errors);
  if (value.startsWith('..'))
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": must not start with '..'`));
  if (paths.has(value))
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": conflicting duplicate paths`));
  paths.add(value);
}

/** A path that must stay inside the volume (subPath, projected file paths). */
export function localPath(value: string, path: string, errors: FieldError[]): void {
  if (value.startsWith('/'))
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": must be a relative path`));
  if (value.split(/[\\/]/).includes('..')) {
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": must not contain '..'`));
  }
}

/** Permission bits of a volume file. */
export function fileMode(mode: number | undefined, path: string, errors: FieldError[]): void {
  if (mode !== undefined && (mode < 0 || mode > 0o777)) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: ${mode}: must be a number between 0 and 0777 (octal), both inclusive`,
      ),
    );
  }
}

/**
 * The sources no node here mounts, checked as far as Kubernetes checks them at the door:
 * the loosely kept in-tree ones must at least be objects; image and ephemeral volumes
 * must say what they are made from.
 */
export function validateOtherSources(
  volume: Volume,
  at: (...fields: string[]) => string,
  errors: FieldError[],
): void {
  for (const source of LEGACY_VOLUME_SOURCES) {
    const value = volume[source];
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))
      errors.push(fieldError(at(source), 'Invalid', 'expected an object'));
  }
  if (volume.image && !volume.image.reference)
    errors.push(fieldError(at('image', 'reference'), 'Required', 'Required value'));
  if (!volume.ephemeral) return;
  const template = volume.ephemeral.volumeClaimTemplate;
  if (!template) {
    errors.push(fieldError(at('ephemeral', 'volumeClaimTemplate'), 'Required', 'Required value'));
    return;
  }
  const spec = joinPath(at('ephemeral', 'volumeClaimTemplate'), 'spec');
  if (!template.spec.accessModes?.length)
    errors.push(fieldError(joinPath(spec, 'accessModes'), 'Required', 'at least 1 access mode is required'));
  if (template.spec.resources?.requests?.storage === undefined)
    errors.push(fieldError(`${joinPath(spec, 'resources.requests')}[storage]`, 'Required', 'Required value'));
}
