import { s } from '../shape.ts';

/** Enumerations PersistentVolumes, their claims and StorageClasses share. */

export const PersistentVolumeAccessMode = s.enum(
  'PersistentVolumeAccessMode',
  ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'],
  'ReadWriteOnce: read-write by one node; ReadOnlyMany: read-only by many; ReadWriteMany: read-write by many; ReadWriteOncePod: read-write by one pod.',
);

export const PersistentVolumeMode = s.enum(
  'PersistentVolumeMode',
  ['Filesystem', 'Block'],
  'Filesystem (the default): mounted as a directory; Block: handed to the pod as a raw device.',
);

export const PersistentVolumeReclaimPolicy = s.enum(
  'PersistentVolumeReclaimPolicy',
  ['Retain', 'Delete', 'Recycle'],
  'What happens to a volume released by its claim: Retain keeps it for an administrator, Delete removes it and its storage, Recycle (deprecated) scrubs it.',
);
