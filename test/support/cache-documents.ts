/**
 * What the normalized-cache tests (Apollo Client, urql with Graphcache) send alike, as
 * text for each client's own `gql`: a Resource fragment with the `id` caches key by, a
 * mutation and a watch that change and deliver the Deployment "web", and that Deployment.
 */
export const IDENTITY_FRAGMENT = `
  fragment Identity on Resource {
    id
    metadata {
      name
      resourceVersion
    }
  }
`;

export const DEPLOYMENT_QUERY = `
  query Deployment {
    deployment(name: "web") {
      ...Identity
      spec {
        replicas
      }
    }
  }
  ${IDENTITY_FRAGMENT}
`;

export const SCALE_MUTATION = `
  mutation Scale($replicas: Int!) {
    scaleDeployment(name: "web", replicas: $replicas) {
      ...Identity
      spec {
        replicas
      }
    }
  }
  ${IDENTITY_FRAGMENT}
`;

export const WATCH_SUBSCRIPTION = `
  subscription Watch {
    watchDeployments(
      namespace: "default"
      fieldSelector: "metadata.name=web"
      sendInitialEvents: true
      allowBookmarks: true
    ) {
      type
      object {
        ...Identity
        spec {
          replicas
        }
      }
    }
  }
  ${IDENTITY_FRAGMENT}
`;

export const DEPLOYMENT_MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: kubeql/demo-web:v1 }] }`;
