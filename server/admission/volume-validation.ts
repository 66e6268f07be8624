import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Volume } from '../../schema/kinds/pod.ts';

/** Volume files (paths and modes) and the volumes made of them: downwardAPI and projected. */

type DownwardAPIFile = NonNullable<NonNullable<Volume['downwardAPI']>['items']>[number];
type KeyToPath = NonNullable<NonNullable<Volume['configMap']>['items']>[number];

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
    const given = (['secret', 'configMap', 'downwardAPI'] as const).filter(
      (kind) => source[kind] !== undefined,
    );
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
