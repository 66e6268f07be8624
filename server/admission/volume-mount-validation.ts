import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Container, Volume } from '../../schema/kinds/pod.ts';
import { localPath } from './volume-validation.ts';

/** Where a container's volumes go: mount paths, subpaths, propagation, block devices. */

export function validateVolumeMounts(
  container: Container,
  path: string,
  volumes: Map<string, Volume>,
  errors: FieldError[],
): void {
  const mountPaths = new Set<string>();
  container.volumeMounts?.forEach((mount, i) => {
    const at = (field: string) => joinPath(joinPath(path, i), field);
    if (!mount.name) errors.push(fieldError(at('name'), 'Required', 'Required value'));
    else if (!volumes.has(mount.name))
      errors.push(fieldError(at('name'), 'Invalid', `Not found: "${mount.name}"`));
    if (!mount.mountPath) errors.push(fieldError(at('mountPath'), 'Required', 'Required value'));
    else if (mountPaths.has(mount.mountPath))
      errors.push(fieldError(at('mountPath'), 'Invalid', 'must be unique'));
    mountPaths.add(mount.mountPath);
    if (mount.subPath) localPath(mount.subPath, at('subPath'), errors);
    if (mount.subPathExpr) {
      if (mount.subPath)
        errors.push(
          fieldError(at('subPathExpr'), 'Invalid', 'subPathExpr and subPath are mutually exclusive'),
        );
      localPath(mount.subPathExpr, at('subPathExpr'), errors);
    }
    if (mount.mountPropagation === 'Bidirectional' && !container.securityContext?.privileged) {
      errors.push(
        fieldError(
          at('mountPropagation'),
          'Forbidden',
          'Bidirectional mount propagation is available only to privileged containers',
        ),
      );
    }
    const recursive = mount.recursiveReadOnly;
    if (recursive && recursive !== 'Disabled') {
      if (!mount.readOnly)
        errors.push(
          fieldError(at('recursiveReadOnly'), 'Forbidden', 'may only be specified when readOnly is true'),
        );
      if (mount.mountPropagation && mount.mountPropagation !== 'None')
        errors.push(
          fieldError(
            at('recursiveReadOnly'),
            'Forbidden',
            'may only be specified when mountPropagation is None or not specified',
          ),
        );
    }
  });
}

/** Block devices come from claims only, each at a path of its own. */
export function validateVolumeDevices(
  container: Container,
  path: string,
  volumes: Map<string, Volume>,
  errors: FieldError[],
): void {
  const mountPaths = new Set(container.volumeMounts?.map((m) => m.mountPath));
  const devicePaths = new Set<string>();
  container.volumeDevices?.forEach((device, i) => {
    const at = (field: string) => joinPath(joinPath(path, i), field);
    const volume = volumes.get(device.name);
    if (!volume) errors.push(fieldError(at('name'), 'Invalid', `Not found: "${device.name}"`));
    else if (!volume.persistentVolumeClaim && !volume.ephemeral)
      errors.push(
        fieldError(
          at('name'),
          'Invalid',
          'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode',
        ),
      );
    if (devicePaths.has(device.devicePath))
      errors.push(fieldError(at('devicePath'), 'Invalid', 'must be unique'));
    if (mountPaths.has(device.devicePath))
      errors.push(fieldError(at('devicePath'), 'Invalid', 'must not be already mounted into a container'));
    devicePaths.add(device.devicePath);
  });
}
