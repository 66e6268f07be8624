/**
 * The operations the playground opens with, one tab each: the README's walkthrough (apply
 * a Deployment and its Service, read them, watch the pods and the rollout, change and undo),
 * so that a first visit can follow it by pressing run. The README shows the same text, and
 * test/integration/playground.test.ts holds the two to each other and to the schema.
 */
export const EXAMPLE_OPERATIONS: readonly string[] = [
  `mutation Run {
  apply(
    manifests: """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: hello, labels: {run: hello}}
    spec:
      replicas: 2
      selector: {matchLabels: {run: hello}}
      template:
        metadata: {labels: {run: hello}}
        spec: {containers: [{name: hello, image: "kubeql/demo-web:v1", ports: [{containerPort: 8000}]}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: hello}
    spec: {type: NodePort, selector: {run: hello}, ports: [{port: 8000}]}
    """
  ) {
    kind
    metadata {
      name
    }
  }
}
`,
  `query Get {
  services(namespace: "default") {
    items {
      metadata {
        name
      }
      spec {
        type
        clusterIP
        ports {
          port
          nodePort
        }
      }
    }
  }
  deployment(name: "hello") {
    status {
      readyReplicas
      updatedReplicas
      availableReplicas
    }
    pods {
      metadata {
        name
      }
      spec {
        nodeName
      }
      status {
        phase
        podIP
      }
    }
  }
}
`,
  `subscription Pods {
  watchPods(namespace: "default", labelSelector: "run=hello") {
    type
    object {
      metadata {
        name
      }
      status {
        phase
      }
    }
  }
}
`,
  `subscription Rollout {
  rolloutStatus(name: "hello", timeoutSeconds: 120) {
    message
    done
    failed
  }
}
`,
  `mutation Change {
  scaleDeployment(name: "hello", replicas: 4) {
    spec {
      replicas
    }
  }
  setImage(
    kind: Deployment
    name: "hello"
    images: [{ container: "hello", image: "kubeql/demo-web:v2" }]
    changeCause: "demo-web v2"
  ) {
    metadata {
      name
    }
  }
}
query History {
  rolloutHistory(kind: Deployment, name: "hello") {
    revision
    changeCause
  }
}
mutation Undo {
  rolloutUndoDeployment(name: "hello", toRevision: 1) {
    revision
    message
  }
}
mutation Delete {
  deleteService(name: "hello") {
    metadata {
      name
    }
  }
  deleteDeployment(name: "hello") {
    metadata {
      name
    }
  }
}
`,
];
