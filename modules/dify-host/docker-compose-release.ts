/**
 * The Docker Compose plugin the host installs (Amazon Linux 2023 packages Docker but not
 * Compose, and Dify needs Compose >= 2.24). SHA-256 of the release assets, as published in the
 * release's checksums.txt, read from two independent pins: docker-library/docker versions.json
 * (commit c9a3e1e3) and prasadvamer/dev-env-github-selfhosted-runner-dockerized's Dockerfile
 * (commit 58fbaa41). Dify's compose project pulls prebuilt images only, so Compose's buildx
 * requirement for `build` does not apply.
 */
export const DOCKER_COMPOSE = {
  version: "2.40.3",
  sha256: {
    x86_64: "dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372",
    aarch64: "d26373b19e89160546d15407516cc59f453030d9bc5b43ba7faf16f7b4980137",
  },
} as const;
