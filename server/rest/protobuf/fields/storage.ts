import type { MessageFields } from '../message-fields.ts';

/** The protobuf field numbers of k8s.io/api storage/v1 (generated.proto), as message-fields.ts reads them. */
export const STORAGE_FIELDS: MessageFields = {
  StorageClass:
    '1 metadata ObjectMeta, 2 provisioner, 3 parameters map<string>, 4 reclaimPolicy string?, 5 mountOptions []string, 6 allowVolumeExpansion bool?, 7 volumeBindingMode string?, 8 allowedTopologies []TopologySelectorTerm',
};
