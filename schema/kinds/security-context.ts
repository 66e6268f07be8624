import { described, required, s, type Infer } from '../shape.ts';

/** The security settings of pods and containers (Kubernetes' PodSecurityContext and SecurityContext). */

const SELinuxOptions = s.object(
  'SELinuxOptions',
  {
    user: s.string('SELinux user label.'),
    role: s.string('SELinux role label.'),
    type: s.string('SELinux type label.'),
    level: s.string('SELinux level label.'),
  },
  'SELinux labels for the container; a random context is allocated when unset.',
);

const WindowsSecurityContextOptions = s.object(
  'WindowsSecurityContextOptions',
  {
    gmsaCredentialSpecName: s.string('Name of the GMSA credential spec to use.'),
    gmsaCredentialSpec: s.string('Content of the GMSA credential spec, inlined by a webhook.'),
    runAsUserName: s.string('Windows user to run the entrypoint as.'),
    hostProcess: s.bool('Run as a Windows host process container.'),
  },
  'Windows-only settings; Linux nodes ignore them.',
);

const ProfileType = ['RuntimeDefault', 'Localhost', 'Unconfined'] as const;

export const SeccompProfile = s.object(
  'SeccompProfile',
  {
    type: required(
      s.enum(
        'SeccompProfileType',
        ProfileType,
        "RuntimeDefault is the runtime's profile, Localhost a file on the node, Unconfined none.",
      ),
    ),
    localhostProfile: s.string(
      "Profile file, relative to the node's seccomp directory; set if and only if type is Localhost.",
    ),
  },
  'The seccomp profile the processes run under.',
);
export type SeccompProfile = Infer<typeof SeccompProfile>;

export const AppArmorProfile = s.object(
  'AppArmorProfile',
  {
    type: required(
      s.enum(
        'AppArmorProfileType',
        ProfileType,
        "RuntimeDefault is the runtime's profile, Localhost one loaded on the node, Unconfined none.",
      ),
    ),
    localhostProfile: s.string('Name of a profile loaded on the node; set if and only if type is Localhost.'),
  },
  'The AppArmor profile the processes run under.',
);
export type AppArmorProfile = Infer<typeof AppArmorProfile>;

export const SecurityContext = s.object(
  'SecurityContext',
  {
    runAsUser: s.int('UID to run the entrypoint as; overrides the pod-level setting.'),
    runAsGroup: s.int('GID to run the entrypoint as.'),
    runAsNonRoot: s.bool('Refuse to start the container if it would run as UID 0.'),
    privileged: s.bool('Run as privileged: equivalent to root on the host.'),
    readOnlyRootFilesystem: s.bool(),
    allowPrivilegeEscalation: s.bool(
      'Whether a process may gain more privileges than its parent (no_new_privs).',
    ),
    capabilities: s.object('Capabilities', {
      add: s.list(s.string(), 'POSIX capabilities to add.'),
      drop: s.list(s.string(), 'POSIX capabilities to drop.'),
    }),
    seLinuxOptions: SELinuxOptions,
    windowsOptions: WindowsSecurityContextOptions,
    procMount: s.enum(
      'ProcMountType',
      ['Default', 'Unmasked'],
      'Unmasked leaves /proc unmasked; it needs hostUsers false. Defaults to Default.',
    ),
    seccompProfile: described(SeccompProfile, "Overrides the pod's seccompProfile."),
    appArmorProfile: described(AppArmorProfile, "Overrides the pod's appArmorProfile."),
  },
  'Security options of one container; they override the pod-level ones.',
);

export const PodSecurityContext = s.object(
  'PodSecurityContext',
  {
    runAsUser: s.int('UID to run the entrypoint of every container as.'),
    runAsGroup: s.int('GID to run the entrypoint of every container as.'),
    runAsNonRoot: s.bool('Refuse to start a container that would run as UID 0.'),
    supplementalGroups: s.list(
      s.int(),
      'Groups the first process of every container belongs to, besides its primary GID and fsGroup.',
    ),
    supplementalGroupsPolicy: s.enum(
      'SupplementalGroupsPolicy',
      ['Merge', 'Strict'],
      "Merge adds the groups of the image's /etc/group for the user; Strict uses only those given. Defaults to Merge.",
    ),
    fsGroup: s.int('Supplemental group owning the volumes.'),
    fsGroupChangePolicy: s.enum(
      'PodFSGroupChangePolicy',
      ['OnRootMismatch', 'Always'],
      "When a volume's ownership is changed to fsGroup; defaults to Always.",
    ),
    sysctls: s.list(
      s.object('Sysctl', { name: required(s.string()), value: required(s.string()) }),
      'Namespaced kernel parameters for the pod.',
    ),
    seLinuxOptions: SELinuxOptions,
    seLinuxChangePolicy: s.enum(
      'PodSELinuxChangePolicy',
      ['Recursive', 'MountOption'],
      "How the pod's SELinux label is applied to its volumes.",
    ),
    windowsOptions: WindowsSecurityContextOptions,
    seccompProfile: described(SeccompProfile, 'For every container that does not set its own.'),
    appArmorProfile: described(AppArmorProfile, 'For every container that does not set its own.'),
  },
  'Security options of every container of the pod.',
);

export type SecurityContext = Infer<typeof SecurityContext>;
export type PodSecurityContext = Infer<typeof PodSecurityContext>;
