import { created, name, NONE, type Columns } from './cells.ts';
import type { KindObjects } from './objects.ts';

/** kubectl's columns of PersistentVolumes, their claims and StorageClasses. */

type StorageKind = 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass';

const ACCESS_MODE_ABBREVIATIONS: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

/** ACCESS MODES: "RWO,ROX", in kubectl's order whatever the object's. */
export const accessModesText = (modes: readonly string[] | undefined) =>
  Object.keys(ACCESS_MODE_ABBREVIATIONS)
    .filter((mode) => modes?.includes(mode))
    .map((mode) => ACCESS_MODE_ABBREVIATIONS[mode])
    .join(',');

/** The annotation that marks the default StorageClass. */
export const DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

const UNSET = '<unset>';
const storage = (resources: Record<string, string | number> | undefined) =>
  resources?.storage === undefined ? '' : String(resources.storage);

export const STORAGE_COLUMNS: { [K in StorageKind]: Columns<KindObjects[K]> } = {
  PersistentVolume: {
    headers: [
      'NAME',
      'CAPACITY',
      'ACCESS MODES',
      'RECLAIM POLICY',
      'STATUS',
      'CLAIM',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'REASON',
      'AGE',
    ],
    wide: ['VOLUMEMODE'],
    row: (pv, now) => {
      const claim = pv.spec?.claimRef;
      return [
        name(pv),
        storage(pv.spec?.capacity),
        accessModesText(pv.spec?.accessModes),
        pv.spec?.persistentVolumeReclaimPolicy ?? '',
        pv.status?.phase ?? '',
        claim ? `${claim.namespace ?? ''}/${claim.name ?? ''}` : '',
        pv.spec?.storageClassName ?? '',
        pv.spec?.volumeAttributesClassName ?? UNSET,
        pv.status?.reason ?? '',
        created(pv, now),
      ];
    },
    wideRow: (pv) => [pv.spec?.volumeMode ?? NONE],
  },
  PersistentVolumeClaim: {
    headers: [
      'NAME',
      'STATUS',
      'VOLUME',
      'CAPACITY',
      'ACCESS MODES',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'AGE',
    ],
    wide: ['VOLUMEMODE'],
    row: (pvc, now) => [
      name(pvc),
      pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
      pvc.spec?.volumeName ?? '',
      storage(pvc.status?.capacity),
      accessModesText(pvc.status?.accessModes),
      pvc.spec?.storageClassName ?? '',
      pvc.spec?.volumeAttributesClassName ?? UNSET,
      created(pvc, now),
    ],
    wideRow: (pvc) => [pvc.spec?.volumeMode ?? NONE],
  },
  StorageClass: {
    headers: ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
    row: (sc, now) => [
      sc.metadata.annotations?.[DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true'
        ? `${name(sc)} (default)`
        : name(sc),
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      String(sc.allowVolumeExpansion ?? false),
      created(sc, now),
    ],
  },
};
