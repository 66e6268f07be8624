import { describe, expect, it } from 'vitest';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { parsePodSecurityDefault } from '../../server/admission/pod-security/defaults.ts';
import { evaluate } from '../../server/admission/pod-security/evaluation.ts';
import { policyOf } from '../../server/admission/pod-security/labels.ts';
import type { Level } from '../../server/admission/pod-security/levels.ts';
import { existingPodsWarnings, violatesMessage } from '../../server/admission/pod-security/messages.ts';
import { DEFAULT_POD_SECURITY } from '../../server/admission/pod-security/defaults.ts';

/** The Pod Security Standards' checks, with the reasons and details Kubernetes words them with. */

/** A pod whose container "app" passes every restricted check, changed by `change`. */
function hardened(change: (spec: PodSpec) => void = () => {}): PodSpec {
  const spec: PodSpec = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'nginx',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  };
  change(spec);
  return spec;
}

const app = (spec: PodSpec) => spec.containers[0];

function violations(level: Level, spec: PodSpec, annotations?: Record<string, string>) {
  return evaluate(level, { metadata: { annotations }, spec });
}

describe('baseline checks', () => {
  const cases: Array<[string, (spec: PodSpec) => void, string, string, Record<string, string>?]> = [
    [
      'host namespaces',
      (s) => Object.assign(s, { hostNetwork: true, hostPID: true, hostIPC: true }),
      'host namespaces',
      'hostNetwork=true, hostPID=true, hostIPC=true',
    ],
    [
      'privileged containers',
      (s) => (app(s).securityContext!.privileged = true),
      'privileged',
      'container "app" must not set securityContext.privileged=true',
    ],
    [
      'capabilities beyond the default set',
      (s) => (app(s).securityContext!.capabilities!.add = ['SYS_PTRACE', 'CHOWN', 'NET_ADMIN']),
      'non-default capabilities',
      'container "app" must not include "NET_ADMIN", "SYS_PTRACE" in securityContext.capabilities.add',
    ],
    [
      'hostPath volumes',
      (s) =>
        (s.volumes = [
          { name: 'root', hostPath: { path: '/' } },
          { name: 'sock', hostPath: { path: '/var/run/docker.sock' } },
        ]),
      'hostPath volumes',
      'volumes "root", "sock"',
    ],
    [
      'host ports (sorted as text, as Kubernetes keeps them)',
      (s) =>
        (app(s).ports = [
          { containerPort: 80, hostPort: 80 },
          { containerPort: 443, hostPort: 443 },
        ]),
      'hostPort',
      'container "app" uses hostPorts 443, 80',
    ],
    [
      'an Unconfined AppArmor profile',
      (s) => (app(s).securityContext!.appArmorProfile = { type: 'Unconfined' }),
      'forbidden AppArmor profile',
      'container "app" must not set AppArmor profile type to "Unconfined"',
    ],
    [
      'an unconfined AppArmor annotation',
      () => {},
      'forbidden AppArmor profile',
      'annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="unconfined""',
      { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' },
    ],
    [
      'SELinux types, users and roles',
      (s) => {
        s.securityContext!.seLinuxOptions = { type: 'spc_t' };
        app(s).securityContext!.seLinuxOptions = { user: 'root', role: 'sysadm_r' };
      },
      'seLinuxOptions',
      'pod and container "app" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set; role may not be set',
    ],
    [
      'an unmasked /proc',
      (s) => (app(s).securityContext!.procMount = 'Unmasked'),
      'procMount',
      'container "app" must not set securityContext.procMount to "Unmasked"',
    ],
    [
      'an Unconfined seccomp profile',
      (s) => (s.securityContext!.seccompProfile = { type: 'Unconfined' }),
      'seccompProfile',
      'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    ],
    [
      'sysctls outside the safe set',
      (s) =>
        (s.securityContext!.sysctls = [
          { name: 'net.ipv4.tcp_syncookies', value: '1' },
          { name: 'kernel.msgmax', value: '1' },
          { name: 'net.core.somaxconn', value: '1' },
        ]),
      'forbidden sysctls',
      'kernel.msgmax, net.core.somaxconn',
    ],
    [
      'Windows host processes',
      (s) => (s.securityContext!.windowsOptions = { hostProcess: true }),
      'hostProcess',
      'pod must not set securityContext.windowsOptions.hostProcess=true',
    ],
  ];

  it.each(cases)('refuses %s', (_what, change, reason, detail, annotations) => {
    expect(violations('baseline', hardened(change), annotations)).toEqual([{ reason, detail }]);
  });

  it('lets a plain pod through, and privileged lets everything through', () => {
    const plain: PodSpec = { containers: [{ name: 'web', image: 'nginx' }] };
    expect(violations('baseline', plain)).toEqual([]);
    const worst = hardened((s) => {
      s.hostNetwork = true;
      app(s).securityContext!.privileged = true;
    });
    expect(violations('privileged', worst)).toEqual([]);
  });

  it('allows /proc unmasked in a user namespace, and the default capabilities', () => {
    const spec = hardened((s) => {
      s.hostUsers = false;
      app(s).securityContext!.procMount = 'Unmasked';
      app(s).securityContext!.capabilities!.add = ['CHOWN', 'NET_BIND_SERVICE'];
    });
    expect(violations('baseline', spec)).toEqual([]);
  });

  it('lists violations in the order of the check IDs, naming every container of each', () => {
    const spec: PodSpec = {
      hostPID: true,
      initContainers: [{ name: 'init', image: 'busybox', securityContext: { privileged: true } }],
      containers: [
        { name: 'a', image: 'nginx', securityContext: { privileged: true } },
        { name: 'b', image: 'nginx', securityContext: { capabilities: { add: ['NET_RAW'] } } },
      ],
    };
    expect(violatesMessage({ level: 'baseline', version: 'latest' }, violations('baseline', spec))).toBe(
      'violates PodSecurity "baseline:latest": non-default capabilities (container "b" must not include "NET_RAW" in securityContext.capabilities.add), ' +
        'host namespaces (hostPID=true), privileged (containers "init", "a" must not set securityContext.privileged=true)',
    );
  });
});

describe('restricted checks', () => {
  it('passes a hardened pod', () => {
    expect(violations('restricted', hardened())).toEqual([]);
  });

  it('words a plain pod as Kubernetes does', () => {
    const plain: PodSpec = { containers: [{ name: 'x', image: 'nginx' }] };
    expect(violatesMessage({ level: 'restricted', version: 'latest' }, violations('restricted', plain))).toBe(
      'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "x" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "x" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "x" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  const cases: Array<[string, (spec: PodSpec) => void, string, string]> = [
    [
      'volume types beyond the restricted set (hostPath among them)',
      (s) =>
        (s.volumes = [
          { name: 'data', emptyDir: {} },
          { name: 'share', nfs: { server: 'nfs.example', path: '/' } },
          { name: 'root', hostPath: { path: '/' } },
        ]),
      'restricted volume types',
      'volumes "share", "root" use restricted volume types "hostPath", "nfs"',
    ],
    [
      'privilege escalation',
      (s) => (app(s).securityContext!.allowPrivilegeEscalation = true),
      'allowPrivilegeEscalation != false',
      'container "app" must set securityContext.allowPrivilegeEscalation=false',
    ],
    [
      'runAsNonRoot=false',
      (s) => (app(s).securityContext!.runAsNonRoot = false),
      'runAsNonRoot != true',
      'container "app" must not set securityContext.runAsNonRoot=false',
    ],
    [
      'runAsUser 0',
      (s) => {
        s.securityContext!.runAsUser = 0;
        app(s).securityContext!.runAsUser = 0;
      },
      'runAsUser=0',
      'pod and container "app" must not set runAsUser=0',
    ],
    [
      'a missing seccomp profile',
      (s) => delete s.securityContext!.seccompProfile,
      'seccompProfile',
      'pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
    ],
    [
      'capabilities not dropped, or added beyond NET_BIND_SERVICE',
      (s) =>
        (app(s).securityContext!.capabilities = { drop: ['NET_RAW'], add: ['NET_BIND_SERVICE', 'CHOWN'] }),
      'unrestricted capabilities',
      'container "app" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "CHOWN" in securityContext.capabilities.add',
    ],
  ];

  it.each(cases)('refuses %s', (_what, change, reason, detail) => {
    expect(violations('restricted', hardened(change))).toEqual([{ reason, detail }]);
  });

  it('relaxes runAsNonRoot and runAsUser in a user namespace, and Linux-only fields on Windows', () => {
    const userns = hardened((s) => {
      s.hostUsers = false;
      s.securityContext!.runAsNonRoot = false;
      s.securityContext!.runAsUser = 0;
    });
    expect(violations('restricted', userns)).toEqual([]);
    const windows: PodSpec = {
      os: { name: 'windows' },
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'w', image: 'iis' }],
    };
    expect(violations('restricted', windows)).toEqual([]);
  });
});

describe('namespace labels and the cluster default', () => {
  it('reads each mode and version, keeping the default for modes without labels', () => {
    const { policy, errors } = policyOf(
      {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.30',
      },
      DEFAULT_POD_SECURITY,
    );
    expect(errors).toEqual([]);
    expect(policy.enforce).toEqual({ level: 'restricted', version: 'v1.30' });
    expect(policy.warn).toEqual({ level: 'baseline', version: 'latest' });
  });

  it('reports invalid values with Kubernetes messages, failing closed for enforce and open for warn', () => {
    const { policy, errors } = policyOf(
      {
        'pod-security.kubernetes.io/enforce': 'strict',
        'pod-security.kubernetes.io/warn': 'loud',
        'pod-security.kubernetes.io/audit-version': '1.30',
      },
      DEFAULT_POD_SECURITY,
    );
    expect(policy.enforce.level).toBe('restricted');
    expect(policy.warn.level).toBe('privileged');
    expect(errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
      'metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "1.30": must be "latest" or "v1.x"',
      'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "loud": must be one of privileged, baseline, restricted',
    ]);
  });

  it('parses the server flag: a level, or mode=level pairs', () => {
    expect(parsePodSecurityDefault('restricted')).toMatchObject({
      enforce: { level: 'restricted' },
      audit: { level: 'privileged' },
      warn: { level: 'restricted' },
    });
    expect(parsePodSecurityDefault('enforce=privileged,warn=baseline')).toMatchObject({
      enforce: { level: 'privileged' },
      warn: { level: 'baseline' },
    });
    expect(() => parsePodSecurityDefault('enforce=strict')).toThrow(
      /invalid pod security default "enforce=strict"/,
    );
  });

  it('words the existing pods a stricter enforce level would refuse', () => {
    const hostNet = [{ reason: 'host namespaces', detail: 'hostNetwork=true' }];
    expect(
      existingPodsWarnings('apps', { level: 'baseline', version: 'latest' }, [
        { pod: 'web-2', violations: hostNet },
        { pod: 'web-1', violations: hostNet },
        { pod: 'agent', violations: [{ reason: 'privileged', detail: '' }, ...hostNet] },
      ]),
    ).toEqual([
      'existing pods in namespace "apps" violate the new PodSecurity enforce level "baseline:latest"',
      'agent: privileged, host namespaces',
      'web-1 (and 1 other pod): host namespaces',
    ]);
  });
});
